"""Record-level checks and repairs: one RawRecord in, one verdict out (no batch state).

Order matters and is fixed: text checks, per-span label and bounds checks, dropping exact
duplicate spans, repairing misaligned spans (trim, else re-anchor), completeness (unlabelled
repeats, policy per source), then overlap on the final spans. Any reason left means quarantine and the repairs are void.
Details name fields, offsets and labels only: they go to the quarantine file for staff.
Spans are (start, end, label) tuples here (see ingest/raw.py for why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..ingest.raw import RawRecord
from ..records import LABELS, derive_id, text_hash
from . import reasons as R
from .completeness import Completeness, check_completeness
from .repair import reanchor, trim_whitespace
from .spans import aligned

_LABEL_SET = frozenset(LABELS)
SpanT = tuple[int, int, str]


@dataclass(slots=True)
class Checked:
    id: str | None
    reasons: list[str]
    details: list[str] = field(default_factory=list)
    spans: list[SpanT] = field(default_factory=list)  # final spans, sorted (meaningful when no reasons)
    repairs: list[dict[str, Any]] = field(default_factory=list)  # {rule, label, old, new}
    text_hash: str | None = None
    completeness: Completeness | None = None  # None when the record's spans were never checked


def _where(i: int, sp: SpanT) -> str:
    return f"entities[{i}] {sp[2]} {sp[0]}-{sp[1]}"


def check_record(rr: RawRecord, vs: Any) -> Checked:
    """`vs` is settings.validation."""
    if rr.error is not None:
        rid = rr.id or (derive_id(rr.text) if rr.text is not None else None)
        return Checked(rid, [rr.error], [rr.detail] if rr.detail else [])
    text = rr.text or ""
    out = Checked(rr.id or derive_id(text), [], text_hash=text_hash(text))
    found: dict[str, None] = {}  # ordered set of reason codes

    def fail(code: str, detail: str) -> None:
        found[code] = None
        out.details.append(detail)

    n = len(text)
    if not text.strip():
        fail(R.EMPTY_TEXT, "text is empty or only whitespace")
        out.reasons = list(found)
        return out
    # Over a size cap: quarantined as it is, never scanned (completeness is quadratic in spans).
    too_big = False
    if n > vs.max_text_chars:
        fail(R.TEXT_TOO_LONG, f"text has {n} characters, limit {vs.max_text_chars}")
        too_big = True
    if len(rr.entities) > vs.max_spans_per_record:
        fail(R.TOO_MANY_SPANS, f"{len(rr.entities)} spans, limit {vs.max_spans_per_record}")
        too_big = True
    if too_big:
        out.reasons = list(found)
        return out

    # Labels and bounds; exact duplicates (same start, end, label) are dropped.
    seen: set[SpanT] = set()
    good: list[SpanT] = []
    bad: list[tuple[int, SpanT]] = []
    for i, sp in enumerate(rr.entities):
        s, e, label = sp
        if label not in _LABEL_SET:
            fail(R.UNKNOWN_LABEL, f"{_where(i, sp)}: label not in the label set")
        if not (0 <= s < e <= n):
            fail(R.SPAN_OUT_OF_BOUNDS, f"{_where(i, sp)}: outside 0-{n} or end <= start")
            continue
        if sp in seen:
            out.repairs.append(_repair(R.DROP_DUPLICATE_SPAN, sp, None))
            continue
        seen.add(sp)
        if aligned(text, s, e):
            good.append(sp)
        else:
            bad.append((i, sp))

    # Misaligned spans: trim edge whitespace, else re-anchor onto a surface the record
    # already labels correctly under the same label; re-anchoring only uses originally
    # aligned spans as evidence, so one repair never justifies another.
    final = list(good)
    if bad:
        occupied = [(s, e) for s, e, _ in good]
        for i, sp in bad:
            s, e, label = sp
            rule, new = R.TRIM_WHITESPACE, trim_whitespace(text, s, e)
            if new is None:
                surfaces = [text[a:b] for a, b, lab in good if lab == label]
                rule, new = R.REANCHOR, (reanchor(text, s, e, surfaces, occupied, vs.reanchor_window)
                                         if surfaces else None)
            if new is None:
                fail(R.SPAN_MISALIGNED, f"{_where(i, sp)}: cuts a word or has edge whitespace, not repairable")
                continue
            fixed = (new[0], new[1], label)
            final.append(fixed)
            occupied.append(new)
            out.repairs.append(_repair(rule, sp, fixed))

    # Unlabelled repeats of labelled mentions: warn, propagate or quarantine (completeness.py).
    cc = out.completeness = check_completeness(text, final, rr.source, vs)
    final = cc.spans
    out.repairs.extend(cc.repairs)
    for code, detail in cc.reasons:
        fail(code, detail)

    final.sort()
    max_end = -1
    for s, e, label in final:
        if s < max_end:
            fail(R.SPAN_OVERLAP, f"{label} {s}-{e}: overlaps an earlier span")
        if e > max_end:
            max_end = e

    if vs.require_entities and not rr.entities:
        fail(R.NO_ENTITIES, "record has no entities and validation.require_entities is set")

    out.reasons = list(found)
    out.spans = final
    return out


def _repair(rule: str, old: SpanT, new: SpanT | None) -> dict[str, Any]:
    return {"rule": rule, "label": old[2], "old": [old[0], old[1]], "new": None if new is None else [new[0], new[1]]}

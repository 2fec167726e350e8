"""Record-level checks and repairs: one RawRecord in, one verdict out (no batch state).

Order matters and is fixed: text checks, per-span label and bounds checks, dropping exact
duplicate spans, repairing misaligned spans (choose_repair.py) and placing the aligned ones of a
record with drift again (drift_runs.py), completeness (unlabelled
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
from .choose_repair import choose_repairs
from .drift_runs import settle_anchors
from .completeness import Completeness, check_completeness
from .plausible import HARD, implausible
from ..words import aligned

_LABEL_SET = frozenset(LABELS)

SpanT = tuple[int, int, str]


@dataclass(slots=True)
class Checked:
    id: str | None
    reasons: list[str]
    details: list[str] = field(default_factory=list)
    spans: list[SpanT] = field(default_factory=list)  # final spans, sorted (meaningful when no reasons)
    repairs: list[dict[str, Any]] = field(default_factory=list)  # {rule, label, old, new, shift}
    # Spans no rule could repair: {label, old, why}; with `repairs`, what a quarantined record
    # would have needed (its quarantine entry lists both).
    unrepaired: list[dict[str, Any]] = field(default_factory=list)
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

    # A Label Studio task's offsets were read as code points or UTF-16 code units (ingest/offsets.py):
    # each span that reading moved is audited; a task neither reading fits is quarantined as is.
    ls_offsets = (rr.meta.get("label_studio") or {}).get("offsets") if rr.meta else None
    if isinstance(ls_offsets, dict):
        if ls_offsets.get("convention") is None:
            fail(R.OFFSETS_UNDECIDED, "spans after a character outside the BMP fit neither code-point nor UTF-16 "
                                      "offsets better (no value.text decides, word boundaries tie)")
            out.reasons = list(found)
            return out
        for a, b, s, e, lab in ls_offsets.get("converted") or ():
            out.repairs.append(_repair(R.UTF16_OFFSETS, (a, b, lab), (s, e, lab)))

    # Labels and bounds; exact duplicates (same start, end, label) are dropped. A span that
    # ends past the text by no more than the drift window may have drifted there: a suspect.
    seen: set[SpanT] = set()
    good: list[tuple[int, SpanT]] = []
    bad: list[tuple[int, SpanT]] = []
    for i, sp in enumerate(rr.entities):
        s, e, label = sp
        if label not in _LABEL_SET:
            fail(R.UNKNOWN_LABEL, f"{_where(i, sp)}: label not in the label set")
        if not (0 <= s < e <= n + vs.drift_window and e - s <= n):
            fail(R.SPAN_OUT_OF_BOUNDS, f"{_where(i, sp)}: outside 0-{n} or end <= start")
            continue
        if sp in seen:
            out.repairs.append(_repair(R.DROP_DUPLICATE_SPAN, sp, None))
            continue
        seen.add(sp)
        if aligned(text, s, e):
            good.append((i, sp))
        else:
            bad.append((i, sp))

    # Misaligned spans (choose_repair.py: trim, drift, stem, re-anchor; every result word-aligned
    # and plausible). In a record with any, an aligned span that is no plausible mention of its
    # label is a suspect too (drifted onto whole words by chance). The record is repaired only
    # as a whole: one span left unrepaired quarantines it, and what the others would have
    # needed stays in out.repairs, proposed (the quarantine entry lists them).
    # An aligned span that no real mention could be (a lone stopword, an AGE without a number:
    # plausible.HARD) is a suspect in any record: drift left it on whole words by chance.
    why_not = {sp: implausible(text[sp[0]:sp[1]], sp[2]) for _, sp in good}
    if not bad:
        bad = [(i, sp) for i, sp in good if why_not[sp] in HARD and sp[2] in _LABEL_SET]
    final = [sp for _, sp in good]
    if bad:
        anchors: list[SpanT] = []
        suspect = set(bad)
        for i, sp in good:
            if why_not[sp] is None or sp[2] not in _LABEL_SET:
                anchors.append(sp)
            elif (i, sp) not in suspect:
                bad.append((i, sp))
        decisions = choose_repairs(text, [sp for _, sp in bad], anchors, window=vs.drift_window,
                                   reanchor_window=vs.reanchor_window, stem_labels=vs.stem_labels)
        # Anchors in a drifted stretch move with it; one whose place is not known quarantines the record.
        moved, undecided = settle_anchors(text, [sp for _, sp in bad], [(d.rule, d.new) for d in decisions], anchors)
        final = [sp for sp in anchors if sp not in moved and sp not in undecided]
        for old, new in moved.items():
            final.append(new)
            out.repairs.append(_repair(R.DRIFT_NEIGHBOURS, old, new))
        for sp, why in undecided.items():
            out.unrepaired.append({"label": sp[2], "old": [sp[0], sp[1]], "why": why})
            fail(R.SPAN_MISALIGNED, f"{sp[2]} {sp[0]}-{sp[1]}: on whole words, but in a drifted stretch where "
                                    f"whether it drifted too is not known ({why})")
        for (i, sp), d in zip(bad, decisions):
            if d.new is None and sp in why_not and _only_a_trailing_mark(text, sp):
                final.append(sp)  # "Grace." where it stands: sloppy, not drifted; kept as it came
                continue
            if d.new is None:
                out.unrepaired.append({"label": sp[2], "old": [sp[0], sp[1]], "why": d.why})
                if sp[1] > n:
                    fail(R.SPAN_OUT_OF_BOUNDS, f"{_where(i, sp)}: outside 0-{n}, no drift repair puts it inside")
                elif aligned(text, sp[0], sp[1]):
                    fail(R.SPAN_IMPLAUSIBLE, f"{_where(i, sp)}: whole words but not a plausible {sp[2]} mention "
                                             f"({why_not[sp]}), no repair found ({d.why})")
                else:
                    fail(R.SPAN_MISALIGNED, f"{_where(i, sp)}: cuts a word or has edge whitespace, "
                                            f"not repairable ({d.why})")
                continue
            final.append(d.new)
            out.repairs.append(_repair(d.rule, sp, d.new))

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


def _only_a_trailing_mark(text: str, sp: SpanT) -> bool:
    """An aligned span whose one fault is punctuation at its end ("Grace."): without it, plausible."""
    m = text[sp[0]:sp[1]]
    core = m.rstrip(".,;:!?")
    return bool(core) and core != m and implausible(core, sp[2]) is None


def _repair(rule: str, old: SpanT, new: SpanT | None) -> dict[str, Any]:
    """An audit entry: offsets, label and rule only (never text); shift = how far the start moved."""
    return {"rule": rule, "label": old[2], "old": [old[0], old[1]], "new": None if new is None else [new[0], new[1]],
            "shift": None if new is None else new[0] - old[0]}

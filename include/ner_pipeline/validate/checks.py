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
from .choose_repair import Decision, choose_repairs
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


Fail = tuple[str, str]  # (reason code, detail)
Indexed = tuple[int, SpanT]  # (index in rr.entities, span)


def check_record(rr: RawRecord, vs: Any) -> Checked:
    """`vs` is settings.validation."""
    if rr.error is not None:
        return _read_error(rr)
    text = rr.text or ""
    out = Checked(rr.id or derive_id(text), [], text_hash=text_hash(text))
    # Empty, or over a size cap: quarantined as it is, never scanned (completeness is quadratic in spans).
    fails = _unscannable(text, len(rr.entities), vs)
    if fails:
        return _verdict(out, fails)
    fails, out.repairs = _offset_audit(rr.meta)
    if fails:
        return _verdict(out, fails)

    read = _read_spans(text, rr.entities, vs.drift_window)
    fails += read.fails
    out.repairs += read.repairs
    fixed = _repair_suspects(text, read.good, read.bad, vs)
    fails += fixed.fails
    out.repairs += fixed.repairs
    out.unrepaired += fixed.unrepaired

    # Unlabelled repeats of labelled mentions: warn, propagate or quarantine (completeness.py).
    cc = out.completeness = check_completeness(text, fixed.final, rr.source, vs)
    final = cc.spans
    out.repairs.extend(cc.repairs)
    fails += cc.reasons
    final.sort()
    fails += _overlaps(final)
    if vs.require_entities and not rr.entities:
        fails.append((R.NO_ENTITIES, "record has no entities and validation.require_entities is set"))
    out.spans = final
    return _verdict(out, fails)


def _read_error(rr: RawRecord) -> Checked:
    """A line that could not be read as a record: quarantined with the reader's reason."""
    rid = rr.id or (derive_id(rr.text) if rr.text is not None else None)
    return Checked(rid, [rr.error], [rr.detail] if rr.detail else [])


def _verdict(out: Checked, fails: list[Fail]) -> Checked:
    """Each reason code once, in the order first found; every detail."""
    out.reasons = list(dict.fromkeys(code for code, _ in fails))
    out.details.extend(detail for _, detail in fails)
    return out


def _unscannable(text: str, n_spans: int, vs: Any) -> list[Fail]:
    """Why a record is quarantined as it is, unscanned: empty text, or over a size cap."""
    if not text.strip():
        return [(R.EMPTY_TEXT, "text is empty or only whitespace")]
    fails = []
    if len(text) > vs.max_text_chars:
        fails.append((R.TEXT_TOO_LONG, f"text has {len(text)} characters, limit {vs.max_text_chars}"))
    if n_spans > vs.max_spans_per_record:
        fails.append((R.TOO_MANY_SPANS, f"{n_spans} spans, limit {vs.max_spans_per_record}"))
    return fails


def _offset_audit(meta: dict[str, Any] | None) -> tuple[list[Fail], list[dict[str, Any]]]:
    """A Label Studio task's offsets were read as code points or UTF-16 code units (ingest/offsets.py):
    each span that reading moved is audited; a task neither reading fits is quarantined as is."""
    ls_offsets = (meta.get("label_studio") or {}).get("offsets") if meta else None
    if not isinstance(ls_offsets, dict):
        return [], []
    if ls_offsets.get("convention") is None:
        return [(R.OFFSETS_UNDECIDED, "spans after a character outside the BMP fit neither code-point nor UTF-16 "
                                      "offsets better (no value.text decides, word boundaries tie)")], []
    return [], [_repair(R.UTF16_OFFSETS, (a, b, lab), (s, e, lab)) for a, b, s, e, lab in ls_offsets.get("converted") or ()]


@dataclass(slots=True)
class _Read:
    """The spans as read: aligned (good) and misaligned (bad), with the faults and drops found."""
    good: list[Indexed] = field(default_factory=list)
    bad: list[Indexed] = field(default_factory=list)
    fails: list[Fail] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)


def _read_spans(text: str, entities: list[SpanT], drift_window: int) -> _Read:
    """Labels and bounds; exact duplicates (same start, end, label) are dropped. A span that
    ends past the text by no more than the drift window may have drifted there: a suspect."""
    n = len(text)
    seen: set[SpanT] = set()
    out = _Read()
    for i, sp in enumerate(entities):
        s, e, label = sp
        if label not in _LABEL_SET:
            out.fails.append((R.UNKNOWN_LABEL, f"{_where(i, sp)}: label not in the label set"))
        if not (0 <= s < e <= n + drift_window and e - s <= n):
            out.fails.append((R.SPAN_OUT_OF_BOUNDS, f"{_where(i, sp)}: outside 0-{n} or end <= start"))
            continue
        if sp in seen:
            out.repairs.append(_repair(R.DROP_DUPLICATE_SPAN, sp, None))
            continue
        seen.add(sp)
        (out.good if aligned(text, s, e) else out.bad).append((i, sp))
    return out


@dataclass(slots=True)
class _Repaired:
    """The spans after repair (final), and the repairs, unrepaired spans and faults on the way."""
    final: list[SpanT]
    fails: list[Fail] = field(default_factory=list)
    repairs: list[dict[str, Any]] = field(default_factory=list)
    unrepaired: list[dict[str, Any]] = field(default_factory=list)

    def leave(self, sp: SpanT, why: str, fail: Fail) -> None:
        self.unrepaired.append({"label": sp[2], "old": [sp[0], sp[1]], "why": why})
        self.fails.append(fail)


def _repair_suspects(text: str, good: list[Indexed], bad: list[Indexed], vs: Any) -> _Repaired:
    """Misaligned spans (choose_repair.py: trim, drift, stem, re-anchor; every result word-aligned
    and plausible). In a record with any, an aligned span that is no plausible mention of its
    label is a suspect too (drifted onto whole words by chance). The record is repaired only
    as a whole: one span left unrepaired quarantines it, and what the others would have
    needed stays in the repairs, proposed (the quarantine entry lists them).
    An aligned span that no real mention could be (a lone stopword, an AGE without a number:
    plausible.HARD) is a suspect in any record: drift left it on whole words by chance."""
    why_not = {sp: implausible(text[sp[0]:sp[1]], sp[2]) for _, sp in good}
    if not bad:
        bad = [(i, sp) for i, sp in good if why_not[sp] in HARD and sp[2] in _LABEL_SET]
    if not bad:
        return _Repaired([sp for _, sp in good])
    anchors, bad = _anchors_and_suspects(good, bad, why_not)
    suspects = [sp for _, sp in bad]
    decisions = choose_repairs(text, suspects, anchors, window=vs.drift_window,
                               reanchor_window=vs.reanchor_window, stem_labels=vs.stem_labels)
    # Anchors in a drifted stretch move with it; one whose place is not known quarantines the record.
    moved, undecided = settle_anchors(text, suspects, [(d.rule, d.new) for d in decisions], anchors)
    out = _Repaired([sp for sp in anchors if sp not in moved and sp not in undecided])
    for old, new in moved.items():
        out.final.append(new)
        out.repairs.append(_repair(R.DRIFT_NEIGHBOURS, old, new))
    for sp, why in undecided.items():
        out.leave(sp, why, (R.SPAN_MISALIGNED, f"{sp[2]} {sp[0]}-{sp[1]}: on whole words, but in a drifted stretch "
                                               f"where whether it drifted too is not known ({why})"))
    for (i, sp), d in zip(bad, decisions):
        _apply_decision(text, i, sp, d, why_not, out)
    return out


def _anchors_and_suspects(good: list[Indexed], bad: list[Indexed], why_not: dict[SpanT, str | None]
                          ) -> tuple[list[SpanT], list[Indexed]]:
    """In a record with suspects: the aligned spans that are plausible (or of an unknown label)
    anchor the repairs; the other aligned ones join the suspects."""
    anchors: list[SpanT] = []
    suspects = list(bad)
    suspect = set(bad)
    for i, sp in good:
        if why_not[sp] is None or sp[2] not in _LABEL_SET:
            anchors.append(sp)
        elif (i, sp) not in suspect:
            suspects.append((i, sp))
    return anchors, suspects


def _apply_decision(text: str, i: int, sp: SpanT, d: Decision, why_not: dict[SpanT, str | None],
                    out: _Repaired) -> None:
    """One suspect's decision: its repair, or the span kept as it came, or why it is left."""
    if d.new is not None:
        out.final.append(d.new)
        out.repairs.append(_repair(d.rule, sp, d.new))
    elif sp in why_not and _only_a_trailing_mark(text, sp):
        out.final.append(sp)  # "Grace." where it stands: sloppy, not drifted; kept as it came
    else:
        out.leave(sp, d.why, _unrepaired_fail(text, i, sp, d.why, why_not.get(sp)))


def _unrepaired_fail(text: str, i: int, sp: SpanT, why: str, implausible_why: str | None) -> Fail:
    n = len(text)
    if sp[1] > n:
        return R.SPAN_OUT_OF_BOUNDS, f"{_where(i, sp)}: outside 0-{n}, no drift repair puts it inside"
    if aligned(text, sp[0], sp[1]):
        return R.SPAN_IMPLAUSIBLE, (f"{_where(i, sp)}: whole words but not a plausible {sp[2]} mention "
                                    f"({implausible_why}), no repair found ({why})")
    return R.SPAN_MISALIGNED, f"{_where(i, sp)}: cuts a word or has edge whitespace, not repairable ({why})"


def _overlaps(spans: list[SpanT]) -> list[Fail]:
    """Overlaps in sorted final spans: each span that starts before an earlier one ends."""
    fails = []
    max_end = -1
    for s, e, label in spans:
        if s < max_end:
            fails.append((R.SPAN_OVERLAP, f"{label} {s}-{e}: overlaps an earlier span"))
        if e > max_end:
            max_end = e
    return fails


def _only_a_trailing_mark(text: str, sp: SpanT) -> bool:
    """An aligned span whose one fault is punctuation at its end ("Grace."): without it, plausible."""
    m = text[sp[0]:sp[1]]
    core = m.rstrip(".,;:!?")
    return bool(core) and core != m and implausible(core, sp[2]) is None


def _repair(rule: str, old: SpanT, new: SpanT | None) -> dict[str, Any]:
    """An audit entry: offsets, label and rule only (never text); shift = how far the start moved."""
    return {"rule": rule, "label": old[2], "old": [old[0], old[1]], "new": None if new is None else [new[0], new[1]],
            "shift": None if new is None else new[0] - old[0]}

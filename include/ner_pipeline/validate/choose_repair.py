"""Which repair each suspect span of one record gets, or why it gets none. Pure.

Suspects are a record's misaligned spans and, in a record that has any, its aligned spans
that are no plausible mention of their label (a drifted span that landed on whole words by
chance); anchors are its other spans (aligned and plausible). Rules, first that applies:

1. `trim_whitespace` when what is left is a surface the record labels under the same label;
2. drift (drift.py): `drift_surface`, else `drift_neighbours`; then, for a span whose nearest
   suspects drift moved, their shift when exactly one of them puts it on a plausible mention;
3. `trim_whitespace` when what is left is a plausible mention;
4. `stem_extend` (stem.py), for the labels in validation.stem_labels;
5. `reanchor` (repair.py) onto a surface of the same label, when the result is plausible.

Every result is word-aligned and a plausible mention of the span's label (plausible.py), or
the span is left unrepaired with the code of why. Trimming comes first only with a surface
behind it and otherwise after drift: an AGE span drifted onto " I" is not "I" (implausible
anyway), and an INCIDENT_TYPE drifted onto " scared" is not "scared" when its neighbours
drifted by the same shift.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, Sequence

from .drift import DRIFT_NEIGHBOURS, DRIFT_SURFACE, realign
from .plausible import implausible
from .reasons import REANCHOR, STEM_EXTEND, TRIM_WHITESPACE
from .repair import reanchor, trim_whitespace
from .spans import aligned
from .stem import extend_stem

SpanT = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Decision:
    span: SpanT  # as read
    rule: str | None  # None: not repaired
    new: SpanT | None
    why: str = ""  # when not repaired: a code (no text)


def choose_repairs(text: str, suspects: Sequence[SpanT], anchors: Sequence[SpanT], *, window: int,
                   reanchor_window: int, stem_labels: Iterable[str]) -> list[Decision]:
    stem_labels = frozenset(stem_labels)
    surfaces: dict[str, set[str]] = {}
    for s, e, lab in anchors:
        surfaces.setdefault(lab, set()).add(text[s:e])
    out: list[Decision | None] = [None] * len(suspects)

    def ok(s: int, e: int, label: str) -> bool:
        return aligned(text, s, e) and implausible(text[s:e], label) is None

    n = len(text)  # a suspect past the end (drifted there) can only be moved: drift alone applies
    trims = [trim_whitespace(text, s, e) if e <= n else None for s, e, _ in suspects]
    for i, (sp, t) in enumerate(zip(suspects, trims)):
        if t is not None and ok(*t, sp[2]) and text[t[0]:t[1]] in surfaces.get(sp[2], ()):
            out[i] = Decision(sp, TRIM_WHITESPACE, (t[0], t[1], sp[2]))

    rest = [i for i in range(len(suspects)) if out[i] is None]
    shifts = realign(text, [suspects[i] for i in rest], anchors, window)
    for i, ch in zip(rest, shifts):
        if ch is not None:
            s, e, lab = suspects[i]
            out[i] = Decision(suspects[i], ch[0], (s + ch[1], e + ch[1], lab))

    occupied = [(s, e) for s, e, _ in anchors]
    # Shifts drift chose, by position: a span whose nearest suspect on either side moved by
    # drift is in a drifted stretch, where trimming or extending it would fix the wrong thing.
    drifted = sorted((sp[0], d.new[0] - sp[0]) for sp, d in zip(suspects, out)
                     if d is not None and d.rule in (DRIFT_SURFACE, DRIFT_NEIGHBOURS))
    for i, sp in enumerate(suspects):
        if out[i] is not None:
            continue
        s, e, label = sp
        why = "no_rule_applies"
        if e > n:
            out[i] = Decision(sp, None, None, "past_the_end")
            continue
        # In a drifted stretch (the nearest suspects were moved by drift), the span most likely
        # drifted too: the neighbours' shift, when it puts the span on a plausible mention,
        # comes before trimming or extending it where it stands.
        moves = [d for d in sorted(_nearest_shifts(drifted, s)) if 0 <= s + d and e + d <= n
                 and ok(s + d, e + d, label) and not any(a < e + d and s + d < b for a, b in occupied)]
        if len(moves) == 1:
            out[i] = Decision(sp, DRIFT_NEIGHBOURS, (s + moves[0], e + moves[0], label))
            continue
        tries: list[tuple[str, tuple[int, int] | None]] = [(TRIM_WHITESPACE, trims[i])]
        if label in stem_labels:
            tries.append((STEM_EXTEND, extend_stem(text, s, e)))
        if surfaces.get(label):
            new = reanchor(text, s, e, surfaces[label], occupied, reanchor_window)
            # Only a cut mention grows into the surface ("asser" into "Nasser"): a drifted span,
            # whose length is the mention's, never shrinks or grows onto a different one.
            kept = text[s:e].strip()
            if new is not None and not (new[0] <= s + (len(text[s:e]) - len(text[s:e].lstrip())) and kept
                                        and kept in text[new[0]:new[1]] and new[0] < e and s < new[1]):
                new = None
            tries.append((REANCHOR, new))
        for rule, new in tries:
            if new is None:
                continue
            bad = implausible(text[new[0]:new[1]], label) if aligned(text, *new) else "not_aligned"
            if bad is None:
                out[i] = Decision(sp, rule, (new[0], new[1], label))
                break
            why = f"{rule}_{bad}"
        if out[i] is None:
            out[i] = Decision(sp, None, None, why)
    return out  # type: ignore[return-value]  # every slot is filled above


def _nearest_shifts(drifted: list[tuple[int, int]], s: int) -> set[int]:
    """The shifts of the drift-moved suspects just before and just after position s."""
    i = bisect.bisect_left(drifted, (s, -10**9))
    return {drifted[j][1] for j in (i - 1, i) if 0 <= j < len(drifted) and drifted[j][0] != s}


def drifted_anchors(text: str, suspects: Sequence[SpanT], decisions: Sequence[Decision],
                    anchors: Sequence[SpanT]) -> list[Decision]:
    """Anchors inside a drifted stretch, moved with it. An anchor sits where drift put everything
    around it, on whole words by chance ("every span after the k-th shifted by d", one of them
    onto "near Tegeta dala dala"), when the nearest suspects before and after it were both
    moved by the same drift shift d; or when one of them was, and moving the anchor by d puts
    it on a surface the record labels the same way (an anchor or a repaired span). It moves
    by d when the moved span is aligned, plausible and free. Returns a Decision per anchor moved."""
    drift_rules = (DRIFT_SURFACE, DRIFT_NEIGHBOURS)
    shift_at = {sp[0]: d.new[0] - sp[0] for sp, d in zip(suspects, decisions)
                if d.new is not None and d.rule in drift_rules}
    if not shift_at:
        return []
    starts = sorted(sp[0] for sp in suspects)
    surfaces = {(text[s:e], lab) for s, e, lab in anchors}
    surfaces |= {(text[d.new[0]:d.new[1]], d.new[2]) for d in decisions if d.new is not None}
    taken = [(s, e) for s, e, _ in anchors] + [(d.new[0], d.new[1]) for d in decisions if d.new is not None]
    out = []
    for a in anchors:
        s, e, lab = a
        i = bisect.bisect_left(starts, s)
        left = shift_at.get(starts[i - 1]) if i > 0 else None
        right = shift_at.get(starts[i]) if i < len(starts) and starts[i] != s else None
        shifts = {d for d in (left, right) if d is not None}
        if not shifts:
            continue
        for d in sorted(shifts):
            ns, ne = s + d, e + d
            if not (0 <= ns and ne <= len(text)) or not aligned(text, ns, ne) or implausible(text[ns:ne], lab) is not None:
                continue
            if not (left == right == d or (text[ns:ne], lab) in surfaces):
                continue
            if any(os_ < ne and ns < oe for os_, oe in taken if (os_, oe) != (s, e)):
                continue
            out.append(Decision(a, DRIFT_NEIGHBOURS, (ns, ne, lab)))
            break
    return out

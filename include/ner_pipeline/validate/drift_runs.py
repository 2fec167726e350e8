"""Anchors in a record repaired for drift: where do the aligned spans belong? Pure.

Drift moves every span after some point by the same shift, or by shifts that grow along the
text; it does not come back to 0. Measured on the dev data: of 41 pairs of consecutive spans
the validator moved for drift, 27 kept the shift and 14 grew it, none shrank; in its 7
records whose drift can be followed from aligned first mentions, none of the 39 spans after
the first drifted one is aligned where it stands (the 8 aligned spans after a misaligned one,
in 3 other records, follow a lone INCIDENT_TYPE span that no shift places: not drift). A span
that drift moved onto other whole words looks aligned and plausible where it stands: an
anchor. So, in a record with a drift repair, every anchor is placed again.

The anchors between two consecutive suspects form a run. Its bounds are the shifts of those
suspects: drift's shift for a drift repair, 0 for a trim or a stem (the start is right), 0
before the first suspect ("after the first mentions"). A bound that says nothing (an
unrepaired suspect, a re-anchored one) takes the other bound. A place is viable for an anchor
when the moved span is aligned, plausible and not over a repaired span.

- Both bounds d: every anchor of the run drifted by d too; one that cannot be moved by d
  contradicts the drift: undecided.
- Bounds l != r: the shift changes inside the run, at a point no one knows: the anchors before
  it sit at l, the others at r. Every split point under which each anchor is viable is
  possible; the record's labelled surfaces rule some out (a place whose surface another span
  labels the same way, against one no span labels; a place whose surface others label under
  other labels only). When the possible splits still disagree about an anchor, it is
  undecided: the record is quarantined, never guessed.
- After the last suspect: drift persists, so the anchors move by its shift up to the first
  one that cannot; that one stays (nothing after it says the drift did not end there: an AGE
  that drift put exactly on "twelve" is less likely than a drift that ended), and after it an
  anchor that could sit at either place is undecided.

The evidence is counted on settled spans only (repaired suspects, anchors whose place every
split agrees on), so an anchor that drift left on "Please" is no evidence for moving another
one there. Which side of a moved suspect an anchor lies on is read twice, against the
suspect as it came and where it was moved (a span shifted past its neighbour changes sides):
a reading under which the anchor's run fits no shift is ruled out, and the readings left must
agree, else the anchor is undecided.
"""

from __future__ import annotations

import bisect
from typing import Sequence

from .drift import DRIFT_NEIGHBOURS, DRIFT_SURFACE
from .plausible import implausible
from .reasons import STEM_EXTEND, TRIM_WHITESPACE
from ..words import aligned

SpanT = tuple[int, int, str]
DRIFT_RULES = frozenset({DRIFT_SURFACE, DRIFT_NEIGHBOURS})
UNDECIDED_RUN = "drift_run_inconsistent"  # both bounds drifted by d, the anchor cannot be
UNDECIDED_SPLIT = "drift_split_undecided"  # where the shift changes is not known
Run = tuple[list[SpanT], int, int, bool]  # anchors, left bound, right bound, after the last suspect


def settle_anchors(text: str, suspects: Sequence[SpanT], repaired: Sequence[tuple[str | None, SpanT | None]],
                   anchors: Sequence[SpanT]) -> tuple[dict[SpanT, SpanT], dict[SpanT, str]]:
    """(moves: anchor -> new span, undecided: anchor -> code) for the anchors of a record whose
    suspects got `repaired` ((rule, new span or None) each); see the module docstring."""
    fixed = [new for _, new in repaired if new is not None]
    readings = [settle(text, anchors, bound_shifts(suspects, repaired, moved), fixed) for moved in (False, True)]
    moves: dict[SpanT, SpanT] = {}
    undecided: dict[SpanT, str] = {}
    for a in anchors:
        got = [r.get(a, a) for r in readings]
        fits = [g for g in got if g != UNDECIDED_RUN]
        if not fits:
            undecided[a] = UNDECIDED_RUN
        elif UNDECIDED_SPLIT in fits or len(set(fits)) > 1:
            undecided[a] = UNDECIDED_SPLIT
        elif fits[0] != a:
            moves[a] = fits[0]  # type: ignore[assignment]  # a span, not a code: checked above
    return moves, undecided


def bound_shifts(suspects: Sequence[SpanT], repaired: Sequence[tuple[str | None, SpanT | None]],
                 moved: bool) -> list[tuple[int, int | None]]:
    """(position, shift) per suspect, in text order: drift's shift, 0 for a trim or a stem, None
    when it says nothing. The position is the start as it came, or (moved) where the repair put it."""
    out = []
    for sp, (rule, new) in zip(suspects, repaired):
        pos = new[0] if moved and new is not None else sp[0]
        if new is None:
            out.append((pos, None))
        elif rule in DRIFT_RULES:
            out.append((pos, new[0] - sp[0]))
        else:
            out.append((pos, 0 if rule in (TRIM_WHITESPACE, STEM_EXTEND) else None))
    return sorted(out, key=lambda x: x[0])


def runs(anchors: Sequence[SpanT], bounds: Sequence[tuple[int, int | None]]) -> list[Run]:
    """The anchors between consecutive suspects, in text order, with their bounds (module
    docstring); runs with no drift around them are left out."""
    starts = [b[0] for b in bounds]
    groups: dict[int, list[SpanT]] = {}
    for a in sorted(anchors):
        groups.setdefault(bisect.bisect_right(starts, a[0]), []).append(a)
    out = []
    for i, run in sorted(groups.items()):
        last = i == len(bounds)
        left = bounds[i - 1][1] if i > 0 else 0
        right = left if last else bounds[i][1]
        if left is None and right is None:
            continue
        left = right if left is None else left
        right = left if right is None else right
        if left or right:
            out.append((run, left, right, last))
    return out


def settle(text: str, anchors: Sequence[SpanT], bounds: Sequence[tuple[int, int | None]],
           fixed: Sequence[SpanT]) -> dict[SpanT, SpanT | str]:
    """One reading: anchor -> its new span, or an UNDECIDED_* code; anchors left as they are are
    absent. `bounds`: bound_shifts; `fixed`: the repaired suspects' new spans."""
    todo = runs(anchors, bounds)
    in_runs = {a for run, *_ in todo for a in run}
    # Places taken: repaired suspects and anchors no run can move. An anchor that may move
    # blocks nothing (it may be the drifted one); an overlap left in the end quarantines the
    # record (checks.py).
    taken = [(s, e) for s, e, _ in fixed] + [(a[0], a[1]) for a in anchors if a not in in_runs]
    options = []
    for run, left, right, last in todo:
        ok = [{d for d in (left, right) if _viable(text, a, d, taken)} for a in run]
        places = _trailing(ok, left) if last else _per_anchor(_splits(ok, left, right), len(run), left, right)
        options.append((run, left, right, last, ok, places))
    # Settled: anchors outside every run, and the places every possible split agrees on.
    settled = list(fixed) + [a for a in anchors if a not in in_runs]
    for run, _, _, _, _, places in options:
        settled += [_moved(a, min(ds)) for a, ds in zip(run, places) if len(ds) == 1]
    out: dict[SpanT, SpanT | str] = {}
    for run, left, right, last, ok, places in options:
        if not last and left != right:
            splits = _splits(ok, left, right)
            kept = [k for k in splits if not _refuted(text, run, k, left, right, settled)]
            places = _per_anchor(kept or splits, len(run), left, right)
        if not any(places):
            out.update({a: UNDECIDED_RUN for a in run})  # no shift fits every anchor: not this reading
            continue
        for a, ds in zip(run, places):
            if len(ds) != 1:
                out[a] = UNDECIDED_SPLIT
            elif (d := min(ds)) != 0:
                out[a] = _moved(a, d)
    return out


def _trailing(ok: list[set[int]], d: int) -> list[set[int]]:
    """After the last suspect (module docstring): d up to the first anchor that cannot sit at d,
    0 for that one, then 0 or (where viable) d."""
    j = next((i for i, o in enumerate(ok) if d not in o), len(ok))
    return [{d} for _ in range(j)] + [{0} | ({d} & o if i > j else set()) for i, o in enumerate(ok) if i >= j]


def _splits(ok: list[set[int]], left: int, right: int) -> list[int]:
    """Split points k (anchors before k at left, the others at right) under which every anchor is
    viable; with left == right, the one split (0) when all are, else none."""
    if left == right:
        return [0] if all(left in o for o in ok) else []
    return [k for k in range(len(ok) + 1) if all(left in o for o in ok[:k]) and all(right in o for o in ok[k:])]


def _per_anchor(splits: list[int], n: int, left: int, right: int) -> list[set[int]]:
    """For each anchor of a run, the shifts the splits give it (no split: none, every set empty)."""
    return [{left if j < k else right for k in splits} for j in range(n)]


def _refuted(text: str, run: list[SpanT], k: int, left: int, right: int, settled: Sequence[SpanT]) -> bool:
    """A split is refuted when it puts an anchor on a surface the record labels under other
    labels only, or where no surface is labelled elsewhere while its other place has one."""
    for j, a in enumerate(run):
        d, other = (left, right) if j < k else (right, left)
        here, there = _support(text, a, d, settled), _support(text, a, other, settled)
        if here is False or (here is None and there is True and _viable(text, a, other, [])):
            return True
    return False


def _moved(a: SpanT, d: int) -> SpanT:
    return (a[0] + d, a[1] + d, a[2])


def _viable(text: str, a: SpanT, d: int, taken: Sequence[tuple[int, int]]) -> bool:
    """Can the anchor sit at shift d: aligned, plausible, not over a taken place? (0: as it is.)"""
    if d == 0:
        return True
    s, e = a[0] + d, a[1] + d
    if s < 0 or e > len(text) or not aligned(text, s, e) or implausible(text[s:e], a[2]) is not None:
        return False
    return not any(x < e and s < y for x, y in taken)


def _support(text: str, a: SpanT, d: int, settled: Sequence[SpanT]) -> bool | None:
    """True: another settled span labels the surface at shift d under a's label; False: others
    label it under other labels only; None: no settled span has it."""
    s, e = a[0] + d, a[1] + d
    if s < 0 or e > len(text):
        return None
    surface = text[s:e]
    labels = {lab for x, y, lab in settled if (x, y) != (s, e) and (x, y) != (a[0], a[1]) and text[x:y] == surface}
    if not labels:
        return None
    return a[2] in labels

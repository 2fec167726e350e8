"""Drift repair: offsets shifted by a few characters after the first mentions.

Annotations drift when the text they were made on and the text they are stored with differ
by a few characters somewhere before the span: every span after that point is off by the
same amount (or, with several such points, by amounts that grow along the text), and its
length is unchanged. So a drifted span is repaired by moving it, whole, by a shift d with
0 < |d| <= window. A shift is a *candidate* when the moved span covers whole words, is a
plausible mention of its label (plausible.py) and overlaps no anchor (a span of the record
that is aligned and plausible where it stands). A shift is chosen, in this order:

1. `drift_surface`: the moved span is a whole-word occurrence of a surface the record
   already labels, aligned, under the same label, and it is the only candidate that is;
2. `drift_neighbours`: it matches the shift of the span's neighbours (the nearest suspects
   before and after it in the text that fit somewhere): it equals a shift chosen for a neighbour, or lies
   between the shifts chosen for both, or (a neighbour still undecided) is the one
   candidate the two have in common; and it is the only candidate that does. Choices
   spread: a span decided in one round is evidence for its neighbours in the next.

A surface match that lies more than SLACK characters outside the shifts chosen for its
nearest decided neighbours is undone (it is another mention of the same surface) and the
span decided again without it.

Nothing else decides: several surface matches and no neighbour to break the tie, or no
match and no agreeing neighbour, leave the span undecided (None), and the caller
quarantines the record. Pure: text and spans in, (rule, shift) per suspect out.
"""

from __future__ import annotations

from typing import Callable, Sequence

from .plausible import implausible
from ..words import aligned

DRIFT_SURFACE = "drift_surface"
DRIFT_NEIGHBOURS = "drift_neighbours"
SLACK = 2  # how far a surface match may lie outside its neighbours' shifts (drift grows along a text)

SpanT = tuple[int, int, str]
Choice = tuple[str, int]  # (rule, shift)


def candidate_shifts(text: str, span: SpanT, window: int, free: Callable[[int, int], bool]) -> list[int]:
    """Shifts 0 < |d| <= window, nearest first, that put the span on whole words that are a
    plausible mention of its label, at a free place."""
    s, e, label = span
    n = len(text)
    out = []
    for d in sorted(range(-window, window + 1), key=lambda x: (abs(x), x)):
        a, b = s + d, e + d
        if d == 0 or a < 0 or b > n or not aligned(text, a, b):
            continue
        if implausible(text[a:b], label) is None and free(a, b):
            out.append(d)
    return out


def realign(text: str, suspects: Sequence[SpanT], anchors: Sequence[SpanT], window: int) -> list[Choice | None]:
    """One (rule, shift) or None per suspect, in the order given (see the module docstring)."""
    surfaces = {(text[s:e], lab) for s, e, lab in anchors}
    occupied = sorted((s, e) for s, e, _ in anchors)

    def free(a: int, b: int) -> bool:
        return not any(os_ < b and a < oe for os_, oe in occupied)

    order = sorted(range(len(suspects)), key=lambda i: (suspects[i][0], suspects[i][1]))
    cands: dict[int, list[int]] = {}
    matched: dict[int, list[int]] = {}
    chosen: dict[int, Choice | None] = {}
    for i in order:
        s, e, label = suspects[i]
        cands[i] = candidate_shifts(text, suspects[i], window, free)
        matched[i] = [d for d in cands[i] if (text[s + d:e + d], label) in surfaces]
        chosen[i] = (DRIFT_SURFACE, matched[i][0]) if len(matched[i]) == 1 else None

    pos = {i: k for k, i in enumerate(order)}
    rejected: dict[int, set[int]] = {i: set() for i in order}
    for _ in range(len(order) + 1):  # each round rejects at least one surface choice, or stops
        _spread(order, pos, chosen, cands, matched, rejected)
        # A surface match far from what both its neighbours were moved by is another mention of
        # the same surface (the "15" two sentences on), not this span's place: undo it.
        undone = False
        for i in order:
            if chosen[i] is None or chosen[i][0] != DRIFT_SURFACE:
                continue
            k = pos[i]
            near = [chosen[j][1] for j in (_nearest(order, k, -1, chosen, cands, True),
                                           _nearest(order, k, 1, chosen, cands, True)) if j is not None]
            d = chosen[i][1]
            if near and not (min(near) - SLACK <= d <= max(near) + SLACK):
                rejected[i].add(d)
                chosen[i] = None
                undone = True
        if not undone:
            break
    return [chosen[i] for i in range(len(suspects))]


def _spread(order: list[int], pos: dict[int, int], chosen: dict, cands: dict, matched: dict, rejected: dict) -> None:
    """The neighbour rule, round after round until nothing changes."""
    changed = True
    while changed:
        changed = False
        for i in order:
            if chosen[i] is not None or not cands[i]:
                continue
            k = pos[i]
            nbrs = [j for j in (_nearest(order, k, -1, chosen, cands), _nearest(order, k, 1, chosen, cands)) if j is not None]
            pool = [d for d in (matched[i] or cands[i]) if d not in rejected[i]]
            ok = [d for d in pool if _agrees(d, [chosen[j] for j in nbrs], [cands[j] for j in nbrs])]
            if len(ok) == 1:
                chosen[i] = (DRIFT_NEIGHBOURS, ok[0])
                changed = True


def _nearest(order: list[int], k: int, step: int, chosen: dict, cands: dict, decided: bool = False) -> int | None:
    """The nearest suspect before (step -1) or after (+1) that carries evidence: a chosen shift
    or some candidates (one with neither, a span that fits nowhere, says nothing about drift);
    with `decided`, the nearest with a chosen shift."""
    j = k + step
    while 0 <= j < len(order):
        i = order[j]
        if chosen[i] is not None or (cands[i] and not decided):
            return i
        j += step
    return None


def _agrees(d: int, choices: list[Choice | None], cand_sets: list[list[int]]) -> bool:
    shifts = [c[1] for c in choices if c is not None]
    if d in shifts:
        return True
    if len(shifts) == 2 and min(shifts) <= d <= max(shifts):
        return True
    return any(c is None and d in cs for c, cs in zip(choices, cand_sets))

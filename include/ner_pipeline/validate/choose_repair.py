"""Which repair each suspect span of one record gets, or why it gets none. Pure.

Suspects are a record's misaligned spans and, in a record that has any, its aligned spans
that are no plausible mention of their label (a drifted span that landed on whole words by
chance); anchors are its other spans (aligned and plausible). Rules, first that applies:

1. `trim_whitespace` when what is left is a surface the record labels under the same label;
2. drift (drift.py): `drift_surface`, else `drift_neighbours`; then, for a span whose nearest
   suspects drift moved, their shift when exactly one of them puts it on a plausible mention;
3. `trim_whitespace` when what is left is a plausible mention;
4. `stem_extend` (stem.py), for the labels in validation.stem_labels;
5. `reanchor` (repair.py) onto a surface of the same label, when the result is plausible;

and a trim or a stem stands only where drift does not explain the span as well
(`_unless_drift_fits`): not where a shift puts it on a plausible mention that the next span
does not rule out (a record's last span drifted onto " word" is as much drift as an edge
space). Anchors in a drifted record: drift_runs.py.

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

from .drift import DRIFT_NEIGHBOURS, DRIFT_SURFACE, candidate_shifts, realign
from .plausible import implausible
from .reasons import REANCHOR, STEM_EXTEND, TRIM_WHITESPACE
from .repair import reanchor, trim_whitespace
from ..words import aligned
from .stem import extend_stem

SpanT = tuple[int, int, str]
_DRIFT = (DRIFT_SURFACE, DRIFT_NEIGHBOURS)


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
    n = len(text)  # a suspect past the end (drifted there) can only be moved: drift alone applies
    trims = [trim_whitespace(text, s, e) if e <= n else None for s, e, _ in suspects]
    out = _trims_onto_surfaces(text, suspects, trims, surfaces)
    _drift(text, suspects, anchors, window, out)
    occupied = [(s, e) for s, e, _ in anchors]
    # Shifts drift chose, by position: a span whose nearest suspect on either side moved by
    # drift is in a drifted stretch, where trimming or extending it would fix the wrong thing.
    drifted = sorted((sp[0], d.new[0] - sp[0]) for sp, d in zip(suspects, out)
                     if d is not None and d.rule in (DRIFT_SURFACE, DRIFT_NEIGHBOURS))
    done = [d if d is not None else
            _decide_rest(text, sp, trim, drifted, occupied, surfaces, stem_labels, reanchor_window)
            for sp, trim, d in zip(suspects, trims, out)]
    return [_unless_drift_fits(text, i, suspects, done, anchors, window) for i in range(len(done))]


def _plausible_at(text: str, s: int, e: int, label: str) -> bool:
    return aligned(text, s, e) and implausible(text[s:e], label) is None


def _trims_onto_surfaces(text: str, suspects: Sequence[SpanT], trims: Sequence[tuple[int, int] | None],
                         surfaces: dict[str, set[str]]) -> list[Decision | None]:
    """Rule 1: a trim whose result is a surface the record labels under the same label."""
    out: list[Decision | None] = [None] * len(suspects)
    for i, (sp, t) in enumerate(zip(suspects, trims)):
        if t is not None and _plausible_at(text, *t, sp[2]) and text[t[0]:t[1]] in surfaces.get(sp[2], ()):
            out[i] = Decision(sp, TRIM_WHITESPACE, (t[0], t[1], sp[2]))
    return out


def _drift(text: str, suspects: Sequence[SpanT], anchors: Sequence[SpanT], window: int,
           out: list[Decision | None]) -> None:
    """Rule 2 (drift.py) for the suspects rule 1 left, filled into their slots of `out`."""
    rest = [i for i in range(len(suspects)) if out[i] is None]
    shifts = realign(text, [suspects[i] for i in rest], anchors, window)
    for i, ch in zip(rest, shifts):
        if ch is not None:
            s, e, lab = suspects[i]
            out[i] = Decision(suspects[i], ch[0], (s + ch[1], e + ch[1], lab))


def _decide_rest(text: str, sp: SpanT, trim: tuple[int, int] | None, drifted: list[tuple[int, int]],
                 occupied: list[tuple[int, int]], surfaces: dict[str, set[str]], stem_labels: frozenset[str],
                 reanchor_window: int) -> Decision:
    """A suspect neither rule 1 nor drift repaired: the neighbours' shift, then rules 3-5."""
    s, e, label = sp
    if e > len(text):
        return Decision(sp, None, None, "past_the_end")
    move = _neighbours_shift(text, sp, drifted, occupied)
    if move is not None:
        return Decision(sp, DRIFT_NEIGHBOURS, (s + move, e + move, label))
    tries: list[tuple[str, tuple[int, int] | None]] = [(TRIM_WHITESPACE, trim)]
    if label in stem_labels:
        tries.append((STEM_EXTEND, extend_stem(text, s, e)))
    if surfaces.get(label):
        tries.append((REANCHOR, _reanchor_cut(text, sp, surfaces[label], occupied, reanchor_window)))
    return _first_plausible(text, sp, tries)


def _neighbours_shift(text: str, sp: SpanT, drifted: list[tuple[int, int]],
                      occupied: list[tuple[int, int]]) -> int | None:
    """In a drifted stretch (the nearest suspects were moved by drift), the span most likely
    drifted too: the neighbours' shift, when exactly one puts the span on a plausible mention
    (clear of the anchors), comes before trimming or extending it where it stands."""
    s, e, label = sp
    n = len(text)
    moves = [d for d in sorted(_nearest_shifts(drifted, s)) if 0 <= s + d and e + d <= n
             and _plausible_at(text, s + d, e + d, label) and not any(a < e + d and s + d < b for a, b in occupied)]
    return moves[0] if len(moves) == 1 else None


def _reanchor_cut(text: str, sp: SpanT, surfaces: set[str], occupied: list[tuple[int, int]],
                  reanchor_window: int) -> tuple[int, int] | None:
    """Rule 5's candidate. Only a cut mention grows into the surface ("asser" into "Nasser"): a
    drifted span, whose length is the mention's, never shrinks or grows onto a different one."""
    s, e, _ = sp
    new = reanchor(text, s, e, surfaces, occupied, reanchor_window)
    kept = text[s:e].strip()
    if new is not None and not (new[0] <= s + (len(text[s:e]) - len(text[s:e].lstrip())) and kept
                                and kept in text[new[0]:new[1]] and new[0] < e and s < new[1]):
        return None
    return new


def _first_plausible(text: str, sp: SpanT, tries: list[tuple[str, tuple[int, int] | None]]) -> Decision:
    """The first candidate that is aligned and plausible, else why the last one tried was not."""
    label = sp[2]
    why = "no_rule_applies"
    for rule, new in tries:
        if new is None:
            continue
        bad = implausible(text[new[0]:new[1]], label) if aligned(text, *new) else "not_aligned"
        if bad is None:
            return Decision(sp, rule, (new[0], new[1], label))
        why = f"{rule}_{bad}"
    return Decision(sp, None, None, why)


def _unless_drift_fits(text: str, i: int, suspects: Sequence[SpanT], out: list[Decision], anchors: Sequence[SpanT],
                       window: int) -> Decision:
    """A trim or a stem keeps the span where it starts: no repair when drift explains the span as
    well. A shift d that puts the span on a plausible mention is such an alternative unless
    the next span rules it out: drift persists and never shrinks (drift_runs.py), so an anchor
    after the span that cannot sit at d, or a suspect after it repaired at 0, at the opposite
    sign or at less than d, says the span did not drift by d. A trim onto a surface the record
    labels the same way beats alternatives onto none; otherwise the span is left unrepaired."""
    dec = out[i]
    if dec.rule not in (TRIM_WHITESPACE, STEM_EXTEND) or dec.new is None:
        return dec
    sp = suspects[i]
    taken = [(s, e) for s, e, _ in anchors] + [(d.new[0], d.new[1]) for j, d in enumerate(out) if d.new and j != i]
    nxt = _next_item(sp, suspects, out, anchors)
    alts = [d for d in candidate_shifts(text, sp, window, lambda a, b: _free(a, b, taken))
            if not _rules_out(text, nxt, d, taken)]
    labelled = {(text[s:e], lab) for s, e, lab in anchors}
    backed = (text[dec.new[0]:dec.new[1]], sp[2]) in labelled
    if not alts or (backed and not any((text[sp[0] + d:sp[1] + d], sp[2]) in labelled for d in alts)):
        return dec
    return Decision(sp, None, None, f"{dec.rule}_or_drift")


def _shift_of(sp: SpanT, d: Decision) -> int | None:
    """What a repaired suspect says about drift where it is: drift's shift, 0 for a trim or a stem
    (its start stays where a word starts), None when it says nothing."""
    if d.new is None:
        return None
    if d.rule in _DRIFT:
        return d.new[0] - sp[0]
    return 0 if d.rule in (TRIM_WHITESPACE, STEM_EXTEND) else None


def _free(a: int, b: int, taken: Sequence[tuple[int, int]]) -> bool:
    return not any(x < b and a < y for x, y in taken)


def _next_item(sp: SpanT, suspects: Sequence[SpanT], out: list[Decision], anchors: Sequence[SpanT]
               ) -> tuple[SpanT | None, int | None] | None:
    """The span after sp in text order: (the anchor, None), or (None, the suspect's _shift_of);
    None when sp is the last."""
    items: list[tuple[int, int, SpanT | None, int | None]] = [(a[0], a[1], a, None) for a in anchors if a[0] > sp[0]]
    items += [(x[0], x[1], None, _shift_of(x, d)) for x, d in zip(suspects, out) if x[0] > sp[0]]
    if not items:
        return None
    _, _, anchor, shift = min(items, key=lambda t: (t[0], t[1]))
    return anchor, shift


def _rules_out(text: str, nxt: tuple[SpanT | None, int | None] | None, d: int, taken: Sequence[tuple[int, int]]) -> bool:
    """Does the next span rule out that the span before it drifted by d?"""
    if nxt is None:
        return False
    anchor, shift = nxt
    if anchor is not None:  # an anchor that cannot sit at d stayed at 0: nothing before it drifted by d
        s, e = anchor[0] + d, anchor[1] + d
        return not (0 <= s and e <= len(text) and aligned(text, s, e) and implausible(text[s:e], anchor[2]) is None
                    and _free(s, e, [p for p in taken if p != (anchor[0], anchor[1])]))
    # drift keeps its sign and never shrinks: after d, only d or more in the same direction
    return shift is not None and (shift == 0 or shift * d < 0 or abs(shift) < abs(d))


def _nearest_shifts(drifted: list[tuple[int, int]], s: int) -> set[int]:
    """The shifts of the drift-moved suspects just before and just after position s."""
    i = bisect.bisect_left(drifted, (s, -10**9))
    return {drifted[j][1] for j in (i - 1, i) if 0 <= j < len(drifted) and drifted[j][0] != s}

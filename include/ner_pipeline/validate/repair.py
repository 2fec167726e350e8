"""The allowed span repairs, as pure functions (property-tested in tests/unit/test_validate_repair.py).

Each returns the repaired (start, end) or None when the rule does not apply unambiguously,
and a repaired span always covers whole words (words.aligned, the same rule as records.is_word_aligned).
"""

from __future__ import annotations

from typing import Iterable

from ..words import aligned


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop whitespace at the span's edges; applies only if what is left is word-aligned."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if (s, e) == (start, end) or s >= e or not aligned(text, s, e):
        return None
    return s, e


def reanchor(text: str, start: int, end: int, surfaces: Iterable[str], occupied: Iterable[tuple[int, int]],
             window: int) -> tuple[int, int] | None:
    """Move a misaligned span onto the nearest whole-word occurrence of a surface string the
    record already has correctly labelled under the same label.

    Candidates start within `window` chars of the span's start, are word-aligned and do not
    overlap an occupied (already labelled) position. The nearest wins only if it is strictly
    nearer than every other candidate: a tie means the right place is not known. ("Exactly one
    candidate" would refuse the common case of a name repeated a sentence later with every
    later mention shifted: the shifted mentions' true places are all free candidates.)
    """
    if not text[start:end].strip():
        return None  # a whitespace-only span carries no evidence of where it belongs
    occupied = list(occupied)
    best: tuple[int, int] | None = None
    best_d, tie = window + 1, False
    lo = max(0, start - window)
    for surface in set(surfaces):
        if not surface:
            continue
        hi = min(len(text), start + window + len(surface))
        i = text.find(surface, lo, hi)
        while i >= 0:
            cand = (i, i + len(surface))
            d = abs(i - start)
            if (d <= best_d and cand != (start, end) and cand != best and aligned(text, *cand)
                    and not any(cand[0] < oe and os_ < cand[1] for os_, oe in occupied)):
                tie = d == best_d
                best, best_d = cand, d
            i = text.find(surface, i + 1, hi)
    return None if best is None or tie else best

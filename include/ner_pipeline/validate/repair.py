"""The allowed span repairs, as pure functions (property-tested in tests/unit/test_validate_repair.py).

Each returns the repaired (start, end) or None when the rule does not apply unambiguously,
and a repaired span always covers whole words (records.is_word_aligned).
"""

from __future__ import annotations

from typing import Iterable

from ..records import is_word_aligned


def trim_whitespace(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop whitespace at the span's edges; applies only if what is left is word-aligned."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if (s, e) == (start, end) or s >= e or not is_word_aligned(text, s, e):
        return None
    return s, e


def reanchor(text: str, start: int, end: int, surfaces: Iterable[str], occupied: Iterable[tuple[int, int]],
             window: int) -> tuple[int, int] | None:
    """Move a misaligned span onto a whole-word occurrence of a surface string the record
    already has correctly labelled under the same label.

    Candidates are occurrences starting within `window` chars of the span's start that are
    word-aligned and do not overlap an occupied (already labelled) position. The shifted-offset
    defect moves a mention by a few characters, so exactly one candidate is expected; zero or
    several means the right place is not known and nothing is changed.
    """
    occupied = list(occupied)
    if not text[start:end].strip():
        return None  # a whitespace-only span carries no evidence of where it belongs
    found: set[tuple[int, int]] = set()
    lo = max(0, start - window)
    for surface in set(surfaces):
        if not surface:
            continue
        hi = min(len(text), start + window + len(surface))
        i = text.find(surface, lo, hi)
        while i >= 0:
            cand = (i, i + len(surface))
            if (cand != (start, end) and is_word_aligned(text, *cand)
                    and not any(cand[0] < oe and os_ < cand[1] for os_, oe in occupied)):
                found.add(cand)
                if len(found) > 1:
                    return None
            i = text.find(surface, i + 1, hi)
    return found.pop() if len(found) == 1 else None

"""Span helpers on (start, end, label) tuples, the validator's internal span form."""

from __future__ import annotations


def aligned(text: str, start: int, end: int) -> bool:
    """The same verdict as records.is_word_aligned (a property test holds them equal),
    inlined because it runs for every span, twice."""
    if not (0 <= start < end <= len(text)):
        return False
    a, b = text[start], text[end - 1]
    if a.isspace() or b.isspace():
        return False
    if start and (a.isalnum() or a == "_"):
        p = text[start - 1]
        if p.isalnum() or p == "_":
            return False
    if end < len(text) and (b.isalnum() or b == "_"):
        n = text[end]
        if n.isalnum() or n == "_":
            return False
    return True

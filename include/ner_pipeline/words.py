"""Whole words in a transcript: the one definition the validator, the generator's checks and the
conventions measure share (pure, no imports from the rest of the package)."""

from __future__ import annotations

# Labelled only when they refer to the child (LABELS.md): an unlabelled one is not a gap.
CONTEXT_DEPENDENT = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})


def aligned(text: str, start: int, end: int) -> bool:
    """The same verdict as records.is_word_aligned (a property test holds them equal),
    inlined because the validator runs it for every span, twice."""
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


def whole_word_occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    """(start, end) of every case-sensitive occurrence of `surface` that covers whole words.
    str.find, not a regex per surface: thousands of distinct surfaces would each cost a compile."""
    out: list[tuple[int, int]] = []
    m = len(surface)
    if not m:
        return out
    i = text.find(surface)
    while i >= 0:
        if aligned(text, i, i + m):
            out.append((i, i + m))
        i = text.find(surface, i + 1)
    return out

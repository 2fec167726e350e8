"""The stem rule: a span that stops inside a word ("[sad]ness", "[neglect]ed", "[hurt]s") is
extended to the end of that word. Pure; which labels it applies to is a setting
(validation.stem_labels: INCIDENT_TYPE and GENDER by default, never names: "[Ann]a" is
not Ann).

The span must start where a word starts, end inside a word, and keep at least MIN_STEM
characters of that word (a drifted span that clips one letter, "g" of "going", is no
stem). Only the span's last word may be cut ("prank call[s]" becomes "prank calls"); its
start never moves.
"""

from __future__ import annotations

from ..records import _is_word_char as _word_char

MIN_STEM = 3  # characters of the cut word the span must keep


def extend_stem(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, new_end) when the span is the stem of a longer word, else None."""
    n = len(text)
    if not (0 <= start < end < n):
        return None
    if not _word_char(text[start]) or (start and _word_char(text[start - 1])):
        return None  # must start at a word start
    if not (_word_char(text[end - 1]) and _word_char(text[end])):
        return None  # must end inside a word
    w = end - 1
    while w > start and _word_char(text[w - 1]):
        w -= 1  # w: start of the cut word inside the span
    if end - w < MIN_STEM:
        return None
    e = end
    while e < n and _word_char(text[e]):
        e += 1
    return start, e

"""Label Studio offsets: UTF-16 code units or code points, decided per task. Pure.

Older Label Studio exports count offsets in UTF-16 code units (the browser's string indices,
label-studio issue #1347); newer ones count code points as Python does (the frontend fix of
issues #1008/#1559). The two agree until the first character outside the Basic Multilingual
Plane (an emoji), and differ by one more after each. A task says nothing about which it
uses, so the reader decides per task, over the spans where the two readings differ:

1. `value_text`: where the result items carry `value.text`, the reading under which more of
   them match it;
2. `word_boundaries`: otherwise (or on a tie), the reading under which more spans land on
   word boundaries;
3. neither decides: the task is quarantined with OFFSETS_UNDECIDED rather than guessed.

Going out (export-quarantine, preannotate), `to_label_studio` turns code points into the
convention the target Label Studio uses (setting annotation.label_studio_offsets).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Sequence

from ..records import is_word_aligned as aligned

CODE_POINTS = "code_points"
UTF16 = "utf16"
CONVENTIONS = (CODE_POINTS, UTF16)
OFFSETS_UNDECIDED = "offsets_undecided"  # reason code: neither reading fits the task better
UTF16_OFFSETS = "utf16_offsets"  # repair rule: offsets read as UTF-16 code units, converted

Item = tuple[int, int, "str | None"]  # start, end, value.text (None when absent)


@dataclass(frozen=True)
class Reading:
    convention: str | None  # None: undecided
    basis: str  # "same" (no span after an astral character), "value_text", "word_boundaries", "undecided"
    spans: list[tuple[int, int]]  # in code points, one per item (the items as given when undecided)


def astral_positions(text: str) -> list[int]:
    """Code-point indices of the characters outside the BMP (two UTF-16 code units each)."""
    return [i for i, c in enumerate(text) if ord(c) > 0xFFFF]


def utf16_to_cp(astral: Sequence[int], text_len: int, cu: int) -> int | None:
    """The code point index of UTF-16 index `cu`, None inside a surrogate pair or past the end."""
    if cu < 0:
        return None
    lo, hi = 0, len(astral)  # the number of astral chars before the result: k with astral[k-1] + k < cu...
    while lo < hi:  # find the count k of astral characters whose pair ends at or before cu
        mid = (lo + hi) // 2
        if astral[mid] + mid + 2 <= cu:
            lo = mid + 1
        else:
            hi = mid
    k = lo
    cp = cu - k
    if k < len(astral) and astral[k] < cp:  # cu falls between the two halves of astral[k]
        return None
    return cp if cp <= text_len else None


def cp_to_utf16(astral: Sequence[int], cp: int) -> int:
    return cp + bisect.bisect_left(astral, cp)


def decide(text: str, items: Sequence[Item]) -> Reading:
    """Read the items' offsets as code points or UTF-16 code units (see the module docstring)."""
    as_cp = [(s, e) for s, e, _ in items]
    astral = astral_positions(text)
    if not astral:
        return Reading(CODE_POINTS, "same", as_cp)
    n = len(text)
    as_u16: list[tuple[int, int] | None] = []
    for s, e, _ in items:
        a, b = utf16_to_cp(astral, n, s), utf16_to_cp(astral, n, e)
        as_u16.append((a, b) if a is not None and b is not None else None)
    differ = [i for i, (c, u) in enumerate(zip(as_cp, as_u16)) if c != u]
    if not differ:
        return Reading(CODE_POINTS, "same", as_cp)

    def fits(span: tuple[int, int] | None, surface: str | None) -> bool:
        return span is not None and 0 <= span[0] < span[1] <= n and text[span[0]:span[1]] == surface

    with_text = [i for i in differ if isinstance(items[i][2], str) and items[i][2]]
    cp_ok = sum(fits(as_cp[i], items[i][2]) for i in with_text)
    u16_ok = sum(fits(as_u16[i], items[i][2]) for i in with_text)
    if cp_ok != u16_ok:
        return _pick(cp_ok > u16_ok, "value_text", as_cp, as_u16)

    def on_words(span: tuple[int, int] | None) -> bool:
        return span is not None and aligned(text, span[0], span[1])

    cp_al = sum(on_words(as_cp[i]) for i in differ)
    u16_al = sum(on_words(as_u16[i]) for i in differ)
    if cp_al != u16_al:
        return _pick(cp_al > u16_al, "word_boundaries", as_cp, as_u16)
    return Reading(None, "undecided", as_cp)


def _pick(code_points: bool, basis: str, as_cp: list[tuple[int, int]], as_u16: list) -> Reading:
    if code_points:
        return Reading(CODE_POINTS, basis, as_cp)
    # A span unmappable under UTF-16 keeps its numbers: validation then judges it as it stands.
    return Reading(UTF16, basis, [u if u is not None else c for c, u in zip(as_cp, as_u16)])


def to_label_studio(text: str, start: int, end: int, convention: str) -> tuple[int, int]:
    """Code-point offsets -> the target Label Studio's convention."""
    if convention == CODE_POINTS:
        return start, end
    if convention != UTF16:
        raise ValueError(f"offset convention must be one of {CONVENTIONS}, got {convention!r}")
    astral = astral_positions(text)
    return cp_to_utf16(astral, start), cp_to_utf16(astral, end)

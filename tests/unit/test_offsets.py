"""Label Studio offsets, code points vs UTF-16 code units (ingest/offsets.py): emoji before,
inside and after spans, decided per task, and the reverse for task files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ner_pipeline.ingest.offsets import (CODE_POINTS, UTF16, astral_positions, cp_to_utf16, decide,
                                         to_label_studio, utf16_to_cp)

E = "😀"  # outside the BMP: one code point, two UTF-16 code units
TEXT = f"{E} Amani met {E}Juma {E} near Kondoa{E} bus stand {E}."


def u16(text: str, s: int, e: int) -> tuple[int, int]:
    """What a browser counts: len() of the UTF-16 encoding before each offset."""
    return len(text[:s].encode("utf-16-le")) // 2, len(text[:e].encode("utf-16-le")) // 2


def spans():
    out = []
    for word in ("Amani", "Juma", "Kondoa", f"Kondoa{E} bus stand"):  # the last holds an emoji inside
        s = TEXT.index(word)
        out.append((s, s + len(word)))
    return out


def test_utf16_maps_back_to_code_points_and_refuses_half_a_pair():
    astral = astral_positions(TEXT)
    for s, e in spans():
        a, b = u16(TEXT, s, e)
        assert (utf16_to_cp(astral, len(TEXT), a), utf16_to_cp(astral, len(TEXT), b)) == (s, e)
        assert (cp_to_utf16(astral, s), cp_to_utf16(astral, e)) == (a, b)
    assert utf16_to_cp(astral, len(TEXT), 1) is None  # between the two halves of the first emoji
    assert utf16_to_cp(astral, len(TEXT), len(TEXT.encode("utf-16-le")) // 2 + 1) is None  # past the end


@given(st.lists(st.sampled_from(["a", "b", " ", E, "é", "李", "🙂"]), max_size=30), st.data())
@settings(max_examples=150, deadline=None)
def test_round_trip_on_any_text(chars, data):
    text = "".join(chars)
    s = data.draw(st.integers(0, len(text)))
    e = data.draw(st.integers(s, len(text)))
    a, b = to_label_studio(text, s, e, UTF16)
    assert (a, b) == u16(text, s, e)
    astral = astral_positions(text)
    assert (utf16_to_cp(astral, len(text), a), utf16_to_cp(astral, len(text), b)) == (s, e)
    assert to_label_studio(text, s, e, CODE_POINTS) == (s, e)


@pytest.mark.parametrize("with_text", [True, False])
def test_utf16_task_is_read_as_utf16(with_text):
    items = [(*u16(TEXT, s, e), TEXT[s:e] if with_text else None) for s, e in spans()]
    r = decide(TEXT, items)
    assert (r.convention, r.basis) == (UTF16, "value_text" if with_text else "word_boundaries")
    assert r.spans == spans()


@pytest.mark.parametrize("with_text", [True, False])
def test_code_point_task_is_read_as_code_points(with_text):
    items = [(s, e, TEXT[s:e] if with_text else None) for s, e in spans()]
    r = decide(TEXT, items)
    assert (r.convention, r.basis) == (CODE_POINTS, "value_text" if with_text else "word_boundaries")
    assert r.spans == spans()


def test_nothing_to_decide_before_the_first_emoji_or_without_one():
    assert decide("Amani met Juma", [(0, 5, None)]).basis == "same"
    text = f"Amani met Juma {E}"
    assert decide(text, [(0, 5, None), (10, 14, "Juma")]) == decide(text, [(0, 5, None), (10, 14, None)])
    assert decide(text, [(0, 5, None)]).convention == CODE_POINTS


def test_value_text_outweighs_word_boundaries_and_a_tie_is_undecided():
    s, e = spans()[0]
    a, b = u16(TEXT, s, e)
    # value.text says code points even though the UTF-16 reading is also on whole words.
    assert decide(TEXT, [(s, e, TEXT[s:e])]).convention == CODE_POINTS
    assert decide(TEXT, [(a, b, TEXT[s:e])]).convention == UTF16
    text = f"{E} a,b"  # 3-4 is "," as code points and "a" as UTF-16: both whole words
    r = decide(text, [(3, 4, None)])
    assert (r.convention, r.basis, r.spans) == (None, "undecided", [(3, 4)])
    r = decide(text, [(3, 4, "x")])  # a value.text that fits neither does not decide either
    assert r.convention is None

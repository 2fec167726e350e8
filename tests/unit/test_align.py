"""Character spans -> IOB2 token labels (and back), through the packaged MiniLM's fast tokenizer."""

from __future__ import annotations

import os

import pytest

from ner_pipeline.records import ID2TAG, Record, Span, words
from ner_pipeline.tokens import align
from ner_pipeline.tokens.align import IGNORE
from ner_pipeline.tokens.encoding import EncodedText, record_token_labels

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tokenizer():
    from ner_pipeline.train.model_loading import load_tokenizer, packaged_model_dir

    return load_tokenizer(str(packaged_model_dir()))


def span(text: str, mention: str, label: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(mention, start + 1)
    return Span(start, start + len(mention), label)


def token_labels(text, spans, offs, w, label_all_subtokens=False):
    """The training labels (encoding.record_token_labels) of `text` tokenized as `offs`."""
    tw = align.token_words(offs, w)
    owned = align.owned_first_tokens(tw, align.word_first_tokens(offs, w))
    enc = EncodedText([0] * len(offs), list(offs), list(w), tw, owned)
    return record_token_labels(Record("t", text, list(spans)), enc, label_all_subtokens)


def labelled(tokenizer, text, spans, all_subtokens=False, with_offsets=False):
    """[(token text as written, tag or None for IGNORE)] for the content tokens of `text`."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offs = [tuple(o) for o in enc["offset_mapping"]]
    ids = token_labels(text, spans, offs, words(text), label_all_subtokens=all_subtokens)
    out = [(text[s:e], None if i == IGNORE else ID2TAG[i]) for (s, e), i in zip(offs, ids)]
    return list(zip(out, offs)) if with_offsets else out


def decoded(tokenizer, text, spans):
    """Feed the gold first-token tags back as predictions: decoding must give the gold spans."""
    from ner_pipeline.tokens.decode import word_tags_to_spans

    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offs = [tuple(o) for o in enc["offset_mapping"]]
    w = words(text)
    ids = token_labels(text, spans, offs, w)
    tw = align.token_words(offs, w)
    owned = align.owned_first_tokens(tw, align.word_first_tokens(offs, w))
    token_tags = ["O" if i == IGNORE else ID2TAG[i] for i in ids]
    return word_tags_to_spans(w, align.word_tags_from_tokens(owned, w, token_tags))


def test_multi_word_entity_b_then_i_on_first_subtokens(tokenizer):
    text = "The girl Neema Joseph is here"
    got = labelled(tokenizer, text, [span(text, "Neema Joseph", "VICTIM"), span(text, "girl", "GENDER")])
    tags = {t: g for t, g in got if g is not None}
    assert tags["girl"] == "B-GENDER"
    first_of_neema = next(g for t, g in got if t and "Neema".lower().startswith(t.lower()))
    assert first_of_neema == "B-VICTIM"
    assert tags["Joseph"] == "I-VICTIM"
    assert tags["The"] == "O" and tags["here"] == "O"
    # continuation pieces of "Neema" carry no label
    neema_pieces = [g for t, g in got if t and t.lower() in "neema" and len(t) < 5]
    assert neema_pieces[0] == "B-VICTIM" and all(g is None for g in neema_pieces[1:])


@pytest.mark.parametrize(
    "mention,label",
    [("Kondoa, Dodoma", "LOCATION"), ("0712-345-678", "PHONE_NUMBER"), ("St. Joseph Primary School", "LANDMARK"),
     ("+255 712 345 678", "PHONE_NUMBER")],
)
def test_punctuation_inside_spans_is_inside_the_entity(tokenizer, mention, label):
    text = f"She was seen near {mention} yesterday."
    sp = span(text, mention, label)
    got = labelled(tokenizer, text, [sp], with_offsets=True)
    inside = [g for (_, g), (s, e) in got if g is not None and sp.start <= s < sp.end]
    assert inside[0] == f"B-{label}"
    assert all(g == f"I-{label}" for g in inside[1:])
    # every word of the mention (punctuation included) got exactly one labelled first token
    assert len(inside) == len(words(mention))
    outside = [g for (_, g), (s, e) in got if g is not None and not sp.start <= s < sp.end]
    assert set(outside) == {"O"}
    assert decoded(tokenizer, text, [sp]) == [sp]


def test_span_at_text_end(tokenizer):
    text = "You can reach me on 0754 123456"
    sp = span(text, "0754 123456", "PHONE_NUMBER")
    assert sp.end == len(text)
    got = labelled(tokenizer, text, [sp])
    assert [g for _, g in got if g and g != "O"][0] == "B-PHONE_NUMBER"
    assert decoded(tokenizer, text, [sp]) == [sp]


@pytest.mark.parametrize(
    "text,mention,label",
    [
        ("Mama yake José anaishi Dodoma.", "José", "VICTIM"),  # precomposed accent
        ("Mama yake Jose\u0301 anaishi Dodoma.", "Jose\u0301", "VICTIM"),  # combining accent the tokenizer drops
        ("The girl 😀 Zoë Müller was hurt", "Zoë Müller", "VICTIM"),  # emoji before, diacritics inside
        ("Uncle Musa (mjomba) beat the child", "Musa", "PERPETRATOR"),
        ("Anaitwa Ñandú na ana miaka kumi na nne", "kumi na nne", "AGE"),
    ],
)
def test_unicode_round_trip(tokenizer, text, mention, label):
    sp = span(text, mention, label)
    assert decoded(tokenizer, text, [sp]) == [sp]


def test_label_all_subtokens_gives_i_tags_to_continuations(tokenizer):
    text = "Rehema lives in Kondoa"
    sps = [span(text, "Rehema", "VICTIM"), span(text, "Kondoa", "LOCATION")]
    off = labelled(tokenizer, text, sps, all_subtokens=False)
    on = labelled(tokenizer, text, sps, all_subtokens=True)
    assert any(g is None for _, g in off)
    assert all(g is not None for _, g in on)
    kondoa = [g for t, g in on if t and t.lower() in "kondoa"]
    assert kondoa[0] == "B-LOCATION" and set(kondoa[1:]) == {"I-LOCATION"}
    assert decoded(tokenizer, text, sps) == sorted(sps)


def test_special_and_empty_tokens_are_ignored():
    # offsets (0, 0) are what the tokenizer reports for [CLS]/[SEP]/padding
    offs = [(0, 0), (0, 3), (4, 7), (0, 0)]
    text = "Ali ran"
    ids = token_labels(text, [Span(0, 3, "NAME")], offs, words(text))
    assert ids[0] == IGNORE and ids[-1] == IGNORE
    assert [ID2TAG[i] for i in ids[1:3]] == ["B-NAME", "O"]


def test_token_covering_two_words_and_token_starting_in_whitespace():
    text = "ab\u200bcd ef"
    w = words(text)  # "ab", "\u200b", "cd", "ef"
    assert len(w) == 4
    offs = [(0, 1), (1, 5), (5, 8)]  # "a", "b\u200bcd" glued, " ef" (leading space, BPE-style)
    tw = align.token_words(offs, w)
    assert tw == [0, 0, 3]
    first = align.word_first_tokens(offs, w)
    assert first == [0, 1, 1, 2]
    owned = align.owned_first_tokens(tw, first)
    assert owned == [0, -1, -1, 2]
    # the glued words continue the entity of "ab"; "ef" has its own token
    assert align.word_tags_from_tokens(owned, w, ["B-NAME", "O", "O"]) == ["B-NAME", "I-NAME", "I-NAME", "O"]
    assert align.word_tags_from_tokens(owned, w, ["O", "B-NAME", "B-AGE"]) == ["O", "O", "O", "B-AGE"]


def test_word_without_token_after_space_is_o():
    text = "ab \u0301 cd"  # a lone combining mark between spaces: no token, not glued
    w = words(text)
    offs = [(0, 2), (5, 7)]
    tw = align.token_words(offs, w)
    owned = align.owned_first_tokens(tw, align.word_first_tokens(offs, w))
    assert align.word_tags_from_tokens(owned, w, ["B-NAME", "I-NAME"]) == ["B-NAME", "O", "I-NAME"]

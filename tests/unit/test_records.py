from ner_pipeline.tokens.decode import word_tags_to_spans
from ner_pipeline.records import TAGS, Span, is_word_aligned, spans_to_word_tags, text_hash, words

TEXT = "Hello, I am Hassani calling from Kondoa, Dodoma. Call 0754 318 220."


def test_tags_are_iob2_for_nine_labels():
    assert len(TAGS) == 19 and TAGS[0] == "O"


def test_word_alignment():
    s = TEXT.index("Hassani")
    assert is_word_aligned(TEXT, s, s + 7)
    assert not is_word_aligned(TEXT, s + 1, s + 7)  # "assani" cuts a word
    assert not is_word_aligned(TEXT, s - 1, s + 7)  # leading space
    assert not is_word_aligned(TEXT, 0, len(TEXT) + 1)


def test_multiword_spans_roundtrip_through_word_tags():
    loc = TEXT.index("Kondoa, Dodoma")
    ph = TEXT.index("0754")
    spans = [Span(loc, loc + 14, "LOCATION"), Span(ph, ph + 12, "PHONE_NUMBER")]
    offs = words(TEXT)
    tags = spans_to_word_tags(TEXT, spans, offs)
    assert tags.count("B-LOCATION") == 1 and tags.count("I-LOCATION") == 2
    assert word_tags_to_spans(offs, tags) == spans


def test_text_hash_normalises_case_and_space():
    assert text_hash("Hello  Amani\n") == text_hash("hello amani")

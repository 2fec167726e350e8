"""Record-level checks and repairs (validate/checks.py): one record, one verdict."""

from __future__ import annotations

import re

import pytest

from ner_pipeline.config import ValidationSettings
from ner_pipeline.ingest.raw import RawRecord
from ner_pipeline.records import derive_id, is_word_aligned
from ner_pipeline.validate.checks import check_record

VS = ValidationSettings()
T = "My name is Nasser and I call about Nasser who is nine. Nasser is sad."


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    m = [m for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)][nth]
    return m.start(), m.end()


def check(entities, text=T, vs=VS, rid="r1", **kw):
    return check_record(RawRecord("f.jsonl", 1, "{}", "real", "canonical", id=rid, text=text, entities=entities, **kw), vs)


def sp(word, label, nth=0, shift=0, grow=0, text=T):
    s, e = at(text, word, nth)
    return (s + shift, e + shift + grow, label)


def test_clean_record_accepted_unchanged_and_sorted():
    ents = [sp("nine", "AGE"), sp("Nasser", "VICTIM"), sp("sad", "INCIDENT_TYPE")]
    c = check(ents)
    assert c.reasons == [] and c.repairs == [] and c.spans == sorted(ents) and c.id == "r1"
    assert c.text_hash and len(c.text_hash) == 64


def test_missing_id_is_derived_from_text():
    assert check([], rid=None).id == derive_id(T)


@pytest.mark.parametrize("shift,grow", [(-1, 1), (0, 1), (-1, 2)])
def test_trim_edge_whitespace(shift, grow):
    bad = sp("Nasser", "NAME", 1, shift=shift, grow=grow)  # " Nasser", "Nasser ", " Nasser "
    c = check([sp("nine", "AGE"), bad])
    assert c.reasons == [] and sp("Nasser", "NAME", 1) in c.spans
    new = sp("Nasser", "NAME", 1)
    assert c.repairs == [{"rule": "trim_whitespace", "label": "NAME", "old": list(bad[:2]), "new": list(new[:2]),
                          "shift": new[0] - bad[0]}]


def test_whitespace_only_span_is_misaligned():
    s = T.index(" and")
    assert check([(s, s + 1, "NAME")]).reasons == ["span_misaligned"]


def test_drop_exact_duplicate_span_only():
    ents = [sp("Nasser", "VICTIM"), sp("Nasser", "VICTIM"), sp("nine", "AGE")]
    c = check(ents)
    assert c.reasons == [] and len(c.spans) == 2 and [r["rule"] for r in c.repairs] == ["drop_duplicate_span"]
    assert c.repairs[0]["new"] is None
    # Same offsets, different label: not a duplicate, an overlap.
    assert check([sp("Nasser", "VICTIM"), sp("Nasser", "NAME")]).reasons == ["span_overlap"]


@pytest.mark.parametrize("shift", [1, -1, 2, 3])
def test_drift_repairs_shifted_later_mentions(shift):
    ents = [sp("Nasser", "VICTIM"), sp("Nasser", "VICTIM", 1, shift), sp("Nasser", "VICTIM", 2, shift)]
    c = check(ents)
    assert c.reasons == [], c.details
    assert c.spans == [sp("Nasser", "VICTIM", i) for i in range(3)]
    assert {r["rule"] for r in c.repairs} <= {"drift_surface", "drift_neighbours"} and len(c.repairs) == 2
    assert all(r["shift"] == -shift for r in c.repairs)


def test_reanchor_needs_same_label_evidence():
    # "Nasser" is aligned only as NAME; a shifted VICTIM span cannot borrow it.
    assert check([sp("Nasser", "NAME"), sp("Nasser", "VICTIM", 1, 1)]).reasons == ["span_misaligned"]


def test_two_equally_good_places_are_refused():
    text = "Ali and Ali ate the Ali"
    assert at(text, "Ali", 1) == (8, 11) and at(text, "Ali", 2) == (20, 23)
    evidence = sp("Ali", "NAME", 0, text=text)
    assert check([evidence, (14, 17, "NAME")], text=text).reasons == ["span_misaligned"]  # "e t": 6 from both
    # "te ": a shift of -5 or +7 lands on a labelled surface; nothing says which: not repaired.
    c = check([evidence, (13, 16, "NAME")], text=text)
    assert c.reasons == ["span_misaligned"] and c.unrepaired == [{"label": "NAME", "old": [13, 16],
                                                                  "why": "no_rule_applies"}]
    # With the second one out of the window, the choice is unique.
    c = check([evidence, (13, 16, "NAME")], text=text, vs=ValidationSettings(drift_window=6))
    assert c.reasons == [] and c.spans[-1] == (8, 11, "NAME") and c.repairs[0]["rule"] == "drift_surface"


def test_drift_window_is_respected():
    ents = [sp("Nasser", "VICTIM"), sp("Nasser", "VICTIM", 1, 3)]
    assert check(ents, vs=ValidationSettings(drift_window=2)).reasons == ["span_misaligned"]
    assert check(ents, vs=ValidationSettings(drift_window=3)).reasons == []


def test_reanchor_never_lands_on_a_labelled_position():
    # Every "Nasser" is labelled; a stray shifted copy has nowhere free to go.
    ents = [sp("Nasser", "VICTIM", i) for i in range(3)] + [sp("Nasser", "VICTIM", 1, 1)]
    assert "span_misaligned" in check(ents).reasons


def test_trim_onto_an_existing_span_is_an_overlap_not_a_merge():
    c = check([sp("nine", "AGE"), sp("nine", "AGE", shift=-1, grow=1)])
    assert c.reasons == ["span_overlap"]


@pytest.mark.parametrize("ent,code", [
    ((0, 2, "ORG"), "unknown_label"),
    ((len(T) - 3, len(T) + 4, "NAME"), "span_out_of_bounds"),
    ((-1, 2, "NAME"), "span_out_of_bounds"),
    ((11, 11, "NAME"), "span_out_of_bounds"),
    ((17, 11, "NAME"), "span_out_of_bounds"),
    ((12, 17, "NAME"), "span_misaligned"),  # "asser": cuts the word, no evidence to re-anchor
])
def test_span_reasons(ent, code):
    c = check([sp("nine", "AGE"), ent])
    assert c.reasons == [code], c.details


def test_overlap():
    s, e = at(T, "Nasser")
    assert check([(s, e, "VICTIM"), (s, T.index(" and") + 4, "INCIDENT_TYPE")]).reasons == ["span_overlap"]


def test_a_span_no_mention_could_be_is_implausible():
    # "Nasser and" is whole words, but no NAME holds a stopword: quarantined, not accepted.
    s, e = at(T, "Nasser")
    c = check([(s, T.index(" and") + 4, "NAME")])
    assert c.reasons == ["span_implausible"] and c.unrepaired[0]["old"] == [s, T.index(" and") + 4]


def test_all_reasons_reported_together():
    c = check([(0, 2, "ORG"), (0, 999, "NAME"), (12, 17, "NAME")])
    assert c.reasons == ["unknown_label", "span_out_of_bounds", "span_misaligned"]
    assert len(c.details) == 3


def test_text_checks():
    assert check([], text="  \n ").reasons == ["empty_text"]
    long = "word " * 5000
    assert check([], text=long, vs=ValidationSettings(max_text_chars=100)).reasons == ["text_too_long"]


def test_no_entities_only_when_required():
    assert check([]).reasons == []
    assert check([], vs=ValidationSettings(require_entities=True)).reasons == ["no_entities"]


def test_reader_errors_pass_through_with_an_id_when_possible():
    c = check_record(RawRecord("f", 3, "{x", "real", "unknown", error="invalid_json", detail="bad"), VS)
    assert (c.reasons, c.id, c.details) == (["invalid_json"], None, ["bad"])
    c = check_record(RawRecord("f", 3, "{}", "real", "label_studio", text=T, error="no_annotation"), VS)
    assert c.id == derive_id(T)


def test_details_never_contain_text():
    canary = "Qzvbnmyta"
    text = f"{canary} called. {canary} is hurt. {canary}"
    c = check([(0, 3, "ORG"), (2, 12, "VICTIM"), (0, 999, "NAME"), sp(canary, "VICTIM", text=text)], text=text)
    assert c.reasons and not any(canary in d or canary[:4] in d for d in c.details)


def test_repaired_spans_are_word_aligned():
    ents = [sp("Nasser", "VICTIM"), sp("Nasser", "VICTIM", 1, 1), sp("nine", "AGE", shift=-1, grow=1)]
    c = check(ents)
    assert c.reasons == [] and all(is_word_aligned(T, s, e) for s, e, _ in c.spans)

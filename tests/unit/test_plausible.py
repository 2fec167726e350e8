"""Plausible mentions (validate/plausible.py): the cases issue 17 names, and every clean
span of the dev data and of generated data passes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ner_pipeline.records import is_word_aligned
from ner_pipeline.synth.generator import generate
from ner_pipeline.validate.plausible import HARD, implausible

DEV = Path(os.environ.get("NER_DEV_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data" / "openchs_v1_dev.jsonl")


@pytest.mark.parametrize("mention,label,why", [
    ("I", "AGE", "stopword"), ("'m", "AGE", "clitic"), ("s", "NAME", "clitic"), ("the", "LANDMARK", "stopword"),
    ("can be", "INCIDENT_TYPE", "only_stopwords"), ("It worked", "VICTIM", "stopword_in_name"), ("It must", "VICTIM", "only_stopwords"),
    ("years", "AGE", "no_number"), ("call me", "PHONE_NUMBER", "not_a_phone_number"), ("12 34", "PHONE_NUMBER", "not_a_phone_number"),
    ("Joel. Amani", "NAME", "crosses_sentence"), ("peace", "NAME", "not_capitalised"), ("table", "GENDER", "not_a_gender_word"),
    ("s near Layibi Catholic", "LANDMARK", "starts_with_clitic"), (", Amani", "NAME", "starts_with_punctuation"), ("Grace.", "NAME", "ends_with_punctuation"), (" Grace", "NAME", "edge_whitespace"),
])
def test_implausible(mention, label, why):
    assert implausible(mention, label) == why


@pytest.mark.parametrize("mention,label", [
    ("14", "AGE"), ("fourteen", "AGE"), ("twenty-one", "AGE"), ("+255 712 345 678", "PHONE_NUMBER"), ("0712-345-678", "PHONE_NUMBER"),
    ("she", "GENDER"), ("girl", "GENDER"), ("Kondoa, Dodoma", "LOCATION"), ("St. Joseph Primary School", "LANDMARK"),
    ("police station", "LANDMARK"), ("the teacher", "PERPETRATOR"), ("child labour", "INCIDENT_TYPE"), ("Neema Joseph", "VICTIM"),
])
def test_plausible(mention, label):
    assert implausible(mention, label) is None


def test_hard_codes_are_the_casing_free_ones():
    assert "not_capitalised" not in HARD and "not_a_gender_word" not in HARD and "no_number" in HARD


def test_generated_spans_are_all_plausible():
    bad = [(r.text[s.start:s.end], s.label) for r in generate(150, 3) for s in r.entities
           if implausible(r.text[s.start:s.end], s.label)]
    assert bad == []


@pytest.mark.skipif(not DEV.is_file(), reason="the dev data (../shared/data) is not here")
def test_every_clean_dev_span_is_plausible():
    n = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        t = r["text"]
        if all(0 <= e["start"] < e["end"] <= len(t) and is_word_aligned(t, e["start"], e["end"]) for e in r["entities"]):
            for e in r["entities"]:
                n += 1
                assert implausible(t[e["start"]:e["end"]], e["label"]) is None, (e["label"], e["start"])
    assert n == 3061

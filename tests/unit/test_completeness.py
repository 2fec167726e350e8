"""Annotation completeness (validate/completeness.py): unlabelled repeats of labelled mentions,
the warn / propagate / quarantine policies, and what reaches the report and the GX results."""

from __future__ import annotations

import json
import re

import pytest

from ner_pipeline.config import ValidationSettings, load_settings
from ner_pipeline.ingest.raw import RawRecord
from ner_pipeline.records import is_word_aligned
from ner_pipeline.validate import validate_batch
from ner_pipeline.validate.checks import check_record
from ner_pipeline.validate.completeness import AMBIGUOUS, scan
from ner_pipeline.validate.plausible import HARD, implausible

# The child's name labelled twice and left unlabelled four times.
T = ("Hello, I am calling about Rehema. Rehema is nine. Rehema was beaten and Rehema cried; "
     "her stepfather says Rehema lies. I worry for Rehema.")
CANARY = "Rehema"


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    m = [m for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)][nth]
    return m.start(), m.end()


def sp(word: str, label: str, nth: int = 0, text: str = T) -> tuple[int, int, str]:
    return (*at(text, word, nth), label)


def vs(policy: str = "warn", share: float = 0.5, source: str = "real") -> ValidationSettings:
    return ValidationSettings(completeness_policy={source: policy}, completeness_quarantine_share=share)


def check(entities, text=T, settings=None, source="real"):
    rr = RawRecord("f.jsonl", 1, "{}", source, "canonical", id="r1", text=text, entities=list(entities))
    return check_record(rr, settings or vs())


BASE = [sp("Rehema", "VICTIM", 0), sp("Rehema", "VICTIM", 3), sp("nine", "AGE"), sp("stepfather", "PERPETRATOR")]


def test_scan_finds_the_four_unlabelled_repeats():
    found = scan(T, BASE)
    assert [(f.start, f.end) for f in found.findings] == [at(T, "Rehema", i)[:2] for i in (1, 2, 4, 5)]
    assert {f.label for f in found.findings} == {"VICTIM"} and {f.kind for f in found.findings} == {"free"}
    assert found.share == pytest.approx(4 / 6)  # 4 unlabelled of 6 mentions of the repeated surface


def test_warn_changes_nothing_but_counts():
    c = check(BASE)
    assert c.reasons == [] and c.repairs == [] and c.spans == sorted(BASE)
    assert c.completeness.found == {"VICTIM": 4} and c.completeness.remaining == ["VICTIM"] * 4


def test_propagate_labels_the_repeats_as_audited_repairs():
    c = check(BASE, settings=vs("propagate"))
    assert c.reasons == []
    assert c.spans == sorted(BASE + [sp("Rehema", "VICTIM", i) for i in (1, 2, 4, 5)])
    assert c.repairs == [{"rule": "propagate_label", "label": "VICTIM", "old": None, "new": list(at(T, "Rehema", i)),
                          "shift": None}
                         for i in (1, 2, 4, 5)]
    assert c.completeness.remaining == [] and sum(c.completeness.propagated.values()) == 4


def test_quarantine_above_the_share_with_a_detail_without_text():
    c = check(BASE, settings=vs("quarantine"))
    assert c.reasons == ["incomplete_annotation"]
    assert "VICTIM 4" in c.details[0] and "0.67 > 0.50" in c.details[0] and CANARY not in " ".join(c.details)
    assert check(BASE, settings=vs("quarantine", share=0.7)).reasons == []  # 0.67 is not above 0.7


def test_quarantine_share_is_strictly_above():
    text = "Amani is here. Amani is nine."
    one_of_two = [sp("Amani", "VICTIM", 0, text)]  # share 1/2
    assert check(one_of_two, text, vs("quarantine", share=0.5)).reasons == []
    assert check(one_of_two, text, vs("quarantine", share=0.0)).reasons == ["incomplete_annotation"]


def test_policy_is_per_source():
    settings = ValidationSettings(completeness_policy={"real": "quarantine", "synthetic": "propagate"},
                                  completeness_quarantine_share=0.5)
    assert check(BASE, settings=settings, source="real").reasons == ["incomplete_annotation"]
    syn = check(BASE, settings=settings, source="synthetic")
    assert syn.reasons == [] and len(syn.spans) == len(BASE) + 4
    # a source the policy does not name: warn
    assert check(BASE, settings=ValidationSettings(completeness_policy={}), source="real").spans == sorted(BASE)


# -- where propagation must not happen ------------------------------------------------------------

def test_no_propagation_when_the_surface_carries_two_labels():
    text = "Hassani called. Hassani is the boy. Later Hassani came back."
    ents = [sp("Hassani", "NAME", 0, text), sp("Hassani", "VICTIM", 1, text)]
    c = check(ents, text, vs("propagate"))
    assert c.reasons == [] and c.repairs == [] and c.spans == sorted(ents)
    assert c.completeness.found == {AMBIGUOUS: 1} and c.completeness.not_propagated == {"conflict": 1}


@pytest.mark.parametrize("other", [
    ("Joseph", "NAME", 1),  # the repeat contains an existing span
    ("Mama Neema", "NAME", 0),  # the repeat crosses an existing span
])
def test_no_propagation_across_an_existing_span(other):
    text = "Neema Joseph is twelve. Then Mama Neema Joseph came."
    ents = [sp("Neema Joseph", "VICTIM", 0, text), sp(*other, text=text)]
    c = check(ents, text, vs("propagate"))
    assert c.reasons == [] and c.repairs == [] and c.spans == sorted(ents)
    assert c.completeness.not_propagated == {"overlap": 1}
    assert check(ents, text, vs("quarantine", share=0.0)).reasons == ["incomplete_annotation"]  # still a finding


def test_propagated_spans_never_overlap_each_other():
    text = "Juma Ali phoned. Ali Hassan too. Then Juma Ali Hassan arrived."
    ents = [sp("Juma Ali", "NAME", 0, text), sp("Ali Hassan", "NAME", 0, text)]
    c = check(ents, text, vs("propagate"))
    assert c.reasons == []  # no span_overlap: the longer repeat wins, the other is left
    assert [r["new"] for r in c.repairs] == [list(at(text, "Ali Hassan", 1))]
    assert c.completeness.not_propagated == {"overlap": 1}


def test_a_repeat_inside_a_longer_repeat_counts_once():
    text = "Neema Joseph is twelve. Neema cries. I saw Neema Joseph today."
    ents = [sp("Neema Joseph", "VICTIM", 0, text), sp("Neema", "VICTIM", 1, text)]
    found = scan(text, ents).findings
    assert [(f.start, f.end) for f in found] == [at(text, "Neema Joseph", 1)]
    c = check(ents, text, vs("propagate"))
    assert [r["new"] for r in c.repairs] == [list(at(text, "Neema Joseph", 1))]


# -- what is not a finding ------------------------------------------------------------------------

def test_covered_occurrences_pronouns_and_partial_words_are_not_findings():
    text = ("She lives in Kondoa near Kondoa bus stand. she said Ali and Alice and Khalid and ali. "
            "Ali's phone.")
    ents = [sp("She", "GENDER", 0, text), sp("Kondoa", "LOCATION", 0, text),
            (*at(text, "Kondoa bus stand"), "LANDMARK"), sp("Ali", "NAME", 0, text)]
    found = scan(text, ents).findings
    # "Kondoa" inside the LANDMARK is covered; "she" is context-dependent; Alice/Khalid/ali are
    # other words; only "Ali" before "'s" is a whole-word repeat.
    assert [(f.start, f.end, f.label) for f in found] == [(*at(text, "Ali", 1), "NAME")]


def test_no_spans_no_findings():
    assert scan(T, []).findings == [] and check([]).completeness.found == {}


def test_synthetic_generator_output_has_no_findings():
    from ner_pipeline.synth import generate

    records = generate(150, seed=11)
    for rec in records:
        spans = [(s.start, s.end, s.label) for s in rec.entities]
        assert scan(rec.text, spans).findings == [], rec.id


# -- batch: report, audit, GX ---------------------------------------------------------------------

def _line(rid, text, ents):
    return json.dumps({"id": rid, "text": text, "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in ents]})


def test_report_counts_per_label_and_file_and_gx_warns(tmp_path):
    text2 = "Juma Ali phoned from Kisumu. Kisumu is far. Juma Ali is 12."
    ents2 = [sp("Juma Ali", "NAME", 0, text2), sp("Kisumu", "LOCATION", 0, text2), sp("12", "AGE", 0, text2)]
    clean = "Amani is nine."
    files = [
        ("incoming/real/a.jsonl", "real", (_line("a1", T, BASE) + "\n" + _line("a2", clean, [sp("Amani", "VICTIM", 0, clean)])
                                           + "\n").encode()),
        ("incoming/real/b.jsonl", "real", (_line("b1", text2, ents2) + "\n").encode()),
    ]
    settings = load_settings("local", environ={}, overrides=["validation.completeness_policy={real: warn}"])
    docs = tmp_path / "docs"
    out = validate_batch(files, settings, docs_dir=docs, run_id="t")
    comp = out.report["completeness"]
    assert comp["status"] == "findings" and comp["records_checked"] == 3 and comp["records_with_findings"] == 2
    assert comp["by_label"] == {"VICTIM": 4, "NAME": 1, "LOCATION": 1} and comp["unlabelled_repeats"] == 6
    assert comp["by_file"]["incoming/real/a.jsonl"]["by_label"] == {"VICTIM": 4}
    assert comp["by_file"]["incoming/real/b.jsonl"]["unlabelled_repeats"] == 2
    assert comp["remaining_in_output"]["unlabelled_repeats"] == 6 and comp["by_source"]["real"]["records_with_findings"] == 2
    gx = out.report["gx"]
    assert gx["success"] and "expect_column_values_to_be_null:incomplete_label" in gx["warnings"]
    item = next(e for e in gx["expectations"] if e["column"] == "incomplete_label")
    assert item["unexpected_count"] == 6
    result = json.loads((docs / "gx_validation_result.json").read_text())
    exp = next(r for r in result["results"] if r["expectation_config"]["kwargs"].get("column") == "incomplete_label")
    assert {d["value"]: d["count"] for d in exp["result"]["partial_unexpected_counts"]} == {"VICTIM": 4, "NAME": 1, "LOCATION": 1}
    blob = json.dumps(out.report) + (docs / "gx_validation_result.json").read_text()
    assert CANARY not in blob and "Kisumu" not in blob


def test_batch_propagate_and_quarantine_account_for_every_record():
    files = [("incoming/real/a.jsonl", "real", (_line("a1", T, BASE) + "\n").encode()),
             ("incoming/synthetic/s.jsonl", "synthetic", (_line("s1", T + " Bye.", BASE) + "\n").encode())]
    settings = load_settings("local", environ={}, overrides=[
        "validation.completeness_policy={real: propagate, synthetic: quarantine}",
        "validation.quarantine_rate_limit=1.0"])
    out = validate_batch(files, settings, run_gx=False)
    r = out.report
    assert (r["repaired"], r["quarantined"]) == (1, 1) and r["quarantined_by_reason"] == {"incomplete_annotation": 1}
    assert r["repaired_by_rule"] == {"propagate_label": 1} and r["repairs_by_rule"] == {"propagate_label": 4}
    assert [a["rule"] for a in out.audit] == ["propagate_label"] * 4 and all(a["old"] is None for a in out.audit)
    assert len(out.accepted[0].entities) == len(BASE) + 4
    assert all(is_word_aligned(T, s.start, s.end) for s in out.accepted[0].entities)
    comp = r["completeness"]
    assert comp["propagated"]["spans"] == 4 and comp["quarantined_records"] == 1
    assert comp["remaining_in_output"]["unlabelled_repeats"] == 0
    assert out.quarantined[0]["reasons"] == ["incomplete_annotation"]


def test_propagation_keeps_the_contract_on_random_records():
    """Whatever the record, propagated spans are whole words, overlap nothing, and only the
    surface's own label is used: the record never fails a check it passed under warn."""
    import random

    rng = random.Random(5)
    vocab = ["Amani", "Juma", "Ali", "Juma Ali", "Kondoa", "bus", "stand", "nine", "is", "and", ",", ".", "she"]
    n_added = n_left = 0
    for _ in range(400):
        words = [rng.choice(vocab) for _ in range(rng.randint(3, 25))]
        text = " ".join(words)
        offs, pos = [], 0
        for w in words:
            offs.append((pos, pos + len(w)))
            pos += len(w) + 1
        ents, i = [], 0
        while i < len(offs):
            if rng.random() < 0.3 and text[offs[i][0]].isalnum():
                j = min(len(offs) - 1, i + rng.randint(0, 1))
                label = rng.choice(["NAME", "VICTIM", "LOCATION"])
                if implausible(text[offs[i][0]:offs[j][1]], label) not in HARD:  # "is" is no NAME (plausible.py)
                    ents.append((offs[i][0], offs[j][1], label))
                i = j + 1
            else:
                i += 1
        warn, prop = check(ents, text, vs("warn")), check(ents, text, vs("propagate"))
        assert prop.reasons == warn.reasons == []
        added = sorted(set(prop.spans) - set(ents))
        assert len(added) == len(prop.repairs) == sum(prop.completeness.propagated.values())
        end = -1
        for s, e, lab in prop.spans:
            assert is_word_aligned(text, s, e) and s >= end
            end = e
        surface_labels = {}
        for s, e, lab in ents:
            surface_labels.setdefault(text[s:e], set()).add(lab)
        for s, e, lab in added:
            assert surface_labels[text[s:e]] == {lab}
        n_added += len(added)
        n_left += len(prop.completeness.remaining)
    assert n_added > 100 and n_left > 10  # both outcomes were exercised

"""conventions.measure() on constructed records, the conventions file, the CLI, and the privacy
canary: a word outside the lexicon (a child's name) never appears in what is measured."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
from pathlib import Path

import pytest
import yaml

from ner_pipeline import conventions as C
from ner_pipeline.cli import main
from ner_pipeline.records import LABELS

CANARY = "Kqzvbnmyta"  # a name that exists only inside these test texts
DEV = Path(os.environ.get("NER_DEV_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data" / "openchs_v1_dev.jsonl")


def rec(text: str, *marks: tuple[str, str, int]) -> tuple[str, list[tuple[int, int, str]]]:
    """(text, spans) with each span given as (surface, label, which occurrence of it: a plain
    substring count, so "he" inside "The" counts)."""
    spans = []
    for surface, label, nth in marks:
        i = -1
        for _ in range(nth + 1):
            i = text.index(surface, i + 1)
        spans.append((i, i + len(surface), label))
    return text, spans


def test_determiner_start_share():
    records = [
        rec("Yesterday the teacher hit him.", ("the teacher", "PERPETRATOR", 0)),
        rec("The teacher shouted at the girl.", ("teacher", "PERPETRATOR", 0), ("girl", "GENDER", 0)),
        rec("Then the man left.", ("the", "PERPETRATOR", 0)),  # "the" alone: a determiner span
        rec("Her uncle came. I saw her there.", ("uncle", "PERPETRATOR", 0), ("her", "GENDER", 0)),
        rec("It was my stepfather.", ("my stepfather", "PERPETRATOR", 0)),
    ]
    out = C.measure(records)
    assert out["labels"]["PERPETRATOR"]["spans"] == 5
    assert out["labels"]["PERPETRATOR"]["determiner_start_share"] == 0.6  # "the teacher", "the", "my stepfather"
    assert out["labels"]["GENDER"]["determiner_start_share"] == 0.0  # a lone "her" is a pronoun
    assert out["labels"]["NAME"] == {"spans": 0, "determiner_start_share": 0.0, "repeat_mention_coverage": None,
                                     "single_span_share": 0.0, "first_occurrence_share": 0.0,
                                     "length_words": {"p50": 0, "p90": 0, "max": 0}}
    assert out["labels"]["PERPETRATOR"]["length_words"] == {"p50": 1, "p90": 2, "max": 2}
    assert set(out["labels"]) == set(LABELS)


@pytest.mark.parametrize("records, rule", [
    # first pronoun labelled, no gender noun anywhere in those records: the label guide's rule
    ([rec("She is ten. She cries and he hits her.", ("She", "GENDER", 0)),
      rec("He was beaten and his mother left him.", ("He", "GENDER", 0)),
      rec("My girl says she is afraid.", ("girl", "GENDER", 0))], "first_when_no_noun"),
    # every pronoun labelled
    ([rec("She is ten and she cries.", ("She", "GENDER", 0), ("she", "GENDER", 0))], "all"),
    # nothing labelled
    ([rec("She is ten and she cries.")], "none"),
    # the second pronoun, in a record with a gender noun: no rule
    ([rec("The girl said she is ten and she cries.", ("girl", "GENDER", 0), ("she", "GENDER", 1))], "mixed"),
])
def test_pronoun_rule(records, rule):
    assert C.measure(records)["gender_pronouns"]["rule"] == rule


def test_pronoun_counts():
    g = C.measure([rec("She is ten. She cries and he hits her.", ("She", "GENDER", 0)),
                   rec("The boy said he was hit; he cried.", ("boy", "GENDER", 0), ("he", "GENDER", 2))])["gender_pronouns"]
    assert (g["pronouns"], g["labelled"]) == (6, 2)  # She She he her / he he ("The" is no pronoun)
    assert g["labelled_first_share"] == 0.5 and g["labelled_without_noun_share"] == 0.5


def test_pronoun_rule_thresholds():
    assert C.pronoun_rule(0, 0, 0, 0) == "none"
    assert C.pronoun_rule(100, 95, 10, 10) == "all"
    assert C.pronoun_rule(1532, 90, 88, 90) == "first_when_no_noun"  # LABELS.md's figures
    assert C.pronoun_rule(1000, 10, 5, 5) == "none"  # 1%: stray labels, no rule
    assert C.pronoun_rule(1000, 300, 150, 150) == "mixed"


def test_repeat_mention_coverage():
    out = C.measure([
        rec("Amani called. Amani is ten. I told Amani.", ("Amani", "VICTIM", 0), ("Amani", "VICTIM", 1)),
        rec("Peace called from Kisumu.", ("Peace", "NAME", 0), ("Kisumu", "LOCATION", 0)),
        # "Kondoa" repeats inside the LANDMARK "Kondoa bus stand": covered
        rec("In Kondoa, at Kondoa bus stand.", ("Kondoa", "LOCATION", 0), ("Kondoa bus stand", "LANDMARK", 0)),
    ])
    assert out["labels"]["VICTIM"]["repeat_mention_coverage"] == 0.667  # 2 of 3 mentions
    assert out["labels"]["NAME"]["repeat_mention_coverage"] is None  # no name occurs twice
    assert out["labels"]["LOCATION"]["repeat_mention_coverage"] == 1.0


def test_surface_rates():
    out = C.measure([
        rec("She is sad. Very SAD and scared.", ("sad", "INCIDENT_TYPE", 0)),
        rec("He was sad about the bullying, the bullying at school.", ("bullying", "INCIDENT_TYPE", 0),
            ("bullying", "INCIDENT_TYPE", 1)),
        rec("It is child labour; child  labour again.", ("child labour", "INCIDENT_TYPE", 0)),
        rec("The class teacher beat her, the teacher said.", ("class teacher", "PERPETRATOR", 0)),
    ])
    rates = out["surface_rates"]
    # case-insensitive; "sad" occurs in two records and is labelled in one
    assert rates["INCIDENT_TYPE"]["sad"] == {"labelled": 1, "occurrences": 3, "rate": 0.333,
                                             "records": 2, "records_labelled": 1, "record_rate": 0.5}
    assert rates["INCIDENT_TYPE"]["scared"] == {"labelled": 0, "occurrences": 1, "rate": 0.0,
                                                "records": 1, "records_labelled": 0, "record_rate": 0.0}
    # once per record: labelled in every record that mentions it, at half its occurrences
    assert rates["INCIDENT_TYPE"]["child labour"] == {"labelled": 1, "occurrences": 2, "rate": 0.5,
                                                      "records": 1, "records_labelled": 1, "record_rate": 1.0}
    assert "bullying" not in rates["INCIDENT_TYPE"]  # always labelled: not in the file...
    full = C.measure([rec("the bullying", ("bullying", "INCIDENT_TYPE", 0))], all_surfaces=True)
    assert full["surface_rates"]["INCIDENT_TYPE"]["bullying"]["rate"] == 1.0  # ...but compared
    # "teacher" inside the span "class teacher" is not covered exactly by a span
    assert rates["PERPETRATOR"]["teacher"]["labelled"] == 0 and rates["PERPETRATOR"]["teacher"]["occurrences"] == 2
    assert "class teacher" not in rates["PERPETRATOR"]


def test_first_occurrence_share():
    """A span at the first whole-word, case-sensitive occurrence of its own surface counts."""
    out = C.measure([
        rec("The teacher said the teacher hits her.", ("teacher", "PERPETRATOR", 0)),  # first
        rec("My teacher is kind. Then the teacher hit me.", ("teacher", "PERPETRATOR", 1)),  # second
        rec("Teacher! The teacher hit me.", ("teacher", "PERPETRATOR", 0)),  # "Teacher" is another surface
        rec("Sadness? She is sad.", ("sad", "INCIDENT_TYPE", 0)),  # "Sad" inside "Sadness" is no word
    ])
    assert out["labels"]["PERPETRATOR"]["first_occurrence_share"] == 0.667
    assert out["labels"]["INCIDENT_TYPE"]["first_occurrence_share"] == 1.0
    assert out["labels"]["NAME"]["first_occurrence_share"] == 0.0  # no spans


def test_misaligned_records_are_skipped_and_counted(tmp_path):
    good = rec("Amani is sad.", ("Amani", "VICTIM", 0))
    tally = C.ConventionTally()
    assert tally.add(*good)
    assert not tally.add("Amani is sad.", [(1, 5, "VICTIM")])  # cuts a word
    assert not tally.add("Amani is sad.", [(0, 5, "VICTIM"), (0, 8, "NAME")])  # overlap
    assert not tally.add("Amani is sad.", [(9, 40, "INCIDENT_TYPE")])  # past the end
    assert (tally.records, tally.skipped) == (1, 3)
    lines = [{"text": good[0], "entities": [{"start": 0, "end": 5, "label": "VICTIM"}]},
             {"text": good[0], "entities": []},  # same text again
             {"text": "Neema is ten.", "entities": [{"start": 0, "end": 6, "label": "VICTIM"}]}]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    records, skipped = C.load_records([path])
    assert len(records) == 1 and skipped == {"unreadable": 1, "misaligned": 1, "duplicate_text": 1}


def _strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_canary_no_text_outside_the_lexicon():
    text = (f"My name is {CANARY}, I am twelve and sad. {CANARY} says her stepfather {CANARY}x beats her. "
            f"Zqwertyuiop is scared of the Plmoknijb market.")
    records = [rec(text, (CANARY, "VICTIM", 0), (CANARY, "VICTIM", 1), ("twelve", "AGE", 0), ("sad", "INCIDENT_TYPE", 0),
                   ("stepfather", "PERPETRATOR", 0), ("Plmoknijb market", "LANDMARK", 0)),
               rec("Zqwertyuiop Plmoknijb called.", ("Zqwertyuiop", "NAME", 0))]
    for out in (C.measure(records), C.measure(records, all_surfaces=True)):
        dumped = json.dumps(out) + yaml.safe_dump(out)
        for word in (CANARY, "Zqwertyuiop", "Plmoknijb", "twelve"):
            assert word.lower() not in dumped.lower()
        lex = {w for words in C.lexicon().values() for w in words}
        keys = {"version", "n_records", "labels", "gender_pronouns", "surface_rates", "spans", "determiner_start_share",
                "repeat_mention_coverage", "length_words", "p50", "p90", "max", "rule", "pronouns", "labelled",
                "labelled_first_share", "labelled_without_noun_share", "occurrences", "rate", "child_caller_name",
                "single_span_share", "first_occurrence_share", "records_labelled", "record_rate",
                "label", "records"}
        allowed = lex | keys | set(LABELS) | {"first_when_no_noun", "all", "none", "mixed"}
        assert set(_strings(out)) <= allowed


def test_lexicon_holds_the_label_guide_and_generator_words():
    from ner_pipeline.synth import vocab_case as VC

    lex = C.lexicon()
    for word in ("depression", "sad", "hurt", "worried", "anxious", "scared", "stress", "upset", "withdrawn",
                 "angry", "bullying"):
        assert word in lex["INCIDENT_TYPE"]
    assert {"parents", "mom", "teacher"} <= set(lex["PERPETRATOR"]) and set(VC.ROLES) <= set(lex["PERPETRATOR"])
    assert {"girl", "boy", "son", "daughter"} <= set(lex["GENDER"])
    assert {"police station"} <= set(lex["LANDMARK"])


def test_save_load_round_trip_and_refusals(tmp_path):
    out = C.measure([rec("She is sad.", ("She", "GENDER", 0))])
    for name in ("c.yaml", "c.json"):
        assert C.load(C.save(out, tmp_path / name)) == out
    assert json.loads((tmp_path / "c.json").read_text()) == out
    (tmp_path / "v2.yaml").write_text(yaml.safe_dump({**out, "version": 2}))
    with pytest.raises(ValueError, match="version"):
        C.load(tmp_path / "v2.yaml")
    with pytest.raises(ValueError, match="lacks"):
        C.loads("version: 1\n")
    with pytest.raises(ValueError):
        C.loads("{not: [yaml")


def test_comparable_flags_a_determiner_conflict():
    synthetic = C.measure([rec(f"Then the teacher {i} hit her.", ("the teacher", "PERPETRATOR", 0)) for i in range(6)]
                          + [rec(f"Then the teacher {i} hit her.", ("teacher", "PERPETRATOR", 0)) for i in range(4)],
                          all_surfaces=True)
    real = C.measure([rec(f"Then the teacher {i} hit her.", ("teacher", "PERPETRATOR", 0)) for i in range(10)],
                     all_surfaces=True)
    rows = C.comparable({"synthetic": synthetic, "real": real}, min_diff=0.25, min_support=5)
    det = next(r for r in rows if r["convention"] == "determiner_start_share")
    assert det == {"convention": "determiner_start_share", "label": "PERPETRATOR", "word": "", "real": 0.0,
                   "synthetic": 0.6, "n_real": 10, "n_synthetic": 10, "diff": 0.6, "conflict": True}
    teacher = next(r for r in rows if r["word"] == "teacher")  # 4/10 exactly "teacher" vs 10/10
    assert teacher["conflict"] and teacher["diff"] == 0.6 and rows[0]["diff"] >= rows[-1]["diff"]
    assert not C.comparable({"synthetic": synthetic, "real": real}, min_diff=0.25, min_support=11)


def _cli(args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        rc = main(["conventions", *args])
    return rc, out.getvalue()


def test_cli_canonical_and_label_studio(tmp_path, caplog):
    text = f"{CANARY} is sad and scared. She is ten."
    canonical = tmp_path / "real.jsonl"
    canonical.write_text(json.dumps({"text": text, "entities": [{"start": 0, "end": len(CANARY), "label": "VICTIM"},
                                                                 {"start": 14, "end": 17, "label": "INCIDENT_TYPE"}]})
                         + "\n" + json.dumps({"text": text + " x", "entities": [{"start": 1, "end": 4, "label": "NAME"}]})
                         + "\n")
    ls = tmp_path / "export.json"
    ls.write_text(json.dumps([{"id": 7, "data": {"text": f"The boy {CANARY}Two is upset."}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 4, "end": 7, "labels": ["GENDER"]}}]}]}]))
    out = tmp_path / "conv" / "c.json"
    with caplog.at_level(logging.DEBUG):
        rc, console = _cli([str(canonical), str(ls), "--out", str(out)])
    assert rc == 0, console
    summary = json.loads(console.strip().splitlines()[-1])
    assert summary["n_records"] == 2 and summary["skipped"] == {"unreadable": 0, "misaligned": 1, "duplicate_text": 0}
    conv = C.load(out)
    assert conv["n_records"] == 2 and conv["labels"]["GENDER"]["spans"] == 1
    assert conv["surface_rates"]["INCIDENT_TYPE"]["scared"]["occurrences"] == 1
    rc, printed = _cli([str(canonical), str(ls)])  # no --out: the conventions as YAML on stdout
    assert rc == 0 and yaml.safe_load(printed[printed.index("version:"):]) == conv
    for blob in (console, printed, out.read_text(), caplog.text):
        assert CANARY not in blob and "sad and scared" not in blob
    assert _cli([str(tmp_path / "missing.jsonl")])[0] == 2


@pytest.mark.skipif(not DEV.exists(), reason="dev data not present (../shared/data)")
def test_child_caller_name_label():
    """A child introducing themselves and then their age: the label of that name is measured
    (real annotators: NAME; the guide: VICTIM); the counsellor's own introduction is not it."""
    child = "Hello, I'm Amali, how can I help? Hi, I'm Tumaini from Moshi. I'm 12 years old and scared."
    adult = "Hello, I'm Amali. My neighbour's girl Tumaini is 12 years old."
    named = [rec(child, ("Amali", "NAME", 0), ("Tumaini", "NAME", 0), ("12", "AGE", 0))] * 9
    out = C.measure(named + [rec(child, ("Tumaini", "VICTIM", 0), ("12", "AGE", 0))]
                    + [rec(adult, ("Tumaini", "VICTIM", 0), ("12", "AGE", 0))])
    assert out["child_caller_name"] == {"label": "NAME", "records": 10, "NAME": 9, "VICTIM": 1}
    split = C.measure(named[:5] + [rec(child, ("Tumaini", "VICTIM", 0), ("12", "AGE", 0))] * 5)
    assert split["child_caller_name"]["label"] is None  # no convention: the generator keeps the guide's


def test_dev_data_figures_agree_with_the_label_guide():
    records, skipped = C.load_records([DEV])
    out = C.measure(records)
    assert out["n_records"] == 334 and skipped["misaligned"] == 322
    assert all(v["determiner_start_share"] == 0.0 for v in out["labels"].values())
    g = out["gender_pronouns"]
    assert (g["rule"], g["pronouns"], g["labelled"]) == ("first_when_no_noun", 1532, 90)
    assert round(g["labelled_first_share"] * 90) == 88 and g["labelled_without_noun_share"] == 1.0
    inc = out["surface_rates"]["INCIDENT_TYPE"]
    figures = {"depression": (7, 8), "sad": (13, 32), "hurt": (13, 38), "worried": (17, 68), "anxious": (3, 32),
               "scared": (0, 145), "stress": (0, 64), "upset": (0, 51), "withdrawn": (0, 36), "angry": (0, 24),
               "bullying": (31, 80)}
    assert {w: (inc[w]["labelled"], inc[w]["occurrences"]) for w in figures} == figures
    # one span per record, on the first mention, for these (NAME at every mention)
    assert [out["labels"][lab]["single_span_share"] for lab in ("INCIDENT_TYPE", "PERPETRATOR", "GENDER")] == [1.0] * 3
    assert out["labels"]["NAME"]["single_span_share"] == 0.0
    # ...and at the first occurrence of their surface, whatever it means there (names: not so)
    first = {lab: v["first_occurrence_share"] for lab, v in out["labels"].items()}
    assert all(first[lab] >= 0.99 for lab in LABELS if lab not in ("NAME", "VICTIM")), first
    assert first["NAME"] < 0.6 and first["VICTIM"] < 0.3
    perp = out["surface_rates"]["PERPETRATOR"]  # per record, "teacher" is labelled far more often
    assert (perp["teacher"]["records_labelled"], perp["teacher"]["records"], perp["teacher"]["labelled"],
            perp["teacher"]["occurrences"]) == (55, 128, 55, 182)
    assert (inc["bullying"]["records_labelled"], inc["bullying"]["records"]) == (31, 33)
    caller = out["child_caller_name"]  # real annotators label a child caller's own name NAME
    assert caller["label"] == "NAME" and caller["NAME"] >= 0.9 * caller["records"] > 100


def test_synth_follows_a_conventions_file(tmp_path):
    from ner_pipeline.synth import generate, read_jsonl

    real = [rec(f"Caller {i}: she is sad and scared, the teacher beats her.", ("teacher", "PERPETRATOR", 0))
            for i in range(30)]
    path = C.save(C.measure(real), tmp_path / "real-conventions.yaml")
    conv = C.load(path)
    assert conv["surface_rates"]["INCIDENT_TYPE"]["sad"]["rate"] == 0.0
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["synth", "--n", "6", "--seed", "3", "--out", str(tmp_path / "a.jsonl"), "--conventions", str(path)])
    assert rc == 0 and json.loads(out.getvalue())["conventions"] == str(path)
    written = [r.to_dict() for r in read_jsonl(tmp_path / "a.jsonl")]
    assert written == [r.to_dict() for r in generate(6, 3, conventions=conv)]
    # what real annotators leave unlabelled is a plain word in synthetic text (a hard negative)
    def sad_spans(recs):
        return sum(r.text[s.start:s.end].lower() == "sad" for r in recs for s in r.entities)

    assert sad_spans(generate(200, 3)) > 0 and sad_spans(generate(200, 3, conventions=conv)) == 0
    # the setting is the default; an unreadable file is refused
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["synth", "--n", "6", "--seed", "3", "--out", str(tmp_path / "b.jsonl"),
                     "--set", f"synth.conventions_file={path}"]) == 0
    assert (tmp_path / "b.jsonl").read_bytes() == (tmp_path / "a.jsonl").read_bytes()
    (tmp_path / "bad.yaml").write_text("version: 7\n")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["synth", "--n", "6", "--out", str(tmp_path / "c.jsonl"), "--conventions", str(tmp_path / "bad.yaml")]) == 2
    assert "bad.yaml" in err.getvalue()

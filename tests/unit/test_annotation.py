"""The annotation loop without a Label Studio server: the label config, export-quarantine ->
an annotator's edits -> a Label Studio export -> validation accepts the fixed records;
records listed apart; preannotate with and without scores."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ner_pipeline.annotation.labelstudio import LABEL_CONFIG_FILE, LabelConfig, apart_path
from ner_pipeline.annotation.preannotate import preannotate, read_transcripts
from ner_pipeline.annotation.quarantine import export_incomplete, export_quarantine
from ner_pipeline.cli import main
from ner_pipeline.config import load_settings
from ner_pipeline.records import LABELS, Span, is_word_aligned, words
from ner_pipeline.validate import validate_batch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
CFG = LabelConfig.load()


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    m = [m for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)][nth]
    return m.start(), m.end()


def cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(args)
    return rc, out.getvalue(), err.getvalue()


# -- the label config ---------------------------------------------------------------------------

def test_label_config_ships_the_nine_labels():
    assert CFG.labels == LABELS and (CFG.from_name, CFG.to_name, CFG.data_key) == ("label", "text", "text")
    root = ET.fromstring(LABEL_CONFIG_FILE.read_text())
    assert root.tag == "View" and [el.get("value") for el in root.iter("Label")] == list(LABELS)


# -- the round trip -----------------------------------------------------------------------------

T1 = "My name is Grace and I call about Nasser who is nine. He is beaten at home."
T2 = "Amina is 14, call her mother on 0712 345 678 please."
T3 = "Peace called about Baraka, aged seven."

# What the records should have been (word, label, nth) and what arrived.
TRUTH = {
    "r1": (T1, [("Grace", "NAME"), ("Nasser", "VICTIM"), ("nine", "AGE"), ("beaten", "INCIDENT_TYPE")]),
    "r3": (T2, [("Amina", "VICTIM"), ("14", "AGE"), ("0712 345 678", "PHONE_NUMBER")]),
}


def _ents(text, items, shift_from=99):
    out = []
    for i, (word, label) in enumerate(items):
        s, e = at(text, word)
        d = 1 if i >= shift_from else 0  # offsets shifted after the first mentions
        out.append({"start": s + d, "end": e + d, "label": label})
    return out


def bad_file() -> bytes:
    t1, i1 = TRUTH["r1"]
    t2, i2 = TRUTH["r3"]
    ls_task = {"id": 7, "data": {"text": t2, "id": "r3"}, "annotations": [{"id": 1, "was_cancelled": False, "result": [
        {"from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": s, "end": e, "labels": [lab]}}
        for s, e, lab in [(*at(t2, "Amina"), "VICTIM"), (*at(t2, "14"), "AGE"), (len(t2) - 3, len(t2) + 9, "PHONE_NUMBER")]]}]}
    lines = [
        json.dumps({"id": "r1", "text": t1, "entities": _ents(t1, i1, shift_from=1)}),  # misaligned after the first
        '{"id": "r2", "text": "broken',  # unreadable: listed apart
        json.dumps(ls_task),  # a span past the end of the text
        json.dumps({"id": "r4", "text": T3, "entities": [{"start": 0, "end": 5, "label": "NAME"}]}),  # fine
        json.dumps({"id": "r5", "text": "   ", "entities": []}),  # empty: nothing to annotate
    ]
    return ("\n".join(lines) + "\n").encode()


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """What an annotator does to a span that cuts a word: drag it onto the whole words it
    touches, leaving punctuation at its edges outside."""
    touched = [(s, e) for s, e in words(text) if s < end and start < e]
    while touched and not text[touched[0][0]].isalnum():
        touched.pop(0)
    while touched and not text[touched[-1][0]].isalnum():
        touched.pop()
    return touched[0][0], touched[-1][1]


def annotate(task: dict) -> list[dict]:
    """The annotator's result for an exported task: predictions accepted, misaligned ones fixed,
    spans listed in meta.unplaceable_spans redrawn where the text shows them."""
    text = task["data"]["text"]
    result = []
    for i, region in enumerate(task.get("predictions", [{}])[0].get("result", [])):
        v = region["value"]
        s, e = snap(text, v["start"], v["end"])
        result.append({"value": {"start": s, "end": e, "text": text[s:e], "labels": v["labels"]}, "id": f"a{i}",
                       "from_name": region["from_name"], "to_name": region["to_name"], "type": "labels",
                       "origin": "prediction" if (s, e) == (v["start"], v["end"]) else "prediction-changed"})
    for k, bad in enumerate(task["meta"].get("unplaceable_spans", [])):
        s, e = at(text, "0712 345 678")  # the annotator finds the phone number the span meant
        result.append({"value": {"start": s, "end": e, "text": text[s:e], "labels": [bad["label"]]}, "id": f"m{k}",
                       "from_name": CFG.from_name, "to_name": CFG.to_name, "type": "labels", "origin": "manual"})
    return result


def label_studio_export(tasks: list[dict], results: list[list[dict] | None]) -> list[dict]:
    """The edited tasks as Label Studio's JSON export writes them (None: the annotator skipped it)."""
    out = []
    for i, (task, result) in enumerate(zip(tasks, results), start=1):
        ann = {"id": 100 + i, "completed_by": 1, "result": result or [], "was_cancelled": result is None,
               "ground_truth": False, "created_at": "2026-02-03T09:00:00.000000Z",
               "updated_at": "2026-02-03T09:04:10.123456Z", "draft_created_at": None, "lead_time": 250.4,
               "prediction": {}, "result_count": 0, "unique_id": f"u-{i}", "import_id": None, "last_action": None,
               "task": i, "project": 3, "updated_by": 1, "parent_prediction": 200 + i, "parent_annotation": None,
               "last_created_by": None}
        cancelled_earlier = {**ann, "id": 50 + i, "was_cancelled": True, "result": [],
                             "updated_at": "2026-02-02T08:00:00.000000Z"}
        out.append({"id": i, "annotations": [cancelled_earlier, ann], "file_upload": "3f1c-tasks.json", "drafts": [],
                    "predictions": [200 + i], "data": task["data"], "meta": task.get("meta", {}),
                    "created_at": "2026-02-01T12:00:00.000000Z", "updated_at": "2026-02-03T09:04:10.123456Z",
                    "inner_id": i, "total_annotations": 1, "cancelled_annotations": 1, "total_predictions": 1,
                    "comment_count": 0, "unresolved_comment_count": 0, "last_comment_updated_at": None,
                    "project": 3, "updated_by": 1, "comment_authors": []})
    return out


def test_round_trip_quarantine_to_label_studio_and_back(tmp_path):
    src = tmp_path / "real_batch.jsonl"
    src.write_bytes(bad_file())
    q, tasks_file = tmp_path / "quarantine.jsonl", tmp_path / "tasks.json"
    # Drift repair off (drift_window 0): r1's drift would be repaired, and this is about the records that are not.
    rc, _, _ = cli(["validate", str(src), "--source", "real", "--out", str(tmp_path / "acc.jsonl"), "--quarantine", str(q),
                    "--report", str(tmp_path / "report.json"), "--no-gx", "--set", "validation.quarantine_rate_limit=1.0",
                    "--set", "validation.drift_window=0"])
    assert rc == 0
    quarantined = [json.loads(x) for x in q.read_text().splitlines()]
    assert [x["id"] for x in quarantined] == ["r1", None, "r3", "r5"]  # r2 is unreadable: no id

    rc, out, err = cli(["export-quarantine", "--from", str(q), "--to", str(tasks_file)])
    assert rc == 0 and "2 task(s)" in out and "listed apart" in err
    assert "Nasser" not in out + err  # counts and paths only on the console
    tasks = json.loads(tasks_file.read_text())
    assert [t["data"]["id"] for t in tasks] == ["r1", "r3"]
    assert oct(tasks_file.stat().st_mode & 0o777) == "0o600"
    for t in tasks:
        pred = t["predictions"][0]
        assert pred["model_version"] == "pipeline-run:local"
        assert all((r["from_name"], r["to_name"], r["type"]) == ("label", "text", "labels") for r in pred["result"])
        assert t["meta"]["origin"] == "quarantine" and t["meta"]["reasons"]
    r1, r3 = tasks
    assert r1["meta"]["reasons"] == ["span_misaligned"] and len(r1["predictions"][0]["result"]) == 4
    assert r1["data"]["text"] == T1 and [r["value"]["labels"][0] for r in r1["predictions"][0]["result"]][0] == "NAME"
    assert r3["meta"]["reasons"] == ["span_out_of_bounds"]
    assert r3["meta"]["unplaceable_spans"] == [{"start": len(T2) - 3, "end": len(T2) + 9, "label": "PHONE_NUMBER",
                                                "why": "outside the text or end <= start"}]
    apart = [json.loads(x) for x in apart_path(tasks_file).read_text().splitlines()]
    assert [(a["id"], a["reasons"]) for a in apart] == [(None, ["invalid_json"]), ("r5", ["empty_text"])]
    assert all(a["why"] and "raw" in a for a in apart)

    # The annotator fixes both; Label Studio exports; the export goes through validation.
    export = tmp_path / "project-3-at-2026-02-03.json"
    export.write_text(json.dumps(label_studio_export(tasks, [annotate(t) for t in tasks]), indent=1))
    settings = load_settings("local", environ={})
    outcome = validate_batch([(str(export), "real", export.read_bytes())], settings, run_gx=False)
    assert outcome.report["quarantined"] == 0 and outcome.report["repaired"] == 0
    fixed = {r.id: r for r in outcome.accepted}
    assert set(fixed) == {"r1", "r3"}
    for rid, (text, items) in TRUTH.items():
        assert fixed[rid].text == text and fixed[rid].source == "real"
        assert sorted(fixed[rid].entities) == sorted(Span(*at(text, w), lab) for w, lab in items)


def test_a_skipped_task_comes_back_as_no_annotation(tmp_path):
    q = [{"file": "f.jsonl", "line": 1, "id": "r1", "source": "real", "reasons": ["span_misaligned"], "details": [],
          "raw": json.dumps({"id": "r1", "text": T1, "entities": _ents(T1, TRUTH["r1"][1], shift_from=1)})}]
    tasks = export_quarantine(q, run_key="run-1", cfg=CFG).tasks
    export = json.dumps(label_studio_export(tasks, [None])).encode()
    out = validate_batch([("export.json", "real", export)], load_settings("local", environ={}), run_gx=False)
    assert out.quarantined[0]["reasons"][0] == "no_annotation"
    assert out.quarantined[0]["id"] == "ls-1"  # the reader names a task without annotation by its task id


def test_export_filters_and_skips_duplicates_and_reads_bad_schema_leniently():
    text = "Baraka is seven."
    lines = [
        {"file": "f", "line": 1, "id": "d1", "source": "real", "reasons": ["duplicate_text"], "details": [],
         "raw": json.dumps({"id": "d1", "text": text})},
        {"file": "f", "line": 2, "id": "s1", "source": "real", "reasons": ["invalid_schema"], "details": ["x"],
         "raw": json.dumps({"id": "s1", "text": text, "entities": [{"start": 0, "end": 6, "label": "VICTIM"},
                                                                   {"start": "9", "end": 14, "label": "AGE"}]})},
        {"file": "f", "line": 3, "id": "u1", "source": "real", "reasons": ["unknown_label"], "details": [],
         "raw": json.dumps({"id": "u1", "text": text + " ", "entities": [{"start": 0, "end": 6, "label": "Kid"}]})},
    ]
    out = export_quarantine(lines, run_key="rk", cfg=CFG)
    assert out.skipped == 1 and [t["data"]["id"] for t in out.tasks] == ["s1", "u1"]
    assert [r["value"]["labels"] for r in out.tasks[0]["predictions"][0]["result"]] == [["VICTIM"]]  # the readable span
    assert "predictions" not in out.tasks[1] and out.tasks[1]["meta"]["unplaceable_spans"][0]["label"] == "Kid"
    only = export_quarantine(lines, run_key="rk", cfg=CFG, reasons={"duplicate_text"})
    assert [t["data"]["id"] for t in only.tasks] == ["d1"] and only.skipped == 0


def test_export_incomplete_accepted_records():
    text = "Rehema is nine. Rehema cries. Ask Rehema."
    recs = [{"id": "a", "text": text, "entities": [{"start": 0, "end": 6, "label": "VICTIM"}], "source": "real"},
            {"id": "b", "text": "Amani is nine.", "entities": [{"start": 0, "end": 5, "label": "VICTIM"}], "source": "real"}]
    tasks = export_incomplete(recs, run_key="rk", cfg=CFG)
    assert [t["data"]["id"] for t in tasks] == ["a"]
    meta = tasks[0]["meta"]
    assert meta["reasons"] == ["incomplete_annotation"] and meta["origin"] == "accepted"
    assert [(u["start"], u["end"], u["label"]) for u in meta["unlabelled_repeats"]] == [
        (*at(text, "Rehema", 1), "VICTIM"), (*at(text, "Rehema", 2), "VICTIM")]


def test_export_cli_include_incomplete_and_errors(tmp_path):
    acc = tmp_path / "acc.jsonl"
    acc.write_text(json.dumps({"id": "a", "text": "Juma and Juma.", "entities": [{"start": 0, "end": 4, "label": "NAME"}],
                               "source": "real"}) + "\n")
    q = tmp_path / "q.jsonl"
    q.write_text("")
    rc, out, _ = cli(["export-quarantine", "--from", str(q), "--to", str(tmp_path / "t.json"), "--include-incomplete",
                      "--accepted", str(acc)])
    assert rc == 0 and "1 accepted with unlabelled repeats" in out
    assert json.loads((tmp_path / "t.json").read_text())[0]["meta"]["origin"] == "accepted"
    assert cli(["export-quarantine", "--to", str(tmp_path / "t.json")])[0] == 2
    assert cli(["export-quarantine", "--from", str(tmp_path / "nope.jsonl"), "--to", str(tmp_path / "t.json")])[0] == 2


# -- preannotate --------------------------------------------------------------------------------

IN_LINES = [
    json.dumps({"text": "Hello, my name is Grace. I call about Rehema who is 13."}),
    "",
    "not json",
    json.dumps({"id": 42, "text": "Call 0712-345-678 near St. Joseph Primary School.", "meta": {"batch": "b1"}}),
    json.dumps({"text": "   "}),
]


def test_read_transcripts_lists_bad_lines_apart():
    good, bad = read_transcripts("\n".join(IN_LINES).encode())
    assert [(t.line, t.id) for t in good] == [(1, None), (4, "42")] and good[1].meta == {"batch": "b1"}
    assert [b["line"] for b in bad] == [3, 5]


class FakePredictor:
    """Spans only, like a model behind some other API: no scores."""

    def predict(self, texts):
        return [[Span(*at(t, "Grace"), "NAME")] if "Grace" in t else [] for t in texts]


def test_preannotate_without_scores():
    good, _ = read_transcripts("\n".join(IN_LINES).encode())
    tasks = preannotate(good, FakePredictor(), CFG, model_version="v1")
    first, second = tasks
    pred = first["predictions"][0]
    assert pred["model_version"] == "v1" and "score" not in pred
    assert pred["result"] == [{"id": "p0", "from_name": "label", "to_name": "text", "type": "labels",
                               "value": {"start": 18, "end": 23, "text": "Grace", "labels": ["NAME"]}}]
    assert "predictions" not in second and second["data"]["id"] == "42" and second["meta"]["input_meta"] == {"batch": "b1"}


def test_preannotate_scores_match_predictor_spans(tiny_model):
    from ner_pipeline.annotation.preannotate import predict_scored
    from ner_pipeline.evaluate.predict import Predictor

    texts = [json.loads(x)["text"] for x in IN_LINES if x.startswith("{")][:2] + ["Long call about Neema. " * 20]
    predictor = Predictor.load(tiny_model, batch_size=3, device="cpu")
    scored = predict_scored(predictor, texts)
    plain = predictor.predict(texts)
    assert [[Span(s, e, lab) for s, e, lab, _ in spans] for spans in scored] == plain
    assert sum(map(len, plain)) > 0  # a random model predicts something
    for text, spans in zip(texts, scored):
        for s, e, lab, score in spans:
            assert is_word_aligned(text, s, e) and lab in LABELS and 0.0 < score <= 1.0


def test_preannotate_cli_with_a_model_folder_and_a_pulled_version(tiny_model, tmp_path):
    inp = tmp_path / "new_calls.jsonl"
    inp.write_text("\n".join(IN_LINES) + "\n")
    rc, out, err = cli(["preannotate", str(inp), "--model", str(tiny_model), "--to", str(tmp_path / "pre.json"),
                        "--device", "cpu"])
    assert rc == 0 and "2 task(s)" in out and "model_version local:my-model" in out and "2 line(s)" in err
    assert "Grace" not in out + err
    tasks = json.loads((tmp_path / "pre.json").read_text())
    assert len(tasks) == 2 and all(t["predictions"][0]["model_version"] == "local:my-model" for t in tasks)
    results = [r for t in tasks for r in t["predictions"][0]["result"]]
    assert results and all(0 < r["score"] <= 1 for r in results)
    assert all("score" in t["predictions"][0] for t in tasks if t["predictions"][0]["result"])
    assert [json.loads(x)["line"] for x in apart_path(tmp_path / "pre.json").read_text().splitlines()] == [3, 5]

    # A version folder as `registry pull` leaves it: model/ plus _COMPLETE.json naming the version.
    version = tmp_path / "pulled"
    (version / "model").mkdir(parents=True)
    for f in tiny_model.iterdir():
        (version / "model" / f.name).write_bytes(f.read_bytes())
    (version / "_COMPLETE.json").write_text(json.dumps({"version": "v20260201T000000Z-abcd1234", "files": {}}))
    inp.write_text(IN_LINES[0] + "\n")
    rc, out, _ = cli(["preannotate", str(inp), "--model", str(version), "--to", str(tmp_path / "pre.json"), "--device", "cpu"])
    assert rc == 0 and "model_version v20260201T000000Z-abcd1234" in out
    assert not apart_path(tmp_path / "pre.json").exists()  # no stale list of bad lines


def test_local_store_credentials_only_for_the_local_endpoint(tmp_path, monkeypatch):
    from ner_pipeline.storage_client import local_store_credentials

    data = tmp_path / "seaweedfs"
    (tmp_path / "s3.env").write_text("AWS_ACCESS_KEY_ID=local-k\nAWS_SECRET_ACCESS_KEY=local-s\n")
    local = load_settings("local", environ={}, overrides=[f"local_store.data_dir={data}", "local_store.port=18333",
                                                          "storage.endpoint_url=http://127.0.0.1:18333"])
    assert local_store_credentials(local, {})["AWS_ACCESS_KEY_ID"] == "local-k"
    assert local_store_credentials(local, {"AWS_ACCESS_KEY_ID": "mine"}) is None
    remote = local.model_copy(update={"storage": local.storage.model_copy(update={"endpoint_url": "https://s3.example"})})
    assert local_store_credentials(remote, {}) is None


# -- proposed repairs and offset conventions (issue 17) ------------------------------------------

def test_export_draws_the_proposed_repairs_as_predictions():
    """A record with drift that validation could repair but for one span is quarantined as a
    whole; its task starts from the repairs, and meta lists them by offsets, labels and rules."""
    t1, items = TRUTH["r1"]
    ents = _ents(t1, items, shift_from=1)  # drift of +1 after the first: repairable
    junk = {"start": t1.index("He is"), "end": t1.index("He is") + 5, "label": "AGE"}  # "He is": no age, nowhere
    line = json.dumps({"id": "r1", "text": t1, "entities": ents + [junk]})
    out = validate_batch([("real/x.jsonl", "real", (line + "\n").encode())],
                         load_settings("local", environ={}, overrides=["validation.quarantine_rate_limit=1.0"]), run_gx=False)
    (q,) = out.quarantined
    assert q["reasons"] == ["span_implausible"] and q["unrepaired_spans"][0]["old"] == [junk["start"], junk["end"]]
    assert {r["rule"] for r in q["proposed_repairs"]} <= {"drift_surface", "drift_neighbours"}
    assert all(set(r) == {"rule", "label", "old", "new", "shift"} and r["shift"] == -1 for r in q["proposed_repairs"])
    (task,) = export_quarantine([q], run_key="run-1", cfg=CFG).tasks
    drawn = sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in task["predictions"][0]["result"])
    truth = sorted((*at(t1, w), lab) for w, lab in items)
    assert drawn == sorted(truth + [(junk["start"], junk["end"], "AGE")])
    assert task["meta"]["proposed_repairs"] == q["proposed_repairs"] and task["meta"]["unrepaired_spans"]
    assert "Nasser" not in json.dumps(task["meta"])


def test_task_offsets_in_the_target_convention_and_back():
    text = "Hi 😀 Amani from 😀 Kondoa called."
    spans = [(text.index("Amani"), text.index("Amani") + 5, "VICTIM"), (text.index("Kondoa"), text.index("Kondoa") + 6, "LOCATION")]
    line = json.dumps({"id": "e1", "text": text, "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in spans]})
    q = {"file": "f.jsonl", "line": 1, "id": "e1", "source": "real", "reasons": ["span_misaligned"], "details": [], "raw": line}
    cp = export_quarantine([q], run_key="r", cfg=CFG).tasks[0]
    u16 = export_quarantine([q], run_key="r", cfg=CFG, offsets="utf16").tasks[0]
    at_cp = [(r["value"]["start"], r["value"]["end"]) for r in cp["predictions"][0]["result"]]
    at_u16 = [(r["value"]["start"], r["value"]["end"]) for r in u16["predictions"][0]["result"]]
    assert at_cp == [s[:2] for s in spans] and at_u16 == [(s + 1, e + 1) for s, e, _ in spans[:1]] + [(s + 2, e + 2) for s, e, _ in spans[1:]]
    assert u16["meta"]["offsets"] == "utf16" and "offsets" not in cp["meta"]
    assert [r["value"]["text"] for r in u16["predictions"][0]["result"]] == ["Amani", "Kondoa"]
    # Annotated and exported by an old Label Studio, read back: the reader finds UTF-16 and converts.
    for task in (cp, u16):
        accepted_as_is = [{**r, "origin": "prediction"} for r in task["predictions"][0]["result"]]
        export = label_studio_export([task], [accepted_as_is])
        (rec,) = validate_batch([("real/export.json", "real", json.dumps(export).encode())],
                                load_settings("local", environ={}), run_gx=False).accepted
        assert sorted((e.start, e.end, e.label) for e in rec.entities) == sorted(spans)

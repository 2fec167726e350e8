"""The annotation commands against a real S3 server (SeaweedFS): submit (refusal, idempotent
upload, dry run, duplicates of the latest snapshot, already processed files), export-quarantine
--run from the store, preannotate --model champion."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re

import pytest

from ner_pipeline.cli import main
from ner_pipeline.layout import run_key

pytestmark = pytest.mark.integration
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TEXTS = [
    "Hello, my name is Grace and I am calling about Nasser who is nine.",
    "Amina is 14 and lives in Kisumu; her uncle Musa beats her.",
    "Peace called about Baraka, aged seven, from Kondoa, Dodoma.",
    "Neema Joseph is twelve and works at Mlimani bus stand.",
    "A boy called Hamisi, eleven, reports bullying at school.",
]


def at(text: str, word: str) -> tuple[int, int]:
    m = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)
    return m.start(), m.end()


def record(i: int, shift: int = 0) -> dict:
    text = TEXTS[i]
    first = re.findall(r"[A-Z][a-z]+", text)[1 if i < 2 else 0]
    s, e = at(text, first)
    return {"id": f"r{i}", "text": text, "entities": [{"start": s + shift, "end": e + shift, "label": "NAME"}]}


def jsonl(recs: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in recs).encode()


def cli(settings, args: list[str]) -> tuple[int, str, str]:
    common = ["--set", f"storage.endpoint_url={settings.storage.endpoint_url}", "--set", f"storage.bucket={settings.storage.bucket}"]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([*args, *common])
    return rc, out.getvalue(), err.getvalue()


def incoming(store) -> list[str]:
    return [o["Key"] for o in store.list("incoming/")]


# -- submit ---------------------------------------------------------------------------------------

def test_submit_refuses_a_file_the_dag_would_reject(s3_settings, store, tmp_path):
    bad = tmp_path / "bad.jsonl"  # 3 of 5 records with unrepairable offsets: 60% > the 20% limit
    bad.write_bytes(jsonl([record(i, shift=2 if i < 3 else 0) for i in range(5)]))
    rc, out, err = cli(s3_settings, ["submit", str(bad), "--source", "real"])
    assert rc == 1
    assert "refused" in out and "span_misaligned" in err and "60.0%" in out
    assert "Grace" not in out + err  # counts and codes only
    assert incoming(store) == []


def test_submit_uploads_once_under_a_content_hash_name(s3_settings, store, tmp_path):
    good = tmp_path / "calls.jsonl"
    data = jsonl([record(i) for i in range(5)])
    good.write_bytes(data)
    copy = tmp_path / "calls-copy.jsonl"
    copy.write_bytes(data)
    key = f"incoming/real/{hashlib.sha256(data).hexdigest()}.jsonl"

    rc, out, _ = cli(s3_settings, ["submit", str(good), str(copy), "--source", "real"])
    assert rc == 0 and "uploaded" in out and "same bytes as" in out
    assert incoming(store) == [key] and store.get_bytes(key) == data

    rc, out, _ = cli(s3_settings, ["submit", str(copy), "--source", "real"])  # again, under another name
    assert rc == 0 and "already submitted" in out
    assert incoming(store) == [key]

    # What landed is what the DAG looks for.
    from ner_pipeline import discovery

    assert [f["key"] for f in discovery.discover(store, s3_settings, ["real", "synthetic"])] == [key]


def test_dry_run_uploads_nothing(s3_settings, store, tmp_path):
    good = tmp_path / "calls.jsonl"
    good.write_bytes(jsonl([record(i) for i in range(3)]))
    rc, out, _ = cli(s3_settings, ["submit", str(good), "--source", "synthetic", "--dry-run"])
    assert rc == 0 and "would upload" in out and "incoming/synthetic/" in out and "dry run, nothing uploaded" in out
    assert incoming(store) == []


def test_label_studio_export_lands_as_json(s3_settings, store, tmp_path):
    tasks = [{"id": i, "data": {"text": TEXTS[i]}, "annotations": [{"id": i, "result": [
        {"from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 5, "labels": ["NAME"]}}] if i == 2 else []}]} for i in range(2, 5)]
    export = tmp_path / "project-1.json"
    export.write_text(json.dumps(tasks))
    rc, out, _ = cli(s3_settings, ["submit", str(export), "--source", "real"])
    assert rc == 0, out
    assert [k.rsplit(".", 1)[1] for k in incoming(store)] == ["json"]


def test_submit_knows_the_latest_snapshot_and_processed_files(s3_settings, store, tmp_path):
    recs = [record(i) for i in range(5)]
    store.put_bytes("datasets/snap1/train.jsonl", jsonl([{**r, "source": "real"} for r in recs[:3]]))
    store.put_json("datasets/latest.json", {"snapshot_id": "snap1", "uri": store.uri("datasets/snap1/")})
    seen = tmp_path / "seen.jsonl"
    seen.write_bytes(jsonl(recs))  # 3 of 5 already in the dataset: the DAG would reject it
    rc, out, err = cli(s3_settings, ["submit", str(seen), "--source", "real"])
    assert rc == 1 and "duplicate_text=3" in out and incoming(store) == []

    other = tmp_path / "other.jsonl"
    other.write_bytes(jsonl(recs[3:]))
    sha = hashlib.sha256(other.read_bytes()).hexdigest()
    store.put_json("state/processed.json", {"files": {sha: {"key": "incoming/real/x.jsonl", "source": "real",
                                                            "run_id": "manual__1", "status": "consumed"}}})
    rc, out, _ = cli(s3_settings, ["submit", str(other), "--source", "real"])
    assert rc == 0 and "already processed by run manual__1" in out and incoming(store) == []


def test_submit_reports_an_unreachable_store(s3_settings, tmp_path):
    f = tmp_path / "a.jsonl"
    f.write_bytes(jsonl([record(0)]))
    broken = s3_settings.model_copy(update={"storage": s3_settings.storage.model_copy(
        update={"endpoint_url": "http://127.0.0.1:9"})})
    rc, _, err = cli(broken, ["submit", str(f), "--source", "real"])
    assert rc == 2 and "object store problem" in err


# -- export-quarantine --run ----------------------------------------------------------------------

def test_export_quarantine_from_a_run(s3_settings, store, tmp_path):
    run_id = "manual__2026-02-01T02:00:00+00:00"
    rk = run_key(run_id)
    bad = record(0, shift=2)
    store.put_bytes(f"quarantine/{rk}/quarantine.jsonl", (json.dumps(
        {"file": "incoming/real/a.jsonl", "line": 1, "id": "r0", "source": "real", "reasons": ["span_misaligned"],
         "details": ["entities[0] NAME 20-25: cuts a word"], "raw": json.dumps(bad)}) + "\n").encode())
    text = "Rehema is nine. Rehema cries."
    store.put_bytes(f"runs/{rk}/accepted.jsonl", (json.dumps(
        {"id": "a1", "text": text, "entities": [{"start": 0, "end": 6, "label": "VICTIM"}], "source": "real"}) + "\n").encode())
    to = tmp_path / "tasks.json"
    rc, out, _ = cli(s3_settings, ["export-quarantine", "--run", run_id, "--to", str(to), "--include-incomplete"])
    assert rc == 0, out
    tasks = json.loads(to.read_text())
    assert [t["data"]["id"] for t in tasks] == ["r0", "a1"]
    assert {t["predictions"][0]["model_version"] for t in tasks} == {f"pipeline-run:{rk}"}
    assert tasks[0]["meta"]["reasons"] == ["span_misaligned"] and tasks[1]["meta"]["reasons"] == ["incomplete_annotation"]
    rc, _, err = cli(s3_settings, ["export-quarantine", "--run", "no-such-run", "--to", str(to)])
    assert rc == 2 and "no quarantine file for run no-such-run" in err


# -- preannotate --model champion ------------------------------------------------------------------

def test_preannotate_with_the_champion(s3_settings, store, tmp_path):
    import torch

    from ner_pipeline.tokens.inference import INFERENCE_FILE
    from ner_pipeline.storage import md5_hex
    from ner_pipeline.train.model_loading import load_base_model

    inp = tmp_path / "new.jsonl"
    inp.write_text(json.dumps({"text": TEXTS[0]}) + "\n" + json.dumps({"text": TEXTS[1]}) + "\n")
    rc, _, err = cli(s3_settings, ["preannotate", str(inp), "--to", str(tmp_path / "t.json")])
    assert rc == 2 and "no champion" in err

    torch.manual_seed(0)
    model, tokenizer, _ = load_base_model("tiny:")
    folder = tmp_path / "model"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / INFERENCE_FILE).write_text(json.dumps({"max_length": 64, "stride": 16}))
    vid = "v20260201T020000Z-0123abcd"
    prefix = f"models/ner/versions/{vid}/"
    files = {}
    for f in folder.iterdir():
        data = f.read_bytes()
        store.put_bytes(prefix + "model/" + f.name, data)
        files["model/" + f.name] = {"size": len(data), "md5": md5_hex(data)}
    store.put_json(prefix + "_COMPLETE.json", {"version": vid, "files": files})
    store.put_json("models/ner/champion.json", {"version": vid, "uri": store.uri(prefix)})

    rc, out, _ = cli(s3_settings, ["preannotate", str(inp), "--model", "champion", "--to", str(tmp_path / "t.json"),
                                   "--device", "cpu"])
    assert rc == 0 and f"model_version {vid}" in out
    tasks = json.loads((tmp_path / "t.json").read_text())
    assert len(tasks) == 2 and {t["predictions"][0]["model_version"] for t in tasks} == {vid}
    assert [t["data"]["text"] for t in tasks] == TEXTS[:2]

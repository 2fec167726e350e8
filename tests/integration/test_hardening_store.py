"""Issue 15 against a real SeaweedFS: hostile keys, a store that ignores conditional writes,
the dataset pointer under a race, discovery's folder and names, history lines with separator
characters, the oversized file, `registry promote` of a model nobody evaluated, and the CLI
finding the local store's credentials with nothing exported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ner_pipeline import discovery, jsonl, layout, snapshots, stages
from ner_pipeline.records import Record, Span
from ner_pipeline.registry import Registry
from ner_pipeline.safepath import UnsafeKey
from ner_pipeline.split import to_jsonl
from ner_pipeline.storage import ConditionalWritesIgnored, ObjectStore

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def _rec(i: int, text: str | None = None) -> Record:
    text = text or f"Amani number {i} is nine years old."
    return Record(f"r{i}", text, [Span(0, 5, "VICTIM")], "synthetic")


# -- 3. keys that would write outside the download folder -----------------------------------------

def test_download_prefix_refuses_keys_outside_the_folder(store, tmp_path):
    """SeaweedFS itself refuses keys with '..' (AWS S3 stores them as is): the listing is given one
    the way such a store would return it, by a client hook on the real server's response."""
    prefix = store.key("runs/evil/train/model")
    store.put_bytes(prefix + "/config.json", b"{}")

    def add_hostile(parsed, **_):
        for key in (prefix + "/sub/../../../escaped.txt", prefix + "//tmp/abs.txt"):
            parsed.setdefault("Contents", []).append({"Key": key, "Size": 1})

    store.client.meta.events.register("after-call.s3.ListObjectsV2", add_hostile)
    with pytest.raises(UnsafeKey):
        store.download_prefix(prefix, tmp_path / "dl")
    assert not list(tmp_path.rglob("escaped.txt")) and not Path("/tmp/abs.txt").exists()


def test_pull_refuses_marker_names_outside_the_folder(store, tmp_path):
    reg = Registry(store)
    vid = "v20260101T000000000Z-deadbeef"
    prefix = store.key("models/ner/versions", vid) + "/"
    store.put_bytes(prefix + "model/config.json", b"{}")
    from ner_pipeline.storage import md5_hex

    files = {"model/config.json": {"size": 2, "md5": md5_hex(b"{}")}, "../../outside.txt": {"size": 2, "md5": md5_hex(b"{}")}}
    store.put_json(prefix + "_COMPLETE.json", {"version": vid, "files": files})
    with pytest.raises(UnsafeKey):
        reg.pull(vid, tmp_path / "d" / "pulled")
    assert not list(tmp_path.rglob("outside.txt"))


# -- 5. a store that ignores conditional writes; latest.json never deleted blindly ------------------

def _ignoring_conditions(store: ObjectStore) -> ObjectStore:
    """The same real SeaweedFS, reached by a client that drops If-Match / If-None-Match before
    sending: exactly what an S3-compatible server that ignores them does."""
    def strip(params, **_):
        params.pop("IfMatch", None)
        params.pop("IfNoneMatch", None)

    settings = store.settings.model_copy(update={"storage": store.settings.storage.model_copy(
        update={"endpoint_url": store.settings.storage.endpoint_url + "/"})})  # its own probe cache entry
    other = ObjectStore(settings)
    other.client.meta.events.register("provide-client-params.s3.PutObject", strip)
    return other


def test_registry_refuses_a_store_that_ignores_conditional_writes(store):
    from test_registry import GATE, metrics, stage
    from ner_pipeline.evaluate.gate import decide

    bad = _ignoring_conditions(store)
    reg = Registry(bad)
    blessing = decide(metrics(0.8), GATE, None, champion_version=None)
    with pytest.raises(ConditionalWritesIgnored, match=r"object store at http://127\.0\.0\.1:\d+/ \(bucket"):
        reg.promote(run_id="r1", staging_uri=stage(bad, "r1"), blessing=blessing, metrics=metrics(0.8), lineage={})
    assert bad.get_json(bad.key("models/ner/champion.json")) is None
    assert not [o for o in store.list(store.key("state/conditional-write-probe/"))]  # the probe cleans up
    Registry(store).promote(run_id="r1", staging_uri=stage(store, "r1"), blessing=blessing, metrics=metrics(0.8),
                            lineage={})  # the honest client on the same server works


def test_latest_pointer_is_never_deleted_under_a_concurrent_run(store, s3_settings, monkeypatch):
    """Run A's own published snapshot (no base) is being rewritten; run B publishes in between.
    Before: latest.json was deleted unconditionally and A's pointer then replaced B's."""
    def put_accepted(run, recs):
        key = store.key("runs", layout.run_key(run), "accepted.jsonl")
        store.put_bytes(key, to_jsonl(recs))
        return {"accepted_uri": store.uri(key), "files": []}

    stages.build_snapshot(s3_settings, "A", put_accepted("A", [_rec(1)]))
    real_split = snapshots.split_records
    b_pointer = {"snapshot_id": "B", "uri": store.uri(store.key("datasets/B") + "/"), "run_id": "B",
                 "previous_snapshot": "A", "previous_uri": None}

    def split_then_b_publishes(records, settings):
        store.put_json(store.key(layout.LATEST_SNAPSHOT), b_pointer)
        return real_split(records, settings)

    monkeypatch.setattr(snapshots, "split_records", split_then_b_publishes)
    with pytest.raises(stages.StageError, match="changed while snapshot A was rebuilt"):
        stages.build_snapshot(s3_settings, "A", put_accepted("A", [_rec(1), _rec(2)]))
    assert store.get_json(store.key(layout.LATEST_SNAPSHOT)) == b_pointer


# -- 7. discovery: folder prefixes, file names in any case ----------------------------------------

def test_discovery_lists_the_folder_only_and_every_input_name(store, s3_settings):
    for i, name in enumerate(("a.jsonl", "B.JSONL", "c.ndjson", "d.Json", "notes.txt")):
        store.put_bytes(store.key("incoming/real", name), to_jsonl([_rec(i)]))
    store.put_bytes(store.key("incoming/real-archive", "old.jsonl"), to_jsonl([_rec(9)]))
    s = s3_settings.model_copy(update={"sources": s3_settings.sources.model_copy(update={"real_prefix": "incoming/real"})})
    found = discovery.discover(store, s, ["real"])
    assert sorted(f["key"].rsplit("/", 1)[1] for f in found) == ["B.JSONL", "a.jsonl", "c.ndjson", "d.Json"]
    assert all(f["key"].startswith(store.key("incoming/real/")) for f in found)


# -- 4. an incoming object over the size cap: rejected unread, marked, not read again --------------

def test_oversized_incoming_file_is_rejected_unread_and_marked(store, s3_settings):
    s = s3_settings.model_copy(update={"validation": s3_settings.validation.model_copy(update={"max_file_bytes": 200})})
    store.put_bytes(store.key("incoming/real", "huge.jsonl"), to_jsonl([_rec(i) for i in range(20)]))
    found = stages.discover(s, "run-1", ["real"])
    (f,) = found["files"]
    validated = stages.validate(s, "run-1", found)
    assert [r["path"] for r in validated["rejected_files"]] == [f["key"]]
    assert "file_too_large" in validated["rejected_files"][0]["message"] and validated["counts"]["records_read"] == 0
    stages.build_snapshot(s, "run-1", validated)
    assert discovery.load_state(store)[0]["files"][f["sha256"]]["status"] == "rejected"
    assert stages.discover(s, "run-2", ["real"])["files"] == []  # the next night does not trip on it


# -- 7. history lines with separator characters ----------------------------------------------------

def test_history_keeps_entries_with_separator_characters(store):
    reg = Registry(store)
    assert reg.record_decision("r1", {"kind": "rejection", "reasons": ["why\u2028two\u0085lines"]})
    assert reg.record_decision("r2", {"kind": "rejection", "reasons": ["plain"]})
    assert not reg.record_decision("r1", {"kind": "rejection", "reasons": ["again"]})  # idempotent: found it
    assert [(e["run_id"], e["reasons"]) for e in reg.history()] == [("r1", ["why\u2028two\u0085lines"]), ("r2", ["plain"])]
    assert store.get_bytes(store.key("models/ner/history.jsonl")).count(b"\n") == 2


# -- 7. `registry promote` (CLI) refuses a staging model that is not the evaluated one -------------

def _cli(args, env, timeout=300):
    return subprocess.run([str(Path(sys.executable).parent / "ner-pipeline"), *args], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)


def _plain_env(seaweed, s3_settings, tmp_path, *, with_keys: bool):
    """What a newcomer's shell has: PATH and HOME, no AWS_*, no NER_*."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    if with_keys:
        env.update(seaweed.credentials())
    sets = [f"storage.endpoint_url={seaweed.endpoint}", f"storage.bucket={s3_settings.storage.bucket}",
            f"local_store.data_dir={seaweed.data_dir}", f"local_store.port={seaweed.port}"]
    return env, [a for s in sets for a in ("--set", s)]


def test_cli_promote_refuses_a_model_other_than_the_evaluated_one(store, s3_settings, seaweed, tmp_path):
    from test_registry import GATE, metrics, stage
    from ner_pipeline.evaluate.gate import decide

    run = "manual__cli"
    rk = layout.run_key(run)
    staging = stage(store, rk)
    skey = store.key_of(staging)
    evaluated = {o["Key"][len(skey) + len("model/"):]: store.checksum(o["Key"]) for o in store.list(skey + "model/")}
    store.put_json(store.key("runs", rk, "evaluation", "model_files.json"), {"files": evaluated})
    store.put_json(store.key("runs", rk, "evaluation", "metrics.json"), metrics(0.8))
    store.put_json(store.key("runs", rk, "gate", "blessing.json"), decide(metrics(0.8), GATE, None, champion_version=None))
    store.put_bytes(skey + "model/model.safetensors", os.urandom(1024))  # replaced after evaluation
    env, sets = _plain_env(seaweed, s3_settings, tmp_path, with_keys=True)
    proc = _cli(["registry", "promote", run, *sets], env)
    assert proc.returncode == 2 and "not the model that was evaluated" in proc.stderr, proc.stderr
    assert store.get_json(store.key("models/ner/champion.json")) is None


# -- 10. the CLI finds the local store's credentials with nothing exported -------------------------

def test_cli_works_with_no_exported_credentials(store, s3_settings, seaweed, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(to_jsonl([_rec(1)]))
    store.put_bytes(store.key("eval/gold.jsonl"), gold.read_bytes())
    pred = tmp_path / "pred.jsonl"
    pred.write_bytes(jsonl.dump_lines([{"id": "r1", "entities": [{"start": 0, "end": 5, "label": "VICTIM"}]}]))
    env, sets = _plain_env(seaweed, s3_settings, tmp_path, with_keys=False)
    assert "AWS_ACCESS_KEY_ID" not in env and seaweed.env_file.is_file()
    proc = _cli(["registry", "list", *sets], env)
    assert proc.returncode == 0 and "no versions yet" in proc.stdout, proc.stderr[-2000:]
    proc = _cli(["score", "--gold", store.uri(store.key("eval/gold.jsonl")), "--pred", str(pred),
                 "--out", str(tmp_path / "m.json"), *sets], env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = json.loads((tmp_path / "m.json").read_text())
    assert m["micro"]["tp"] == 1 and "macro" in m and m["per_entity"] == m["per_label"]
    proc = _cli(["predict", "--model", "champion", "--input", str(gold), "--out", str(tmp_path / "p.jsonl"), *sets], env)
    assert proc.returncode == 2 and "no champion yet" in proc.stderr, proc.stderr[-2000:]  # resolved, not NoCredentials

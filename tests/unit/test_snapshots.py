"""The snapshot store (include/ner_pipeline/snapshots.py) over an in-memory object store: what a
snapshot holds, the pointer's conditional moves, retries, and the trainer's local reader.
The same paths against SeaweedFS: tests/integration/test_faults_*.py, test_hardening_store.py."""

from __future__ import annotations

import json

import pytest

from fakestore import MemoryStore
from ner_pipeline import snapshots
from ner_pipeline.config import SplitSettings, load_settings
from ner_pipeline.layout import LATEST_SNAPSHOT, SnapshotPaths
from ner_pipeline.records import Record, Span, text_hash
from ner_pipeline.snapshots import (NO_SNAPSHOT, SnapshotError, SnapshotStore, base_of, load_snapshot,
                                    manifest_for)
from ner_pipeline.split import SPLITS, split_records, to_jsonl


def _recs(n, tag="r"):
    return [Record(id=f"{tag}{i}", text=f"Caller {tag} {i} reports case number {i * 7}.", entities=[Span(0, 6, "NAME")])
            for i in range(n)]


@pytest.fixture()
def store():
    return MemoryStore(load_settings("local", overrides=["storage.prefix=team-a/"], environ={}))


def _pointer(store):
    got = store.get_with_etag(store.key(LATEST_SNAPSHOT))
    return json.loads(got[0]) if got else None


def test_manifest_has_no_text():  # moved from test_split.py with manifest_for
    recs = _recs(10)
    data = to_jsonl(recs)
    splits = split_records(recs, SplitSettings())
    m = manifest_for("snap", splits, {"train.jsonl": data}, {})
    assert "Caller" not in str(m)
    assert sum(m["counts"].values()) == 10


def test_build_is_cumulative_and_the_pointer_names_each_complete_snapshot(store):
    snaps = SnapshotStore(store)
    assert snaps.latest() is None and snaps.known_latest() == (set(), set())
    first = snaps.build("run:1", _recs(5, "a"), SplitSettings(), source_files=[])
    assert first["snapshot_id"] == "run~3a1" and first["uri"] == f"s3://{store.bucket}/team-a/datasets/run~3a1/"
    assert sorted(k for k in store.objects if "/datasets/run~3a1/" in k) == [
        f"team-a/datasets/run~3a1/{n}" for n in ("manifest.json", "test.jsonl", "train.jsonl", "validation.jsonl")]
    assert store.puts.index("team-a/datasets/run~3a1/manifest.json") < store.puts.index("team-a/" + LATEST_SNAPSHOT)
    second = snaps.build("run:2", _recs(5, "b"), SplitSettings(), source_files=[])
    assert sum(second["manifest"]["counts"].values()) == 10 and second["manifest"]["previous_snapshot"] == "run~3a1"
    assert snaps.latest() == {"snapshot_id": "run~3a2", "uri": second["uri"], "run_id": "run:2",
                              "previous_snapshot": "run~3a1", "previous_uri": first["uri"]}
    hashes, ids = snaps.known(second["uri"])
    assert ids == {f"{t}{i}" for t in "ab" for i in range(5)} and text_hash(_recs(1, "a")[0].text) in hashes
    assert {r.id for recs in snaps.records(second["uri"]).values() for r in recs} == ids
    assert [d["id"] for d in snaps.record_dicts(second["uri"], ("test",))] == [r.id for r in snaps.split(second["uri"], "test")]


def test_a_retry_with_the_same_content_changes_nothing(store):
    snaps = SnapshotStore(store)
    snaps.build("r0", _recs(4, "a"), SplitSettings(), source_files=[])
    once = snaps.build("r1", _recs(4, "b"), SplitSettings(), source_files=[{"key": "k", "source": "real", "sha256": "x"}])
    writes = len(store.puts)
    again = snaps.build("r1", _recs(4, "b"), SplitSettings(), source_files=[{"key": "k", "source": "real", "sha256": "x"}])
    assert again["manifest"] == once["manifest"] and len(store.puts) == writes  # builds on r0 again, not on itself


def test_a_changed_retry_steps_the_pointer_back_before_rewriting(store, monkeypatch):
    snaps = SnapshotStore(store)
    base = snaps.build("r0", _recs(3, "a"), SplitSettings(), source_files=[])
    snaps.build("r1", _recs(3, "b"), SplitSettings(), source_files=[])
    seen = []  # the pointer each time a split file is written
    put = store.put_bytes

    def spy(key, data, **kw):
        if key.endswith(".jsonl"):
            seen.append(_pointer(store))
        return put(key, data, **kw)

    monkeypatch.setattr(store, "put_bytes", spy)
    out = snaps.build("r1", _recs(4, "b"), SplitSettings(), source_files=[])
    assert seen and all(p["snapshot_id"] == "r0" and p["uri"] == base["uri"] for p in seen)  # never the half-written one
    assert sum(out["manifest"]["counts"].values()) == 7 and snaps.latest()["snapshot_id"] == "r1"


def test_no_snapshot_pointer_reads_as_none_and_guards_the_first_publish(store):
    store.put_json(store.key(LATEST_SNAPSHOT), NO_SNAPSHOT)
    snaps = SnapshotStore(store)
    assert snaps.latest() is None and snaps.known_latest() == (set(), set())
    assert snaps.build("r0", _recs(2), SplitSettings(), source_files=[])["manifest"]["previous_snapshot"] is None
    assert snaps.latest()["snapshot_id"] == "r0"


def test_a_pointer_moved_by_another_run_fails_the_build(store, monkeypatch):
    snaps = SnapshotStore(store)
    real_split = snapshots.split_records

    def split_then_other_publishes(records, settings):
        store.put_json(store.key(LATEST_SNAPSHOT), {**NO_SNAPSHOT, "snapshot_id": "other", "uri": "s3://x/"})
        return real_split(records, settings)

    monkeypatch.setattr(snapshots, "split_records", split_then_other_publishes)
    with pytest.raises(SnapshotError, match="moved to other while snapshot r0 was built on None; a retry builds"):
        snaps.build("r0", _recs(2), SplitSettings(), source_files=[])
    assert _pointer(store)["snapshot_id"] == "other"  # never clobbered


def test_an_incomplete_snapshot_is_never_read(store):
    snaps = SnapshotStore(store)
    uri = snaps.uri("half")
    store.put_bytes(store.key(SnapshotPaths.of("half").split("train")), to_jsonl(_recs(2)))
    with pytest.raises(SnapshotError, match="has no manifest.json: it is incomplete"):
        snaps.records(uri)
    assert snaps.manifest(uri, required=False) is None


def test_base_of_a_retry_is_the_snapshot_before_it():
    latest = {"snapshot_id": "r1", "uri": "u1", "run_id": "R1", "previous_snapshot": "r0", "previous_uri": "u0"}
    assert base_of(latest, "R1") == ("r0", "u0")
    assert base_of(latest, "R2") == ("r1", "u1")
    assert base_of(None, "R1") == (None, None)


def test_load_snapshot_refuses_an_incomplete_folder(tmp_path):
    splits = split_records(_recs(20), SplitSettings())
    files = {f"{s}.jsonl": to_jsonl(splits[s]) for s in SPLITS}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with pytest.raises(SnapshotError, match="no manifest.json"):
        load_snapshot(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest_for("s", splits, files, {})))
    snap = load_snapshot(tmp_path, splits=SPLITS)
    assert [r.id for r in snap.train] == [r.id for r in splits["train"]] and snap.manifest["snapshot_id"] == "s"


def test_check_split_file_streams_the_checksum(tmp_path):
    from ner_pipeline.snapshots import check_split_file

    data = to_jsonl(_recs(3))
    (tmp_path / "train.jsonl").write_bytes(data)
    manifest = manifest_for("s", {"train": _recs(3)}, {"train.jsonl": data}, {})
    path, digest = check_split_file(tmp_path, manifest, "train")
    assert path == tmp_path / "train.jsonl" and digest == manifest["files"]["train.jsonl"]["sha256"]
    assert check_split_file(tmp_path, manifest, "test") is None
    (tmp_path / "train.jsonl").write_bytes(data[:-2])
    with pytest.raises(SnapshotError, match="does not match the sha256"):
        check_split_file(tmp_path, manifest, "train")

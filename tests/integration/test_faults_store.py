"""The object store goes away in the middle of validation, snapshot writing and promotion.

A SeaweedFS of this module's own is stopped (gracefully, as a restart or an outage would) right
before a chosen write of a real stage function; the stage must fail with the client's error,
leave nothing a reader would trust (no report, no manifest, no version marker, no pointer move,
no consumed-file mark), and the same call must succeed once the store is back on its data.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from botocore.exceptions import EndpointConnectionError

from ner_pipeline import layout, stages
from ner_pipeline.registry import Registry, RegistryError
from test_faults_common import (consumed, durable_state, history, make_records, monkeypatch_module,  # noqa: F401
                                new_bucket, outage, own_store, prepare_run, promote_run, put_incoming,
                                snapshot_is_complete, trained_model)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOURCES = ["synthetic", "real"]
R0 = "scheduled__2026-01-01T02:00:00+00:00"
R1 = "manual__2026-01-01T09:30:00+00:00"
DOWN = "Could not connect to the endpoint URL"


def _utc_second() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def test_outage_during_validation(own_store, outage):
    settings, store = new_bucket(own_store.endpoint)
    put_incoming(store, "a.jsonl", make_records("val", 12))
    discovered = stages.discover(settings, R1, SOURCES)
    before = durable_state(store)
    rk = layout.run_key(R1)

    outage.arm("put_bytes", lambda key: "/data_docs/" in key, after=2)  # mid Data Docs upload
    with pytest.raises(EndpointConnectionError, match=DOWN):
        stages.validate(settings, R1, discovered)
    assert outage.fired
    outage.restart()

    assert durable_state(store) == before  # nothing consumed, no snapshot
    assert not store.exists(store.key("validation", rk, "report.json"))  # report.json is written last
    assert not store.exists(store.key("runs", rk, "accepted.jsonl"))

    retry_started = _utc_second()
    out = stages.validate(settings, R1, discovered)  # the task's retry
    assert out["counts"] == {"records_read": 12, "accepted": 12, "repaired": 0, "quarantined": 0}
    assert store.exists(store.key("validation", rk, "report.json"))
    written = list(store.list(store.key("validation", rk) + "/"))
    assert any("/data_docs/" in o["Key"] for o in written)
    # The failed attempt's half-uploaded Data Docs are gone, not mixed into the retry's.
    assert all(o["LastModified"] >= retry_started for o in written), "objects of the failed attempt left behind"
    assert durable_state(store) == before  # validation alone never consumes files


def test_outage_while_writing_snapshot(own_store, outage):
    settings, store = new_bucket(own_store.endpoint)
    put_incoming(store, "first.jsonl", make_records("s0", 10))
    v0 = stages.validate(settings, R0, stages.discover(settings, R0, SOURCES))
    snap0 = stages.build_snapshot(settings, R0, v0)
    latest0 = store.get_bytes(store.key(layout.LATEST_SNAPSHOT))

    put_incoming(store, "second.jsonl", make_records("s1", 10))
    v1 = stages.validate(settings, R1, stages.discover(settings, R1, SOURCES))
    state_before = store.get_bytes(store.key("state/processed.json"))
    prefix = store.key("datasets", layout.run_key(R1))

    outage.arm("put_bytes", lambda key: key == f"{prefix}/validation.jsonl")  # train.jsonl is written
    with pytest.raises(EndpointConnectionError, match=DOWN):
        stages.build_snapshot(settings, R1, v1)
    outage.restart()

    assert store.exists(f"{prefix}/train.jsonl") and not store.exists(f"{prefix}/manifest.json")
    assert store.get_bytes(store.key(layout.LATEST_SNAPSHOT)) == latest0  # still the previous snapshot
    assert snapshot_is_complete(store, snap0["dataset_uri"])
    assert store.get_bytes(store.key("state/processed.json")) == state_before  # second.jsonl not consumed
    assert stages.discover(settings, "manual__later", SOURCES)["n_files"] == 1  # a later run would get it

    snap1 = stages.build_snapshot(settings, R1, v1)  # the retry
    assert snapshot_is_complete(store, snap1["dataset_uri"])
    assert sum(snap1["counts"].values()) == 20 and snap1["new_records"] == 10
    latest = store.get_json(store.key(layout.LATEST_SNAPSHOT))
    assert latest["snapshot_id"] == snap1["snapshot_id"] and latest["previous_snapshot"] == snap0["snapshot_id"]
    assert {m["run_id"] for m in consumed(store).values()} == {R0, R1}
    assert stages.discover(settings, "manual__later", SOURCES)["n_files"] == 0


def test_outage_after_publishing_then_during_a_changed_rewrite(own_store, outage):
    """The snapshot was published but the files were not yet marked (outage at the mark); the
    cleared validate then sees one more file, and the rewrite of the published snapshot is cut
    by a second outage: datasets/latest.json must never name the half-rewritten snapshot."""
    settings, store = new_bucket(own_store.endpoint)
    put_incoming(store, "first.jsonl", make_records("p0", 10))
    snap0 = stages.build_snapshot(settings, R0, stages.validate(settings, R0, stages.discover(settings, R0, SOURCES)))
    put_incoming(store, "second.jsonl", make_records("p1", 10))
    v1 = stages.validate(settings, R1, stages.discover(settings, R1, SOURCES))

    outage.arm("put_bytes", lambda key: key.endswith("state/processed.json"))
    with pytest.raises(EndpointConnectionError, match=DOWN):
        stages.build_snapshot(settings, R1, v1)
    outage.restart()
    latest = store.get_json(store.key(layout.LATEST_SNAPSHOT))
    assert latest["run_id"] == R1 and snapshot_is_complete(store, latest["uri"])  # published, complete
    assert {m["run_id"] for m in consumed(store).values()} == {R0}  # ... but second.jsonl not yet marked

    # validate is cleared and re-run; a third file arrived in between: the snapshot content changes.
    put_incoming(store, "third.jsonl", make_records("p2", 10))
    v1b = stages.validate(settings, R1, stages.discover(settings, R1, SOURCES))
    assert v1b["counts"]["accepted"] == 20  # its own (not yet marked) file again, plus the new one
    prefix = store.key("datasets", layout.run_key(R1))
    outage.arm("put_bytes", lambda key: key == f"{prefix}/validation.jsonl")
    with pytest.raises(EndpointConnectionError, match=DOWN):
        stages.build_snapshot(settings, R1, v1b)
    outage.restart()
    latest = store.get_json(store.key(layout.LATEST_SNAPSHOT))
    assert latest["snapshot_id"] == snap0["snapshot_id"], "pointer names a half-rewritten snapshot"
    assert snapshot_is_complete(store, latest["uri"])

    snap1 = stages.build_snapshot(settings, R1, v1b)
    assert snapshot_is_complete(store, snap1["dataset_uri"]) and sum(snap1["counts"].values()) == 30
    assert store.get_json(store.key(layout.LATEST_SNAPSHOT))["snapshot_id"] == snap1["snapshot_id"]
    assert len(consumed(store)) == 3


def test_outage_during_promotion(own_store, outage, tmp_path_factory):
    model = trained_model(tmp_path_factory.getbasetemp())
    settings, store = new_bucket(own_store.endpoint)
    first = promote_run(settings, R0, prepare_run(settings, store, R0, model, tag="pr0"))
    x = prepare_run(settings, store, R1, model, tag="pr1")
    champion0 = store.get_bytes(store.key("models/ner/champion.json"))
    reg = Registry(store)

    # 1. The store stops while the version is being copied.
    outage.arm("copy", lambda key: "/versions/" in key, after=3)
    with pytest.raises(EndpointConnectionError, match=DOWN):
        promote_run(settings, R1, x)
    outage.restart()
    vid = reg.version_for_run(R1)
    assert vid and not reg.version(vid)["complete"]  # a partial folder, no _COMPLETE.json
    assert [v["version"] for v in reg.versions()] == [first["version"]]  # never listed
    with pytest.raises(RegistryError, match="incomplete"):
        reg.pull(vid, tmp_path_factory.mktemp("pull"))
    assert store.get_bytes(store.key("models/ner/champion.json")) == champion0
    assert [(e["kind"], e["run_id"]) for e in history(store)] == [("promotion", R0)]

    # 2. The retry gets further; the store stops right at the pointer write.
    outage.arm("put_bytes", lambda key: key.endswith("models/ner/champion.json"))
    with pytest.raises(EndpointConnectionError, match=DOWN):
        promote_run(settings, R1, x)
    outage.restart()
    assert reg.version(vid)["complete"]  # complete now, but not serving
    assert store.get_bytes(store.key("models/ner/champion.json")) == champion0
    assert reg.pull("champion", tmp_path_factory.mktemp("pull")).exists()  # readers still get the old one
    assert [(e["kind"], e["run_id"]) for e in history(store)] == [("promotion", R0)]

    # 3. The next retry finishes; one more changes nothing.
    out = promote_run(settings, R1, x)
    assert out["promoted"] and out["version"] == vid
    champ = reg.champion()
    assert champ["version"] == vid and champ["previous"] == first["version"]
    assert [(e["kind"], e["run_id"]) for e in history(store)] == [("promotion", R0), ("promotion", R1)]
    state = durable_state(store)
    again = promote_run(settings, R1, x)
    assert again["promoted"] and again["already_done"]
    assert durable_state(store) == state

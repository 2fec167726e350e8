"""Two DAG runs at once (a manual trigger during the nightly run): no interleaving damage.

The DAG allows one active run (max_active_runs=1, asserted in tests/dags/test_dag_integrity.py);
these tests take that guard away and force the worst interleavings on the shared objects, to
show the conditional writes hold on their own: the champion pointer, the dataset-snapshot
pointer and the consumed-file state.
"""

from __future__ import annotations

import threading
import time

import boto3
import pytest

from ner_pipeline import discovery, layout, snapshots, stages
from ner_pipeline.registry import Registry
from ner_pipeline.storage import ObjectStore
from test_faults_common import (consumed, history, make_records, prepare_run, promote_run, put_incoming,  # noqa: F401
                                shared_bucket, snapshot_is_complete, trained_model)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOURCES = ["synthetic", "real"]
NIGHTLY = "scheduled__2026-04-01T02:00:00+00:00"
MANUAL = "manual__2026-04-01T02:05:00+00:00"


def _in_threads(*calls):
    """Run the calls at once; return their results (or raise the first error)."""
    results: list = [None] * len(calls)
    errors: list = []

    def go(i, fn):
        try:
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join(timeout=240)
    if errors:
        raise errors[0]
    return results


def _meet_first_two(barrier: threading.Barrier):
    """A hook that makes the first two callers wait for each other, and lets later ones pass."""
    lock, count = threading.Lock(), [0]

    def meet():
        with lock:
            count[0] += 1
            first_two = count[0] <= 2
        if first_two:
            barrier.wait(timeout=120)

    return meet


def test_two_promotions_at_once(shared_bucket, tmp_path_factory, monkeypatch):
    settings, store = shared_bucket
    model = trained_model(tmp_path_factory.getbasetemp())
    nightly = prepare_run(settings, store, NIGHTLY, model, tag="c1")
    manual = prepare_run(settings, store, MANUAL, model, tag="c2")
    assert nightly["decision"]["promote"] and manual["decision"]["promote"]  # both gated against no champion

    # Both runs reach the pointer write having read the same (absent) champion.
    meet = _meet_first_two(threading.Barrier(2))
    original = Registry._move_pointer

    def racing_move(self, pointer, etag, *, expected):
        meet()
        return original(self, pointer, etag, expected=expected)

    monkeypatch.setattr(Registry, "_move_pointer", racing_move)
    boto3.client("s3", region_name="us-east-1")  # build the default session once (its creation is not thread-safe)
    a, b = _in_threads(lambda: promote_run(settings, NIGHTLY, nightly), lambda: promote_run(settings, MANUAL, manual))

    reg = Registry(store)
    entries = [e for e in history(store) if e["kind"] == "promotion"]
    assert len(entries) == 2 and a["promoted"] and b["promoted"]
    first, second = entries
    # The loser did not overwrite the winner blindly: it re-gated against the winner, then moved
    # the pointer from it. The chain of pointers and the history agree; nothing was lost.
    assert second["previous"] == first["version"] and second["gated_against"] == first["version"]
    champ = reg.champion()
    assert champ["version"] == second["version"] and champ["previous"] == first["version"]
    assert sorted(v["version"] for v in reg.versions()) == sorted([a["version"], b["version"]])
    assert all(reg.version(v)["complete"] for v in (a["version"], b["version"]))


def test_two_snapshots_at_once(shared_bucket, monkeypatch):
    settings, store = shared_bucket
    put_incoming(store, "nightly.jsonl", make_records("n", 12))
    v_nightly = stages.validate(settings, NIGHTLY, stages.discover(settings, NIGHTLY, SOURCES))
    put_incoming(store, "manual.jsonl", make_records("m", 12))
    d_manual = stages.discover(settings, MANUAL, SOURCES)
    d_manual["files"] = [f for f in d_manual["files"] if f["key"].endswith("manual.jsonl")]
    v_manual = stages.validate(settings, MANUAL, d_manual)

    # The manual run publishes its snapshot while the nightly one is building its own.
    original = snapshots.split_records
    interleaved: list = []

    def split_then_let_the_other_run_publish(records, split_settings):
        if not interleaved:
            interleaved.append(None)
            interleaved[0] = stages.build_snapshot(settings, MANUAL, v_manual)
        return original(records, split_settings)

    with monkeypatch.context() as mp:
        mp.setattr(snapshots, "split_records", split_then_let_the_other_run_publish)
        with pytest.raises(stages.StageError, match="moved to .* while snapshot .* was built on None; a retry builds"):
            stages.build_snapshot(settings, NIGHTLY, v_nightly)
    latest = store.get_json(store.key(layout.LATEST_SNAPSHOT))
    assert latest["run_id"] == MANUAL and snapshot_is_complete(store, latest["uri"])  # not clobbered
    assert {m["run_id"] for m in consumed(store).values()} == {MANUAL}  # the nightly files stay new

    snap = stages.build_snapshot(settings, NIGHTLY, v_nightly)  # the task's retry
    latest = store.get_json(store.key(layout.LATEST_SNAPSHOT))
    assert latest["run_id"] == NIGHTLY and latest["previous_snapshot"] == interleaved[0]["snapshot_id"]
    assert sum(snap["counts"].values()) == 24  # both runs' records: none lost
    assert {m["run_id"] for m in consumed(store).values()} == {NIGHTLY, MANUAL}


def test_two_runs_mark_files_consumed_at_once(shared_bucket, monkeypatch):
    settings, store = shared_bucket
    meet = _meet_first_two(threading.Barrier(2))
    original = ObjectStore.get_with_etag

    def racing_read(self, key):
        got = original(self, key)
        if key == store.key(layout.PROCESSED):
            meet()  # both read the same state (and ETag) before either writes
        return got

    monkeypatch.setattr(ObjectStore, "get_with_etag", racing_read)
    files = {run: [{"key": f"incoming/synthetic/{run}.jsonl", "source": "synthetic", "sha256": run * 8}]
             for run in ("aaaaaaaa", "bbbbbbbb")}
    boto3.client("s3", region_name="us-east-1")
    _in_threads(*[lambda run=run: discovery.mark_consumed(store, files[run], run) for run in files])
    assert {m["run_id"] for m in consumed(store).values()} == {"aaaaaaaa", "bbbbbbbb"}

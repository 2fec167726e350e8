"""Clearing and re-running any single task of a finished run, or the whole run, changes nothing
that a reader or a later run trusts: no second version, history entry or consumed-file mark, the
same champion pointer, the same dataset snapshot (byte for byte) and snapshot pointer.

Chosen level: the stage functions the DAG's tasks call, fed the XCom values of the finished run
(what Airflow hands a cleared task), against the session's SeaweedFS and the real trainer.
"""

from __future__ import annotations

import collections

import pytest

from ner_pipeline import stages
from ner_pipeline.registry import Registry
from test_faults_common import (DAG_ID, consumed, durable_state, history, make_records, prepare_run,  # noqa: F401
                                promote_run, put_incoming, settings_for, shared_bucket, stage_model,
                                train_overrides, trained_model)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOURCES = ["synthetic", "real"]
R0 = "scheduled__2026-03-01T02:00:00+00:00"
R1 = "scheduled__2026-03-02T02:00:00+00:00"
R2 = "manual__2026-03-02T12:00:00+00:00"


def run_tasks(settings, store, run_id, x=None, *, only=None, model=None, train_for_real=True):
    """Run the DAG's tasks in order (or just `only`), reusing upstream XComs from `x`."""
    x = dict(x or {})

    def want(task):
        return only is None or task == only

    if want("discover"):
        x["discovered"] = stages.discover(settings, run_id, SOURCES)
    if want("validate"):
        x["validated"] = stages.validate(settings, run_id, x["discovered"])
    if want("build_snapshot"):
        x["snapshot"] = stages.build_snapshot(settings, run_id, x["validated"])
    if want("train"):
        x["trained"] = (stages.train_local(settings, run_id, x["snapshot"]["dataset_uri"], overrides=train_overrides(settings))
                        if train_for_real else stage_model(store, run_id, model))
    if want("evaluate"):
        x["evaluation"] = stages.evaluate(settings, run_id, x["snapshot"]["dataset_uri"], x["trained"])
    if want("gate"):
        x["decision"] = stages.gate(settings, run_id, x["evaluation"])
    branch = "promote" if x["decision"]["promote"] else "record_rejection"
    if want("promote") and branch == "promote":
        x["promoted"] = promote_run(settings, run_id, x)
    if want("record_rejection") and branch == "record_rejection":
        x["rejected"] = stages.record_rejection(settings, run_id, evaluation=x["evaluation"], decision=x["decision"])
    if want("report"):
        x["report"] = stages.report(settings, run_id, validated=x["validated"], evaluation=x["evaluation"],
                                    decision=x["decision"], promoted=x.get("promoted"), rejected=x.get("rejected"))
    return x


def test_clearing_tasks_or_the_whole_run_changes_nothing(shared_bucket, tmp_path_factory):
    settings, store = shared_bucket
    model = trained_model(tmp_path_factory.getbasetemp())
    promote_run(settings, R0, prepare_run(settings, store, R0, model, tag="i0"))  # an earlier champion

    put_incoming(store, "night.jsonl", make_records("i1", 20))
    x = run_tasks(settings, store, R1, model=model, train_for_real=False)
    assert x["promoted"]["promoted"] and not x["promoted"].get("already_done")
    state = durable_state(store)
    reg = Registry(store)
    version = reg.champion()["version"]

    # Each task alone, cleared and re-run with the finished run's upstream XComs.
    for task in ("discover", "validate", "build_snapshot", "train", "evaluate", "gate", "promote", "report"):
        y = run_tasks(settings, store, R1, x, only=task)
        assert durable_state(store) == state, f"re-running {task} changed the durable state"
        if task == "discover":
            assert y["discovered"]["files"] == x["discovered"]["files"]  # its own files, found again
        if task == "validate":
            assert y["validated"]["counts"] == x["validated"]["counts"]  # not all "duplicates" now
        if task == "build_snapshot":
            assert y["snapshot"] == x["snapshot"]  # same manifest (hash), not a rewritten one
        if task == "gate":
            assert y["decision"]["promote"] and y["decision"]["already_promoted"] == version
        if task == "promote":
            assert y["promoted"]["already_done"] and y["promoted"]["version"] == version
        x.update({k: v for k, v in y.items() if k == "trained"})  # train's new output feeds later tasks

    # The whole run, cleared and re-run from the top (the real trainer trains again).
    z = run_tasks(settings, store, R1, model=model)
    assert durable_state(store) == state
    assert z["snapshot"]["manifest_sha256"] == x["snapshot"]["manifest_sha256"]
    assert z["promoted"]["already_done"] and z["promoted"]["version"] == version

    # One version per promoted run, one history line per (run, kind), one mark per file.
    assert [v["version"] for v in reg.versions()] == [version, reg.version_for_run(R0)]
    assert collections.Counter((e["run_id"], e["kind"]) for e in history(store)) == {
        (R0, "promotion"): 1, (R1, "promotion"): 1}
    assert sorted(m["run_id"] for m in consumed(store).values()) == [R0, R1]


def test_clearing_a_rejected_run_records_one_rejection(shared_bucket, tmp_path_factory):
    settings, store = shared_bucket
    strict = settings_for(settings.storage.endpoint_url, settings.storage.bucket, "gate.micro_f1_min=0.999")
    model = trained_model(tmp_path_factory.getbasetemp())
    put_incoming(store, "rejected.jsonl", make_records("i2", 20))
    x = run_tasks(strict, store, R2, model=model, train_for_real=False)
    assert x["rejected"]["kind"] == "rejection"
    state = durable_state(store)
    for task in ("gate", "record_rejection", "report"):
        run_tasks(strict, store, R2, x, only=task)
        assert durable_state(store) == state, task
    run_tasks(strict, store, R2, model=model, train_for_real=False)
    assert durable_state(store) == state
    assert [(e["run_id"], e["kind"]) for e in history(store)] == [(R2, "rejection")]
    assert Registry(store).champion() is None

"""The release and summary stages over an in-memory store (tests/fakestore.py), passed the way
the DAG's tasks pass theirs. Against SeaweedFS, with the real trainer: tests/integration/."""

from __future__ import annotations

import pytest

from fakestore import MemoryStore
from ner_pipeline import stages
from ner_pipeline.config import load_settings
from ner_pipeline.layout import LAST_RUN, RunPaths
from ner_pipeline.promotion import PromotionError
from ner_pipeline.registry import Registry
from test_promotion import metrics, stage


@pytest.fixture()
def env():
    settings = load_settings("local", environ={})
    return settings, MemoryStore(settings)


def evaluated(store, run: str, f1: float) -> dict:
    """A trained and evaluated run: staging, metrics and the evaluated files (as evaluate leaves them)."""
    paths = RunPaths(run)
    staging = stage(store, paths.rk)
    model = store.key_of(staging) + "model/"
    store.put_json(store.key(paths.metrics), metrics(f1))
    store.put_json(store.key(paths.model_files),
                   {"files": {o["Key"][len(model):]: store.checksum(o["Key"]) for o in store.list(model)}})
    return {"metrics_uri": store.uri(store.key(paths.metrics)), "champion_metrics_uri": None,
            "champion_version": None, "micro_f1": f1, "model_files_uri": store.uri(store.key(paths.model_files)),
            "output_uri": staging}


def promote(settings, store, run, evaluation, decision, **kw):
    snap = {"snapshot_id": "s1", "dataset_uri": store.uri(store.key("datasets", "s1")) + "/", "manifest_sha256": "m"}
    return stages.promote(settings, run, snapshot=snap, train_result={"output_uri": evaluation["output_uri"]},
                          evaluation=evaluation, decision=decision, dag_id="ner_retraining", store=store, **kw)


def test_gate_refuses_a_force_without_reason_before_judging(env):
    settings, store = env
    ev = evaluated(store, "manual__1", 0.9)
    with pytest.raises(PromotionError, match="needs a reason"):
        stages.gate(settings, "manual__1", ev, force_promote=True, reason=" ", store=store)
    assert store.get_json(store.key(RunPaths("manual__1").blessing)) is None


def test_gate_promote_and_a_rerun(env):
    settings, store = env
    ev = evaluated(store, "manual__1", 0.9)
    decision = stages.gate(settings, "manual__1", ev, triggered_by="zawadi", store=store)
    assert decision["passed"] and decision["promote"] and not decision["dry_run"]
    out = promote(settings, store, "manual__1", ev, decision, who="zawadi")
    reg = Registry(store)
    assert out["promoted"] and not out["already_done"] and reg.champion()["version"] == out["version"]
    assert reg.champion()["who"] == "zawadi" and reg.champion()["reason"] == "gate passed"
    lineage = reg.version(out["version"])["lineage"]
    assert (lineage["dataset_snapshot"], lineage["git_commit"], lineage["dag_id"]) == ("s1", "c0ffee", "ner_retraining")
    again = stages.gate(settings, "manual__1", ev, store=store)  # a cleared gate: the decision stands
    assert again["already_promoted"] == out["version"]
    assert promote(settings, store, "manual__1", ev, again)["already_done"]
    assert [e["kind"] for e in reg.history()] == ["promotion"]


def test_forced_promotion_records_the_trigger_reason(env):
    settings, store = env
    ev = evaluated(store, "manual__f", 0.5)
    decision = stages.gate(settings, "manual__f", ev, force_promote=True, reason="hotfix", triggered_by="zawadi",
                           store=store)
    assert not decision["passed"] and decision["promote"]
    promote(settings, store, "manual__f", ev, decision, who="zawadi", reason="hotfix")
    champ = Registry(store).champion()
    assert (champ["kind"], champ["reason"]) == ("forced_promotion", "hotfix")


def test_rejection_and_report(env):
    settings, store = env
    ev = evaluated(store, "scheduled__2", 0.5)
    decision = stages.gate(settings, "scheduled__2", ev, store=store)
    assert not decision["promote"]
    rejected = stages.record_rejection(settings, "scheduled__2", evaluation=ev, decision=decision, store=store)
    assert rejected["kind"] == "rejection" and Registry(store).history()[-1]["kind"] == "rejection"
    out = stages.report(settings, "scheduled__2", validated=None, evaluation=ev, decision=decision, promoted=None,
                        rejected=rejected, store=store)
    assert out["outcome"] == {"promoted": False, "reason": rejected["reason"]}
    assert store.get_json(store.key(LAST_RUN))["summary_uri"] == out["summary_uri"]
    text = stages.format_summary(store.get_json(store.key_of(out["summary_uri"])))
    assert "Gate: FAILED" in text and "NOT PROMOTED" in text


def test_intake_stages_on_the_fake_store(env):
    """generate -> discover -> validate -> build_snapshot, then the next night finds nothing new."""
    settings, store = env
    made = stages.generate_synthetic(settings, "manual__i", n=30, seed=3, store=store)
    assert made["records"] == 30 and made["uri"].startswith(store.uri(store.key(settings.sources.synthetic_prefix)))
    found = stages.discover(settings, "manual__i", ["synthetic"], store=store)
    assert found["n_files"] == 1 and found["by_source"] == {"synthetic": 1}
    validated = stages.validate(settings, "manual__i", found, store=store)
    assert validated["counts"]["records_read"] == 30 and not validated["rejected_files"]
    snap = stages.build_snapshot(settings, "manual__i", validated, store=store)
    assert sum(snap["counts"].values()) == validated["counts"]["accepted"] == snap["new_records"]
    assert stages.discover(settings, "manual__next", ["synthetic"], store=store)["n_files"] == 0


def test_evaluate_on_the_fake_store(env, tiny_model):
    settings, store = env
    made = stages.generate_synthetic(settings, "manual__e", n=40, seed=5, store=store)
    assert made["records"] == 40
    validated = stages.validate(settings, "manual__e", stages.discover(settings, "manual__e", ["synthetic"], store=store),
                                store=store)
    snap = stages.build_snapshot(settings, "manual__e", validated, store=store)
    out = store.key_of(stages.train_output_uri(settings, "manual__e"))
    store.upload_dir(tiny_model, out + "model")
    with pytest.raises(stages.StageError, match="no _SUCCESS"):
        stages.evaluate(settings, "manual__e", snap["dataset_uri"], {}, store=store)
    store.put_bytes(out + "_SUCCESS", b"{}")
    ev = stages.evaluate(settings, "manual__e", snap["dataset_uri"], {}, store=store)
    assert ev["n_test"] == snap["counts"]["test"] and ev["champion_version"] is None
    files = store.get_json(store.key_of(ev["model_files_uri"]))["files"]
    assert "config.json" in files and files["config.json"] == store.checksum(out + "model/config.json")
    assert "serving" in store.get_json(store.key_of(ev["metrics_uri"]))

"""promotion.py over an in-memory store (tests/fakestore.py): the request's one check, already
promoted, the staging check, lineage and the re-gating loop. Against SeaweedFS, with crashes and
races: tests/integration/test_registry.py, test_who_recorded.py, test_faults_*.py."""

from __future__ import annotations

import json

import pytest

from fakestore import MemoryStore
from ner_pipeline import promotion
from ner_pipeline.config import GateSettings, load_settings
from ner_pipeline.errors import StageError
from ner_pipeline.evaluate.gate import decide
from ner_pipeline.promotion import PromotionError, Request
from ner_pipeline.records import LABELS
from ner_pipeline.registry import ChampionChanged, Registry, RegistryError

GATE = GateSettings()


@pytest.fixture()
def store():
    return MemoryStore(load_settings("local", environ={}))


def metrics(micro: float) -> dict:
    labels = {lab: {"precision": micro, "recall": micro, "f1": micro, "support": 50} for lab in LABELS}
    return {"micro": {"precision": micro, "recall": micro, "f1": micro, "support": 450}, "per_label": labels,
            "by_source": {"synthetic": {"micro": {"f1": micro}, "n_records": 40}}, "n_records": 40,
            "serving": {"f1": 1.0}}


def stage(store, run: str, *, config: dict | None = None, weights: bytes = b"w" * 64) -> str:
    prefix = store.key("runs", run, "train") + "/"
    store.put_bytes(prefix + "model/config.json", b"{}")
    store.put_bytes(prefix + "model/model.safetensors", weights)
    store.put_json(prefix + "config.json", config or {"training": {"base_model": "tiny", "backend": "local"}})
    store.put_json(prefix + "run.json", {"git_commit": "c0ffee", "dataset_uri": "s3://b/datasets/s1/"})
    store.put_bytes(prefix + "_SUCCESS", b"")
    return store.uri(prefix)


def go(reg, run, f1, **kw):
    kw.setdefault("staging_uri", stage(reg.store, run))
    return promotion.promote(reg, kw.pop("request", Request(run)), metrics=metrics(f1), lineage={}, gate=GATE,
                             rescore=lambda v: reg.version(v)["metrics"], **kw)


def test_request_is_checked_once_when_built():
    with pytest.raises(PromotionError, match="a forced promotion needs a reason"):
        Request("r1", force=True, reason="  ")
    with pytest.raises(RegistryError):  # a PromotionError is a refusal like the registry's own
        Request("", who="alice")
    assert Request("r1").recorded_reason == "gate passed"
    assert Request("r1", force=True, reason="hotfix").recorded_reason == "hotfix"


def test_forced_needs_the_force_and_records_its_reason(store):
    reg = Registry(store)
    rejected = decide(metrics(0.5), GATE)
    with pytest.raises(PromotionError, match="did not pass"):
        go(reg, "r1", 0.5, blessing=rejected)
    assert reg.champion() is None and reg.history() == []
    out = go(reg, "r1", 0.5, blessing=rejected, request=Request("r1", who="alice", force=True, reason="hotfix"))
    champ = reg.champion()
    assert out["promoted"] and (champ["kind"], champ["who"], champ["reason"]) == ("forced_promotion", "alice", "hotfix")
    assert reg.version(out["version"])["blessing"]["forced"] == {"who": "alice", "reason": "hotfix"}


def test_already_promoted_counts_every_way_a_version_served(store):
    reg = Registry(store)
    v1 = go(reg, "r1", 0.80)["version"]
    assert promotion.already_promoted(reg, "r1") == v1 and promotion.already_promoted(reg, "nope") is None
    v2 = go(reg, "r2", 0.85)["version"]
    assert promotion.already_promoted(reg, "r1") == v1  # no longer champion, but it served
    again = go(reg, "r1", 0.80)
    assert again["already_done"] and reg.champion()["version"] == v2  # the pointer never moves back
    assert [e["kind"] for e in reg.history()] == ["promotion", "promotion"]  # and no rejection is added


def test_the_gate_reruns_against_a_champion_that_moved(store):
    reg = Registry(store)
    early = decide(metrics(0.80), GATE)  # gated while there was no champion
    go(reg, "other", 0.90)  # another run promoted meanwhile
    out = go(reg, "r1", 0.80, blessing={**early, "triggered_by": "zawadi"})
    assert not out["promoted"] and out["blessing"]["champion_version"] == reg.champion()["version"]
    assert out["blessing"]["triggered_by"] == "zawadi"  # who asked stays with the new decision
    assert [e["kind"] for e in reg.history()] == ["promotion", "rejection"]
    with pytest.raises(ChampionChanged):  # without rescore (the command line), a moved champion is an error
        promotion.promote(reg, Request("r2"), staging_uri=stage(store, "r2"), metrics=metrics(0.95), lineage={},
                          blessing=decide(metrics(0.95), GATE))


def test_staging_must_be_the_evaluated_model(store):
    staging = stage(store, "r1")
    model = store.key_of(staging) + "model/"
    files_key = store.key("runs", "r1", "evaluation", "model_files.json")
    with pytest.raises(StageError, match="cannot tell which model was evaluated"):
        promotion.check_staging_is_evaluated(store, staging, store.uri(files_key))
    store.put_json(files_key, {"files": {o["Key"][len(model):]: store.checksum(o["Key"]) for o in store.list(model)}})
    promotion.check_staging_is_evaluated(store, staging, store.uri(files_key))
    store.put_bytes(model + "model.safetensors", b"replaced")
    with pytest.raises(StageError, match=r"not the model that was evaluated \(differs in: model.safetensors\)"):
        promotion.check_staging_is_evaluated(store, staging, store.uri(files_key))
    store.delete_prefix(store.key_of(staging) + "_SUCCESS")
    with pytest.raises(StageError, match="no _SUCCESS"):
        promotion.check_staging_is_evaluated(store, staging, store.uri(files_key))


def test_lineage_config_sha256_is_the_trainers_settings_digest(store):
    settings = load_settings("local", environ={})
    staging = stage(store, "r1", config=json.loads(json.dumps(settings.model_dump(mode="json"))))
    snap = {"snapshot_id": "s1", "dataset_uri": "s3://b/datasets/s1/", "manifest_sha256": "m"}
    dag = promotion.lineage(store, staging, "r1", dag_id="ner_retraining", snapshot=snap)
    cli = promotion.lineage(store, staging, "r1", source="cli")
    assert dag["config_sha256"] == cli["config_sha256"] == settings.digest()
    assert dag["git_commit"] == cli["git_commit"] == "c0ffee" and cli["source"] == "cli"
    assert (dag["dataset_snapshot"], dag["dataset_manifest_sha256"], dag["dag_id"]) == ("s1", "m", "ner_retraining")
    assert dag["base_model"] == settings.training.base_model and dag["trainer_image"] == "local"

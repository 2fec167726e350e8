"""Who is recorded, per path (issue 18), through the stage functions the DAG's tasks call and the
CLI, against a real SeaweedFS: the history, the pointer, the blessings and the model card."""

from __future__ import annotations

import pytest

from ner_pipeline import layout, stages
from ner_pipeline.cli import main
from ner_pipeline.config import load_settings
from ner_pipeline.registry import Registry
from test_registry import metrics, stage

pytestmark = pytest.mark.integration
APPROVED = {"decision": "approved", "by": "Amina", "by_id": "7", "at": "2026-03-01T09:30:00Z", "comment": "ok"}
REJECTED = {"decision": "rejected", "by": "Baraka", "by_id": "8", "at": "2026-03-01T09:31:00Z", "comment": "AGE is off"}
TIMEOUT = {"decision": "timeout", "by": None, "by_id": None, "at": "2026-03-04T09:30:00Z", "comment": None}


def _settings(s3, mode):
    return load_settings("local", environ={}, overrides=[
        f"storage.endpoint_url={s3.storage.endpoint_url}", f"storage.bucket={s3.storage.bucket}",
        f"promotion.approval={mode}"])


def _run(settings, store, run, f1, *, who=None, force=False, reason=""):
    """A trained, evaluated and gated run (fake model files; the registry copies, never loads them)."""
    rk = layout.run_key(run)
    staging = stage(store, rk)
    store.put_json(store.key("runs", rk, "evaluation", "metrics.json"), metrics(f1))
    model = store.key_of(staging).rstrip("/") + "/model/"
    store.put_json(store.key("runs", rk, "evaluation", "model_files.json"),
                   {"files": {o["Key"][len(model):]: store.checksum(o["Key"]) for o in store.list(model)}})
    evaluation = {"metrics_uri": store.uri(store.key("runs", rk, "evaluation", "metrics.json")),
                  "champion_metrics_uri": None, "champion_version": None, "micro_f1": f1,
                  "model_files_uri": store.uri(store.key("runs", rk, "evaluation", "model_files.json"))}
    champ = Registry(store).champion()
    if champ:  # the champion re-scored on the same records: its stored metrics are exactly that
        store.put_json(store.key("runs", rk, "evaluation", "champion_metrics.json"),
                       Registry(store).version(champ["version"])["metrics"])
        evaluation.update(champion_metrics_uri=store.uri(store.key("runs", rk, "evaluation", "champion_metrics.json")),
                          champion_version=champ["version"])
    decision = stages.gate(settings, run, evaluation, force_promote=force, reason=reason, triggered_by=who)
    snapshot = {"snapshot_id": "s1", "dataset_uri": store.uri(store.key("datasets", "s1")) + "/", "manifest_sha256": "x"}
    return {"snapshot": snapshot, "train_result": {"output_uri": staging}, "evaluation": evaluation,
            "decision": decision}


def _promote(settings, run, x, who, review=None, reason=""):
    return stages.promote(settings, run, dag_id="ner_retraining", reason=reason, who=who, review=review, **x)


def _reject(settings, run, x, who, review=None):
    return stages.record_rejection(settings, run, evaluation=x["evaluation"], decision=x["decision"], who=who,
                                   review=review)


def test_auto_manual_run_is_its_trigger_and_a_scheduled_rejection_the_scheduler(s3_settings, store):
    settings = _settings(s3_settings, "auto")
    x = _run(settings, store, "manual__1", 0.9, who="zawadi")
    assert _promote(settings, "manual__1", x, who="zawadi")["promoted"]
    reg = Registry(store)
    champ = reg.champion()
    assert (champ["who"], champ["triggered_by"]) == ("zawadi", "zawadi") and "approval" not in champ
    assert reg.history()[-1]["who"] == "zawadi" and reg.history()[-1]["triggered_by"] == "zawadi"
    v = reg.version(champ["version"])
    assert v["blessing"]["triggered_by"] == "zawadi"
    assert "Triggered by: zawadi" in v["model_card"] and "promotion.approval: auto" in v["model_card"]

    y = _run(settings, store, "scheduled__2", 0.5)  # worse than the champion: the gate says no
    _reject(settings, "scheduled__2", y, who="airflow")
    last = reg.history()[-1]
    assert (last["kind"], last["who"], last["triggered_by"]) == ("rejection", "airflow", "airflow")


def test_required_approver_promotes_reviewer_rejects_timeout_rejects(s3_settings, store):
    settings = _settings(s3_settings, "required")
    reg = Registry(store)

    x = _run(settings, store, "manual__a", 0.9, who="zawadi")
    with pytest.raises(stages.StageError, match="no approval"):  # the graph aside, promote itself refuses
        _promote(settings, "manual__a", x, who="zawadi")
    assert reg.champion() is None
    _promote(settings, "manual__a", x, who="zawadi", review=APPROVED)
    champ = reg.champion()
    assert (champ["who"], champ["triggered_by"], champ["approval"]["by"]) == ("Amina", "zawadi", "Amina")
    entry = reg.history()[-1]
    assert (entry["kind"], entry["who"], entry["approval"]["comment"]) == ("promotion", "Amina", "ok")
    v = reg.version(champ["version"])
    assert v["blessing"]["approval"]["by"] == "Amina" and "Review: approved by Amina" in v["model_card"]
    run_blessing = store.get_json(store.key_of(x["decision"]["blessing_uri"]))
    assert run_blessing["approval"]["by"] == "Amina"

    y = _run(settings, store, "manual__b", 0.95, who="zawadi")
    out = _reject(settings, "manual__b", y, who="zawadi", review=REJECTED)
    assert out == {"kind": "review_rejection", "reason": "rejected by Baraka: AGE is off"}
    entry = reg.history()[-1]
    assert (entry["who"], entry["triggered_by"], entry["approval"]["comment"]) == ("Baraka", "zawadi", "AGE is off")
    assert reg.champion()["version"] == champ["version"]  # unchanged
    assert store.get_json(store.key_of(y["decision"]["blessing_uri"]))["approval"]["decision"] == "rejected"

    z = _run(settings, store, "scheduled__c", 0.95)
    assert _reject(settings, "scheduled__c", z, who="airflow", review=TIMEOUT)["kind"] == "review_timeout"
    entry = reg.history()[-1]
    assert (entry["who"], entry["approval"]["decision"]) == ("airflow", "timeout") and "72 h" in entry["reason"]
    assert reg.champion()["version"] == champ["version"]


def test_required_forced_promotion_is_approved_too(s3_settings, store):
    settings = _settings(s3_settings, "required")
    x = _run(settings, store, "manual__f", 0.5, who="zawadi", force=True, reason="PHONE_NUMBER hotfix")
    assert not x["decision"]["passed"] and x["decision"]["promote"]
    with pytest.raises(stages.StageError):
        _promote(settings, "manual__f", x, who="zawadi", reason="PHONE_NUMBER hotfix")
    _promote(settings, "manual__f", x, who="zawadi", review=APPROVED, reason="PHONE_NUMBER hotfix")
    reg = Registry(store)
    champ = reg.champion()
    assert (champ["kind"], champ["who"]) == ("forced_promotion", "Amina")
    blessing = reg.version(champ["version"])["blessing"]
    assert blessing["forced"] == {"who": "zawadi", "reason": "PHONE_NUMBER hotfix"}
    card = reg.version(champ["version"])["model_card"]
    assert "Forced promotion by zawadi: PHONE_NUMBER hotfix" in card and "approved by Amina" in card


def test_cli_who_and_approval(s3_settings, store, monkeypatch, capsys):
    sets = ["--set", f"storage.endpoint_url={s3_settings.storage.endpoint_url}",
            "--set", f"storage.bucket={s3_settings.storage.bucket}"]
    required = sets + ["--set", "promotion.approval=required"]
    settings = _settings(s3_settings, "required")
    reg = Registry(store)
    monkeypatch.setenv("USER", "mwangi")

    _run(settings, store, "manual__c1", 0.5, who="zawadi")
    assert main(["registry", "promote", "manual__c1", "--force", "--reason", "hotfix", *required]) == 2
    assert "force_promote" in capsys.readouterr().err and reg.champion() is None
    _run(settings, store, "manual__c2", 0.9, who="zawadi")
    assert main(["registry", "promote", "manual__c2", *required]) == 2  # gate passed, nobody approved
    assert "no approval recorded" in capsys.readouterr().err

    # approved in Airflow, but the promote task never ran (say, an outage): the CLI may finish it
    blessing_key = store.key("runs", "manual__c2", "gate", "blessing.json")
    store.put_json(blessing_key, {**store.get_json(blessing_key), "approval": APPROVED})
    assert main(["registry", "promote", "manual__c2", *required]) == 0
    champ = reg.champion()
    assert (champ["who"], champ["approval"]["by"], champ["triggered_by"]) == ("mwangi", "Amina", "zawadi")
    v1 = champ["version"]

    _run(settings, store, "manual__c3", 0.95, who="zawadi")
    store.put_json(store.key("runs", "manual__c3", "gate", "blessing.json"),
                   {**store.get_json(store.key("runs", "manual__c3", "gate", "blessing.json")), "approval": APPROVED})
    assert main(["registry", "promote", "manual__c3", *required]) == 0
    assert main(["registry", "rollback", v1, "--reason", "c3 misses AGE", *sets]) == 0  # no --who: the OS user
    assert reg.history()[-1]["who"] == "mwangi"
    assert main(["registry", "rollback", reg.history()[-2]["version"], "--reason", "back", "--who", "Amina", *sets]) == 0
    assert reg.history()[-1]["who"] == "Amina"

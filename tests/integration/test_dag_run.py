"""The whole DAG, for real: SeaweedFS on a free 127.0.0.1 port, `airflow dags test` on SQLite,
real GX, real training of a tiny model (built from a config: no weights to download).

Run twice: once with a gate no model can pass (snapshot + report, no version, no champion),
then with a permissive gate (a version directory and a champion pointer appear). The second
run also carries real-source records with a canary string, which must appear nowhere but the
dataset snapshot and quarantine files.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from airflow_procs import api_server_process, free_port, wait_until
from ner_pipeline.config import load_settings
from ner_pipeline.storage import ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CANARY = "Zqxcanary" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def env(seaweed, tmp_path_factory):
    home = tmp_path_factory.mktemp("airflow")
    bucket = "it-" + uuid.uuid4().hex[:10]
    e = {k: v for k, v in os.environ.items() if not k.startswith(("NER", "AIRFLOW"))}
    e.update(seaweed.credentials())
    e.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "NER_PROFILE": "local",
        "NER__STORAGE__ENDPOINT_URL": seaweed.endpoint,
        "NER__STORAGE__BUCKET": bucket,
        "NER__SCHEDULE__RETRIES": "0",
        "NER__TRAINING__BASE_MODEL": "tiny:",
        "NER__TRAINING__EPOCHS": "1",
        "NER__TRAINING__MAX_LENGTH": "128",
        "NER__TRAINING__STRIDE": "32",
        "NER__TRAINING__BATCH_SIZE": "8",
    })
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=e, check=True,
                   capture_output=True, timeout=300)
    return e


def _settings(env):
    return load_settings(environ=env)


def _store(env):
    os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")})
    s = ObjectStore(_settings(env))
    s.ensure_bucket()
    return s


def _put_batch(env, seed: int, n: int, *, real_canary: bool = False, real_name: str = "staff-batch") -> None:
    from ner_pipeline.records import Record
    from ner_pipeline.split import to_jsonl
    from ner_pipeline.synth import generate

    store = _store(env)
    recs = generate(n, seed, long_share=0.0, min_chars=800, max_chars=1200)
    store.put_bytes(store.key("incoming/synthetic", f"batch-{seed}.jsonl"), to_jsonl(recs))
    if real_canary:
        prefix = "real" if real_name == "staff-batch" else real_name  # ids new to the bucket's snapshot
        real = [Record(id=f"{prefix}-{i}", text=r.text + f" {CANARY} said so.", entities=r.entities, source="real")
                for i, r in enumerate(generate(12, seed + 1000, long_share=0.0, min_chars=800, max_chars=1200))]
        store.put_bytes(store.key("incoming/real", f"{real_name}.jsonl"), to_jsonl(real))


def _dags_test(env, extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(Path(sys.executable).parent / "airflow"), "dags", "test", "ner_retraining"],
                          env={**env, **extra}, capture_output=True, text=True, timeout=900)
    (tmp_path / "dags_test.log").write_text(proc.stdout + proc.stderr)
    return proc


def test_dag_end_to_end_gate_fail_then_pass(env, tmp_path):
    store = _store(env)

    # 1. A gate nothing can pass: the pipeline runs through, nothing is promoted.
    _put_batch(env, seed=101, n=40)
    strict = {"NER__GATE__MICRO_F1_MIN": "0.999"}
    proc = _dags_test(env, strict, tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    latest = store.get_json(store.key("datasets/latest.json"))
    assert latest and store.exists(store.key_of(latest["uri"]) + "manifest.json")
    run1 = latest["run_id"]
    assert any(o["Key"].endswith("report.json") for o in store.list(store.key("validation/")))
    assert not list(store.list(store.key("models/ner/versions/")))
    assert store.get_json(store.key("models/ner/champion.json")) is None
    summary1 = store.get_json(store.key_of(store.get_json(store.key("state/last_run.json"))["summary_uri"]))
    assert summary1["outcome"]["promoted"] is False and "micro_f1" in summary1["outcome"]["reason"]

    # 2. A permissive gate and new data (with real-source records carrying a canary).
    _put_batch(env, seed=202, n=40, real_canary=True)
    permissive = {
        "NER__GATE__MICRO_F1_MIN": "-1",
        "NER__GATE__DEFAULT_LABEL": "{min_f1: 0.0, action: warn}",
        "NER__GATE__LABELS": "{}",
        "NER__GATE__MIN_SUPPORT": "0", "NER__GATE__SERVING_AGREEMENT_MIN": "0",
    }
    proc = _dags_test(env, permissive, tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-5000:]
    champion = store.get_json(store.key("models/ner/champion.json"))
    assert champion and champion["version"]
    vkeys = [o["Key"] for o in store.list(store.key("models/ner/versions", champion["version"]) + "/")]
    assert any(k.endswith("model/config.json") for k in vkeys)
    assert any(k.endswith("blessing.json") for k in vkeys)
    assert any(k.endswith("model_card.md") for k in vkeys)
    latest2 = store.get_json(store.key("datasets/latest.json"))
    assert latest2["run_id"] != run1 and latest2["previous_snapshot"] == latest["snapshot_id"]
    history = store.get_bytes(store.key("models/ner/history.jsonl")).decode().splitlines()
    kinds = [json.loads(h)["kind"] for h in history]
    assert "rejection" in kinds and "promotion" in kinds

    _assert_canary_only_in_data(env, store, proc)
    _assert_plugin_pages_show_no_canary(env, latest2["run_id"], champion["version"])


def _assert_canary_only_in_data(env, store, proc):
    """The canary may sit in the snapshot and quarantine (data); nowhere else. The object store's
    credentials (given to every task through the environment) appear nowhere at all."""
    secrets = [env["AWS_SECRET_ACCESS_KEY"], env["AWS_ACCESS_KEY_ID"]]
    assert CANARY not in proc.stdout + proc.stderr
    assert not any(s in proc.stdout + proc.stderr for s in secrets), "credentials in the run's output"
    for path in Path(env["AIRFLOW_HOME"], "logs").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert CANARY not in text, f"canary in task log {path}"
            assert not any(s in text for s in secrets), f"credentials in task log {path}"
    with sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db") as db:
        for (value,) in db.execute("select value from xcom"):
            assert CANARY not in str(value), "canary in XCom"
            assert not any(s in str(value) for s in secrets), "credentials in XCom"
    data_prefixes = tuple(store.key(p) for p in ("datasets/", "quarantine/", "incoming/"))
    found_in_data = False
    for obj in store.list(store.key("")):
        key = obj["Key"]
        body = store.get_bytes(key)
        assert not any(s.encode() in body for s in secrets), f"credentials in {key}"
        if CANARY.encode() not in body:
            continue
        # Data: the snapshot, quarantine, incoming files and the run's staged accepted records.
        assert key.startswith(data_prefixes) or key.endswith("/accepted.jsonl"), f"canary in {key}"
        found_in_data = found_in_data or key.startswith(store.key("datasets/"))
    assert found_in_data, "the canary records should have reached the dataset snapshot"


def _assert_plugin_pages_show_no_canary(env, run_id, version):
    """The "NER models" pages over this run's real outputs (auth replaced; the refusal of
    unauthenticated requests is tests/unit/test_ui.py's)."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from ner_pipeline.ui import app as ui_app

    class Viewer:
        def get_name(self) -> str:
            return "viewer"

    app = ui_app.create_app()
    app.dependency_overrides[ui_app.get_settings] = lambda: _settings(env)
    app.dependency_overrides[ui_app.require_user] = Viewer
    root = FastAPI()
    root.mount("/ner", app)
    secrets = [env["AWS_SECRET_ACCESS_KEY"], env["AWS_ACCESS_KEY_ID"]]
    with TestClient(root) as client:
        for url in ("/ner/", "/ner/api/registry", f"/ner/runs/{run_id}", f"/ner/api/runs/{run_id}",
                    f"/ner/versions/{version}", f"/ner/api/versions/{version}", f"/ner/runs/{run_id}/data-docs/",
                    f"/ner/runs/{run_id}/confusion.svg"):
            r = client.get(url)
            assert r.status_code == 200, url
            assert CANARY not in r.text and not any(s in r.text for s in secrets), url


def test_dag_survives_a_poison_file(env, tmp_path):
    """Issue 15: a file in incoming/real/ with a line-separator character in a transcript and lone
    surrogates in an id and a meta value. The run succeeds, the bad records are quarantined as
    invalid_schema naming the field, the good ones (U+2028 included) reach the snapshot as one
    record each, the file is marked consumed, and the next run does not trip on it."""
    from ner_pipeline import discovery, jsonl, layout, stages
    from ner_pipeline.ingest import file_sha256
    from ner_pipeline.split import parse_jsonl
    from ner_pipeline.synth import generate

    store = _store(env)
    _put_batch(env, seed=303, n=40)
    good = [dict(r.to_dict(), id=f"p-{i}", source="real")
            for i, r in enumerate(generate(12, 3030, long_share=0.0, min_chars=800, max_chars=1200))]
    good[0]["text"] = good[0]["text"] + "\u2028Line two\u2029and three\u0085."
    lines = [json.dumps(g, ensure_ascii=False) for g in good]
    lines.append(json.dumps({**good[1], "id": "p-bad-id"}).replace('"p-bad-id"', '"p-bad\\ud83d"'))
    lines.append(json.dumps({**good[2], "id": "p-bad-meta", "meta": {"note": "X"}}).replace('"X"', '"\\udc00"'))
    poison = ("\n".join(lines) + "\n").encode("utf-8")
    key = store.key("incoming/real", "poison.jsonl")
    store.put_bytes(key, poison)
    permissive = {"NER__GATE__MICRO_F1_MIN": "-1", "NER__GATE__DEFAULT_LABEL": "{min_f1: 0.0, action: warn}",
                  "NER__GATE__LABELS": "{}", "NER__GATE__MIN_SUPPORT": "0", "NER__GATE__SERVING_AGREEMENT_MIN": "0"}
    proc = _dags_test(env, permissive, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-5000:]
    assert "XCom not found" not in out  # item 11: the skipped generate_synthetic is no error

    latest = store.get_json(store.key("datasets/latest.json"))
    rk = layout.run_key(latest["run_id"])
    quarantined = jsonl.load_lines(store.get_bytes(store.key("quarantine", rk, "quarantine.jsonl")))
    bad = {q["line"]: q for q in quarantined if q["file"] == key}
    assert sorted(bad) == [13, 14] and all(q["reasons"] == ["invalid_schema"] for q in bad.values())
    assert "id" in bad[13]["details"][0] and "meta.note" in bad[14]["details"][0]
    snapshot = [r for s in ("train", "validation", "test")
                for r in parse_jsonl(store.get_bytes(store.key_of(latest["uri"]) + f"{s}.jsonl"))]
    by_id = {r.id: r for r in snapshot}
    assert by_id["p-0"].text == good[0]["text"] and not {"p-bad-id", "p-bad-meta"} & set(by_id)
    marks = discovery.load_state(store)[0]["files"]
    assert marks[file_sha256(poison)]["status"] == "consumed"

    # The next night: nothing new, and reading the snapshot (with its U+2028) works.
    settings = _settings(env)
    nxt = stages.discover(settings, "next-night", ["real", "synthetic"])
    assert nxt["files"] == []
    assert stages.validate(settings, "next-night", nxt)["counts"]["records_read"] == 0


# -- issue 18: a named reviewer approves or rejects, through Airflow's REST API ------------------

def _http(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {"detail": exc.read().decode(errors="replace")}
    except OSError:  # not listening yet
        return 0, {}


@pytest.fixture(scope="module")
def api_server(env, tmp_path_factory):
    """`airflow api-server` on the DAG test's metadata DB, SimpleAuthManager with one reviewer."""
    home = Path(env["AIRFLOW_HOME"])
    password = "rv-" + uuid.uuid4().hex[:12]
    (home / "passwords.json").write_text(json.dumps({"reviewer": password}))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    auth = {
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "reviewer:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex * 2,
        "AIRFLOW__API__BASE_URL": base + "/",
    }
    with api_server_process({**env, **auth}, port, tmp_path_factory.mktemp("api") / "api-server.log") as server:
        yield {"base": base, "password": password, "env": auth, "proc": server}


def _review_through_rest(env, api, tmp_path, name: str, option: str, comment: str):
    """One `airflow dags test` run that stops at approve_promotion; the reviewer answers through
    PATCH .../hitlDetails. Returns (process, the HITL detail the reviewer saw, run id)."""
    from ner_pipeline.ui import app as ui_app

    permissive = {"NER__GATE__MICRO_F1_MIN": "-1", "NER__GATE__DEFAULT_LABEL": "{min_f1: 0.0, action: warn}",
                  "NER__GATE__LABELS": "{}", "NER__GATE__MIN_SUPPORT": "0", "NER__GATE__SERVING_AGREEMENT_MIN": "0",
                  "NER__PROMOTION__APPROVAL": "required",
                  # real records decide (issue 14): on the few real test records a tiny model's drop may be significant
                  "NER__GATE__MAX_MICRO_DROP": "1", "NER__GATE__MAX_LABEL_DROP": "1"}
    out = open(tmp_path / f"dags_test_{name}.log", "w+")
    dags = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "dags", "test", "ner_retraining"],
                            env={**env, **api["env"], **permissive}, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        base = api["base"]
        wait_until("api-server", lambda: _http("GET", base + "/api/v2/monitor/health")[0] == 200, 300, api["proc"])
        status, body = _http("POST", base + "/auth/token", {"username": "reviewer", "password": api["password"]})
        assert status == 201, body
        token = body["access_token"]
        url = base + "/api/v2/dags/ner_retraining/dagRuns/~/hitlDetails?response_received=false"
        def pending():
            # The HITL detail is written a moment before the task instance turns awaiting_input:
            # wait for both (reading the first sight of the detail once raced the state change).
            found = (_http("GET", url, token=token)[1].get("hitl_details") or [None])[0]
            return found if found and found["task_instance"]["state"] == "awaiting_input" else None

        detail = wait_until("a pending approval", pending, 900, dags, api["proc"])
        ti = detail["task_instance"]
        assert ti["task_id"] == "approve_promotion" and ti["state"] == "awaiting_input"
        run_id = ti["dag_run_id"]
        # The run waits: nothing promoted or rejected yet, and the run page says so.
        store = _store(env)
        assert not [e for e in _history(store) if e.get("run_id") == run_id]
        pending = ui_app.RegistryReader(store).run(run_id)["approval"]
        assert pending["state"] == "pending" and pending["task_id"] == "approve_promotion"
        patch = (f"{base}/api/v2/dags/ner_retraining/dagRuns/{run_id}/taskInstances/approve_promotion/-1/hitlDetails")
        status, body = _http("PATCH", patch, {"chosen_options": [option], "params_input": {"comment": comment}},
                             token=token)
        assert status == 200, body
        assert dags.wait(900) == 0, open(out.name).read()[-5000:]
    finally:
        if dags.poll() is None:
            dags.kill()
        out.seek(0)
        text = out.read()
        out.close()
    return subprocess.CompletedProcess(dags.args, dags.returncode, text, ""), detail, run_id


def _history(store) -> list[dict]:
    got = store.get_with_etag(store.key("models/ner/history.jsonl"))
    return [json.loads(x) for x in got[0].decode().splitlines()] if got else []


def test_approval_required_reviewer_rejects_then_approves(env, api_server, tmp_path):
    """With promotion.approval: required the run stops at approve_promotion (awaiting input; the
    run page shows the pending approval). A rejection given through Airflow's REST API records the
    reviewer and the comment and leaves the champion as it was; an approval promotes, and the
    reviewer is in the history, the pointer, the version's blessing and its model card. The
    review's body holds the metrics and never transcript text (the canary)."""
    store = _store(env)
    before = store.get_json(store.key("models/ner/champion.json"))

    _put_batch(env, seed=404, n=40, real_canary=True, real_name="review-batch")
    proc, detail, run1 = _review_through_rest(env, api_server, tmp_path, "reject", "Reject", "PERPETRATOR recall too low")
    body = detail["body"]
    assert CANARY not in body and CANARY not in detail["subject"]
    for part in ("Challenger vs champion", "Real vs synthetic", "Gate rules", "Confusion summary", "/plugin/ner-run"):
        assert part in body, part
    assert store.get_json(store.key("models/ner/champion.json")) == before, "a rejection moved the champion"
    rejected = [e for e in _history(store) if e.get("run_id") == run1]
    assert [e["kind"] for e in rejected] == ["review_rejection"]
    assert rejected[0]["who"] == "reviewer" and rejected[0]["approval"]["by"] == "reviewer"
    assert rejected[0]["approval"]["comment"] == "PERPETRATOR recall too low"
    assert "PERPETRATOR recall too low" in rejected[0]["reason"] and rejected[0]["triggered_by"]
    summary = store.get_json(store.key_of(store.get_json(store.key("state/last_run.json"))["summary_uri"]))
    assert summary["outcome"]["promoted"] is False and "rejected by reviewer" in summary["outcome"]["reason"]

    _put_batch(env, seed=505, n=40)
    proc, _, run2 = _review_through_rest(env, api_server, tmp_path, "approve", "Approve", "looks right")
    champion = store.get_json(store.key("models/ner/champion.json"))
    assert champion["run_id"] == run2 and champion["who"] == "reviewer"
    assert champion["approval"]["decision"] == "approved" and champion["previous"] == (before or {}).get("version")
    promoted = [e for e in _history(store) if e.get("run_id") == run2]
    assert [e["kind"] for e in promoted] == ["promotion"] and promoted[0]["approval"]["comment"] == "looks right"
    vprefix = store.key("models/ner/versions", champion["version"])
    assert store.get_json(vprefix + "/blessing.json")["approval"]["by"] == "reviewer"
    card = store.get_bytes(vprefix + "/model_card.md").decode()
    assert "Review: approved by reviewer" in card and "looks right" in card
    from ner_pipeline.ui import app as ui_app

    page = ui_app.RegistryReader(store).run(run2)["approval"]
    assert page["state"] == "approved" and page["review"]["by"] == "reviewer"
    _assert_canary_only_in_data(env, store, proc)
    with sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db") as db:
        bodies = [row for row in db.execute("select subject, body from hitl_detail")]
    assert len(bodies) == 2 and not any(CANARY in (s or "") + (b or "") for s, b in bodies), "canary in a HITL body"

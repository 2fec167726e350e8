"""The "NER models" pages (include/ner_pipeline/ui, plugins/ner_models_plugin.py).

Endpoints run against the session's real SeaweedFS with a registry state written here through
ObjectStore. Authentication is replaced through dependency_overrides in most tests; the last
test drives the real dependency inside Airflow's own API app with tokens minted by Airflow's
SimpleAuthManager.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ner_pipeline.records import LABELS
from ner_pipeline.registry import Registry
from ner_pipeline.layout import run_key
from ner_pipeline.storage import ObjectStore
from ner_pipeline.ui import app as ui_app
from ner_pipeline.ui import charts, data

REPO = Path(__file__).resolve().parents[2]

RUN = "manual__2025-03-01T10:00:00+00:00"  # a rejected run with every artifact
OLD_RUN = "scheduled__2025-01-01T02:00:00+00:00"
CANARY = "CANARY-" + uuid.uuid4().hex  # in objects the UI must never read


def _metrics(base: float, *, name_f1: float | None = None) -> dict:
    per = {lab: {"precision": base + 0.01, "recall": base - 0.01, "f1": round(base - i * 0.01, 4), "support": 40 + i}
           for i, lab in enumerate(LABELS)}
    if name_f1 is not None:
        per["NAME"]["f1"] = name_f1
    return {"micro": {"precision": base + 0.01, "recall": base - 0.01, "f1": base, "support": 500},
            "per_label": per, "n_records": 200,
            "by_source": {"synthetic": {"micro": {"f1": base + 0.02}, "n_records": 150},
                          "real": {"micro": {"f1": base - 0.05}, "n_records": 50}}}


def _blessing(passed: bool, micro: float) -> dict:
    rules = [
        {"rule": "micro_f1", "label": None, "value": micro, "threshold": 0.75, "comparison": ">",
         "outcome": "pass" if micro > 0.75 else "fail", "action": "block", "detail": "strict entity micro F1"},
        {"rule": "label_f1", "label": "NAME", "value": 0.61 if not passed else 0.9, "threshold": 0.8,
         "comparison": ">=", "outcome": "pass" if passed else "fail", "action": "block", "detail": ""},
        {"rule": "no_regression_micro", "label": None, "value": -0.08, "threshold": -0.005, "comparison": ">=",
         "outcome": "pass" if passed else "fail", "action": "block", "detail": "vs champion"},
    ]
    reasons = [] if passed else [f"micro_f1 {micro:.4f} is not > 0.75", "label_f1 NAME 0.6100 is not >= 0.8"]
    return {"passed": passed, "decision": "promote" if passed else "rejected", "rules": rules, "reasons": reasons}


RUN2 = "scheduled__2025-02-01T02:00:00+00:00"
VERSIONS: dict[str, str] = {}  # run id -> version id, filled by write_state


def _promote(store: ObjectStore, run_id: str, when: datetime, f1: float) -> str:
    """A real promotion through the registry, from a minimal staging folder."""
    rk = run_key(run_id)
    staging = f"runs/{rk}/train"
    store.put_json(store.key(staging, "model", "config.json"), {"architectures": ["BertForTokenClassification"]})
    store.put_bytes(store.key(staging, "_SUCCESS"), b"")
    card = (f"# Model card {rk}\n\nEntity model for helpline transcripts.\n\n| entity | F1 |\n|---|---|\n"
            f"| NAME | {f1} |\n\n<script>alert('card-xss')</script>\n")
    reg = Registry(store, clock=lambda: when)
    out = reg.promote(run_id=run_id, staging_uri=store.uri(store.key(staging)), blessing=_blessing(True, f1),
                      metrics=_metrics(f1), model_card=card, who="airflow",
                      lineage={"run_id": run_id, "dataset_snapshot": rk, "config_sha256": "abc123"})
    return out["version"]


def write_state(store: ObjectStore) -> None:
    """Through the registry: two promotions, a rejection, a rollback (+ a partial version folder);
    and one rejected run's artifacts as the DAG stores them."""
    utc = timezone.utc
    VERSIONS[OLD_RUN] = _promote(store, OLD_RUN, datetime(2025, 1, 1, 3, tzinfo=utc), 0.80)
    VERSIONS[RUN2] = _promote(store, RUN2, datetime(2025, 2, 1, 3, tzinfo=utc), 0.84)
    store.put_json(store.key("models/ner/versions/v29990101T000000000Z-partial/metrics.json"), _metrics(0.9))
    rejected = _blessing(False, 0.70)
    reg = Registry(store, clock=lambda: datetime(2025, 3, 1, 11, tzinfo=utc))
    reg.record_decision(RUN, {"kind": "rejection", "reasons": rejected["reasons"], "micro_f1": 0.70,
                              "champion_version": VERSIONS[RUN2], "who": "airflow"})
    Registry(store, clock=lambda: datetime(2025, 3, 2, 9, tzinfo=utc)).rollback(
        VERSIONS[OLD_RUN], reason="ROLLBACK-REASON: mislabels ages in production", who="alice")

    k = store.key
    rk = run_key(RUN)
    store.put_json(k(f"validation/{rk}/report.json"), {
        "records_read": 120, "accepted": 95, "repaired": 5, "quarantined": 20,
        "by_source": {"synthetic": {"records_read": 100, "accepted": 90, "quarantined": 10},
                      "real": {"records_read": 20, "accepted": 5, "quarantined": 10}},
        "quarantined_by_reason": {"OVERLAPPING_SPANS": 12, "EMPTY_TEXT": 8}, "repaired_by_rule": {},
        "files": [{"path": "incoming/real/batch-7.jsonl", "source": "real", "records_read": 20, "rejected": False,
                   "formats": {"canonical": 20}}],
        "gx": {"success": True, "evaluated": 2, "expectations": [
            {"expectation": "expect_column_values_to_not_be_null", "column": "id", "severity": "critical",
             "success": True},
            {"expectation": "expect_column_kl_divergence_to_be_less_than", "column": "label", "severity": "warning",
             "success": False, "observed_value": 0.31}]}})
    store.put_bytes(k(f"validation/{rk}/data_docs/index.html"), b"<html><body>GX-DOCS-INDEX</body></html>",
                    content_type="text/html")
    store.put_bytes(k(f"validation/{rk}/data_docs/static/styles.css"), b"body{color:black}", content_type="text/css")
    store.put_json(k(f"runs/{rk}/evaluation/metrics.json"), _metrics(0.70, name_f1=0.61))
    store.put_json(k(f"runs/{rk}/evaluation/champion_metrics.json"), _metrics(0.80))
    labels = ["O", *LABELS]
    matrix = [[(50 if i == j else (i + j) % 3) for j in range(len(labels))] for i in range(len(labels))]
    store.put_json(k(f"runs/{rk}/evaluation/confusion.json"), {"labels": labels, "matrix": matrix, "n_words": 999})
    store.put_json(k(f"runs/{rk}/gate/blessing.json"), rejected)
    store.put_json(k(f"runs/{rk}/summary.json"), {"run_id": RUN, "finished_at": "2025-03-01T11:00:05Z",
                                                  "outcome": {"promoted": False, "reason": "micro_f1 too low"}})

    # Objects holding (here: pretending to hold) transcript text: the UI must never read them.
    line = json.dumps({"id": "r1", "text": f"Caller {CANARY} said ...", "entities": []}) + "\n"
    for key in (f"datasets/{rk}/train.jsonl", f"quarantine/{rk}/quarantine.jsonl", f"runs/{rk}/accepted.jsonl",
                f"validation/{rk}/audit.jsonl", f"incoming/real/{CANARY}.jsonl"):
        store.put_bytes(k(key), line.encode())


class FakeUser:
    def get_name(self) -> str:
        return "test-viewer"


def _mounted(settings, *, authenticated: bool = True) -> TestClient:
    """The app mounted under /ner like Airflow does, with settings (and maybe auth) replaced."""
    app = ui_app.create_app()
    app.dependency_overrides[ui_app.get_settings] = lambda: settings
    if authenticated:
        app.dependency_overrides[ui_app.require_user] = FakeUser
    root = FastAPI()
    root.mount("/ner", app)
    return TestClient(root)


@pytest.fixture()
def client(s3_settings, store):
    write_state(store)
    with _mounted(s3_settings) as c:
        yield c


def test_index_shows_champion_versions_history_and_chart(client):
    r = client.get("/ner/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    v1, v2 = VERSIONS[OLD_RUN], VERSIONS[RUN2]
    champion_line = html[html.index("Serving"):html.index("</p>", html.index("Serving"))]
    assert v1 in champion_line and "alice" in champion_line and "rollback" in champion_line
    assert "signed in as test-viewer" in html
    assert re.search(rf'<tr class="champion">\s*<td><a href="/ner/versions/{v1}">', html)  # champion row marked
    assert v2 in html and "partial" not in html  # the partial version folder is not listed
    for lab in LABELS:  # champion's per-entity table
        assert f"<td>{lab}</td>" in html
    assert "ROLLBACK-REASON" in html and "micro_f1 0.7000 is not &gt; 0.75" in html  # why: rollback, rejection
    assert "<svg" in html and "F1 per entity and version" in html
    assert html.index("rollback") < html.index("2025-01-01T03:00:00Z")  # newest decision first
    assert f'href="/ner/runs/{RUN.replace(":", "%3A").replace("+", "%2B")}"' in html or f"/ner/runs/{RUN}" in html


def test_run_page(client):
    r = client.get(f"/ner/runs/{RUN}")
    assert r.status_code == 200
    html = r.text
    assert "OVERLAPPING_SPANS" in html and "quarantined by reason" in html and "synthetic" in html
    assert "incoming/real/batch-7.jsonl" in html and "gx · expectations" in html  # per file, per expectation
    assert "expect_column_kl_divergence_to_be_less_than" in html and "0.310" in html
    assert "data-docs/" in html  # link to the stored GX Data Docs
    for rule in ("micro_f1", "label_f1", "no_regression_micro"):  # gate rules with values and thresholds
        assert f"<td>{rule}</td>" in html
    assert "0.7000" in html and "0.7500" in html and "0.8000" in html
    assert "Champion F1" in html and '<span class="down">-0.190</span>' in html  # NAME 0.61 vs 0.80
    assert "Confusion matrix" in html and 'aria-label="Confusion matrix"' in html
    assert "not promoted" in html and "rejection" in html


def test_version_page_renders_model_card_safely(client):
    v2 = VERSIONS[RUN2]
    r = client.get(f"/ner/versions/{v2}")
    assert r.status_code == 200
    html = r.text
    assert f"<h1>Model card {run_key(RUN2)}</h1>" in html and "<table>" in html  # Markdown rendered, tables included
    assert "<script>" not in html and "&lt;script&gt;" in html  # raw HTML escaped, never executed
    assert "dataset_snapshot" in html and "config_sha256" in html  # lineage
    assert "Content-Security-Policy" in r.headers and "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_data_docs_served_from_the_bucket(client):
    r = client.get(f"/ner/runs/{RUN}/data-docs/")
    assert r.status_code == 200 and "GX-DOCS-INDEX" in r.text and r.headers["content-type"].startswith("text/html")
    assert "connect-src 'none'" in r.headers["Content-Security-Policy"]  # its scripts cannot call the API
    css = client.get(f"/ner/runs/{RUN}/data-docs/static/styles.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get(f"/ner/runs/{RUN}/data-docs", follow_redirects=False).status_code == 307
    assert client.get(f"/ner/runs/{RUN}/data-docs/missing.html").status_code == 404
    # No way out of the site: dot segments (raw, not normalised by a client) are refused.
    assert client.get(f"/ner/runs/{RUN}/data-docs/static/%2E%2E/%2E%2E/report.json").status_code == 404


def test_json_api(client):
    reg = client.get("/ner/api/registry").json()
    v1, v2 = VERSIONS[OLD_RUN], VERSIONS[RUN2]
    assert reg["champion"]["version"] == v1
    assert [v["version"] for v in reg["versions"]] == [v1, v2]  # oldest first
    assert [v["is_champion"] for v in reg["versions"]] == [True, False]
    assert reg["versions"][1]["per_label_f1"]["NAME"] == pytest.approx(0.84)
    assert [h["kind"] for h in reg["history"]] == ["promotion", "promotion", "rejection", "rollback"]
    assert reg["history"][-1]["previous"] == v2 and reg["history"][-1]["version"] == v1
    run = client.get(f"/ner/api/runs/{RUN}").json()
    assert run["blessing"]["passed"] is False and run["confusion"]["n_words"] == 999
    assert run["validation"]["quarantined_by_reason"]["EMPTY_TEXT"] == 8 and run["data_docs"] is True
    assert client.get(f"/ner/api/versions/{v1}").json()["lineage"]["run_id"] == OLD_RUN


def test_unknown_run_and_version_are_404(client):
    assert client.get("/ner/runs/manual__1999-01-01T00:00:00+00:00").status_code == 404
    assert client.get("/ner/api/runs/nope").status_code == 404
    assert client.get("/ner/versions/v29990101T000000000Z-partial").status_code == 404  # no completion marker
    assert client.get("/ner/versions/%2E%2E").status_code == 404
    assert client.get("/ner/runs/nope/data-docs/index.html").status_code == 404


def test_read_only(client):
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/ner/api/registry").status_code == 405


def test_never_reads_or_shows_record_data(client, monkeypatch):
    """Canary: text planted in snapshots, quarantine, accepted records and audits never appears,
    and the UI never even fetches those objects."""
    fetched: list[str] = []
    original = ObjectStore.get_with_etag

    def spy(self, key):
        fetched.append(key)
        return original(self, key)

    monkeypatch.setattr(ObjectStore, "get_with_etag", spy)
    v1, v2 = VERSIONS[OLD_RUN], VERSIONS[RUN2]
    urls = ["/ner/", f"/ner/runs/{RUN}", f"/ner/runs/{RUN2}", f"/ner/versions/{v1}", f"/ner/versions/{v2}",
            "/ner/api/registry", f"/ner/api/runs/{RUN}", f"/ner/api/versions/{v2}", f"/ner/runs/{RUN}/data-docs/",
            f"/ner/runs/{RUN}/confusion.svg", f"/ner/runs/{run_key(RUN)}"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        assert CANARY not in r.text, url
    assert fetched
    assert not [k for k in fetched if k.startswith(("datasets/", "quarantine/", "incoming/")) or
                (k.endswith(".jsonl") and k != "models/ner/history.jsonl")]


def test_reader_refuses_keys_outside_its_prefixes(store):
    reader = data.RegistryReader(store)
    for rel in ("datasets/x/train.jsonl", "quarantine/r/quarantine.jsonl", "runs/r/accepted.jsonl", "state/x.json"):
        with pytest.raises(PermissionError):
            reader._bytes(rel)


def test_unauthenticated_requests_are_refused(s3_settings, store):
    write_state(store)
    with _mounted(s3_settings, authenticated=False) as c:
        for url in ("/ner/", "/ner/api/registry", f"/ner/runs/{RUN}", f"/ner/runs/{RUN}/data-docs/index.html"):
            r = c.get(url, follow_redirects=False)
            assert r.status_code == 401, url
            assert "GX-DOCS-INDEX" not in r.text and VERSIONS[OLD_RUN] not in r.text


def test_charts_escape_text():
    svg = charts.f1_chart([{"version": "<b>v1</b>", "when": "2025-01-01", "micro": 0.5, "per_label": {"NAME": 0.4}}],
                          ["NAME"], champion="<b>v1</b>")
    assert "<b>" not in svg and "&lt;b&gt;v1" in svg
    assert "malformed" in charts.confusion_svg(["A", "B"], [[1, 2]])


def test_create_app_is_cheap_and_plugin_registers(monkeypatch):
    """Building the app and importing the plugin touches neither settings nor the network."""
    def boom(*a, **kw):
        raise AssertionError("settings loaded at import")

    monkeypatch.setattr(ui_app, "load_settings", boom)
    monkeypatch.syspath_prepend(str(REPO / "plugins"))
    sys.modules.pop("ner_models_plugin", None)
    import ner_models_plugin as plugin

    p = plugin.NerModelsPlugin
    assert p.fastapi_apps[0]["url_prefix"] == "/ner" and p.fastapi_apps[0]["name"] == "NER models"
    assert {v["destination"] for v in p.external_views} == {"nav", "dag_run"}
    assert any("{RUN_ID}" in v["href"] for v in p.external_views)


# -- the real thing: Airflow's API server app, its auth manager and a real JWT ------------------

_AIRFLOW_SCRIPT = textwrap.dedent("""
    import json, sys
    from airflow import settings
    from airflow.models.revoked_token import RevokedToken
    RevokedToken.__table__.create(settings.engine, checkfirst=True)  # the only table auth reads
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi.testclient import TestClient

    run = sys.argv[1]
    c = TestClient(create_app())  # Airflow's own app: plugins, middlewares, auth manager
    am = get_auth_manager()
    viewer = am.generate_jwt(SimpleAuthManagerUser(username="viewer", role="viewer"))
    no_role = am.generate_jwt(SimpleAuthManagerUser(username="nobody", role=None))
    out = {}
    def get(name, url, **kw):
        r = c.get(url, follow_redirects=False, **kw)
        out[name] = {"status": r.status_code, "location": r.headers.get("location"), "body": r.text[:20000]}
    get("cookie", "/ner/", cookies={"_token": viewer})
    get("bearer_api", "/ner/api/registry", headers={"Authorization": "Bearer " + viewer})
    get("bearer_run", "/ner/runs/" + run, headers={"Authorization": "Bearer " + viewer})
    get("anon_page", "/ner/")
    get("anon_api", "/ner/api/registry")
    get("bad_token", "/ner/api/registry", headers={"Authorization": "Bearer not-a-jwt"})
    get("bad_cookie", "/ner/api/registry", cookies={"_token": "not-a-jwt"})
    get("bad_cookie_page", "/ner/", cookies={"_token": "not-a-jwt"})
    get("no_role", "/ner/api/registry", headers={"Authorization": "Bearer " + no_role})
    get("plugins", "/api/v2/plugins", headers={"Authorization": "Bearer " + viewer})
    print("RESULT" + json.dumps(out))
""")


def test_real_airflow_auth(s3_settings, store, tmp_path):
    """Inside Airflow's API app: a viewer's JWT (cookie or bearer) passes; no token, a forged token
    or a user without DAG read access is refused; the plugin and its links are registered."""
    write_state(store)
    (tmp_path / "dags").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NER"))}
    env.update({
        "AIRFLOW_HOME": str(tmp_path / "home"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp_path / 'airflow.db'}",
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "viewer:viewer",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex * 2,
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "NER__STORAGE__ENDPOINT_URL": s3_settings.storage.endpoint_url,
        "NER__STORAGE__BUCKET": s3_settings.storage.bucket,
        "NER_PROFILE": "local",
    })
    proc = subprocess.run([sys.executable, "-c", _AIRFLOW_SCRIPT, RUN], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line, proc.stdout[-3000:] + proc.stderr[-5000:]
    out = json.loads(line[len("RESULT"):])

    v1 = VERSIONS[OLD_RUN]
    assert out["cookie"]["status"] == 200 and v1 in out["cookie"]["body"]
    assert "signed in as viewer" in out["cookie"]["body"]
    assert out["bearer_api"]["status"] == 200 and json.loads(out["bearer_api"]["body"])["champion"]["version"] == v1
    assert out["bearer_run"]["status"] == 200 and "OVERLAPPING_SPANS" in out["bearer_run"]["body"]
    # Without a credential: the page sends the browser to Airflow's login, the API says 401.
    assert out["anon_page"]["status"] == 303 and "/auth/login" in out["anon_page"]["location"]
    assert "next=%2Fner%2F" in out["anon_page"]["location"]
    assert out["anon_api"]["status"] == 401
    for case in ("bad_token", "bad_cookie", "no_role"):
        assert v1 not in out[case]["body"]
    assert out["bad_token"]["status"] == 401 and out["bad_cookie"]["status"] == 401
    assert out["bad_cookie_page"]["status"] == 303 and "/auth/login" in out["bad_cookie_page"]["location"]
    assert out["no_role"]["status"] == 403  # signed in, but may not read the DAG
    plugins = json.loads(out["plugins"]["body"])["plugins"]
    mine = next(p for p in plugins if p["name"] == "ner_models")
    assert mine["fastapi_apps"][0]["url_prefix"] == "/ner"
    assert {v["destination"] for v in mine["external_views"]} == {"nav", "dag_run"}


def test_run_page_shows_a_pending_approval_then_the_review(client, store):
    """Issue 18: a run waiting in approve_promotion says so and links to Airflow's Required Actions
    (target _top: the page is framed); once decided, the reviewer, the comment and the trigger show,
    on the run page and in the decisions table."""
    from ner_pipeline.layout import RunPaths
    from ner_pipeline.registry import Registry

    run = "manual__2025-04-01T10:00:00+00:00"
    store.put_json(store.key(RunPaths(run).approval_request), {
        "run_id": run, "dag_id": "ner_retraining", "task_id": "approve_promotion", "forced": True,
        "triggered_by": "zawadi", "requested_at": "2025-04-01T10:30:00Z", "expires_at": "2999-01-01T00:00:00Z"})
    html = client.get(f"/ner/runs/{run}").text
    assert '<span class="badge pending">pending</span>' in html and "forced promotion" in html
    link = "/dags/ner_retraining/runs/manual__2025-04-01T10%3A00%3A00%2B00%3A00/tasks/approve_promotion/required_actions"
    assert f'href="{link}" target="_top"' in html
    assert 'href="/required_actions?response_received=false" target="_top"' in html
    assert client.get(f"/ner/api/runs/{run}").json()["approval"]["state"] == "pending"

    Registry(store).record_decision(run, {"kind": "review_rejection", "who": "Baraka", "triggered_by": "zawadi",
                                          "reason": "rejected by Baraka: AGE is off",
                                          "approval": {"decision": "rejected", "by": "Baraka", "at": "2025-04-01T11:00:00Z",
                                                       "comment": "AGE is off"}})
    html = client.get(f"/ner/runs/{run}").text
    assert '<span class="badge rejected">rejected</span>' in html and "by Baraka" in html and "AGE is off" in html
    assert "required_actions" not in html
    index = client.get("/ner/").text
    assert "review rejection" in index and "triggered by zawadi" in index and "rejected by Baraka" in index


def test_pages_say_which_data_the_test_split_holds_and_show_drop_intervals(client, store):
    """Metrics from the real scorer, a blessing from the real gate: the run page says which data
    decided, shows the real-source table and each regression rule's bootstrap interval; a run
    with no real record says "evaluated on synthetic data only"."""
    from ner_pipeline.config import GateSettings
    from ner_pipeline.evaluate.gate import decide
    from ner_pipeline.metrics import score
    from ner_pipeline.records import Record, Span

    gold = [Record(f"rec-{i}", "Grace called from Kisumu today", [Span(0, 5, "NAME"), Span(18, 24, "LOCATION")],
                   source="real" if i % 2 else "synthetic") for i in range(20)]
    both = [[Span(0, 5, "NAME"), Span(18, 24, "LOCATION")] for _ in gold]
    worse = [[Span(0, 5, "NAME")] if i in (1, 3) else spans for i, spans in enumerate(both)]
    gate = GateSettings(min_support=1, labels={}, default_label={"min_f1": 0.0})
    for run_id, records, champion_pred, pred, statement in (
            ("manual__real-decides", gold, both, worse, "evaluated on 10 real and 10 synthetic records"),
            ("manual__synthetic-only", [Record(r.id, r.text, r.entities) for r in gold], both, both,
             "evaluated on synthetic data only")):
        metrics, champ = score(records, pred), score(records, champion_pred)
        blessing = decide(metrics, gate, champ, champion_version="v-old")
        rk = run_key(run_id)
        store.put_json(store.key(f"runs/{rk}/evaluation/metrics.json"), metrics)
        store.put_json(store.key(f"runs/{rk}/evaluation/champion_metrics.json"), champ)
        store.put_json(store.key(f"runs/{rk}/gate/blessing.json"), blessing)
        html = client.get(f"/ner/runs/{run_id}").text
        assert html.count(statement) >= 2  # above the metrics and in the gate section
        assert "Drop interval" in html and "paired bootstrap over" in html
        iv = next(r for r in blessing["rules"] if r["rule"].endswith("no_regression_label") and r["label"] == "NAME")
        assert f"[{iv['interval'][0]:.4f}, {iv['interval'][1]:.4f}]" in html
    # the last run decided on real records: their own table, and the real rules in the gate
    real_run = client.get("/ner/runs/manual__real-decides").text
    assert "Real records: these decided the gate" in real_run and "<td>real_no_regression_label</td>" in real_run
    assert "Real records: these decided the gate" not in html


def test_run_page_shows_convention_conflicts(client, store):
    key = store.key(f"validation/{run_key(RUN)}/report.json")
    report = store.get_json(key)
    report["conventions"] = {
        "status": "conflicts", "conflicts_found": 1, "compared": 12, "min_diff": 0.25, "min_support": 20,
        "measured": {"snapshot:real": {"records": 40, "spans": 90, "pronouns": 70, "pronouns_labelled": 3,
                                       "pronoun_rule": "first_when_no_noun"}},
        "conflicts": [{"scope": "snapshot", "convention": "determiner_start_share", "label": "PERPETRATOR", "word": "",
                       "real": 0.0, "synthetic": 0.6, "n_real": 40, "n_synthetic": 500, "diff": 0.6, "conflict": True}],
        "gx": "warning"}
    store.put_json(key, report)
    html = client.get(f"/ner/runs/{RUN}").text
    assert "convention conflicts</span> 1 of 12" in html and "reported, not blocking" in html
    assert "conventions · conflicts" in html and "determiner_start_share" in html and "0.600" in html
    assert "snapshot:real" in html and "first_when_no_noun" in html

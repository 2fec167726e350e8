"""The "NER models" FastAPI app, mounted by the Airflow plugin under /ner.

Read-only: GET routes only. Every route depends on `auth.require_user` (Airflow's own
authentication, see auth.py). Settings are loaded per request (`get_settings`), so building
the app is cheap and touches neither the network nor the object store; tests replace
`get_settings` and `require_user` through `app.dependency_overrides`.
"""

from __future__ import annotations

from dataclasses import asdict
from threading import Lock
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..approval import required_actions_url
from ..config import Settings, load_settings
from ..storage import ObjectStore
from . import charts
from .auth import LoginRequired, login_url, require_user
from .data import NotFound, RegistryReader
from .render import render, report_sections

try:  # the label order of the project; tolerate a library without records.py
    from ..records import LABELS
except ImportError:  # pragma: no cover
    LABELS = ()

PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
# Stored GX Data Docs (written by the pipeline's own GX run) are served from the bucket with their
# own static files (which need the session cookie, so no sandbox). No third-party code runs in the
# Airflow origin: their CDN scripts and styles (jQuery, Bootstrap, Vega) are refused by the browser
# ('self' only; the pages' tables are static HTML and stay readable without them), and their own
# scripts may not call any URL (connect-src 'none') nor post forms.
DATA_DOCS_CSP = ("default-src 'self' data:; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                 "img-src 'self' data:; font-src 'self' data:; connect-src 'none'; form-action 'none'; "
                 "frame-ancestors 'self'; base-uri 'self'")


def get_settings() -> Settings:
    return load_settings()


_stores: dict[str, ObjectStore] = {}
_stores_lock = Lock()


def get_reader(settings: Settings = Depends(get_settings)) -> RegistryReader:
    """One boto3 client per distinct configuration, reused across requests."""
    digest = settings.digest()
    with _stores_lock:
        store = _stores.get(digest)
        if store is None:
            store = _stores[digest] = ObjectStore(settings)
    return RegistryReader(store)


def _is_api(request: Request) -> bool:
    return request.url.path.removeprefix(request.scope.get("root_path", "")).startswith("/api/")


def _base(request: Request) -> str:
    """Path of this app's root (Airflow's base path + mount prefix), for links."""
    return request.scope.get("root_path", "").rstrip("/")


def _airflow_base(request: Request) -> str:
    """Airflow's own base path: this app's root without the plugin's mount prefix (/ner)."""
    base = _base(request)
    return base.rsplit("/", 1)[0] if "/" in base else ""


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = render(template, base=_base(request), user=getattr(request.state, "ner_user", None), **context)
    return HTMLResponse(html, status_code=status_code, headers={"Content-Security-Policy": PAGE_CSP})


def _labels(*metric_dicts: dict[str, Any] | None) -> list[str]:
    """Project label order first, then any other label the metrics name."""
    seen = list(LABELS)
    for m in metric_dicts:
        for lab in (m or {}).get("per_label", {}) or {}:
            if lab not in seen:
                seen.append(lab)
    present = {lab for m in metric_dicts for lab in ((m or {}).get("per_label") or {})}
    return [lab for lab in seen if lab in present] if present else []


def entity_rows(challenger: dict[str, Any] | None, champion: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per-entity metrics of a challenger beside the champion's (micro first)."""
    rows = []
    ch, cp = challenger or {}, champion or {}
    for label, a, b in [("micro", ch.get("micro"), cp.get("micro"))] + [
        (lab, (ch.get("per_label") or {}).get(lab), (cp.get("per_label") or {}).get(lab)) for lab in _labels(ch, cp)
    ]:
        a, b = a or {}, b or {}
        rows.append({"label": label, "precision": a.get("precision"), "recall": a.get("recall"), "f1": a.get("f1"),
                     "support": a.get("support"), "champion_f1": b.get("f1"), "champion_support": b.get("support")})
    return rows


def evaluated_on_view(metrics: dict[str, Any] | None, blessing: dict[str, Any] | None) -> dict[str, Any] | None:
    """Which data the test split holds: the blessing's statement, else derived from the metrics."""
    from ..evaluate.gate import evaluated_on

    if (blessing or {}).get("test_data"):
        return blessing["test_data"]
    return evaluated_on(metrics) if metrics else None


def real_rows(challenger: dict[str, Any] | None, champion: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Entity rows of the real-source records, when there are any (they decide the gate)."""
    real = ((challenger or {}).get("by_source") or {}).get("real") or {}
    if not real.get("n_records") or not real.get("per_label"):
        return []
    return entity_rows(real, ((champion or {}).get("by_source") or {}).get("real"))


def create_app() -> FastAPI:
    app = FastAPI(title="NER models", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(_authenticated)])
    app.exception_handler(NotFound)(_not_found)
    app.exception_handler(LoginRequired)(_login)
    app.middleware("http")(_headers)
    # pages
    app.get("/", response_class=HTMLResponse)(index)
    app.get("/versions/{version}", response_class=HTMLResponse)(version_page)
    app.get("/runs/{run_id}", response_class=HTMLResponse)(run_page)
    app.get("/runs/{run_id}/data-docs")(data_docs_root)
    app.get("/runs/{run_id}/data-docs/{path:path}")(data_docs)
    app.get("/runs/{run_id}/confusion.svg")(confusion_image)
    # JSON mirrors
    app.get("/api/registry")(api_registry)
    app.get("/api/versions/{version}")(api_version)
    app.get("/api/runs/{run_id}")(api_run)
    return app


# -- errors and headers -----------------------------------------------------------
async def _not_found(request: Request, exc: NotFound) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": f"not found: {exc}"}, status_code=404)
    return _page(request, "error.html", 404, title="Not found",
                 message=f"Nothing stored for {exc} (unknown run or version, or not an NER pipeline run).")


async def _login(request: Request, exc: LoginRequired) -> Response:
    target = None if _is_api(request) else login_url(request)
    if target:
        return RedirectResponse(target, status_code=303)
    return JSONResponse({"detail": exc.detail}, status_code=401, headers=exc.headers)


async def _headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-cache")
    return response


# -- pages ------------------------------------------------------------------------
def index(request: Request, reader: RegistryReader = Depends(get_reader)) -> HTMLResponse:
    reg = reader.registry()
    champion = reg["champion"] or {}
    champ_metrics = None
    if champion.get("version"):
        try:
            champ_metrics = reader.version(champion["version"])["metrics"]
        except NotFound:
            champ_metrics = None
    points = [{"version": v.version, "when": v.promoted_at, "micro": v.micro_f1, "per_label": v.per_label_f1}
              for v in reg["versions"]]
    labels = _labels(*({"per_label": v.per_label_f1} for v in reg["versions"]))
    chart = charts.f1_chart(points, labels, champion=champion.get("version"))
    return _page(request, "index.html", title="NER models", champion=champion, versions=reg["versions"][::-1],
                 history=reg["history"][::-1], champion_rows=entity_rows(champ_metrics, None)
                 if champ_metrics else [], chart=chart)


def version_page(version: str, request: Request, reader: RegistryReader = Depends(get_reader)) -> HTMLResponse:
    v = reader.version(version)
    champion = reader.champion() or {}
    events = [ev for ev in reader.history() if ev.get("version") == version][::-1]
    return _page(request, "version.html", title=f"Version {version}", v=v, events=events,
                 is_champion=champion.get("version") == version, rows=entity_rows(v["metrics"], None),
                 test_data=evaluated_on_view(v["metrics"], v["blessing"]), real_rows=real_rows(v["metrics"], None))


def run_page(run_id: str, request: Request, reader: RegistryReader = Depends(get_reader)) -> HTMLResponse:
    run = reader.run(run_id)
    confusion = run["confusion"] or {}
    svg = charts.confusion_svg(confusion.get("labels") or [], confusion.get("matrix") or []) if confusion else ""
    pending = run["approval"] or {}
    links = {"required_actions_url": required_actions_url(_airflow_base(request), pending["dag_id"], run_id),
             "all_required_actions_url": _airflow_base(request) + "/required_actions?response_received=false"
             } if pending.get("dag_id") else {}
    return _page(request, "run.html", title=f"Run {run_id}", run=run, sections=report_sections(run["validation"]),
                 rows=entity_rows(run["metrics"], run["champion_metrics"]), confusion_svg=svg,
                 test_data=evaluated_on_view(run["metrics"], run["blessing"]),
                 real_rows=real_rows(run["metrics"], run["champion_metrics"]), **links)


def data_docs_root(request: Request) -> Response:
    return RedirectResponse(request.url.path + "/", status_code=307)


def data_docs(run_id: str, path: str, reader: RegistryReader = Depends(get_reader)) -> Response:
    data, ctype = reader.data_docs_file(run_id, path)
    return Response(data, media_type=ctype, headers={"Content-Security-Policy": DATA_DOCS_CSP})


def confusion_image(run_id: str, reader: RegistryReader = Depends(get_reader)) -> Response:
    confusion = reader.run(run_id)["confusion"]
    if not confusion:
        raise NotFound(f"{run_id}/confusion")
    svg = charts.confusion_svg(confusion.get("labels") or [], confusion.get("matrix") or [])
    return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": PAGE_CSP})


# -- JSON mirrors -------------------------------------------------------------------
def api_registry(reader: RegistryReader = Depends(get_reader)) -> dict[str, Any]:
    reg = reader.registry()
    return {**reg, "versions": [asdict(v) for v in reg["versions"]]}


def api_version(version: str, reader: RegistryReader = Depends(get_reader)) -> dict[str, Any]:
    return reader.version(version)


def api_run(run_id: str, reader: RegistryReader = Depends(get_reader)) -> dict[str, Any]:
    return reader.run(run_id)


async def _authenticated(request: Request, user: Any = Depends(require_user)) -> None:
    """App-wide dependency: keep the user for the page header."""
    name = getattr(user, "get_name", None)
    request.state.ner_user = name() if callable(name) else str(user)


__all__ = ["create_app", "get_settings", "get_reader", "require_user"]

"""Read-only view of the model registry and of each run's stored artifacts.

The registry (champion, versions, history) is read through registry.Registry; every other key
the UI reads is named in this module (RUN_FILES, DATA_DOCS, VERSION_FILES), so a change in the
pipeline's layout is a one-line change here. The reader refuses keys outside READABLE_PREFIXES
and any record-level `.jsonl` file: dataset snapshots, quarantine, incoming data, accepted
records and repair audits (the only objects that may hold transcript text) are never read.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

from ..approval import REQUEST as APPROVAL_REQUEST
from ..approval import status as approval_status
from ..registry import CHAMPION, HISTORY, PROMOTION_KINDS, ROOT, VERSIONS, Registry, RegistryError
from ..stages import run_keys
from ..storage import ObjectStore

# -- where things are (relative to settings.storage.prefix) ------------------------------
# The registry's own layout comes from registry.py; run artifacts are named here.
REGISTRY_ROOT = ROOT + "/"
KEYS = {"champion": CHAMPION, "versions": VERSIONS + "/", "history": HISTORY}
VERSION_FILES = {"metrics": "metrics.json", "model_card": "model_card.md"}
# Per run: candidate keys, first existing wins. {run} is the run's key segment,
# stages.run_key(run_id) (Airflow run ids carry ':' and '+').
RUN_FILES = {
    "summary": ["runs/{run}/summary.json"],
    "validation": ["validation/{run}/report.json", "runs/{run}/validation/report.json"],
    "metrics": ["runs/{run}/evaluation/metrics.json"],
    "champion_metrics": ["runs/{run}/evaluation/champion_metrics.json"],
    "confusion": ["runs/{run}/evaluation/confusion.json"],
    "blessing": ["runs/{run}/gate/blessing.json", "runs/{run}/evaluation/blessing.json"],
    "model_card": ["runs/{run}/model_card.md", "runs/{run}/gate/model_card.md"],
    "approval_request": [APPROVAL_REQUEST],
}
DATA_DOCS = ["validation/{run}/data_docs/", "runs/{run}/validation/data_docs/"]
READABLE_PREFIXES = (REGISTRY_ROOT, "runs/", "validation/")
# Record-level files (accepted records, repair audits) may hold text: never read, even there.
REFUSED_SUFFIXES = (".jsonl",)

MAX_VERSIONS = 200  # newest shown on the index; older ones stay reachable by URL
MAX_HISTORY = 500

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:+\-@~=,]{1,250}$")


class NotFound(LookupError):
    """Nothing the UI may show under that name."""


def check_id(value: str) -> str:
    """A version id is used as one key segment as-is: refuse anything that could leave it."""
    if not _SAFE_ID.match(value) or ".." in value:
        raise NotFound(value)
    return value


def check_run_id(value: str) -> str:
    """A run id is mapped to one key segment by run_key() (injective; '.' and '..' refused)."""
    if not 0 < len(value) <= 250 or not value.isprintable() or value in (".", ".."):
        raise NotFound(value)
    return value


def check_rel_path(path: str) -> str:
    """A relative path inside a data-docs site: no '..', no empty or dot segments."""
    parts = path.split("/")
    if any(p in ("", ".", "..") or "\\" in p for p in parts):
        raise NotFound(path)
    return path


def content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


@dataclass
class VersionSummary:
    version: str
    promoted_at: str | None
    run_id: str | None
    micro_f1: float | None
    per_label_f1: dict[str, float] = field(default_factory=dict)
    is_champion: bool = False
    kind: str | None = None  # promotion | forced_promotion


class RegistryReader:
    """Read-only access to the registry and run artifacts through ObjectStore."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.reg = Registry(store)  # read methods only

    # -- guarded primitives ---------------------------------------------------
    def _key(self, rel: str) -> str:
        if not rel.startswith(READABLE_PREFIXES) or (rel.endswith(REFUSED_SUFFIXES) and rel != KEYS["history"]):
            raise PermissionError(f"the UI does not read {rel!r}")
        return self.store.key(rel) + ("/" if rel.endswith("/") else "")  # key() drops a trailing "/"

    def _bytes(self, rel: str) -> bytes | None:
        got = self.store.get_with_etag(self._key(rel))
        return None if got is None else got[0]

    def _json(self, rel: str) -> Any:
        data = self._bytes(rel)
        return None if data is None else json.loads(data)

    def _text(self, rel: str) -> str | None:
        data = self._bytes(rel)
        return None if data is None else data.decode("utf-8", "replace")

    def _first(self, candidates: list[str], run_id: str, *, text: bool = False) -> tuple[str | None, Any]:
        for rk in run_keys(run_id):
            for tmpl in candidates:
                rel = tmpl.format(run=rk)
                value = self._text(rel) if text else self._json(rel)
                if value is not None:
                    return rel, value
        return None, None

    # -- registry (through registry.Registry) ----------------------------------
    def champion(self) -> dict[str, Any] | None:
        return self.reg.champion()

    def history(self) -> list[dict[str, Any]]:
        """Decisions, oldest first (a torn last line is skipped by the registry)."""
        return self.reg.history()[-MAX_HISTORY:]

    def version(self, version: str) -> dict[str, Any]:
        """A complete version: marker, metrics, blessing, lineage, model card."""
        check_id(version)
        try:
            got = self.reg.version(version)
        except RegistryError:
            raise NotFound(version) from None
        if not got["complete"]:
            raise NotFound(version)  # a partial copy is never shown
        return got

    def registry(self) -> dict[str, Any]:
        """Champion, version summaries (oldest first) and the decision history."""
        champion = self.champion() or {}
        history = self.history()
        first_promoted: dict[str, str] = {}
        for ev in history:
            if ev.get("kind") in PROMOTION_KINDS and ev.get("version"):
                first_promoted.setdefault(ev["version"], ev.get("ts"))
        versions = []
        for v in self.reg.versions()[:MAX_VERSIONS]:  # complete ones only, newest first
            metrics = self._json(KEYS["versions"] + v["version"] + "/" + VERSION_FILES["metrics"]) or {}
            versions.append(VersionSummary(
                version=v["version"],
                promoted_at=first_promoted.get(v["version"]) or v.get("created_at"),
                run_id=v.get("run_id"),
                micro_f1=(metrics.get("micro") or {}).get("f1", v.get("micro_f1")),
                per_label_f1={k: m.get("f1") for k, m in (metrics.get("per_label") or {}).items() if isinstance(m, dict)},
                is_champion=v["version"] == champion.get("version"),
                kind=v.get("kind"),
            ))
        versions.sort(key=lambda v: (v.promoted_at or "", v.version))
        return {"champion": champion or None, "versions": versions, "history": history}

    # -- runs -----------------------------------------------------------------
    def run(self, run_id: str) -> dict[str, Any]:
        check_run_id(run_id)
        out: dict[str, Any] = {"run_id": run_id, "keys": {}}
        for name, candidates in RUN_FILES.items():
            rel, value = self._first(candidates, run_id, text=name == "model_card")
            out[name] = value
            if rel:
                out["keys"][name] = rel
        out["data_docs"] = self.data_docs_root(run_id) is not None
        out["decisions"] = [ev for ev in self.history() if ev.get("run_id") == run_id]
        if not out["keys"] and not out["data_docs"] and not out["decisions"]:
            raise NotFound(run_id)
        # None, or pending / overdue / approved / rejected / timeout (approval.status)
        out["approval"] = approval_status(out["approval_request"], out["decisions"])
        promoted = [ev["version"] for ev in out["decisions"]
                    if ev.get("kind") in PROMOTION_KINDS and ev.get("version")]
        out["version"] = promoted[-1] if promoted else None
        if out["model_card"] is None and out["version"]:  # the card is written with the version
            out["model_card"] = self._text(KEYS["versions"] + out["version"] + "/" + VERSION_FILES["model_card"])
        return out

    def data_docs_root(self, run_id: str) -> str | None:
        check_run_id(run_id)
        for rk in run_keys(run_id):
            for tmpl in DATA_DOCS:
                rel = tmpl.format(run=rk)
                if self.store.exists(self._key(rel + "index.html")):
                    return rel
        return None

    def data_docs_file(self, run_id: str, path: str) -> tuple[bytes, str]:
        root = self.data_docs_root(run_id)
        if root is None:
            raise NotFound(run_id)
        if not path or path.endswith("/"):
            path += "index.html"
        path = check_rel_path(path)
        data = self._bytes(root + path)
        if data is None:
            raise NotFound(path)
        return data, content_type(path)


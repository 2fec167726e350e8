"""Read-only view of the model registry and of each run's stored artifacts.

The registry (champion, versions, history) is read through registry.Registry; every other key
the UI reads comes from layout.py (RunPaths, VersionPaths), the one module that names keys, so
the UI reads exactly where the pipeline writes. The reader refuses keys outside READABLE_PREFIXES
and any record-level `.jsonl` file: dataset snapshots, quarantine, incoming data, accepted
records and repair audits (the only objects that may hold transcript text) are never read.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

from ..approval import status as approval_status
from ..layout import HISTORY, REGISTRY, RUNS, VALIDATION, RunPaths, VersionPaths
from ..registry import PROMOTION_KINDS, Registry, RegistryError
from ..storage import ObjectStore

# What the run page shows: name -> the RunPaths key it is read from (JSON objects).
RUN_FILES = {
    "summary": "summary",
    "validation": "validation_report",
    "metrics": "metrics",
    "champion_metrics": "champion_metrics",
    "confusion": "confusion",
    "blessing": "blessing",
    "approval_request": "approval_request",
}
READABLE_PREFIXES = (REGISTRY + "/", RUNS + "/", VALIDATION + "/")
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
        if not rel.startswith(READABLE_PREFIXES) or (rel.endswith(REFUSED_SUFFIXES) and rel != HISTORY):
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

    def _first(self, name: str, run_id: str) -> tuple[str | None, Any]:
        """The first of the run's candidate keys (RunPaths.candidates) that holds the object."""
        for paths in RunPaths.candidates(run_id):
            rel = getattr(paths, name)
            value = self._json(rel)
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
            metrics = self._json(VersionPaths(v["version"]).metrics) or {}
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
        for name, attr in RUN_FILES.items():
            rel, value = self._first(attr, run_id)
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
        # The card is written with the version (registry), never under runs/.
        out["model_card"] = self._text(VersionPaths(out["version"]).model_card) if out["version"] else None
        return out

    def data_docs_root(self, run_id: str) -> str | None:
        check_run_id(run_id)
        for paths in RunPaths.candidates(run_id):
            if self.store.exists(self._key(paths.data_docs_index)):
                return paths.data_docs + "/"
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


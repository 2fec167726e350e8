"""Read-only view of the model registry and of each run's stored artifacts.

Every object key the UI reads is named in this module (KEYS, RUN_FILES, VERSION_FILES) so
that a change in the pipeline's layout is a one-line change here. The reader refuses to read
anything outside READABLE_PREFIXES: dataset snapshots, quarantine files and incoming data
(the only objects holding transcript text) are never read by the UI.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

from ..stages import run_key
from ..storage import ObjectStore

# -- where things are (relative to settings.storage.prefix) ------------------------------
REGISTRY_ROOT = "models/ner/"
KEYS = {
    "champion": "models/ner/champion.json",
    "versions": "models/ner/versions/",
    "history": "models/ner/history.jsonl",
}
COMPLETE_MARKER = "_COMPLETE.json"  # written last into a version folder by the registry
VERSION_FILES = {
    "metrics": "metrics.json",
    "blessing": "blessing.json",
    "model_card": "model_card.md",
    "lineage": "lineage.json",
}
# Per run: candidate keys, first existing wins. {run} is the run's key segment,
# stages.run_key(run_id) (Airflow run ids carry ':' and '+').
RUN_FILES = {
    "summary": ["runs/{run}/summary.json"],
    "validation": ["validation/{run}/report.json", "runs/{run}/validation/report.json"],
    "metrics": ["runs/{run}/evaluation/metrics.json"],
    "champion_metrics": ["runs/{run}/evaluation/champion_metrics.json"],
    "confusion": ["runs/{run}/evaluation/confusion.json"],
    "blessing": ["runs/{run}/gate/blessing.json", "runs/{run}/evaluation/blessing.json"],
    "model_card": ["runs/{run}/model_card.md", "runs/{run}/gate/model_card.md", "runs/{run}/evaluation/model_card.md"],
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
    """A run id is mapped to a key segment by run_key(), which keeps only [A-Za-z0-9_.-]."""
    if not 0 < len(value) <= 250 or not value.isprintable() or not run_key(value).strip("."):
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


class RegistryReader:
    """Read-only access to the registry and run artifacts through ObjectStore."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    # -- guarded primitives ---------------------------------------------------
    def _key(self, rel: str) -> str:
        if not rel.startswith(READABLE_PREFIXES) or (rel.endswith(REFUSED_SUFFIXES) and rel != KEYS["history"]):
            raise PermissionError(f"the UI does not read {rel!r}")
        return self.store.key(rel)

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
        for tmpl in candidates:
            rel = tmpl.format(run=run_key(run_id))
            value = self._text(rel) if text else self._json(rel)
            if value is not None:
                return rel, value
        return None, None

    # -- registry -------------------------------------------------------------
    def champion(self) -> dict[str, Any] | None:
        return self._json(KEYS["champion"])

    def history(self) -> list[dict[str, Any]]:
        """Decisions, oldest first; a torn last line (append in progress) is skipped."""
        text = self._text(KEYS["history"]) or ""
        out = []
        for line in text.splitlines():
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out[-MAX_HISTORY:]

    def version_ids(self) -> list[str]:
        """Complete versions only (the marker is written last)."""
        root = self._key(KEYS["versions"])
        ids = []
        for prefix in self.store.list_dirs(root):
            vid = prefix[len(root):].strip("/")
            if vid and self.store.exists(prefix + COMPLETE_MARKER):
                ids.append(vid)
        return ids

    def version(self, version: str) -> dict[str, Any]:
        check_id(version)
        base = KEYS["versions"] + version + "/"
        marker = self._json(base + COMPLETE_MARKER)
        if marker is None:
            raise NotFound(version)
        out: dict[str, Any] = {"version": version, "complete": marker}
        for name, fname in VERSION_FILES.items():
            out[name] = self._text(base + fname) if fname.endswith(".md") else self._json(base + fname)
        return out

    def registry(self) -> dict[str, Any]:
        """Champion, version summaries (oldest first) and the decision history."""
        champion = self.champion() or {}
        history = self.history()
        promoted = {}
        for ev in history:
            if ev.get("kind") in ("promotion", "forced_promotion") and ev.get("version"):
                promoted.setdefault(ev["version"], ev)
        versions = []
        for vid in self.version_ids():
            base = KEYS["versions"] + vid + "/"
            marker = self._json(base + COMPLETE_MARKER) or {}
            metrics = self._json(base + VERSION_FILES["metrics"]) or {}
            lineage = self._json(base + VERSION_FILES["lineage"]) or {}
            ev = promoted.get(vid, {})
            versions.append(VersionSummary(
                version=vid,
                promoted_at=_first_of("promoted_at", marker, lineage, ev) or ev.get("ts") or _first_of("created_at", marker, lineage),
                run_id=_first_of("run_id", marker, lineage, ev),
                micro_f1=(metrics.get("micro") or {}).get("f1"),
                per_label_f1={k: v.get("f1") for k, v in (metrics.get("per_label") or {}).items() if isinstance(v, dict)},
                is_champion=vid == champion.get("version"),
            ))
        versions.sort(key=lambda v: (v.promoted_at or "", v.version))
        return {"champion": champion or None, "versions": versions[-MAX_VERSIONS:], "history": history}

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
        if not out["keys"] and not out["data_docs"]:
            raise NotFound(run_id)
        out["decisions"] = [ev for ev in self.history() if ev.get("run_id") == run_id]
        promoted = [ev["version"] for ev in out["decisions"]
                    if ev.get("kind") in ("promotion", "forced_promotion") and ev.get("version")]
        out["version"] = promoted[-1] if promoted else None
        if out["model_card"] is None and out["version"]:  # the card is written with the version
            out["model_card"] = self._text(KEYS["versions"] + out["version"] + "/" + VERSION_FILES["model_card"])
        return out

    def data_docs_root(self, run_id: str) -> str | None:
        check_run_id(run_id)
        for tmpl in DATA_DOCS:
            rel = tmpl.format(run=run_key(run_id))
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


def _first_of(key: str, *dicts: dict[str, Any]) -> Any:
    for d in dicts:
        if isinstance(d, dict) and d.get(key) not in (None, ""):
            return d[key]
    return None

"""Which incoming files are new: consumed files are remembered by content hash.

state/processed.json maps sha256 -> {key, source, run_id, status}. A file is marked only
after the snapshot that includes its records is complete, so a failed run leaves its files
'new' for the next one; a file renamed or re-uploaded with the same bytes is not read twice.
Files consumed by the run asking (a cleared and re-run DAG run) are still that run's own: it
finds them again, so a re-run rebuilds the same snapshot instead of an empty one. A file
deleted between listing and reading is skipped (it is not marked, so it is found again if it
comes back).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from .config import Settings
from .ingest.files import is_input_name
from .layout import PROCESSED
from .storage import ObjectStore, json_bytes

log = logging.getLogger(__name__)

def load_state(store: ObjectStore) -> tuple[dict[str, Any], str | None]:
    got = store.get_with_etag(store.key(PROCESSED))
    if got is None:
        return {"files": {}}, None
    return json.loads(got[0]), got[1]


def discover(store: ObjectStore, settings: Settings, sources: list[str],
             run_id: str | None = None) -> list[dict[str, Any]]:
    """New incoming files (not yet consumed by another run, by content hash), in key order."""
    state, _ = load_state(store)
    consumed = state.get("files", {})
    prefixes = {"synthetic": settings.sources.synthetic_prefix, "real": settings.sources.real_prefix}
    found: list[dict[str, Any]] = []
    seen_hashes: set[str] = set()
    for source in sources:
        # A prefix is a folder: incoming/real must not also list incoming/real-archive/.
        for obj in store.list(store.key(prefixes[source]).rstrip("/") + "/"):
            key = obj["Key"]
            if not is_input_name(key):
                continue
            got = store.sha256(key)  # streamed: an oversized object costs time, not memory
            if got is None:
                log.warning("incoming file %s was deleted while listing; skipped", key)
                continue
            digest, size = got
            mark = consumed.get(digest)
            if (mark is not None and (run_id is None or mark.get("run_id") != run_id)) or digest in seen_hashes:
                continue
            seen_hashes.add(digest)
            found.append({"key": key, "source": source, "sha256": digest, "bytes": size})
    return found


def mark_consumed(store: ObjectStore, files: list[dict[str, Any]], run_id: str, attempts: int = 5) -> None:
    """Record files as consumed; a conditional write (ObjectStore.update) so two writers never
    lose each other's marks."""

    def add_marks(data: bytes | None) -> bytes | None:
        state = json.loads(data) if data is not None else {"files": {}}
        entries = state.setdefault("files", {})
        changed = False
        for f in files:
            if f["sha256"] not in entries:
                entries[f["sha256"]] = {"key": f["key"], "source": f["source"], "run_id": run_id,
                                        "status": f.get("status", "consumed")}
                changed = True
        return json_bytes(state) if changed else None

    store.update(store.key(PROCESSED), add_marks, attempts=attempts)

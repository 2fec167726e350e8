"""models/ner/runs/<hash>.json: which version id a DAG run owns, so a retried or re-run
promotion reuses it, and a new attempt's id when the old one holds other weights. Every write
is conditional, so two attempts of one run agree on one id."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from .layout import run_hash, run_map
from .storage import ObjectStore, PreconditionFailed, json_bytes
from .timestamps import iso as _iso

log = logging.getLogger("ner_pipeline.registry")


def _vid(now: datetime, run_id: str, attempt: int | None = None) -> str:
    base = f"v{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{run_hash(run_id)[:8]}"
    return base if attempt is None else f"{base}-a{attempt}"


def version_for_run(store: ObjectStore, run_id: str) -> str | None:
    got = store.get_json(store.key(run_map(run_id)))
    return got["version"] if got else None


def claim(store: ObjectStore, run_id: str, now: datetime) -> str:
    """The version id this run owns: `v<UTC yyyymmddThhmmssmmm>Z-<sha256(run_id)[:8]>`.

    Sorts by the time of the run's first promotion attempt and is unique per run; the first
    call stores it (If-None-Match), so every later call for the same run returns the same id.
    """
    key = store.key(run_map(run_id))
    existing = store.get_json(key)
    if existing:
        return existing["version"]
    vid = _vid(now, run_id)
    try:
        store.put_json(key, {"run_id": run_id, "version": vid, "created_at": _iso(now)}, if_none_match=True)
    except PreconditionFailed:  # a concurrent attempt of the same run got there first
        return store.get_json(key)["version"]
    return vid


def next_attempt(store: ObjectStore, run_id: str, current: str, now: datetime) -> str:
    """A new attempt's version id for this run (`<timestamp>Z-<hash>-a<n>`), recorded in the
    run map by a conditional write so every later call returns it."""
    key = store.key(run_map(run_id))
    got = store.get_with_etag(key)
    entry: dict[str, Any]
    entry, etag = (json.loads(got[0]), got[1]) if got else ({"run_id": run_id, "version": current}, None)
    if entry.get("version") != current:  # another attempt moved it already
        return entry["version"]
    earlier = list(entry.get("earlier") or []) + [current]
    vid = _vid(now, run_id, len(earlier) + 1)
    new = {"run_id": run_id, "version": vid, "created_at": _iso(now), "earlier": earlier}
    try:
        store.put_conditional(key, json_bytes(new), etag)
    except PreconditionFailed:
        return store.get_json(key)["version"]
    log.warning("version %s of run %s holds other weights than this attempt's staging: this attempt is %s",
                current, run_id, vid)
    return vid

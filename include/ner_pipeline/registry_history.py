"""models/ner/history.jsonl: an append-only log of decisions, promotions and rollbacks, one
JSON object a line, appended by a read and a conditional PUT, each event at most once."""

from __future__ import annotations

from typing import Any

from . import jsonl
from .storage import ObjectStore

ATTEMPTS = 10
PROMOTION_KINDS = ("promotion", "forced_promotion")
SERVING_KINDS = PROMOTION_KINDS + ("rollback",)  # the events that make a version champion


def parse(data: bytes) -> list[dict[str, Any]]:
    """Every event, oldest first (a line that does not parse is skipped)."""
    return [e for e in jsonl.load_lines(data, skip_bad=True) if isinstance(e, dict)]


def same_event(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """One event per op_id when it has one (rollbacks), else per (run_id, kind)."""
    if b.get("op_id"):
        return a.get("op_id") == b["op_id"]
    return b.get("run_id") is not None and a.get("run_id") == b["run_id"] and a.get("kind") == b["kind"]


def ever_champion(history: list[dict[str, Any]]) -> set[str]:
    """Every version some event made the champion."""
    return {e["version"] for e in history if e.get("kind") in SERVING_KINDS and e.get("version")}


def append(store: ObjectStore, key: str, entry: dict[str, Any]) -> bool:
    """Append `entry` unless the same event is there (False then). If-Match on the ETag read
    (If-None-Match for the first line), retried when another writer appended in between."""
    line = jsonl.dump_line(entry, sort_keys=True, default=str)

    def add_line(data: bytes | None) -> bytes | None:
        data = data or b""
        if any(same_event(e, entry) for e in parse(data)):
            return None
        if data and not data.endswith(b"\n"):
            data += b"\n"
        return data + line

    return store.update(key, add_line, attempts=ATTEMPTS, content_type="application/x-ndjson")


def promotion_entry(kind: str, vid: str, previous: str | None, blessing: dict[str, Any],
                    metrics: dict[str, Any], reason: str, who: str) -> dict[str, Any]:
    """The history line of a promotion: what moved the pointer and the gate decision behind it."""
    return {"kind": kind, "version": vid, "previous": previous, "reason": reason, "who": who,
            "micro_f1": (metrics.get("micro") or {}).get("f1"), "passed": bool(blessing.get("passed")),
            "gated_against": blessing.get("champion_version"), "reasons": blessing.get("reasons", []),
            "rules": [{k: r.get(k) for k in ("rule", "label", "value", "threshold", "outcome", "action")}
                      for r in blessing.get("rules", [])]}

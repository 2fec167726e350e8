"""Stage 8: the run summary (stored, logged, and what `make run` prints)."""

from __future__ import annotations

import logging
from typing import Any

from ..config import Settings
from ..errors import StageError
from ..layout import LAST_RUN, RunPaths
from ..storage import ObjectStore
from ..timestamps import iso, utcnow
from .base import store_of

log = logging.getLogger("ner_pipeline.stages")


def _now() -> str:
    return iso(utcnow())


def report(settings: Settings, run_id: str, *, validated: dict[str, Any] | None, evaluation: dict[str, Any] | None,
           decision: dict[str, Any] | None, promoted: dict[str, Any] | None,
           rejected: dict[str, Any] | None, store: ObjectStore | None = None) -> dict[str, Any]:
    """Assemble the run summary (counts, metrics, gate, outcome), store it and return it."""
    store = store_of(settings, store)
    summary: dict[str, Any] = {"run_id": run_id, "finished_at": _now()}
    if validated:
        rep = store.get_json(store.key_of(validated["report_uri"])) or {}
        summary["validation"] = {"counts": validated["counts"], "by_source": rep.get("by_source", {}),
                                 "quarantined_by_reason": rep.get("quarantined_by_reason", {}),
                                 "rejected_files": validated.get("rejected_files", []),
                                 "skipped_files": validated.get("skipped_files", [])}
        conv = rep.get("conventions") or {}
        if conv.get("conflicts_found"):
            from ..validate.conventions_check import key as convention_key

            summary["validation"]["convention_conflicts"] = {
                "count": conv["conflicts_found"], "compared": conv.get("compared", 0),
                "largest": [convention_key(r) for r in conv.get("conflicts", [])[:5]]}
    if evaluation:
        summary["metrics"] = store.get_json(store.key_of(evaluation["metrics_uri"]))
        if evaluation.get("champion_metrics_uri"):
            summary["champion_metrics"] = store.get_json(store.key_of(evaluation["champion_metrics_uri"]))
    if decision:
        summary["blessing"] = store.get_json(store.key_of(decision["blessing_uri"]))
    if promoted and promoted.get("promoted"):
        summary["outcome"] = {"promoted": True, "version": promoted["version"], "uri": promoted["uri"]}
    else:
        why = (rejected or promoted or {}).get("reason") or "pipeline did not reach the gate"
        summary["outcome"] = {"promoted": False, "reason": why}
    key = store.key(RunPaths(run_id).summary)
    store.put_json(key, summary)
    store.put_json(store.key(LAST_RUN), {"run_id": run_id, "summary_uri": store.uri(key)})
    text = format_summary(summary)
    log.info("run summary\n%s", text)
    if validated and validated.get("rejected_files"):
        names = ", ".join(r["path"] for r in validated["rejected_files"])
        raise StageError(f"input file(s) rejected by validation: {names}; see {validated['report_uri']}")
    return {"summary_uri": store.uri(key), "outcome": summary["outcome"]}


def format_summary(summary: dict[str, Any]) -> str:
    """Human-readable run summary (what `make run` prints at the end)."""
    lines: list[str] = [f"Run {summary.get('run_id')}"]
    val = summary.get("validation")
    if val:
        lines.append("\nRecords by source")
        lines.append(f"  {'source':<10} {'read':>7} {'accepted':>9} {'repaired':>9} {'quarantined':>12}")
        by_source = val.get("by_source") or {}
        rows = list(by_source.items()) + [("total", val["counts"])]
        for src, c in rows:
            lines.append(f"  {src:<10} {c.get('records_read', 0):>7} {c.get('accepted', 0):>9} "
                         f"{c.get('repaired', 0):>9} {c.get('quarantined', 0):>12}")
        if val.get("quarantined_by_reason"):
            lines.append("  quarantined by reason: " + ", ".join(f"{k}={v}" for k, v in sorted(val["quarantined_by_reason"].items())))
        for r in val.get("rejected_files", []):
            lines.append(f"  REJECTED FILE: {r.get('message') or r['path']}")
        for r in val.get("skipped_files", []):
            lines.append(f"  SKIPPED FILE: {r['key']} ({r['reason']})")
        if val.get("convention_conflicts"):
            cc = val["convention_conflicts"]
            lines.append(f"  convention conflicts between sources (reported, not blocking): {cc['count']} of "
                         f"{cc['compared']} compared; largest: {', '.join(cc['largest'])}")
    if summary.get("metrics"):
        from ..evaluate.gate import evaluated_on
        from ..evaluate.score import format_metrics_table

        data = evaluated_on(summary["metrics"])
        lines.append("\nTest-set entity metrics (strict, character spans)")
        lines.append(f"Test data: {data['statement']}")
        lines.append(format_metrics_table(summary["metrics"], summary.get("champion_metrics")))
        if data["decided_on"] == "real":  # the records that decide the gate, on their own
            champ = (summary.get("champion_metrics") or {}).get("by_source", {}).get("real")
            lines.append("\nReal records only (these decide the gate)")
            lines.append(format_metrics_table(summary["metrics"]["by_source"]["real"], champ))
    if summary.get("blessing"):
        from ..evaluate.formatting import format_gate_table

        b = summary["blessing"]
        lines.append(f"\nGate: {'PASSED' if b['passed'] else 'FAILED'}")
        lines.append(format_gate_table(b))
    out = summary.get("outcome", {})
    lines.append("")
    if out.get("promoted"):
        lines.append(f"PROMOTED version {out['version']}: {out['uri']}")
    else:
        lines.append(f"NOT PROMOTED: {out.get('reason')}")
    return "\n".join(lines)

"""The run's validation report: counts, codes, ids and offsets only, never text."""

from __future__ import annotations

from typing import Any

from ..records import LABELS
from .gx_suite import CONVENTION_COLUMN, label_partition  # light: gx_suite imports GX inside functions only


def build_report(v: Any, gx_summary: dict[str, Any], *, run_id: str,
                 previous_label_counts: dict[str, int] | None,
                 conventions: dict[str, Any] | None = None) -> dict[str, Any]:
    total = v.total
    label_counts = {lab: int(v.label_counts.get(lab, 0)) for lab in LABELS}
    min_support = v.settings.gate.min_support
    gx_ok = gx_summary.get("success", True)
    return {
        "run_id": run_id,
        "success": not v.rejected and gx_ok,
        **total.as_dict(),
        "output_records": total.accepted + total.repaired,
        "label_counts": label_counts,
        "label_support": {"min_support": min_support,
                          "below": {lab: n for lab, n in label_counts.items() if n < min_support}},
        "drift": _drift(gx_summary, previous_label_counts, v.vs.drift_limit),
        "by_source": {src: t.counts() for src, t in sorted(v.by_source.items())},
        "files": v.files,
        "rejected_files": v.rejected,
        "audit": v.audit,
        "completeness": v.completeness.report(v.vs, v.completeness_by_file),
        "conventions": _with_gx(conventions, gx_summary),
        "gx": gx_summary,
        "settings": {"validation": v.vs.model_dump(mode="json"), "min_support": min_support},
    }


def _drift(gx_summary: dict[str, Any], previous: dict[str, int] | None, limit: float) -> dict[str, Any]:
    if not gx_summary.get("drift_checked"):
        return {"status": "skipped", "limit": limit,
                "reason": "no previous snapshot" if not previous else "GX not run or no spans"}
    item = next(i for i in gx_summary["expectations"] if i["expectation"] == "expect_column_kl_divergence_to_be_less_than")
    return {"status": "ok" if item["success"] else "warn", "kl_divergence": item.get("observed_value"),
            "limit": limit, "expected_partition": label_partition(previous or {})}


def _with_gx(conventions: dict[str, Any] | None, gx_summary: dict[str, Any]) -> dict[str, Any] | None:
    """The conventions section plus what GX said of the per-source conventions table."""
    if conventions is None:
        return None
    item = next((i for i in gx_summary.get("expectations", ()) if i.get("column") == CONVENTION_COLUMN), None)
    gx = ("not run" if gx_summary.get("skipped") else "nothing to compare" if item is None
          else "warning" if not item["success"] else "passed")
    return {**conventions, "gx": gx}

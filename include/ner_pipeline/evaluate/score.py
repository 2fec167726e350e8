"""The metrics table for logs (the metrics themselves: metrics.py)."""

from __future__ import annotations

from typing import Any

from ..metrics import EMPTY
from ..records import LABELS


def format_metrics_table(metrics: dict[str, Any], champion_metrics: dict[str, Any] | None = None) -> str:
    """A fixed-width table for logs: label, P, R, F1, support (+ champion F1 and delta)."""
    head = f"{'label':<14} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"
    if champion_metrics is not None:
        head += f" {'champ_f1':>8} {'delta_f1':>8}"
    lines = [head, "-" * len(head)]

    def line(name: str, row: dict[str, Any], champ: dict[str, Any] | None) -> str:
        s = f"{name:<14} {row['precision']:>9.4f} {row['recall']:>7.4f} {row['f1']:>7.4f} {row['support']:>8d}"
        if champion_metrics is not None:
            if champ is None:
                s += f" {'-':>8} {'-':>8}"
            else:
                s += f" {champ['f1']:>8.4f} {row['f1'] - champ['f1']:>+8.4f}"
        return s

    champ_labels = (champion_metrics or {}).get("per_label", {})
    for lab in LABELS:
        lines.append(line(lab, metrics["per_label"].get(lab, EMPTY), champ_labels.get(lab)))
    lines.append("-" * len(head))
    lines.append(line("micro", metrics["micro"], (champion_metrics or {}).get("micro")))
    return "\n".join(lines)

"""What the reviewer of a promotion sees (approval.prepare puts it in the approval task):
challenger vs champion per entity, real vs synthetic, every gate rule and a confusion summary.
Numbers, label names, ids and the trigger's reason only: never record text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .evaluate.formatting import md_rules_table, md_table
from .evaluate.gate import evaluated_on

SCHEDULER = "airflow"  # who a scheduled run's changes are recorded as


def _delta(a: Any, b: Any) -> str:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return f"{a - b:+.4f}"
    return "–"


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return md_table(header, rows, none="–")


def confusion_summary(confusion: dict[str, Any] | None, top: int = 6) -> dict[str, Any]:
    """The largest off-diagonal cells of the word-level confusion matrix (gold -> predicted),
    and per label the words missed (predicted O) and the words invented (gold O)."""
    if not confusion or not confusion.get("matrix"):
        return {"n_words": 0, "top": [], "missed": {}, "spurious": {}}
    labels, matrix = confusion["labels"], confusion["matrix"]
    cells = [(matrix[i][j], labels[i], labels[j]) for i in range(len(labels)) for j in range(len(labels))
             if i != j and labels[i] != "O" and labels[j] != "O" and matrix[i][j]]
    o = labels.index("O") if "O" in labels else None
    missed = {labels[i]: matrix[i][o] for i in range(len(labels)) if o is not None and i != o and matrix[i][o]}
    spurious = {labels[j]: matrix[o][j] for j in range(len(labels)) if o is not None and j != o and matrix[o][j]}
    return {"n_words": confusion.get("n_words", 0),
            "top": [{"gold": g, "predicted": p, "words": n} for n, g, p in sorted(cells, key=lambda c: (-c[0], c[1], c[2]))[:top]],
            "missed": missed, "spurious": spurious}


def review_body(*, run_id: str, blessing: dict[str, Any], metrics: dict[str, Any],
                champion_metrics: dict[str, Any] | None, confusion: dict[str, Any] | None,
                run_page_url: str, triggered_by: str | None, forced: bool, reason: str,
                timeout: timedelta) -> str:
    """Markdown for the approval task: challenger vs champion per entity, real vs synthetic, every
    gate rule, the confusion summary and a link to the run's "NER models" page. Numbers, label
    names, ids and the trigger's reason only."""
    champ = champion_metrics or {}
    champ_v = blessing.get("champion_version") or champ.get("version")
    lines = [f"**Run** `{run_id}` asks to become the serving NER model"
             + (f" (now: `{champ_v}`)." if champ_v else " (there is no champion yet).")]
    lines.append(f"Triggered by **{triggered_by or SCHEDULER}**"
                 + (f"; reason: {reason.strip()}" if reason and reason.strip() else "") + ".")
    if forced:
        lines.append("**Forced promotion: the gate did NOT pass.** Blocked by: "
                     + "; ".join(blessing.get("reasons") or ["(no reason recorded)"]))
    else:
        lines.append("The gate **passed**." + (f" Warnings: {'; '.join(blessing['warnings'])}"
                                                if blessing.get("warnings") else ""))
    lines += ["", f"[Everything about this run (validation, metrics, gate, confusion matrix, model card)]({run_page_url})",
              "", "### Challenger vs champion (test split, strict entity level)", ""]
    lines += _entity_table(metrics, champ)
    lines += ["", "### Real vs synthetic test records", ""] + _source_table(metrics, champ)
    lines += ["", "### Gate rules", "", f"Test data: {(blessing.get('test_data') or evaluated_on(metrics))['statement']}.", ""]
    lines += md_rules_table(blessing.get("rules") or [], none="–")
    lines += _confusion_lines(confusion_summary(confusion))
    hours = f"{timeout.total_seconds() / 3600:g}"
    lines += ["", "---", f"**Approve** promotes this model. **Reject** keeps the champion; say why in the comment. "
              f"With no answer in {hours} h the run is recorded as not approved."]
    return "\n".join(lines)


def _entity_table(metrics: dict[str, Any], champ: dict[str, Any]) -> list[str]:
    from .records import LABELS

    per, cper = metrics.get("per_label") or {}, champ.get("per_label") or {}
    labels = [lab for lab in list(LABELS) + [k for k in per if k not in LABELS] if lab in per or lab in cper]
    rows = []
    for lab, m, c in [("micro", metrics.get("micro") or {}, champ.get("micro") or {})] + \
            [(lab, per.get(lab) or {}, cper.get(lab) or {}) for lab in labels]:
        rows.append([lab, m.get("support"), m.get("precision"), m.get("recall"), m.get("f1"),
                     c.get("f1") if champ else None, _delta(m.get("f1"), c.get("f1")) if champ else "–"])
    return _md_table(["entity", "support", "precision", "recall", "F1", "champion F1", "Δ F1"], rows)


def _source_table(metrics: dict[str, Any], champ: dict[str, Any]) -> list[str]:
    by_src, cby_src = metrics.get("by_source") or {}, champ.get("by_source") or {}
    if not by_src:
        return ["No per-source results stored."]
    rows = [[src, d.get("n_records"), (d.get("micro") or {}).get("precision"), (d.get("micro") or {}).get("recall"),
             (d.get("micro") or {}).get("f1"), ((cby_src.get(src) or {}).get("micro") or {}).get("f1") if champ else None]
            for src, d in sorted(by_src.items())]
    out = _md_table(["source", "records", "precision", "recall", "F1", "champion F1"], rows)
    if "real" not in by_src:
        out.append("\nNo real records in the test split: every score above is on synthetic data.")
    return out


def _confusion_lines(cs: dict[str, Any]) -> list[str]:
    lines = ["", f"### Confusion summary ({cs['n_words']} test words, word level)", ""]
    if cs["top"]:
        lines.append("Most confused (gold → predicted): "
                     + ", ".join(f"{c['gold']} → {c['predicted']}: {c['words']}" for c in cs["top"]) + ".")
    else:
        lines.append("No word was given another entity label.")
    if cs["missed"]:
        lines.append("Missed (predicted O): " + ", ".join(f"{k} {v}" for k, v in cs["missed"].items()) + ".")
    if cs["spurious"]:
        lines.append("Invented (gold O): " + ", ".join(f"{k} {v}" for k, v in cs["spurious"].items()) + ".")
    return lines

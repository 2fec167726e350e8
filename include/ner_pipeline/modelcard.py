"""The model card stored with every registry version (model_card.md).

Built only from counts, ids, metrics and thresholds: the dataset manifest (never the records),
the test metrics, the blessing and the lineage. No transcript text can reach it because no
input holds any.
"""

from __future__ import annotations

from typing import Any

from .evaluate.formatting import fmt_value, md_rules_table, md_table
from .evaluate.gate import evaluated_on
from .records import LABELS

INTENDED_USE = (
    "Assist child-helpline case workers by suggesting names, victims, perpetrators, ages, genders, "
    "places, landmarks, phone numbers and incident types in call transcripts. A human reviews every "
    "extraction before it is used; the model never decides anything about a case on its own."
)

KNOWN_LIMITS = (
    "Training data is mostly synthetic: real calls are more varied, noisier and code-switched.",
    "English only; Swahili or mixed-language transcripts are out of scope.",
    "Rare labels have little test support, so their scores are uncertain (see the support column).",
    "Scores are strict entity-level matches on character spans; partial matches count as errors.",
)


def _f(v: Any) -> str:
    return fmt_value(v, none="-")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return md_table(header, rows, none="-")


def _labels(*dicts: dict[str, Any]) -> list[str]:
    seen = list(LABELS)
    for d in dicts:
        seen += [k for k in d if k not in seen]
    return seen


def sign_off(blessing: dict[str, Any]) -> list[str]:
    """Who did what, from the blessing: the trigger, a forced promotion, the reviewer's decision."""
    out = [f"Triggered by: {blessing.get('triggered_by') or 'airflow (schedule)'}"
           + (f" ({blessing['trigger_reason']})" if blessing.get("trigger_reason") else "")]
    forced = blessing.get("forced") or ({"who": blessing.get("triggered_by"), "reason": blessing.get("trigger_reason")}
                                        if blessing.get("force_promote") and not blessing.get("passed") else {})
    if forced:
        out.append(f"Forced promotion by {forced.get('who') or '-'}: {forced.get('reason') or '-'}")
    review = blessing.get("approval") or {}
    if review:
        by = review.get("by") or "nobody (timed out)"
        out.append(f"Review: {review.get('decision')} by {by} at {review.get('at') or '-'}"
                   + (f": {review['comment']}" if review.get("comment") else ""))
    else:
        mode = blessing.get("approval_mode")
        out.append("Review: none (promotion.approval: auto; the gate decided)" if mode != "required"
                   else "Review: none recorded")
    return out


def serving_lines(metrics: dict[str, Any]) -> list[str]:
    """What the consumer's stock transformers pipeline returns from this folder vs what was
    scored (evaluate/serving.py): the serving_agreement figure and its counts."""
    sv = metrics.get("serving")
    if not sv:
        return []
    out = ["## Serving check (stock transformers pipeline)", ""]
    if sv.get("error"):
        return out + [f"- Could not run: {sv['error']}", ""]
    out.append(f"- `pipeline(\"token-classification\", aggregation_strategy=\"{sv.get('aggregation')}\")` "
               f"(transformers {_f(sv.get('transformers'))}) on the {_f(sv.get('n_records'))} test texts: "
               f"span agreement F1 {_f(sv.get('f1'))} with the scored predictions ({_f(sv.get('served_spans'))} "
               f"served, {_f(sv.get('scored_spans'))} scored, {_f(sv.get('matched'))} identical; "
               f"{_f(sv.get('records_identical'))} records identical)")
    out.append(f"- Served spans that cut a word: {_f(sv.get('fragments'))}; "
               f"only a stopword: {_f(sv.get('stopword_only'))}")
    if sv.get("multi_window_texts"):
        multi = (sv.get("multi_window") or {}).get("f1")
        out.append(f"- {sv['multi_window_texts']} texts longer than one {_f(sv.get('window_tokens'))}-token window "
                   f"ran with the pipeline's stride {_f(sv.get('stride'))}: agreement F1 {_f(multi)} on them")
    for src, a in sorted((sv.get("by_source") or {}).items()):
        out.append(f"- {src} records ({_f(a.get('n_records'))}): agreement F1 {_f(a.get('f1'))}")
    rows = [[agg, r.get("f1"), r.get("fragments")] for agg, r in (sv.get("by_aggregation") or {}).items()]
    if rows:
        out += [""] + _table(["aggregation", "agreement F1", "fragments"], rows)
    return out + [""]


def render(*, metrics: dict[str, Any], blessing: dict[str, Any], lineage: dict[str, Any],
           manifest: dict[str, Any] | None = None, settings: Any = None, version: str | None = None) -> str:
    """Markdown card: data snapshot, label counts, per-entity metrics, gate thresholds and rule
    outcomes, intended use, known limits and lineage. `manifest` is the dataset snapshot's
    manifest.json (split.py); `settings` is accepted for callers that pass it and is unused."""
    manifest = manifest or {}
    data = blessing.get("test_data") or evaluated_on(metrics)  # older blessings: from the metrics
    lines = _summary(metrics, blessing, lineage, data, version)
    lines += _data_section(manifest, lineage)
    lines += _metrics_section(metrics, blessing, data)
    lines += _gate_section(blessing, data)
    lines += serving_lines(metrics)
    lines += ["## Sign-off", ""] + [f"- {x}" for x in sign_off(blessing)] + [""]
    lines += _limits_section(blessing, manifest)
    if lineage:
        lines += ["## Lineage", ""] + _table(["field", "value"], [[k, v] for k, v in sorted(lineage.items())]) + [""]
    return "\n".join(lines)


def _summary(metrics: dict[str, Any], blessing: dict[str, Any], lineage: dict[str, Any], data: dict[str, Any],
             version: str | None) -> list[str]:
    micro = metrics.get("micro") or {}
    decision = "promoted by the gate" if blessing.get("passed") else "did NOT pass the gate"
    if not blessing.get("passed") and (blessing.get("force_promote") or blessing.get("forced")):
        decision += " (forced promotion)"
    return [
        f"# Child-helpline NER model{f' {version}' if version else ''}", "",
        f"- Gate: {decision}",
        f"- Test micro F1 (strict, entity level): {_f(micro.get('f1'))} "
        f"(P {_f(micro.get('precision'))}, R {_f(micro.get('recall'))}) on {_f(metrics.get('n_records'))} records",
        f"- Test data: {data['statement']}",
        f"- Base model: {_f(lineage.get('base_model'))}",
        f"- Run: {_f(lineage.get('run_id'))} (DAG {_f(lineage.get('dag_id'))})",
        "",
        "## Intended use", "", INTENDED_USE, "",
    ]


def _data_section(manifest: dict[str, Any], lineage: dict[str, Any]) -> list[str]:
    lines = ["## Data snapshot", "",
             f"- Snapshot: {_f(manifest.get('snapshot_id') or lineage.get('dataset_snapshot'))}",
             f"- Manifest sha256: {_f(lineage.get('dataset_manifest_sha256'))}", ""]
    counts = manifest.get("counts") or {}
    by_source = manifest.get("counts_by_source") or {}
    if counts:
        sources = sorted({s for d in by_source.values() for s in d})
        rows = [[s, counts[s]] + [(by_source.get(s) or {}).get(src, 0) for src in sources] for s in counts]
        lines += _table(["split", "records"] + sources, rows) + [""]
    label_counts = manifest.get("label_counts") or {}
    if label_counts:
        splits = list(label_counts)
        rows = [[lab] + [(label_counts[s] or {}).get(lab, 0) for s in splits] for lab in _labels(*label_counts.values())]
        lines += ["### Label counts (gold spans)", ""] + _table(["label"] + splits, rows) + [""]
    return lines


def _label_rows(per_label: dict[str, Any], champ_labels: dict[str, Any], with_champion: bool) -> list[list[Any]]:
    rows = []
    for lab in _labels(per_label):
        m = per_label.get(lab) or {}
        row = [lab, m.get("precision"), m.get("recall"), m.get("f1"), m.get("support")]
        if with_champion:
            row.append((champ_labels.get(lab) or {}).get("f1"))
        rows.append(row)
    return rows


def _metrics_section(metrics: dict[str, Any], blessing: dict[str, Any], data: dict[str, Any]) -> list[str]:
    champ = (blessing.get("inputs") or {}).get("champion_metrics") or {}
    champ_labels = champ.get("per_label") or {}
    header = ["label", "precision", "recall", "F1", "support"]
    if champ_labels:
        header.append(f"champion F1 ({blessing.get('champion_version') or '?'})")
    rows = _label_rows(metrics.get("per_label") or {}, champ_labels, bool(champ_labels))
    lines = ["## Per-entity metrics (test split)", ""] + _table(header, rows) + [""]
    sources = metrics.get("by_source") or {}
    if sources:
        rows = [[src, (d.get("micro") or {}).get("f1"), d.get("n_records")] for src, d in sorted(sources.items())]
        lines += ["### By source", ""] + _table(["source", "micro F1", "records"], rows) + [""]
    real = sources.get("real") or {}
    if data.get("decided_on") == "real" and real.get("per_label"):
        champ_real = ((champ.get("by_source") or {}).get("real") or {}).get("per_label") or {}
        rows = _label_rows(real["per_label"], champ_real, bool(champ_labels))
        lines += [f"### Real records ({real.get('n_records')}): these decided the gate", ""] + _table(header, rows) + [""]
    return lines


def _gate_section(blessing: dict[str, Any], data: dict[str, Any]) -> list[str]:
    rules = blessing.get("rules") or []
    if not rules:
        return []
    lines = ["## Gate thresholds and outcomes", "", f"Test data: {data['statement']}.", ""]
    lines += md_rules_table(rules, none="-") + [""]
    for b in blessing.get("bootstrap") or []:
        lines.append(f"- Drop intervals ({b['source']}): {100 * (1 - b['significance']):g}% paired bootstrap over "
                     f"{b['n_records']} test records, {b['resamples']} resamples, seed {b['seed']}; "
                     "* marks a significant drop (a drop beyond the tolerance blocks only then).")
    if blessing.get("bootstrap"):
        lines.append("")
    return lines


def _limits_section(blessing: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    lines = ["## Known limits", ""] + [f"- {item}" for item in KNOWN_LIMITS]
    thin = [r["label"] + ("" if r.get("source", "all") == "all" else f" ({r['source']})") for r in blessing.get("rules") or []
            if str(r.get("rule", "")).endswith("support") and r.get("outcome") == "insufficient_support"]
    if thin:
        lines.append(f"- Too little test support for a reliable score: {', '.join(thin)}.")
    train_src = (manifest.get("counts_by_source") or {}).get("train") or {}
    if train_src:
        total = sum(train_src.values()) or 1
        lines.append(f"- Training records: {train_src.get('synthetic', 0)} synthetic, {train_src.get('real', 0)} real "
                     f"({100 * train_src.get('synthetic', 0) / total:.0f}% synthetic).")
    return lines + [""]

"""The promotion gate: one pure function from metrics to a blessing (docs/CONTRACTS.md).

`decide(metrics, gate, champion_metrics, champion_version=...)` applies, in order:

1. `micro_f1`: overall micro F1 strictly greater than `gate.micro_f1_min` (exactly 0.75 fails).
2. per label (every label of records.LABELS, plus any other label in the metrics or the config):
   `support`: at least `gate.min_support` gold spans in the test split, else the outcome is
   `insufficient_support` (a score on a handful of spans is noise, so it may not pass);
   `label_f1`: F1 >= the label's `min_f1` (`gate.labels[label]`, else `gate.default_label`).
3. `no_regression_micro` / `no_regression_label`: against the champion re-scored on the same
   test records, a micro F1 drop beyond `gate.max_micro_drop` (a label's beyond
   `gate.max_label_drop`) fails only when it is significant by a paired bootstrap over the test
   records (evaluate/bootstrap.py, `gate.bootstrap`); each such rule carries the `interval` of
   the drop. Without per-record counts (or with `gate.bootstrap.resamples` 0) the raw drop
   decides. With no champion, one `skipped` rule says so.
4. Which records decide (`test_data` in the blessing): with no real records in the test split,
   rules 1-3 run on all of it, and `real_micro_f1` is `skipped` ("evaluated on synthetic data
   only"). With real records, rules 1-3 run on the real-source metrics as `real_micro_f1`,
   `real_support`, `real_label_f1`, `real_no_regression_micro`, `real_no_regression_label`, with
   the thresholds of `gate.real` (each null inherits the gate's own; `gate.real_micro_f1_min` is
   the older name of `gate.real.micro_f1_min`), and decide; the synthetic-source ones are
   reported beside them as `synthetic_*` rules with action `warn` (never blocking).
5. `serving_agreement`: the saved model folder run through the consumer's stock transformers
   pipeline (aggregation simple) on the test texts returns the scored spans: span F1 at least
   `gate.serving_agreement_min` (metrics["serving"], evaluate/serving.py). Always blocks;
   `skipped` only for metrics that carry no serving check (not written by the evaluate task).

Every rule has a `source`: "all" (the whole test split), "real" or "synthetic".

Every per-label rule (support, label_f1, no_regression_label) takes the label's `action`: a
failing `block` rule has outcome `fail` (or `insufficient_support`) and rejects the model, a
failing `warn` rule has outcome `warn` (or `insufficient_support` with action `warn`) and is only
reported. The micro, regression-micro and real rules always block. The blessing also carries
its own inputs (`inputs`: metrics, champion metrics, thresholds), so any decision can be
re-derived later from blessing.json alone.

No I/O and no clock here: the caller stores, logs and timestamps the result.
"""

from __future__ import annotations

from typing import Any

from ..config import GateSettings
from ..records import LABELS
from .gate_rules import (Thresholds, make_rule, overall_thresholds, real_thresholds, regression_rules,
                         serving_agreement_rule, threshold_rules)


BLOCKING_OUTCOMES = ("fail", "insufficient_support")
SYNTHETIC_ONLY = "evaluated on synthetic data only"


def evaluated_on(metrics: dict[str, Any]) -> dict[str, Any]:
    """Which data the test split holds (records per source) and which of it decides the gate."""
    by_source = metrics.get("by_source") or {}
    records = {src: int((d or {}).get("n_records") or 0) for src, d in sorted(by_source.items())}
    records = {src: n for src, n in records.items() if n}
    n_real = records.get("real", 0)
    n_other = sum(n for src, n in records.items() if src != "real")
    if not n_real:
        return {"records": records, "decided_on": "all", "statement": SYNTHETIC_ONLY}
    if not n_other:
        statement = f"evaluated on real data only ({n_real} records)"
    else:
        statement = (f"evaluated on {n_real} real and {n_other} synthetic records; the real records decide the gate "
                     "(synthetic results are reported beside them, non-blocking)")
    return {"records": records, "decided_on": "real", "statement": statement}

def _labels(metrics: dict, gate: GateSettings, champion: dict | None) -> list[str]:
    seen = list(LABELS)
    for source in (metrics.get("per_label") or {}, gate.labels, (champion or {}).get("per_label") or {}):
        seen += [lab for lab in source if lab not in seen]
    return seen


def _check_same_test_set(metrics: dict, champion: dict) -> None:
    """A regression check across different test records would compare noise with noise."""
    for path in (("n_records",), ("micro", "support")):
        a, b = metrics, champion
        for p in path:
            a = a.get(p) if isinstance(a, dict) else None
            b = b.get(p) if isinstance(b, dict) else None
        if a is not None and b is not None and a != b:
            raise ValueError(f"champion metrics were not computed on the same test records "
                             f"({'.'.join(path)}: candidate {a}, champion {b})")
    a_ids, b_ids = (sorted(str(r.get("id")) for r in m["per_record"]) if m.get("per_record") is not None else None
                    for m in (metrics, champion))
    if a_ids is not None and b_ids is not None and a_ids != b_ids:
        raise ValueError("champion metrics were not computed on the same test records (per_record ids differ)")

def _records(metrics: dict[str, Any] | None, source: str | None) -> list[dict[str, Any]] | None:
    rows = (metrics or {}).get("per_record")
    if rows is None:
        return None
    return [r for r in rows if source is None or r.get("source") == source]


def _bootstrap(metrics: dict[str, Any], champion: dict[str, Any] | None, source: str | None, labels: list[str],
               gate: GateSettings) -> dict[str, Any] | None:
    """The paired bootstrap of champion minus candidate F1 on one source's records; None when
    it cannot run (no champion, no per-record counts, resamples 0): the raw drop decides then."""
    if champion is None or gate.bootstrap.resamples <= 0:
        return None
    a, b = _records(metrics, source), _records(champion, source)
    if a is None or b is None:
        return None
    from .bootstrap import paired_bootstrap

    return paired_bootstrap(a, b, labels, resamples=gate.bootstrap.resamples,
                            significance=gate.bootstrap.significance, seed=gate.bootstrap.seed)

def decide(metrics: dict[str, Any], gate: GateSettings, champion_metrics: dict[str, Any] | None = None, *,
           champion_version: str | None = None) -> dict[str, Any]:
    """Apply the gate to a candidate's test metrics; returns the blessing (see module docstring).

    `metrics` / `champion_metrics` have the evaluate/score.py shape; the champion's must come from
    re-scoring it on the same test records (checked through n_records and micro support: a
    mismatch raises ValueError). Keys added to the blessing beyond CONTRACTS.md: `warnings`
    (non-blocking failures), `champion_version`, `thresholds` (the GateSettings used),
    `inputs` (metrics and champion metrics as given).
    """
    if champion_metrics is not None:
        _check_same_test_set(metrics, champion_metrics)
    rules: list[dict[str, Any]] = []
    data = evaluated_on(metrics)
    labels = _labels(metrics, gate, champion_metrics)
    boot_runs: list[dict[str, Any]] = []

    def judge(source: str, prefix: str, m: dict[str, Any], champ: dict[str, Any] | None, thr: Thresholds,
              report_only: bool) -> None:
        boot = _bootstrap(metrics, champion_metrics, None if source == "all" else source, labels, gate)
        if boot:
            boot_runs.append({k: boot[k] for k in ("n_records", "resamples", "significance", "seed")}
                             | {"source": source})
        rules.extend(threshold_rules(prefix, m, thr, labels, source=source, report_only=report_only))
        rules.extend(regression_rules(prefix, m, champ, boot, gate, thr, labels, source=source,
                                       report_only=report_only, champion_version=champion_version))

    by_source = metrics.get("by_source") or {}
    champ_sources = (champion_metrics or {}).get("by_source") or {}
    if data["decided_on"] == "real":
        # 4. real records decide; the synthetic ones are reported beside them, never blocking
        judge("real", "real_", by_source["real"], None if champion_metrics is None else champ_sources.get("real") or {},
              real_thresholds(gate), report_only=False)
        if data["records"].get("synthetic"):
            judge("synthetic", "synthetic_", by_source["synthetic"],
                  None if champion_metrics is None else champ_sources.get("synthetic") or {},
                  overall_thresholds(gate), report_only=True)
    else:
        # 1.-3. on the whole test split, which holds no real record
        judge("all", "", metrics, champion_metrics, overall_thresholds(gate), report_only=False)
        rules.append(make_rule("real_micro_f1", None, None, real_thresholds(gate).micro_f1_min, ">", None, "block",
                               f"no real records in the test split: {SYNTHETIC_ONLY}", source="real"))

    rules.append(serving_agreement_rule(metrics, gate))  # 5.

    blocking = [r for r in rules if r["action"] == "block" and r["outcome"] in BLOCKING_OUTCOMES]
    warnings = [r for r in rules if r["action"] == "warn" and r["outcome"] not in ("pass", "skipped")]
    passed = not blocking
    return {
        "passed": passed,
        "decision": "promote" if passed else "rejected",
        "rules": rules,
        "reasons": [r["detail"] for r in blocking],
        "warnings": [r["detail"] for r in warnings],
        "champion_version": champion_version,
        "test_data": data,
        "bootstrap": boot_runs,
        "thresholds": gate.model_dump(mode="json"),
        "inputs": {"metrics": metrics, "champion_metrics": champion_metrics},
    }


def decision_entry(blessing: dict[str, Any]) -> dict[str, Any]:
    """The compact form of a blessing for models/ner/history.jsonl (kind "gate"; no inputs)."""
    micro = ((blessing.get("inputs") or {}).get("metrics") or {}).get("micro", {}).get("f1")
    if micro is None:
        micro = next((r["value"] for r in blessing["rules"] if r["rule"] == "micro_f1"), None)
    return {
        "kind": "gate",
        "decision": blessing["decision"],
        "passed": blessing["passed"],
        "micro_f1": micro,
        "champion_version": blessing.get("champion_version"),
        "reasons": blessing.get("reasons", []),
        "warnings": blessing.get("warnings", []),
        "test_data": (blessing.get("test_data") or {}).get("statement"),
        "rules": [{k: r[k] for k in ("rule", "label", "value", "threshold", "outcome", "action")}
                  for r in blessing["rules"]],
    }

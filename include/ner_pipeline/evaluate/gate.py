"""The promotion gate: one pure function from metrics to a blessing (docs/CONTRACTS.md).

`decide(metrics, gate, champion_metrics, champion_version=...)` applies, in order:

1. `micro_f1`: overall micro F1 strictly greater than `gate.micro_f1_min` (exactly 0.75 fails).
2. per label (every label of records.LABELS, plus any other label in the metrics or the config):
   `support`: at least `gate.min_support` gold spans in the test split, else the outcome is
   `insufficient_support` (a score on a handful of spans is noise, so it may not pass);
   `label_f1`: F1 >= the label's `min_f1` (`gate.labels[label]`, else `gate.default_label`).
3. `no_regression_micro` / `no_regression_label`: against the champion re-scored on the same
   test records, micro F1 may drop by at most `gate.max_micro_drop` and each label's F1 by at
   most `gate.max_label_drop`. With no champion, one `skipped` rule says so.
4. `real_micro_f1`: when the test split holds real records, their micro F1 is reported; with
   `gate.real_micro_f1_min` set it must be strictly greater (like rule 1), else `skipped`.

Every per-label rule (support, label_f1, no_regression_label) takes the label's `action`: a
failing `block` rule has outcome `fail` (or `insufficient_support`) and rejects the model, a
failing `warn` rule has outcome `warn` (or `insufficient_support` with action `warn`) and is only
reported. The micro, regression-micro and real rules always block. The blessing also carries
its own inputs (`inputs`: metrics, champion metrics, thresholds), so any decision can be
re-derived later from blessing.json alone.

No I/O and no clock here: the caller stores, logs and timestamps the result.
"""

from __future__ import annotations

import math
from typing import Any

from ..config import GateSettings, LabelThreshold
from ..records import LABELS

# Float noise must not turn "drops exactly the allowed amount" into a failure
# (0.805 - 0.80 == 0.0050000000000000044).
_EPS = 1e-9

BLOCKING_OUTCOMES = ("fail", "insufficient_support")


def _num(value: Any) -> float | None:
    """A metric as a float; None for missing or NaN (both fail a threshold)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _label_rule(gate: GateSettings, label: str) -> LabelThreshold:
    return gate.labels.get(label, gate.default_label)


def _rule(rule: str, label: str | None, value: Any, threshold: Any, comparison: str, ok: bool | None,
          action: str, detail: str, *, failed_outcome: str = "fail") -> dict[str, Any]:
    """One row of the blessing; ok=None means the rule was skipped."""
    if ok is None:
        outcome = "skipped"
    elif ok:
        outcome = "pass"
    elif failed_outcome == "insufficient_support":
        outcome = failed_outcome  # reported as such whatever the action; the action says if it blocks
    else:
        outcome = "fail" if action == "block" else "warn"
    return {"rule": rule, "label": label, "value": value, "threshold": threshold, "comparison": comparison,
            "outcome": outcome, "action": action, "detail": detail}


def fmt_value(v: Any, none: str = "n/a") -> str:
    """A metric or threshold for a table or message: floats to 4 places, None as `none`."""
    if v is None:
        return none
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


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

    # 1. overall micro F1, strictly above the threshold
    micro = _num((metrics.get("micro") or {}).get("f1"))
    ok = micro is not None and micro > gate.micro_f1_min
    rules.append(_rule("micro_f1", None, micro, gate.micro_f1_min, ">", ok, "block",
                       f"micro_f1 {fmt_value(micro)} is {'' if ok else 'not '}> {gate.micro_f1_min}"))

    # 2. per label: enough support, then F1
    per_label = metrics.get("per_label") or {}
    labels = _labels(metrics, gate, champion_metrics)
    for label in labels:
        cfg = _label_rule(gate, label)
        m = per_label.get(label) or {}
        support = int(m.get("support") or 0)
        enough = support >= gate.min_support
        rules.append(_rule("support", label, support, gate.min_support, ">=", enough, cfg.action,
                           f"{label} has {support} test spans"
                           + ("" if enough else f", fewer than {gate.min_support}: its F1 is noise"),
                           failed_outcome="insufficient_support"))
        f1 = _num(m.get("f1"))
        ok = f1 is not None and f1 >= cfg.min_f1 - _EPS
        rules.append(_rule("label_f1", label, f1, cfg.min_f1, ">=", ok, cfg.action,
                           f"{label} f1 {fmt_value(f1)} is {'' if ok else 'not '}>= {cfg.min_f1}"))

    # 3. no regression against the champion, on the same test records
    if champion_metrics is None:
        rules.append(_rule("no_regression_micro", None, None, gate.max_micro_drop, "<=", None, "block",
                           "no champion yet: regression check skipped"))
    else:
        champ_micro = _num((champion_metrics.get("micro") or {}).get("f1")) or 0.0
        drop = None if micro is None else champ_micro - micro
        ok = drop is not None and drop <= gate.max_micro_drop + _EPS
        rules.append(_rule("no_regression_micro", None, drop, gate.max_micro_drop, "<=", ok, "block",
                           f"micro_f1 {fmt_value(micro)} vs champion {champion_version or '?'} {fmt_value(champ_micro)}: "
                           f"drop {fmt_value(drop)} (max {gate.max_micro_drop})"))
        champ_labels = champion_metrics.get("per_label") or {}
        for label in labels:
            cfg = _label_rule(gate, label)
            new = _num((per_label.get(label) or {}).get("f1"))
            old = _num((champ_labels.get(label) or {}).get("f1"))
            if old is None:
                rules.append(_rule("no_regression_label", label, None, gate.max_label_drop, "<=", None, cfg.action,
                                   f"{label}: champion has no score for this label"))
                continue
            drop = old - (new or 0.0)
            ok = drop <= gate.max_label_drop + _EPS
            rules.append(_rule("no_regression_label", label, drop, gate.max_label_drop, "<=", ok, cfg.action,
                               f"{label} f1 {fmt_value(new)} vs champion {fmt_value(old)}: drop {fmt_value(drop)} "
                               f"(max {gate.max_label_drop})"))

    # 4. real-source micro F1, when real records are in the test split
    real = (metrics.get("by_source") or {}).get("real") or {}
    real_f1 = _num((real.get("micro") or {}).get("f1"))
    n_real = real.get("n_records")
    thr = gate.real_micro_f1_min
    if not real or n_real == 0:
        rules.append(_rule("real_micro_f1", None, None, thr, ">", None, "block", "no real records in the test split"))
    elif thr is None:
        rules.append(_rule("real_micro_f1", None, real_f1, None, ">", None, "block",
                           f"real-source micro_f1 {fmt_value(real_f1)} on {n_real} records; reported only "
                           "(gate.real_micro_f1_min not set)"))
    else:
        ok = real_f1 is not None and real_f1 > thr
        rules.append(_rule("real_micro_f1", None, real_f1, thr, ">", ok, "block",
                           f"real-source micro_f1 {fmt_value(real_f1)} on {n_real} records is {'' if ok else 'not '}> {thr}"))

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
        "thresholds": gate.model_dump(mode="json"),
        "inputs": {"metrics": metrics, "champion_metrics": champion_metrics},
    }


def decision_entry(blessing: dict[str, Any]) -> dict[str, Any]:
    """The compact form of a blessing for models/ner/history.jsonl (kind "gate"; no inputs)."""
    micro = next((r["value"] for r in blessing["rules"] if r["rule"] == "micro_f1"), None)
    return {
        "kind": "gate",
        "decision": blessing["decision"],
        "passed": blessing["passed"],
        "micro_f1": micro,
        "champion_version": blessing.get("champion_version"),
        "reasons": blessing.get("reasons", []),
        "warnings": blessing.get("warnings", []),
        "rules": [{k: r[k] for k in ("rule", "label", "value", "threshold", "outcome", "action")}
                  for r in blessing["rules"]],
    }


_COLUMNS = (("rule", 20), ("label", 14), ("value", 8), ("cmp", 3), ("threshold", 9), ("outcome", 20), ("action", 6))


def format_gate_table(blessing: dict[str, Any]) -> str:
    """Fixed-width table of every rule (for the task log and the run summary)."""
    def cell(v: Any) -> str:
        return fmt_value(v, none="-")

    header = "  ".join(f"{name:<{w}}" for name, w in _COLUMNS)
    lines = [header, "-" * len(header)]
    for r in blessing["rules"]:
        vals = (r["rule"], r["label"], r["value"], r["comparison"], r["threshold"], r["outcome"], r["action"])
        lines.append("  ".join(f"{cell(v):<{w}}" if i < 2 or i > 4 else f"{cell(v):>{w}}"
                               for i, (v, (_, w)) in enumerate(zip(vals, _COLUMNS))).rstrip())
    verdict = "PROMOTE" if blessing["passed"] else "REJECTED"
    champ = blessing.get("champion_version") or "none"
    lines.append("-" * len(header))
    lines.append(f"decision: {verdict} (champion: {champ})")
    for reason in blessing.get("reasons", []):
        lines.append(f"  blocked: {reason}")
    for warning in blessing.get("warnings", []):
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)

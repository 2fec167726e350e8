"""The rows of a blessing: one function per kind of gate rule (thresholds, regression against
the champion, serving agreement), each from one source's metrics to rule dicts. gate.decide
chooses which run on which records and what blocks; no I/O here either."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..config import GateSettings, LabelThreshold
from .formatting import fmt_value

# Float noise must not turn "drops exactly the allowed amount" into a failure
# (0.805 - 0.80 == 0.0050000000000000044).
_EPS = 1e-9


def _num(value: Any) -> float | None:
    """A metric as a float; None for missing or NaN (both fail a threshold)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class Thresholds:
    """The thresholds one source is held to."""

    micro_f1_min: float
    labels: dict[str, LabelThreshold]
    default_label: LabelThreshold
    min_support: int

    def label(self, label: str) -> LabelThreshold:
        return self.labels.get(label, self.default_label)


def overall_thresholds(gate: GateSettings) -> Thresholds:
    return Thresholds(gate.micro_f1_min, gate.labels, gate.default_label, gate.min_support)


def real_thresholds(gate: GateSettings) -> Thresholds:
    """gate.real, each null inheriting the gate's own value (micro: real.micro_f1_min, else the
    older gate.real_micro_f1_min, else gate.micro_f1_min)."""
    r = gate.real
    micro = next(v for v in (r.micro_f1_min, gate.real_micro_f1_min, gate.micro_f1_min) if v is not None)
    return Thresholds(micro, gate.labels if r.labels is None else r.labels, r.default_label or gate.default_label,
                      gate.min_support if r.min_support is None else r.min_support)


def make_rule(rule: str, label: str | None, value: Any, threshold: Any, comparison: str, ok: bool | None,
         action: str, detail: str, *, failed_outcome: str = "fail", source: str = "all",
         **extra: Any) -> dict[str, Any]:
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
            "outcome": outcome, "action": action, "detail": detail, "source": source, **extra}


def _tag(source: str) -> str:
    return "" if source == "all" else f"{source} "


def threshold_rules(prefix: str, m: dict[str, Any], thr: Thresholds, labels: list[str], *, source: str,
                     report_only: bool) -> list[dict[str, Any]]:
    """micro_f1, then support and label_f1 per label, on one source's metrics."""
    act = (lambda a: "warn") if report_only else (lambda a: a)  # noqa: E731
    tag, n = _tag(source), m.get("n_records")
    on = f" on {n} records" if source != "all" and n is not None else ""
    micro = _num((m.get("micro") or {}).get("f1"))
    ok = micro is not None and micro > thr.micro_f1_min
    rules = [make_rule(prefix + "micro_f1", None, micro, thr.micro_f1_min, ">", ok, act("block"),
                       f"{tag}micro_f1 {fmt_value(micro)}{on} is {'' if ok else 'not '}> {thr.micro_f1_min}",
                       source=source)]
    per_label = m.get("per_label") or {}
    for label in labels:
        cfg = thr.label(label)
        lm = per_label.get(label) or {}
        support = int(lm.get("support") or 0)
        enough = support >= thr.min_support
        rules.append(make_rule(prefix + "support", label, support, thr.min_support, ">=", enough, act(cfg.action),
                               f"{tag}{label} has {support} test spans"
                               + ("" if enough else f", fewer than {thr.min_support}: its F1 is noise"),
                               failed_outcome="insufficient_support", source=source))
        f1 = _num(lm.get("f1"))
        ok = f1 is not None and f1 >= cfg.min_f1 - _EPS
        rules.append(make_rule(prefix + "label_f1", label, f1, cfg.min_f1, ">=", ok, act(cfg.action),
                               f"{tag}{label} f1 {fmt_value(f1)} is {'' if ok else 'not '}>= {cfg.min_f1}",
                               source=source))
    return rules


def drop_rule(rule: str, label: str | None, drop: float | None, tol: float, boot: dict[str, Any] | None,
               action: str, head: str, source: str) -> dict[str, Any]:
    """Fails when the drop exceeds the tolerance and (with a bootstrap) is significant."""
    over = drop is None or drop > tol + _EPS
    extra: dict[str, Any] = {}
    if boot is None or boot.get("interval") is None:
        ok = not over
        how = "raw difference, no bootstrap"
    else:
        ok = not over or not boot["significant"]
        extra = {"interval": boot["interval"], "significant": boot["significant"]}
        lo, hi = boot["interval"]
        how = f"interval [{fmt_value(lo)}, {fmt_value(hi)}], {'' if boot['significant'] else 'not '}significant"
        if over and ok:
            how += ": retraining noise"
    return make_rule(rule, label, drop, tol, "<=", ok, action, f"{head}: drop {fmt_value(drop)} (max {tol}; {how})",
                     source=source, **extra)


def regression_rules(prefix: str, m: dict[str, Any], champion: dict[str, Any] | None, boot: dict[str, Any] | None,
                      gate: GateSettings, thr: Thresholds, labels: list[str], *, source: str, report_only: bool,
                      champion_version: str | None) -> list[dict[str, Any]]:
    act = (lambda a: "warn") if report_only else (lambda a: a)  # noqa: E731
    tag = _tag(source)
    if champion is None:
        return [make_rule(prefix + "no_regression_micro", None, None, gate.max_micro_drop, "<=", None, act("block"),
                          "no champion yet: regression check skipped", source=source)]
    micro = _num((m.get("micro") or {}).get("f1"))
    champ_micro = _num((champion.get("micro") or {}).get("f1")) or 0.0
    drop = None if micro is None else champ_micro - micro
    rules = [drop_rule(prefix + "no_regression_micro", None, drop, gate.max_micro_drop, boot and boot["micro"],
                        act("block"), f"{tag}micro_f1 {fmt_value(micro)} vs champion {champion_version or '?'} "
                        f"{fmt_value(champ_micro)}", source)]
    per_label, champ_labels = m.get("per_label") or {}, champion.get("per_label") or {}
    for label in labels:
        cfg = thr.label(label)
        new = _num((per_label.get(label) or {}).get("f1"))
        old = _num((champ_labels.get(label) or {}).get("f1"))
        if old is None:
            rules.append(make_rule(prefix + "no_regression_label", label, None, gate.max_label_drop, "<=", None,
                                   act(cfg.action), f"{tag}{label}: champion has no score for this label",
                                   source=source))
            continue
        rules.append(drop_rule(prefix + "no_regression_label", label, old - (new or 0.0), gate.max_label_drop,
                                boot and boot["per_label"].get(label), act(cfg.action),
                                f"{tag}{label} f1 {fmt_value(new)} vs champion {fmt_value(old)}", source))
    return rules


def serving_agreement_rule(metrics: dict[str, Any], gate: GateSettings) -> dict[str, Any]:
    """Rule 5: what the consumer is served equals what was scored (a check that could not run,
    f1 null, fails)."""
    serving, thr = metrics.get("serving"), gate.serving_agreement_min
    if serving is None:
        return make_rule("serving_agreement", None, None, thr, ">=", None, "block",
                         "no serving check in the metrics (not written by the evaluate task)")
    f1 = _num(serving.get("f1"))
    ok = f1 is not None and f1 >= thr - _EPS
    detail = (f"stock pipeline ({serving.get('aggregation', 'simple')}) vs scored spans: agreement F1 "
              f"{fmt_value(f1)} is {'' if ok else 'not '}>= {thr}")
    if serving.get("error"):
        detail += f" ({serving['error']})"
    else:
        detail += (f" ({serving.get('served_spans')} served / {serving.get('scored_spans')} scored spans; "
                   f"{serving.get('fragments')} served spans cut a word, {serving.get('stopword_only')} are only a stopword)")
    return make_rule("serving_agreement", None, f1, thr, ">=", ok, "block", detail)

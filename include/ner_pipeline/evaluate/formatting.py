"""How metrics and gate rules are shown: the task log's fixed-width gate table, and the
Markdown tables the model card and the approval request share. Formatting only: gate.py
decides, this module writes it down."""

from __future__ import annotations

from typing import Any

_COLUMNS = (("rule", 29), ("label", 14), ("value", 8), ("cmp", 3), ("threshold", 9), ("outcome", 20), ("action", 6),
            ("interval", 18))
RULE_HEADER = ["rule", "label", "value", "threshold", "outcome", "action", "drop interval"]


def fmt_value(v: Any, none: str = "n/a") -> str:
    """A metric or threshold for a table or message: floats to 4 places, None as `none`."""
    if v is None:
        return none
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def fmt_interval(r: dict[str, Any], none: str = "-") -> str:
    """A rule's bootstrap interval of the drop, `[lo, hi]` (the star marks a significant drop)."""
    iv = r.get("interval")
    if not iv:
        return none
    return f"[{iv[0]:.4f}, {iv[1]:.4f}]" + ("*" if r.get("significant") else "")


def md_table(header: list[str], rows: list[list[Any]], none: str = "-") -> list[str]:
    """A Markdown table, each cell through fmt_value (`none` for a missing value)."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return out + ["| " + " | ".join(fmt_value(c, none=none) for c in row) + " |" for row in rows]


def md_rules_table(rules: list[dict[str, Any]], none: str = "-") -> list[str]:
    """Every gate rule as a Markdown row (model card and approval request)."""
    rows = [[r.get("rule"), r.get("label") or "", r.get("value"),
             f"{r.get('comparison', '')} {fmt_value(r.get('threshold'), none=none)}", r.get("outcome"), r.get("action"),
             fmt_interval(r)] for r in rules]
    return md_table(RULE_HEADER, rows, none=none)


def format_gate_table(blessing: dict[str, Any]) -> str:
    """Fixed-width table of every rule (for the task log and the run summary)."""
    def cell(v: Any) -> str:
        return fmt_value(v, none="-")

    header = "  ".join(f"{name:<{w}}" for name, w in _COLUMNS)
    lines = [header, "-" * len(header)]
    for r in blessing["rules"]:
        vals = (r["rule"], r["label"], r["value"], r["comparison"], r["threshold"], r["outcome"], r["action"],
                fmt_interval(r))
        lines.append("  ".join(f"{cell(v):<{w}}" if i < 2 or i > 4 else f"{cell(v):>{w}}"
                               for i, (v, (_, w)) in enumerate(zip(vals, _COLUMNS))).rstrip())
    verdict = "PROMOTE" if blessing["passed"] else "REJECTED"
    champ = blessing.get("champion_version") or "none"
    lines.append("-" * len(header))
    lines.append(f"decision: {verdict} (champion: {champ})")
    data = blessing.get("test_data") or {}
    if data.get("statement"):
        lines.append(f"test data: {data['statement']}")
    for b in blessing.get("bootstrap") or []:
        lines.append(f"intervals ({b['source']}): {100 * (1 - b['significance']):g}% paired bootstrap of the F1 drop "
                     f"over {b['n_records']} test records ({b['resamples']} resamples, seed {b['seed']}; * significant)")
    for reason in blessing.get("reasons", []):
        lines.append(f"  blocked: {reason}")
    for warning in blessing.get("warnings", []):
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)

"""HTML rendering: the Jinja2 environment, safe Markdown, and small value formatters."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"
SUMMARY_FIRST = ("records_read", "accepted", "repaired", "quarantined")  # validation counts, in reading order


def markdown(text: str | None) -> Markup:
    """Markdown to HTML with raw HTML disabled (escaped) and unsafe link schemes refused.

    Uses markdown-it-py (installed with Airflow through `rich`); without it the text is shown
    preformatted.
    """
    if not text:
        return Markup("")
    try:
        from markdown_it import MarkdownIt
    except ImportError:  # pragma: no cover - markdown-it-py ships with Airflow
        return Markup("<pre>") + escape(text) + Markup("</pre>")
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    return Markup(md.render(text))


def num(value: Any, digits: int = 3) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def delta(a: Any, b: Any) -> Markup:
    """a − b, coloured: green up, red down."""
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return Markup("–")
    d = a - b
    cls = "up" if d > 1e-9 else "down" if d < -1e-9 else "flat"
    return Markup(f'<span class="{cls}">{d:+.3f}</span>')


def compact_json(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def count_tables(report: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, Any]]:
    """Split a validation report into (scalar summary, tables of counts, everything else).

    The report's exact keys belong to the validation module; any mapping of names to
    numbers (or to small mappings of numbers, e.g. reason -> source -> count) becomes a table.
    """
    summary, tables, other = {}, {}, {}
    report = report or {}
    ordered = [k for k in SUMMARY_FIRST if k in report] + [k for k in report if k not in SUMMARY_FIRST]
    for key, value in ((k, report[k]) for k in ordered):
        if is_scalar(value):
            summary[key] = value
        elif isinstance(value, dict) and value and all(
            is_scalar(v) or (isinstance(v, dict) and all(is_scalar(x) for x in v.values())) for v in value.values()
        ):
            tables[key] = value
        else:
            other[key] = value
    return summary, tables, other


def columns_of(table: dict[str, Any]) -> list[str]:
    """Column names of a two-level table (union of inner keys), or [] for a flat one."""
    cols: list[str] = []
    for v in table.values():
        if isinstance(v, dict):
            cols += [k for k in v if k not in cols]
    return cols


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    env.filters.update(num=num, markdown=markdown, compact_json=compact_json)
    env.globals.update(delta=delta, is_scalar=is_scalar, columns_of=columns_of)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)

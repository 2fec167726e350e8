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
MAX_ROWS = 200  # rows of a list section (e.g. one per incoming file)


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


def _flat(value: Any) -> bool:
    return isinstance(value, dict) and all(is_scalar(v) for v in value.values())


def report_sections(report: dict[str, Any] | None, title: str = "", depth: int = 0) -> list[dict[str, Any]]:
    """Lay a validation report out as sections: {"title", "kind": kv | table | rows, "data"}.

    The report's keys belong to the validation module, so the layout follows the shapes, not
    the names: scalars -> one key/value table; a mapping of names to numbers (or to flat
    mappings, e.g. source -> counts) -> a table; a list of flat records (per file, per GX
    expectation) -> rows; other mappings are opened one level deep; the rest is shown as JSON.
    """
    report = report or {}
    kv: dict[str, Any] = {}
    groups: list[tuple[int, list[dict[str, Any]]]] = []  # (order, sections): count tables first
    keys = [k for k in SUMMARY_FIRST if k in report] + [k for k in report if k not in SUMMARY_FIRST]
    for key in keys:
        value, name = report[key], f"{title} · {key}" if title else key
        if is_scalar(value):
            kv[key] = value
        elif not value:
            kv[key] = "none"
        elif isinstance(value, dict) and all(is_scalar(v) or _flat(v) for v in value.values()):
            groups.append((0, [{"title": name, "kind": "table", "data": value}]))
        elif isinstance(value, list) and all(is_scalar(v) for v in value):
            kv[key] = ", ".join(str(v) for v in value)
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            groups.append((1, [{"title": name, "kind": "rows", "data": value[:MAX_ROWS],
                                "more": max(0, len(value) - MAX_ROWS)}]))
        elif isinstance(value, dict) and depth == 0:
            groups.append((1, report_sections(value, name, depth + 1)))
        else:
            kv[key] = value
    sections = [{"title": title or "summary", "kind": "kv", "data": kv}] if kv else []
    for _, group in sorted(groups, key=lambda g: g[0]):  # stable: report order within a rank
        sections += group
    return sections


def row_columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    return cols


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
    env.globals.update(delta=delta, is_scalar=is_scalar, columns_of=columns_of, row_columns=row_columns)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)

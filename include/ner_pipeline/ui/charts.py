"""Server-side SVG charts (no JavaScript, no plotting library).

Every piece of text that comes from stored data goes through `_esc`, so a chart is safe to
embed in a page as-is.
"""

from __future__ import annotations

from html import escape
from typing import Any, Sequence

# Tableau 10: distinguishable, and readable for most colour-vision deficiencies.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


def _esc(value: Any) -> str:
    return escape(str(value), quote=True)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def f1_chart(points: Sequence[dict[str, Any]], labels: Sequence[str], *, champion: str | None = None,
             width: int = 820, height: int = 340) -> str:
    """Per-entity F1 (and micro F1, dashed) of each version, oldest left.

    `points`: [{"version": str, "when": str | None, "micro": float | None, "per_label": {label: f1}}].
    """
    if not points:
        return ('<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="320" height="40" role="img">'
                '<text x="8" y="24" font-size="13">No versions yet.</text></svg>')
    left, right, top, bottom = 44, 170, 14, 78
    pw, ph = width - left - right, height - top - bottom
    n = len(points)

    def x(i: int) -> float:
        return left + (pw / 2 if n == 1 else pw * i / (n - 1))

    def y(v: float) -> float:
        return top + ph * (1 - max(0.0, min(1.0, v)))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="F1 per entity and version">']
    for t in (0, 0.25, 0.5, 0.75, 1.0):  # grid and y axis
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y(t) + 4:.1f}" font-size="11" text-anchor="end">{t:.2f}</text>')
    for i, p in enumerate(points):  # x labels: version and date
        tx, ty = x(i), top + ph + 12
        label = _esc(p["version"]) + (f" · {_esc(str(p['when'])[:10])}" if p.get("when") else "")
        weight = ' font-weight="bold"' if p["version"] == champion else ""
        out.append(f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="10"{weight} text-anchor="end" '
                   f'transform="rotate(-35 {tx:.1f} {ty:.1f})">{label}</text>')
        if p["version"] == champion:
            out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top}" y2="{top + ph}" stroke="#333" '
                       f'stroke-dasharray="2,3"><title>champion</title></line>')
    series = [(lab, PALETTE[i % len(PALETTE)], [p.get("per_label", {}).get(lab) for p in points], False)
              for i, lab in enumerate(labels)]
    series.append(("micro", "#222", [p.get("micro") for p in points], True))
    for name, colour, values, is_micro in series:
        style = 'stroke-width="3" stroke-dasharray="6,3"' if is_micro else 'stroke-width="1.8"'
        segment: list[str] = []
        for i, v in enumerate(values + [None]):  # a missing value breaks the line
            if v is None:
                if len(segment) > 1:
                    out.append(f'<polyline fill="none" stroke="{colour}" {style} points="{" ".join(segment)}"/>')
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
                       f'<title>{_esc(name)} {_esc(points[i]["version"])}: {_fmt(v)}</title></circle>')
    for i, (name, colour, _, is_micro) in enumerate(series):  # legend
        ly = top + 6 + i * 17
        dash = ' stroke-dasharray="6,3"' if is_micro else ""
        out.append(f'<line x1="{left + pw + 16}" x2="{left + pw + 36}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="3"{dash}/><text x="{left + pw + 42}" y="{ly + 4}" font-size="11">{_esc(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def confusion_svg(labels: Sequence[str], matrix: Sequence[Sequence[float]]) -> str:
    """Heat map of a confusion matrix: rows = gold label, columns = predicted, shaded per row."""
    n = len(labels)
    if n == 0 or len(matrix) != n or any(len(r) != n for r in matrix):
        return '<p class="muted">Confusion matrix is malformed or empty.</p>'
    cell = max(22, min(46, 620 // n))
    left = top = 12 + 7 * max(len(str(lab)) for lab in labels)
    size_w, size_h = left + cell * n + 20, top + cell * n + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {size_w} {size_h}" '
           f'width="{size_w}" height="{size_h}" role="img" aria-label="Confusion matrix">']
    for i, lab in enumerate(labels):
        cy = top + cell * i + cell / 2 + 4
        cx = left + cell * i + cell / 2 + 4
        out.append(f'<text x="{left - 6}" y="{cy:.1f}" font-size="11" text-anchor="end">{_esc(lab)}</text>')
        out.append(f'<text x="{cx:.1f}" y="{top - 6}" font-size="11" transform="rotate(-60 {cx:.1f} {top - 6})">'
                   f'{_esc(lab)}</text>')
    for i, row in enumerate(matrix):
        total = sum(float(v) for v in row) or 1.0
        for j, v in enumerate(row):
            share = float(v) / total
            shade = _blend(share, diagonal=i == j)
            tx, ty = left + cell * j, top + cell * i
            out.append(f'<rect x="{tx}" y="{ty}" width="{cell}" height="{cell}" fill="{shade}" stroke="#fff">'
                       f'<title>gold {_esc(labels[i])} → predicted {_esc(labels[j])}: {_esc(v)} ({share:.1%} of row)'
                       f'</title></rect>')
            if v:
                colour = "#fff" if share > 0.55 else "#222"
                out.append(f'<text x="{tx + cell / 2:.1f}" y="{ty + cell / 2 + 4:.1f}" font-size="10" '
                           f'text-anchor="middle" fill="{colour}">{_esc(_short(v))}</text>')
    out.append(f'<text x="{left}" y="{size_h - 8}" font-size="11" fill="#555">rows: gold · columns: predicted · '
               f'shade: share of the row</text></svg>')
    return "".join(out)


def _short(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return str(int(f)) if f.is_integer() else f"{f:.2f}"


def _blend(share: float, *, diagonal: bool) -> str:
    """White → blue on the diagonal (correct), white → red off it (confusions)."""
    r0, g0, b0 = (33, 102, 172) if diagonal else (203, 24, 29)
    s = max(0.0, min(1.0, share))
    r, g, b = (round(255 + (c - 255) * s) for c in (r0, g0, b0))
    return f"#{r:02x}{g:02x}{b:02x}"

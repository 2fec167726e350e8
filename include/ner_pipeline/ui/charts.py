"""Server-side SVG charts (no JavaScript, no plotting library).

Every piece of text that comes from stored data goes through `_esc`, so a chart is safe to
embed in a page as-is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any, Sequence

# Tableau 10: distinguishable, and readable for most colour-vision deficiencies.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


def _esc(value: Any) -> str:
    return escape(str(value), quote=True)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def short_version(version: str) -> str:
    """`v20250101T030000000Z-eb5254d2` -> `eb5254d2` (the registry's ids end in a run hash)."""
    tail = version.rsplit("-", 1)[-1]
    return tail if 4 <= len(tail) < len(version) else (version if len(version) <= 12 else version[:11] + "…")


def f1_chart(points: Sequence[dict[str, Any]], labels: Sequence[str], *, champion: str | None = None,
             width: int = 860, height: int = 340) -> str:
    """Per-entity F1 (and micro F1, dashed) of each version, oldest left, evenly spaced.

    `points`: [{"version": str, "when": str | None, "micro": float | None, "per_label": {label: f1}}].
    The y axis starts at a round value below the lowest score so that small moves stay visible.
    """
    if not points:
        return ('<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="320" height="40" role="img">'
                '<text x="8" y="24" font-size="13">No versions yet.</text></svg>')
    values = [v for p in points for v in [p.get("micro"), *(p.get("per_label") or {}).values()]
              if isinstance(v, (int, float))]
    fr = _Frame(width, height, len(points), lo=max(0.0, math.floor((min(values, default=0.0) - 0.05) * 10) / 10))
    series = _series(points, labels)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="F1 per entity and version">']
    out += _y_grid(fr)
    out += _x_labels(fr, points, champion)
    for s in series:
        out += _series_marks(fr, s, points)
    out += _legend(fr, series)
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class _Frame:
    """The F1 chart's plot area: margins, n evenly spaced versions, the y axis from lo to 1."""

    width: int
    height: int
    n: int
    lo: float
    left: int = 46
    right: int = 170
    top: int = 14
    bottom: int = 44
    inset: int = 40

    @property
    def pw(self) -> int:
        return self.width - self.left - self.right

    @property
    def ph(self) -> int:
        return self.height - self.top - self.bottom

    def x(self, i: int) -> float:
        return self.left + self.inset + (self.pw - 2 * self.inset) * (0.5 if self.n == 1 else i / (self.n - 1))

    def y(self, v: float) -> float:
        return self.top + self.ph * (1 - (max(self.lo, min(1.0, v)) - self.lo) / (1.0 - self.lo))


# (name, colour, one value per point, is_micro)
_Series = tuple[str, str, list[Any], bool]


def _series(points: Sequence[dict[str, Any]], labels: Sequence[str]) -> list[_Series]:
    """One line per label in the palette's colours, then micro F1 (dark, dashed)."""
    series = [(lab, PALETTE[i % len(PALETTE)], [(p.get("per_label") or {}).get(lab) for p in points], False)
              for i, lab in enumerate(labels)]
    series.append(("micro", "#222", [p.get("micro") for p in points], True))
    return series


def _y_grid(fr: _Frame) -> list[str]:
    """Five grid lines with their values on the y axis."""
    out = []
    for k in range(5):
        t = fr.lo + (1.0 - fr.lo) * k / 4
        out.append(f'<line x1="{fr.left}" x2="{fr.left + fr.pw}" y1="{fr.y(t):.1f}" y2="{fr.y(t):.1f}" stroke="#ddd"/>'
                   f'<text x="{fr.left - 6}" y="{fr.y(t) + 4:.1f}" font-size="11" text-anchor="end">{t:.2f}</text>')
    return out


def _x_labels(fr: _Frame, points: Sequence[dict[str, Any]], champion: str | None) -> list[str]:
    """Date, then the short version id, under at most one version per ~70 px (always the last
    and the champion, whose place is also marked by a green dotted line)."""
    top, ph, n = fr.top, fr.ph, fr.n
    step = max(1, math.ceil(n / max(1, (fr.pw - 2 * fr.inset) // 70)))
    out = []
    for i, p in enumerate(points):
        tx, is_champ = fr.x(i), p["version"] == champion
        if is_champ:
            out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top}" y2="{top + ph}" stroke="#1a7f37" '
                       f'stroke-dasharray="2,3"><title>champion</title></line>')
        if i % step and i != n - 1 and not is_champ:
            continue
        weight = ' font-weight="bold" fill="#1a7f37"' if is_champ else ""
        when = _esc(str(p.get("when") or "")[:10])
        out.append(f'<text x="{tx:.1f}" y="{top + ph + 16}" font-size="10" text-anchor="middle"{weight}>{when}</text>'
                   f'<text x="{tx:.1f}" y="{top + ph + 29}" font-size="10" text-anchor="middle"{weight}>'
                   f'<title>{_esc(p["version"])}</title>{_esc(short_version(p["version"]))}</text>')
    return out


def _series_marks(fr: _Frame, series: _Series, points: Sequence[dict[str, Any]]) -> list[str]:
    """A series' points (with their value as a tooltip) and its lines; a missing value breaks the line."""
    name, colour, vals, is_micro = series
    style = 'stroke-width="3" stroke-dasharray="6,3"' if is_micro else 'stroke-width="1.8"'
    out = []
    segment: list[str] = []
    for i, v in enumerate(list(vals) + [None]):
        if not isinstance(v, (int, float)):
            if len(segment) > 1:
                out.append(f'<polyline fill="none" stroke="{colour}" {style} points="{" ".join(segment)}"/>')
            segment = []
            continue
        segment.append(f"{fr.x(i):.1f},{fr.y(v):.1f}")
        out.append(f'<circle cx="{fr.x(i):.1f}" cy="{fr.y(v):.1f}" r="3" fill="{colour}">'
                   f'<title>{_esc(name)} · {_esc(points[i]["version"])}: {_fmt(v)}</title></circle>')
    return out


def _legend(fr: _Frame, series: list[_Series]) -> list[str]:
    out = []
    x0 = fr.left + fr.pw
    for i, (name, colour, _, is_micro) in enumerate(series):
        ly = fr.top + 6 + i * 17
        dash = ' stroke-dasharray="6,3"' if is_micro else ""
        out.append(f'<line x1="{x0 + 16}" x2="{x0 + 36}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="3"{dash}/><text x="{x0 + 42}" y="{ly + 4}" font-size="11">{_esc(name)}</text>')
    return out


def confusion_svg(labels: Sequence[str], matrix: Sequence[Sequence[float]]) -> str:
    """Heat map of a confusion matrix: rows = gold label, columns = predicted, shaded per row."""
    n = len(labels)
    if n == 0 or len(matrix) != n or any(len(r) != n for r in matrix):
        return '<p class="muted">Confusion matrix is malformed or empty.</p>'
    cell = max(22, min(46, 620 // n))
    left = top = 12 + 7 * max(len(str(lab)) for lab in labels)
    size_w, size_h = left + cell * n + top // 2 + 10, top + cell * n + 30  # room for the slanted labels
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

"""Checks every generated record passes before it is kept (and the tests reuse).

`completeness_findings` is the property LABELS.md states as "every mention is labelled":
each whole-word, case-sensitive occurrence of a surface the record labels somewhere must lie
inside a span with the same label. It uses str.find rather than one regex per surface:
thousands of distinct surfaces would each cost a regex compile.
"""

from __future__ import annotations

from typing import Iterable

from ..records import Span, is_word_aligned


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def whole_word_occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    out = []
    n, m = len(text), len(surface)
    lead, trail = _is_word(surface[0]), _is_word(surface[-1])
    i = text.find(surface)
    while i != -1:
        j = i + m
        if (not lead or i == 0 or not _is_word(text[i - 1])) and (not trail or j == n or not _is_word(text[j])):
            out.append((i, j))
        i = text.find(surface, i + 1)
    return out


def completeness_findings(text: str, spans: Iterable[Span]) -> list[tuple[str, int, int]]:
    """(label, start, end) of each unlabelled (or differently labelled) repeat of a labelled surface."""
    spans = list(spans)
    exact = {(sp.start, sp.end, sp.label) for sp in spans}
    by_label: dict[str, list[Span]] = {}
    for sp in spans:
        by_label.setdefault(sp.label, []).append(sp)
    findings = []
    seen: set[tuple[str, str]] = set()
    for sp in spans:
        surface = text[sp.start:sp.end]
        if (surface, sp.label) in seen:
            continue
        seen.add((surface, sp.label))
        for a, b in whole_word_occurrences(text, surface):
            if (a, b, sp.label) in exact:
                continue
            if not any(s.start <= a and b <= s.end for s in by_label[sp.label]):
                findings.append((sp.label, a, b))
    return sorted(findings)


def structural_problems(text: str, spans: Iterable[Span]) -> list[str]:
    """Misaligned, out-of-range or overlapping spans (what the validator would quarantine)."""
    problems = []
    end = -1
    for sp in sorted(spans, key=lambda s: (s.start, s.end)):
        if not is_word_aligned(text, sp.start, sp.end):
            problems.append(f"{sp.label} {sp.start}-{sp.end} not word-aligned")
        if sp.start < end:
            problems.append(f"{sp.label} {sp.start}-{sp.end} overlaps")
        end = max(end, sp.end)
    return problems

"""Checks every generated record passes before it is kept (and the tests reuse).

`completeness_findings` is the property LABELS.md states as "every mention is labelled":
each whole-word, case-sensitive occurrence (words.whole_word_occurrences) of a surface the
record labels somewhere must lie inside a span with the same label.
"""

from __future__ import annotations

from typing import Iterable

from ..records import Span, is_word_aligned
from ..words import whole_word_occurrences


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

"""Corpus statistics: label counts and shares, distinct surfaces, documents per label,
lengths, and (given a tokenizer) how many transcripts exceed 512 word pieces."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any, Iterable

from ..records import LABELS, Record
from .vocab_case import ROLES

# Words that make a PERPETRATOR surface a role rather than a person's name.
_ROLE_WORDS = frozenset(w for r in ROLES for w in r.split()) | {"the", "husband", "wife"}
PERSON_LABELS = ("NAME", "VICTIM", "PERPETRATOR")


def _is_person_name(label: str, surface: str) -> bool:
    if label != "PERPETRATOR":
        return True
    return any(w[:1].isupper() and w.lower() not in _ROLE_WORDS for w in surface.split())


def _percentile(sorted_vals: list[int], q: float) -> int:
    return sorted_vals[min(len(sorted_vals) - 1, int(q * len(sorted_vals)))]


def stats(records: Iterable[Record], tokenizer: Any = None, max_pieces: int = 512) -> dict[str, Any]:
    """`tokenizer`: anything with .tokenize(text) -> list (e.g. a transformers tokenizer)."""
    records = list(records)
    counts: Counter = Counter()
    docs_with: Counter = Counter()
    surfaces: dict[str, set[str]] = {lab: set() for lab in LABELS}
    persons: set[str] = set()
    lengths = []
    for rec in records:
        lengths.append(len(rec.text))
        present = set()
        for sp in rec.entities:
            surface = rec.text[sp.start:sp.end]
            counts[sp.label] += 1
            present.add(sp.label)
            surfaces.setdefault(sp.label, set()).add(surface)
            if sp.label in PERSON_LABELS and _is_person_name(sp.label, surface):
                persons.add(surface)
        docs_with.update(present)
    total = sum(counts.values())
    n = len(records)
    lengths.sort()
    out: dict[str, Any] = {
        "n_records": n,
        "n_spans": total,
        "label_counts": {lab: counts[lab] for lab in LABELS},
        "label_share": {lab: round(counts[lab] / total, 4) if total else 0.0 for lab in LABELS},
        "distinct_surfaces": {lab: len(surfaces[lab]) for lab in LABELS},
        "docs_with_label": {lab: docs_with[lab] for lab in LABELS},
        "docs_with_label_share": {lab: round(docs_with[lab] / n, 4) if n else 0.0 for lab in LABELS},
        "distinct_person_names": len(persons),
        "chars": ({"min": lengths[0], "p10": _percentile(lengths, 0.1), "median": int(statistics.median(lengths)),
                   "mean": round(statistics.fmean(lengths), 1), "p90": _percentile(lengths, 0.9),
                   "max": lengths[-1]} if lengths else {}),
    }
    if tokenizer is not None:
        over = sum(1 for rec in records if len(tokenizer.tokenize(rec.text)) > max_pieces)
        out[f"docs_over_{max_pieces}_pieces"] = over
        out[f"share_over_{max_pieces}_pieces"] = round(over / n, 4) if n else 0.0
    return out

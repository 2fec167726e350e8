"""The canonical record, the label set and the word/IOB2 helpers every stage shares.

The data contract lives in shared/LABELS.md: character offsets, half-open, whole words,
no overlaps. Words here are runs of letters/digits or single punctuation marks, which is
how a WordPiece pre-tokenizer splits text too, so a span that covers whole words here also
covers whole tokens there.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

LABELS: tuple[str, ...] = (
    "NAME",
    "VICTIM",
    "PERPETRATOR",
    "AGE",
    "GENDER",
    "LOCATION",
    "LANDMARK",
    "PHONE_NUMBER",
    "INCIDENT_TYPE",
)
SOURCES: tuple[str, ...] = ("synthetic", "real")

# IOB2 tag set, in a fixed order so label ids are stable across runs and models.
TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in LABELS for p in ("B", "I"))
TAG2ID: dict[str, int] = {t: i for i, t in enumerate(TAGS)}
ID2TAG: dict[int, str] = {i: t for t, i in TAG2ID.items()}

WORD_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label}


@dataclass
class Record:
    id: str
    text: str
    entities: list[Span] = field(default_factory=list)
    source: str = "synthetic"
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "entities": [s.to_dict() for s in sorted(self.entities)],
            "source": self.source,
        }
        if self.meta:
            d["meta"] = self.meta
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, source: str | None = None) -> "Record":
        """Build from an already-validated dict (no checks: validation lives in validate/)."""
        text = d["text"]
        return cls(
            id=str(d.get("id") or derive_id(text)),
            text=text,
            entities=[Span(int(e["start"]), int(e["end"]), str(e["label"])) for e in d.get("entities") or []],
            source=source or d.get("source") or "synthetic",
            meta=dict(d.get("meta") or {}),
        )


def normalize_text(text: str) -> str:
    """Normalisation used for duplicate detection: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def text_hash(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def derive_id(text: str) -> str:
    """Stable id for a record that arrived without one (content-derived, no text leaks)."""
    return "r-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def words(text: str) -> list[tuple[int, int]]:
    """Character offsets of the words of `text` (see module docstring)."""
    return [m.span() for m in WORD_RE.finditer(text)]


def is_word_aligned(text: str, start: int, end: int) -> bool:
    """True when [start, end) starts and ends on word boundaries and not on whitespace."""
    if not (0 <= start < end <= len(text)):
        return False
    if text[start].isspace() or text[end - 1].isspace():
        return False
    if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
        return False
    if end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end]):
        return False
    return True


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def spans_to_word_tags(text: str, spans: Iterable[Span], word_offsets: list[tuple[int, int]] | None = None) -> list[str]:
    """IOB2 tag per word. A word belongs to a span when it lies inside it."""
    offs = words(text) if word_offsets is None else word_offsets
    tags = ["O"] * len(offs)
    starts = [s for s, _ in offs]
    import bisect

    for sp in sorted(spans):
        i = bisect.bisect_left(starts, sp.start)
        first = True
        while i < len(offs) and offs[i][1] <= sp.end:
            tags[i] = ("B-" if first else "I-") + sp.label
            first = False
            i += 1
    return tags

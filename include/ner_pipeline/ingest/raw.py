"""What a reader yields: one record as read, parsed into canonical fields or marked unreadable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Reader-level outcomes (reason codes; the full list lives in validate/reasons.py).
INVALID_JSON = "invalid_json"
INVALID_SCHEMA = "invalid_schema"
NO_ANNOTATION = "no_annotation"  # Label Studio task without a usable (non-cancelled) annotation
LINE_TOO_LONG = "line_too_long"  # a line / list element over validation.max_line_bytes: not parsed


@dataclass(slots=True)
class RawRecord:
    file: str
    line: int  # 1-based physical line (JSONL) or 0-based task index (JSON list export)
    raw: str  # the original line / task JSON, kept only for the quarantine file
    source: str  # "real" | "synthetic"
    format: str  # "canonical" | "label_studio" | "unknown"
    id: str | None = None  # from the input; None when it had none (validate derives one)
    text: str | None = None
    # (start, end, label) tuples, labels already mapped: plain tuples, not records.Span, because
    # a transcript can carry ~100 spans and frozen-dataclass construction dominated the profile.
    entities: list[tuple[int, int, str]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # reason code when the record could not be read
    detail: str | None = None  # why, naming fields and types only (never values)

    @property
    def ok(self) -> bool:
        return self.error is None

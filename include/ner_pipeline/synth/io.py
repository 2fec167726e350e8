"""Canonical JSONL in and out (one Record.to_dict per line, UTF-8, deterministic)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .. import jsonl
from ..records import Record


def dumps(record: Record) -> str:
    return jsonl.dumps(record.to_dict())


def write_jsonl(records: Iterable[Record], path: str | os.PathLike[str]) -> Path:
    """Write atomically (a reader never sees half a file): temp file in the same folder, then rename."""
    jsonl.write_file(path, (r.to_dict() for r in records), mode=0o644)  # synthetic: no personal data
    return Path(path)


def read_jsonl(path: str | os.PathLike[str]) -> list[Record]:
    return [Record.from_dict(d) for d in jsonl.read_file(path)]

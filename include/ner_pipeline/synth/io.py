"""Canonical JSONL in and out (one Record.to_dict per line, UTF-8, deterministic)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from ..records import Record


def dumps(record: Record) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False)


def write_jsonl(records: Iterable[Record], path: str | os.PathLike[str]) -> Path:
    """Write atomically (a reader never sees half a file): temp file in the same folder, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(dumps(rec))
            f.write("\n")
    os.replace(tmp, path)
    return path


def read_jsonl(path: str | os.PathLike[str]) -> list[Record]:
    with open(path, encoding="utf-8") as f:
        return [Record.from_dict(json.loads(line)) for line in f if line.strip()]

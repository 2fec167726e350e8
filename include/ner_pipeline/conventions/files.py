"""The conventions file (save, load, check) and the records a measurement reads (load_records)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from ..records import text_hash
from .tally import VERSION, usable

def load_records(paths: Iterable[str | Path], settings: Any = None) -> tuple[list[tuple[str, list]], dict[str, int]]:
    """Read canonical JSONL or Label Studio exports with the pipeline's reader. Returns the usable
    records as (text, spans) and counts of what was skipped: unreadable (not a record the reader
    could parse), misaligned (breaks the data contract), duplicate_text (same normalised text)."""
    from ..ingest import read_records

    skipped: Counter = Counter()
    seen: set[str] = set()
    out: list[tuple[str, list]] = []
    for path in paths:
        p = Path(path)
        for rr in read_records(p.name, p.read_bytes(), "real", settings):
            if rr.error is not None or rr.text is None:
                skipped["unreadable"] += 1
                continue
            spans = [tuple(s) for s in rr.entities]
            if not usable(rr.text, spans):
                skipped["misaligned"] += 1
                continue
            h = text_hash(rr.text)
            if h in seen:
                skipped["duplicate_text"] += 1
                continue
            seen.add(h)
            out.append((rr.text, spans))
    return out, {k: skipped.get(k, 0) for k in ("unreadable", "misaligned", "duplicate_text")}


REQUIRED_KEYS = ("version", "n_records", "labels", "gender_pronouns", "surface_rates")


def check(conventions: Any) -> dict[str, Any]:
    """The conventions dict, or ValueError naming what is wrong with it."""
    if not isinstance(conventions, dict):
        raise ValueError("a conventions file holds one mapping")
    missing = [k for k in REQUIRED_KEYS if k not in conventions]
    if missing:
        raise ValueError(f"conventions file lacks {missing}")
    if conventions["version"] != VERSION:
        raise ValueError(f"conventions version {conventions['version']!r}, this code reads version {VERSION}")
    return conventions


def save(conventions: dict[str, Any], path: str | Path) -> Path:
    """Write as JSON for a .json path, YAML otherwise."""
    import yaml

    p = Path(path)
    if p.suffix.lower() == ".json":
        p.write_text(json.dumps(conventions, indent=2) + "\n")
    else:
        p.write_text(yaml.safe_dump(conventions, sort_keys=False, allow_unicode=True))
    return p


def loads(data: str | bytes) -> dict[str, Any]:
    import yaml

    try:
        return check(yaml.safe_load(data))  # YAML reads JSON too
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML/JSON ({type(exc).__name__})") from None


def load(path: str | Path) -> dict[str, Any]:
    return loads(Path(path).read_text())

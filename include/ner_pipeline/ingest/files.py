"""File identity and source inference."""

from __future__ import annotations

import hashlib
import re

_TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
# What discovery picks up in incoming/ and the validate CLI reads from a folder (any case).
INPUT_SUFFIXES = (".jsonl", ".json", ".ndjson")


def is_input_name(name: str) -> bool:
    return name.lower().endswith(INPUT_SUFFIXES)


def file_sha256(data: bytes) -> str:
    """Content hash the discover step keys state/processed.json on (renames don't re-process)."""
    return hashlib.sha256(data).hexdigest()


def infer_source(path: str, default: str = "synthetic") -> str:
    """'real' or 'synthetic' from a path's name tokens (incoming/real/x.jsonl, real_batch.json).

    Whole tokens only, so 'surreal.jsonl' is not real. When both appear, real wins: treating
    synthetic data as real only costs privacy handling, the other way round leaks.
    """
    tokens = {t.lower() for t in _TOKEN_RE.findall(path)}
    if "real" in tokens:
        return "real"
    if "synthetic" in tokens:
        return "synthetic"
    return default

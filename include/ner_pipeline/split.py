"""Stable, leak-free dataset splits (snapshots.py stores them).

A record's split is a pure function of its normalised text hash and a salt, so:
- the same transcript always lands in the same split, in every snapshot (the test set is
  frozen: a record once in test never moves to train);
- exact duplicates (same normalised text) cannot straddle train and test.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

from . import jsonl
from .config import SplitSettings
from .records import Record, text_hash

SPLITS = ("train", "validation", "test")


def assign_split(record_text_hash: str, settings: SplitSettings) -> str:
    h = hashlib.sha256(f"{settings.salt}:{record_text_hash}".encode()).digest()
    u = int.from_bytes(h[:8], "big") / 2**64  # uniform in [0, 1)
    if u < settings.test_share:
        return "test"
    if u < settings.test_share + settings.validation_share:
        return "validation"
    return "train"


def split_records(records: Iterable[Record], settings: SplitSettings) -> dict[str, list[Record]]:
    """Split records; within a split, order by id so snapshot files are byte-stable."""
    out: dict[str, list[Record]] = {s: [] for s in SPLITS}
    seen: set[str] = set()
    for rec in records:
        th = text_hash(rec.text)
        if th in seen:  # validation already removed duplicates; never let one through here
            continue
        seen.add(th)
        out[assign_split(th, settings)].append(rec)
    for recs in out.values():
        recs.sort(key=lambda r: r.id)
    return out


def to_jsonl(records: Iterable[Record]) -> bytes:
    return jsonl.dump_lines((r.to_dict() for r in records), sort_keys=True)


def parse_jsonl(data: bytes, *, source: str | None = None) -> list[Record]:
    return [Record.from_dict(d, source=source) for d in jsonl.load_lines(data)]

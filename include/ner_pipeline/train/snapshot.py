"""Reading a dataset snapshot (written by split.py) for training.

A snapshot without manifest.json is incomplete (the manifest is written last) and is refused.
When the manifest lists sha256 checksums of the split files, they are checked: the trainer
never trains on a half-copied file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..records import Record
from .selection import select_records  # noqa: F401  (its old home; train/selection.py decides)

SPLIT_FILES = {"train": "train.jsonl", "validation": "validation.jsonl", "test": "test.jsonl"}


class SnapshotError(RuntimeError):
    """The snapshot is incomplete or does not match its manifest."""


@dataclass
class Snapshot:
    manifest: dict[str, Any]
    train: list[Record] = field(default_factory=list)
    validation: list[Record] = field(default_factory=list)
    test: list[Record] = field(default_factory=list)


def read_jsonl(path: Path) -> list[Record]:
    from .. import jsonl  # the project's one JSONL reader (never str.splitlines())

    return [Record.from_dict(d) for d in jsonl.read_file(path)]


def _expected_sha256(manifest: dict[str, Any], name: str) -> str | None:
    entry = (manifest.get("files") or {}).get(name)
    if isinstance(entry, dict):
        return entry.get("sha256")
    return entry if isinstance(entry, str) else None


def load_snapshot(folder: str | Path, splits: Sequence[str] = ("train", "validation")) -> Snapshot:
    """Records of the requested splits; raises SnapshotError for an incomplete snapshot."""
    root = Path(folder)
    manifest_path = root / "manifest.json"
    if not manifest_path.is_file():
        raise SnapshotError(f"{root} has no manifest.json: the snapshot is incomplete")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    snap = Snapshot(manifest=manifest)
    for split in splits:
        name = SPLIT_FILES[split]
        path = root / name
        if not path.is_file():
            if split == "train":
                raise SnapshotError(f"snapshot has no {name}")
            continue
        expected = _expected_sha256(manifest, name)
        if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            raise SnapshotError(f"{name} does not match the sha256 in manifest.json")
        setattr(snap, split, read_jsonl(path))
    return snap

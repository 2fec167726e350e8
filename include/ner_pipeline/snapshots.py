"""The dataset snapshot store: the one place that knows what a snapshot is.

A snapshot (layout.SnapshotPaths: datasets/<id>/) holds every accepted record so far in three
split files (split.py decides which record goes where) and a manifest written last: counts,
label counts and checksums, never text. Without a manifest it is incomplete and is never read.

datasets/latest.json names the latest complete snapshot, or none (NO_SNAPSHOT). It moves only
after the manifest, by a conditional write (If-Match on the ETag read, If-None-Match for the
first pointer): a run that published first makes the other run's attempt fail, and that run's
retry builds on it. It is written, never deleted: S3 has no conditional delete everywhere, and
an unconditional one could remove a pointer another run had just published.

The trainer reads a snapshot from a local folder (load_snapshot), checking the manifest's sha256
of each split file, so it never trains on a half-copied file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from . import jsonl
from .config import SplitSettings
from .errors import SnapshotError
from .layout import LATEST_SNAPSHOT, MANIFEST, SnapshotPaths, run_key, split_file
from .records import Record, text_hash
from .split import SPLITS, parse_jsonl, split_records, to_jsonl
from .storage import ObjectStore, PreconditionFailed, json_bytes
from .timestamps import iso, utcnow

log = logging.getLogger(__name__)

NO_SNAPSHOT = {"snapshot_id": None, "uri": None, "run_id": None, "previous_snapshot": None, "previous_uri": None}


def manifest_for(snapshot_id: str, splits: dict[str, list[Record]], files: dict[str, bytes], extra: dict) -> dict:
    """Counts, label counts and checksums only: a manifest never holds text."""
    return {
        "snapshot_id": snapshot_id,
        "counts": {s: len(r) for s, r in splits.items()},
        "counts_by_source": {s: dict(Counter(r.source for r in recs)) for s, recs in splits.items()},
        "label_counts": {s: dict(sorted(Counter(e.label for r in recs for e in r.entities).items()))
                         for s, recs in splits.items()},
        "files": _digests(files),
        **extra,
    }


def base_of(latest: dict[str, Any] | None, run_id: str) -> tuple[str | None, str | None]:
    """(id, uri) of the snapshot a run builds on: the latest one, unless the latest is this run's
    own (a retry), in which case the one before it, so a retry never counts its records twice."""
    if not latest:
        return None, None
    if latest.get("run_id") == run_id:
        return latest.get("previous_snapshot"), latest.get("previous_uri")
    return latest["snapshot_id"], latest["uri"]


def _digests(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {name: {"sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)} for name, b in files.items()}


class SnapshotStore:
    """Snapshots and their pointer over one ObjectStore (as registry.Registry is for models)."""

    def __init__(self, store: ObjectStore, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.clock = clock

    # -- reading ----------------------------------------------------------------------------
    def uri(self, snapshot_id: str) -> str:
        return self.store.uri(self.store.key(SnapshotPaths.of(snapshot_id).root) + "/")

    def _at(self, uri: str) -> SnapshotPaths:
        return SnapshotPaths(self.store.key_of(uri).rstrip("/"))

    def _pointer_with_etag(self) -> tuple[dict[str, Any] | None, str | None]:
        got = self.store.get_with_etag(self.store.key(LATEST_SNAPSHOT))
        latest, etag = (json.loads(got[0]), got[1]) if got else (None, None)
        if latest is not None and not latest.get("snapshot_id"):
            latest = None  # NO_SNAPSHOT: no snapshot yet, but the ETag still guards the next write
        return latest, etag

    def latest(self) -> dict[str, Any] | None:
        """The pointer ({"snapshot_id", "uri", "run_id", "previous_snapshot", "previous_uri"}),
        None when there is no snapshot yet."""
        return self._pointer_with_etag()[0]

    def manifest(self, uri: str, *, required: bool = True) -> dict[str, Any] | None:
        """The manifest of a complete snapshot; an incomplete one (no manifest) is never read
        (SnapshotError, or None when not `required`)."""
        manifest = self.store.get_json(self._at(uri).manifest)
        if manifest is None and required:
            raise SnapshotError(f"snapshot {uri} has no manifest.json: it is incomplete and is not read")
        return manifest

    def split(self, uri: str, name: str) -> list[Record]:
        """One split's records (e.g. the test records evaluate scores)."""
        return parse_jsonl(self.store.get_bytes(self._at(uri).split(name)))

    def records(self, uri: str) -> dict[str, list[Record]]:
        """Every split of a complete snapshot."""
        self.manifest(uri)
        return {s: self.split(uri, s) for s in SPLITS}

    def known(self, uri: str, *, also: Callable[[dict[str, Any]], None] | None = None) -> tuple[set[str], set[str]]:
        """(text hashes, record ids) of every record of a complete snapshot, one split file in memory
        at a time: what a new record must not repeat. `also` sees each record dict on the same read."""
        hashes: set[str] = set()
        ids: set[str] = set()
        for d in self.record_dicts(uri):
            hashes.add(text_hash(d["text"]))
            ids.add(str(d["id"]))
            if also is not None:
                also(d)
        return hashes, ids

    def record_dicts(self, uri: str, splits: Iterable[str] = SPLITS) -> Iterator[dict[str, Any]]:
        """Each record of `splits` as stored (a dict), one split file in memory at a time; a
        missing split file holds none."""
        paths = self._at(uri)
        for name in splits:
            got = self.store.get_with_etag(paths.split(name))
            yield from jsonl.load_lines(got[0]) if got else ()

    def known_latest(self) -> tuple[set[str], set[str]]:
        """known() of the latest snapshot; empty sets when there is none."""
        latest = self.latest()
        return self.known(latest["uri"]) if latest else (set(), set())

    def pointer(self, snapshot_id: str) -> dict[str, Any]:
        """The pointer naming a complete snapshot (rebuilt from its manifest)."""
        uri = self.uri(snapshot_id)
        manifest = self.manifest(uri)
        prev = manifest.get("previous_snapshot")
        return {"snapshot_id": snapshot_id, "uri": uri, "run_id": manifest.get("run_id"),
                "previous_snapshot": prev, "previous_uri": self.uri(prev) if prev else None}

    # -- building ---------------------------------------------------------------------------
    def build(self, run_id: str, new: list[Record], split_settings: SplitSettings, *,
              source_files: list[dict[str, Any]]) -> dict[str, Any]:
        """Cumulative snapshot = base snapshot + `new`, manifest last, then the pointer moves.

        The id is the run's key, so a retry rewrites the same snapshot. Before a published snapshot
        of this run is rewritten the pointer goes back to the base; a retry or re-run that would
        write identical files keeps the complete snapshot as it is (same manifest, same hash).
        Returns {"snapshot_id", "uri", "manifest"}."""
        snapshot_id = run_key(run_id)
        paths = SnapshotPaths.of(snapshot_id)
        latest, etag = self._pointer_with_etag()
        base_id, base_uri = base_of(latest, run_id)
        previous = [r for recs in self.records(base_uri).values() for r in recs] if base_uri else []
        splits = split_records(previous + new, split_settings)
        files = {split_file(s): to_jsonl(splits[s]) for s in SPLITS}
        existing = self.store.get_json(self.store.key(paths.manifest))
        if _same_snapshot(existing, files, base_id, source_files):
            manifest = existing  # complete and identical already: a retry or re-run changes nothing
            log.info("snapshot %s is already complete with the same content", snapshot_id)
        else:
            if latest and latest.get("snapshot_id") == snapshot_id:
                latest, etag = self._step_back(snapshot_id, base_id, etag)
            manifest = manifest_for(snapshot_id, splits, files, {
                "run_id": run_id, "created_at": iso(self.clock()),
                "split": split_settings.model_dump(), "new_records": len(new), "previous_snapshot": base_id,
                "source_files": source_files,
            })
            self._write(paths, files, manifest)
        uri = self.uri(snapshot_id)
        pointer = {"snapshot_id": snapshot_id, "uri": uri, "run_id": run_id,
                   "previous_snapshot": base_id, "previous_uri": base_uri}
        if latest != pointer:
            self._publish(pointer, etag)
        return {"snapshot_id": snapshot_id, "uri": uri, "manifest": manifest}

    def _write(self, paths: SnapshotPaths, files: dict[str, bytes], manifest: dict[str, Any]) -> None:
        prefix = self.store.key(paths.root)
        self.store.delete_prefix(prefix + "/")  # a partial earlier attempt leaves nothing behind
        for name, data in files.items():
            self.store.put_bytes(f"{prefix}/{name}", data, content_type="application/x-ndjson")
        self.store.put_json(self.store.key(paths.manifest), manifest)  # last: marks the snapshot complete

    def _step_back(self, snapshot_id: str, base_id: str | None,
                   etag: str | None) -> tuple[dict[str, Any] | None, str | None]:
        """Our own earlier attempt is published and is about to be rewritten: readers go back to
        the base snapshot first, so the pointer never names a half-written snapshot."""
        key = self.store.key(LATEST_SNAPSHOT)
        restored = self.pointer(base_id) if base_id else None
        try:
            etag = self.store.put_conditional(key, json_bytes(restored or NO_SNAPSHOT), etag)
        except PreconditionFailed as exc:
            raise SnapshotError(f"{self.store.uri(key)} changed while snapshot {snapshot_id} was rebuilt "
                                "(another run?); a retry builds on the current snapshot") from exc
        return restored, etag

    def _publish(self, pointer: dict[str, Any], etag: str | None) -> None:
        """Conditional: never replace a snapshot another run published since we read the pointer."""
        key = self.store.key(LATEST_SNAPSHOT)
        try:
            self.store.put_conditional(key, json_bytes(pointer), etag)
        except PreconditionFailed as exc:
            now = (self.latest() or {}).get("snapshot_id")
            raise SnapshotError(f"{self.store.uri(key)} moved to {now} while snapshot {pointer['snapshot_id']} was "
                                f"built on {pointer['previous_snapshot']}; a retry builds on the new snapshot, "
                                "so no records are lost") from exc


def _same_snapshot(existing: dict[str, Any] | None, files: dict[str, bytes], base_id: str | None,
                   source_files: list[dict[str, Any]]) -> bool:
    if not existing:
        return False
    return (existing.get("files") == _digests(files) and existing.get("previous_snapshot") == base_id
            and existing.get("source_files") == source_files)


# -- a snapshot in a local folder (the trainer) ---------------------------------------------------

@dataclass
class Snapshot:
    manifest: dict[str, Any]
    train: list[Record] = field(default_factory=list)
    validation: list[Record] = field(default_factory=list)
    test: list[Record] = field(default_factory=list)


def _expected_sha256(manifest: dict[str, Any], name: str) -> str | None:
    entry = (manifest.get("files") or {}).get(name)
    if isinstance(entry, dict):
        return entry.get("sha256")
    return entry if isinstance(entry, str) else None


def check_split_file(folder: str | Path, manifest: dict[str, Any], split: str) -> tuple[Path, str] | None:
    """(path, sha256) of a local split file, read in chunks and checked against the manifest's
    sha256 when it lists one (SnapshotError if it differs); None when the file is absent."""
    name = split_file(split)
    path = Path(folder) / name
    if not path.is_file():
        return None
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    expected = _expected_sha256(manifest, name)
    if expected and digest != expected:
        raise SnapshotError(f"{name} does not match the sha256 in manifest.json")
    return path, digest


def load_snapshot(folder: str | Path, splits: Sequence[str] = ("train", "validation")) -> Snapshot:
    """Records of the requested splits; raises SnapshotError for an incomplete snapshot."""
    root = Path(folder)
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise SnapshotError(f"{root} has no manifest.json: the snapshot is incomplete")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    snap = Snapshot(manifest=manifest)
    for split in splits:
        checked = check_split_file(root, manifest, split)
        if checked is None:
            if split == "train":
                raise SnapshotError(f"snapshot has no {split_file(split)}")
            continue
        setattr(snap, split, parse_jsonl(checked[0].read_bytes()))
    return snap

"""A registry version's files: staging copied in and verified, the generated files written and
read back, and a complete version pulled out, each file checked against the marker (size +
MD5). Registry (registry.py) decides when; this module moves and checks bytes."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable

from .errors import PreconditionFailed, RegistryError
from .layout import COMPLETE_MARKER, OutputPaths, VersionPaths
from .modelcard import render
from .safepath import local_path
from .storage import ObjectStore, hash_chunks, json_bytes, md5_hex

STAGING_MARKER = OutputPaths.SUCCESS

# Trainer outputs keep their content but not their names where the registry writes its own.
STAGING_RENAMES = {OutputPaths.METRICS: "train_metrics.json", OutputPaths.CONFIG: "train_config.json",
                   OutputPaths.RUN: "train_run.json"}
GENERATED = (VersionPaths.METRICS, VersionPaths.BLESSING, VersionPaths.LINEAGE, VersionPaths.MODEL_CARD, COMPLETE_MARKER)


def checksum(store: ObjectStore, key: str) -> dict[str, Any]:
    """store.checksum of an object that must exist (RegistryError when it does not)."""
    got = store.checksum(key)
    if got is None:
        raise RegistryError(f"{store.uri(key)} is missing")
    return got


def _staged(store: ObjectStore, staging_uri: str) -> list[tuple[str, str, str]]:
    """(source key, name in staging, name in the version) of every staging file a version holds."""
    skey = store.key_of(staging_uri).rstrip("/") + "/"
    out = []
    for obj in store.list(skey):
        rel = obj["Key"][len(skey):]
        dst = STAGING_RENAMES.get(rel, rel)
        if not rel or rel.endswith("/") or rel == STAGING_MARKER or dst in GENERATED:
            continue  # the registry's own file of a generated name wins
        out.append((obj["Key"], rel, dst))
    return out


def holds_staging(store: ObjectStore, marker: dict[str, Any], staging_uri: str) -> bool:
    """True when the complete version (its marker) was copied from exactly these staging
    files (size + MD5 of each, under the names the registry gives them)."""
    recorded = {k: v for k, v in (marker.get("files") or {}).items() if k not in GENERATED}
    return {dst: checksum(store, key) for key, _, dst in _staged(store, staging_uri)} == recorded


def copy_staging(store: ObjectStore, staging_uri: str, prefix: str, vid: str) -> dict[str, dict[str, Any]]:
    """Copy a finished trainer output into the version folder, each copy verified."""
    skey = store.key_of(staging_uri).rstrip("/") + "/"
    if not store.exists(skey + STAGING_MARKER):
        raise RegistryError(f"staging {staging_uri} has no {STAGING_MARKER}: the trainer did not finish")
    files: dict[str, dict[str, Any]] = {}
    for key, rel, dst in _staged(store, staging_uri):
        store.copy(key, prefix + dst)
        src_sum = checksum(store, key)
        if checksum(store, prefix + dst) != src_sum:
            raise RegistryError(f"copy of {rel} into {vid} does not match its source (size/MD5)")
        files[dst] = src_sum
    if not any(name.startswith(OutputPaths.MODEL + "/") for name in files):
        raise RegistryError(f"staging {staging_uri} holds no model/ folder")
    return files


def write_generated(store: ObjectStore, prefix: str, vid: str, generated: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    """Write the registry's own files, each read back (size + MD5) as written."""
    files: dict[str, dict[str, Any]] = {}
    for name, data in generated.items():
        ctype = "text/markdown" if name.endswith(".md") else "application/json"
        store.put_bytes(prefix + name, data, content_type=ctype)
        expected = {"size": len(data), "md5": md5_hex(data)}
        if checksum(store, prefix + name) != expected:
            raise RegistryError(f"{name} in {vid} does not read back as written (size/MD5)")
        files[name] = expected
    return files


def drop_leftovers(store: ObjectStore, prefix: str, files: dict[str, Any]) -> None:
    """Objects of an earlier attempt from a different staging content do not belong here."""
    store.delete([obj["Key"] for obj in list(store.list(prefix))
                  if obj["Key"][len(prefix):] not in files and obj["Key"][len(prefix):] != COMPLETE_MARKER])


def build_version(store: ObjectStore, prefix: str, vid: str, *, run_id: str, staging_uri: str,
                  blessing: dict[str, Any], metrics: dict[str, Any], lineage: dict[str, Any], model_card: str | None,
                  kind: str, who: str, reason: str, now: Callable[[], str],
                  checkpoint: Callable[[str], None]) -> None:
    """Copy staging, write the generated files, verify all, write the marker last (If-None-Match:
    a version is never written again). `checkpoint` runs at "after_copy" and "before_marker"."""
    files = copy_staging(store, staging_uri, prefix, vid)
    checkpoint("after_copy")
    stored_blessing = dict(blessing)
    if kind == "forced_promotion":
        # forced by whoever asked for it (the run's trigger, or the CLI user); approved by `who`
        stored_blessing["forced"] = {"who": blessing.get("triggered_by") or who, "reason": reason}
    if model_card is None:
        model_card = render(metrics=metrics, blessing=stored_blessing, lineage=lineage, version=vid)
    files.update(write_generated(store, prefix, vid, {
        VersionPaths.METRICS: json_bytes(metrics),
        VersionPaths.BLESSING: json_bytes(stored_blessing),
        VersionPaths.LINEAGE: json_bytes({**lineage, "version": vid, "run_id": lineage.get("run_id") or run_id,
                                          "staging_uri": staging_uri}),
        VersionPaths.MODEL_CARD: model_card.encode("utf-8"),
    }))
    drop_leftovers(store, prefix, files)
    checkpoint("before_marker")
    marker = {"version": vid, "run_id": run_id, "created_at": now(), "kind": kind,
              "passed": bool(blessing.get("passed")), "micro_f1": (metrics.get("micro") or {}).get("f1"),
              "staging_uri": staging_uri, "files": dict(sorted(files.items()))}
    try:
        store.put_json(prefix + COMPLETE_MARKER, marker, if_none_match=True)
    except PreconditionFailed:
        pass  # a concurrent attempt of this same run completed it: versions are immutable


def download(store: ObjectStore, prefix: str, vid: str, marker: dict[str, Any], dest: Path) -> Path:
    """Every file of the marker into dest, checked; into a sibling folder first, so dest is
    either the old content or the new. dest is replaced only if empty or a pulled version."""
    if dest.exists() and any(dest.iterdir()) and not (dest / COMPLETE_MARKER).exists():
        raise FileExistsError(f"{dest} exists and is not a pulled model version")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.parent / f".{dest.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        for rel, want in marker["files"].items():
            path = local_path(tmp, rel)  # the marker's names are stored data: never leave tmp
            path.parent.mkdir(parents=True, exist_ok=True)
            got = store.open(prefix + rel)
            if got is None:
                raise RegistryError(f"{rel} of {vid} is missing from {store.uri(prefix)}")
            with got, open(path, "wb") as fh:
                md5, size = hash_chunks(got.chunks, "md5", sink=fh.write)
            if {"size": size, "md5": md5} != want:
                raise RegistryError(f"{rel} of {vid} does not match its recorded size/MD5")
        (tmp / COMPLETE_MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True))
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest

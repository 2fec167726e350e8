"""A registry version's files: staging copied in and verified, the generated files written and
read back, and a complete version pulled out, each file checked against the marker (size +
MD5). Registry (registry.py) decides when; this module moves and checks bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

from .errors import RegistryError
from .layout import COMPLETE_MARKER, OutputPaths, VersionPaths
from .safepath import local_path
from .storage import ObjectStore, md5_hex

STAGING_MARKER = OutputPaths.SUCCESS

# Trainer outputs keep their content but not their names where the registry writes its own.
STAGING_RENAMES = {OutputPaths.METRICS: "train_metrics.json", OutputPaths.CONFIG: "train_config.json",
                   OutputPaths.RUN: "train_run.json"}
GENERATED = (VersionPaths.METRICS, VersionPaths.BLESSING, VersionPaths.LINEAGE, VersionPaths.MODEL_CARD, COMPLETE_MARKER)


def checksum(store: ObjectStore, key: str) -> dict[str, Any]:
    """{"size", "md5"} of a stored object that must exist."""
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
    for obj in list(store.list(prefix)):
        rel = obj["Key"][len(prefix):]
        if rel not in files and rel != COMPLETE_MARKER:
            store.client.delete_object(Bucket=store.bucket, Key=obj["Key"])


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
            h, size = hashlib.md5(usedforsecurity=False), 0
            body = store.client.get_object(Bucket=store.bucket, Key=prefix + rel)["Body"]
            with open(path, "wb") as fh:
                for chunk in body.iter_chunks(1 << 20):
                    fh.write(chunk)
                    h.update(chunk)
                    size += len(chunk)
            if {"size": size, "md5": h.hexdigest()} != want:
                raise RegistryError(f"{rel} of {vid} does not match its recorded size/MD5")
        (tmp / COMPLETE_MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True))
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")

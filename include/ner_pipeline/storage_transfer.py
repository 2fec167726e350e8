"""A whole directory to or from a URI, s3:// or a local path: what the trainer and the
evaluator use, so they also run on plain folders. Objects go through storage.ObjectStore."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .config import Settings
from .storage import ObjectStore, parse_s3_uri


def _store_for(bucket: str, settings: Settings) -> ObjectStore:
    return ObjectStore(settings.model_copy(update={"storage": settings.storage.model_copy(update={"bucket": bucket})}))


def fetch(uri: str, local_dir: str | os.PathLike[str], settings: Settings) -> Path:
    """Make the directory at `uri` available locally; returns the local directory."""
    if uri.startswith("s3://"):
        bucket, key = parse_s3_uri(uri)
        files = _store_for(bucket, settings).download_prefix(key, local_dir)
        if not files:
            raise FileNotFoundError(f"nothing stored under {uri}")
        return Path(local_dir)
    path = Path(uri.removeprefix("file://"))
    if not path.exists():
        raise FileNotFoundError(f"{uri} does not exist")
    return path


def publish(local_dir: str | os.PathLike[str], uri: str, settings: Settings) -> None:
    """Copy a finished local directory to `uri` (s3:// prefix or local path)."""
    if uri.startswith("s3://"):
        bucket, key = parse_s3_uri(uri)
        store = _store_for(bucket, settings)
        store.delete_prefix(key.rstrip("/") + "/")  # a retried run replaces, never mixes, outputs
        store.upload_dir(local_dir, key)
        return
    dest = Path(uri.removeprefix("file://"))
    if dest.resolve() == Path(local_dir).resolve():
        return
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(local_dir, tmp)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)

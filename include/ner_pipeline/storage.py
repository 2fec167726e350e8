"""Object-store access (boto3) and the few file operations every stage needs.

Everything the pipeline stores goes through `ObjectStore`, so server-side encryption,
the key prefix and conditional writes are applied in one place. Whole directories by
URI (s3:// or a local path) are storage_transfer.py's; how the client is built, storage_client.py's.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .config import Settings
from .errors import ConditionalWritesIgnored, PreconditionFailed
from .layout import PROBE_PREFIX
from .safepath import local_path
from .storage_client import client_from_settings
from .storage_probe import PROBED, CONFLICT_CODES, error_code, probe
from .storage_stream import CHUNK, Reading, hash_chunks

__all__ = ["ConditionalWritesIgnored", "ObjectStore", "PreconditionFailed", "Reading", "hash_chunks", "json_bytes",
           "md5_hex", "parse_s3_uri"]


def parse_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


MISSING_CODES = ("NoSuchKey", "404", "NotFound")


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def json_bytes(obj: Any) -> bytes:
    """The stored form of a JSON object (put_json, the registry's files): indented, sorted, UTF-8."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


class ObjectStore:
    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.settings = settings
        self.bucket = settings.storage.bucket
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = client_from_settings(self.settings)
        return self._client

    # -- keys -----------------------------------------------------------------
    def key(self, *parts: str) -> str:
        return self.settings.key(*parts)

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def key_of(self, uri: str) -> str:
        bucket, key = parse_s3_uri(uri)
        if bucket != self.bucket:
            raise ValueError(f"{uri} is not in bucket {self.bucket}")
        return key

    # -- bucket ---------------------------------------------------------------
    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    # -- objects --------------------------------------------------------------
    def _sse(self) -> dict[str, str]:
        st = self.settings.storage
        if st.sse == "none":
            return {}
        out = {"ServerSideEncryption": st.sse}
        if st.sse == "aws:kms" and st.sse_kms_key_id:
            out["SSEKMSKeyId"] = st.sse_kms_key_id
        return out

    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        if_match: str | None = None,
        if_none_match: bool = False,
    ) -> str:
        """Write an object; with if_match/if_none_match the write is conditional. Returns the ETag."""
        from botocore.exceptions import ClientError

        if (if_match or if_none_match) and (self._where(), self.bucket) not in PROBED:
            self.check_conditional_writes()
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Body": data, "ContentType": content_type}
        kwargs.update(self._sse())
        if if_match:
            kwargs["IfMatch"] = if_match
        if if_none_match:
            kwargs["IfNoneMatch"] = "*"
        try:
            return self.client.put_object(**kwargs)["ETag"]
        except ClientError as exc:
            if error_code(exc) in CONFLICT_CODES:
                raise PreconditionFailed(f"conditional write to {self.uri(key)} failed ({error_code(exc)})") from exc
            raise

    def put_conditional(self, key: str, data: bytes, etag: str | None, *,
                        content_type: str = "application/json") -> str:
        """Write over exactly what was read: If-Match on its ETag, or If-None-Match when nothing was
        there (etag None). PreconditionFailed when another writer got there first."""
        if etag:
            return self.put_bytes(key, data, content_type=content_type, if_match=etag)
        return self.put_bytes(key, data, content_type=content_type, if_none_match=True)

    def update(self, key: str, change: Callable[[bytes | None], bytes | None], *, attempts: int = 10,
               content_type: str = "application/json") -> bool:
        """Read-modify-write under the one retry policy: read with the ETag, `change` (the current
        bytes, None when missing) gives the new bytes or None (nothing to write: False), written by
        put_conditional; a lost race re-reads after a short random wait, up to `attempts` times."""
        for attempt in range(attempts):
            got = self.get_with_etag(key)
            data, etag = got if got else (None, None)
            new = change(data)
            if new is None:
                return False
            try:
                self.put_conditional(key, new, etag, content_type=content_type)
                return True
            except PreconditionFailed:
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise PreconditionFailed(f"could not update {self.uri(key)} after {attempts} attempts")

    def _where(self) -> str:
        return self.settings.storage.endpoint_url or f"AWS S3 ({self.settings.storage.region})"

    def check_conditional_writes(self) -> None:
        """Once per process and store, before the first conditional write (storage_probe.probe)."""
        probe(self.client, self.bucket, self.key(PROBE_PREFIX + uuid.uuid4().hex), self._sse(), self._where())

    def put_json(self, key: str, obj: Any, **kw: Any) -> str:
        return self.put_bytes(key, json_bytes(obj), content_type="application/json", **kw)

    def put_file(self, key: str, path: str | os.PathLike[str], content_type: str | None = None) -> str:
        return self.put_bytes(key, Path(path).read_bytes(), content_type=content_type or _guess_type(str(path)))

    def get_bytes(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def open(self, key: str) -> Reading | None:
        """A streamed read (size and ETag first, then the body in CHUNK pieces); None if missing.
        Close it (a `with` block) when the body is not read to the end."""
        from botocore.exceptions import ClientError

        try:
            r = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in MISSING_CODES:
                return None
            raise
        return Reading(r["ContentLength"], r["ETag"], r["Body"].iter_chunks(CHUNK), r["Body"].close)

    def get_with_etag(self, key: str) -> tuple[bytes, str] | None:
        got = self.open(key)
        if got is None:
            return None
        with got:
            return got.read(), got.etag

    def get_json(self, key: str, default: Any = None) -> Any:
        got = self.get_with_etag(key)
        if got is None:
            return default
        return json.loads(got[0])

    def sha256(self, key: str) -> tuple[str, int] | None:
        """(sha256 hex, size) of an object, streamed (memory stays flat); None if missing."""
        got = self.open(key)
        if got is None:
            return None
        with got:
            return hash_chunks(got.chunks, "sha256")

    def head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if error_code(exc) in MISSING_CODES:
                return None
            raise

    def exists(self, key: str) -> bool:
        return self.head(key) is not None

    def checksum(self, key: str) -> dict[str, Any] | None:
        """{"size", "md5"} of a stored object (None if missing). A single-part ETag is the MD5
        (also with SSE-S3); multipart and SSE-KMS ETags are not, so then the object is read."""
        head = self.head(key)
        if head is None:
            return None
        etag = head["ETag"].strip('"')
        if len(etag) == 32 and all(c in "0123456789abcdef" for c in etag) and self.settings.storage.sse != "aws:kms":
            return {"size": head["ContentLength"], "md5": etag}
        got = self.open(key)
        if got is None:
            return None
        with got:
            md5, size = hash_chunks(got.chunks, "md5")
        return {"size": size, "md5": md5}

    def list(self, prefix: str) -> Iterator[dict[str, Any]]:
        """Objects under `prefix` (Key, Size, ETag, LastModified), in key order."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", []) or []

    def list_dirs(self, prefix: str) -> list[str]:
        """Immediate 'sub-folders' of `prefix` (which should end in '/')."""
        out: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/"):
            out += [p["Prefix"] for p in page.get("CommonPrefixes", []) or []]
        return out

    def delete(self, keys: Iterable[str]) -> int:
        """Delete these objects (1000 a request); returns how many were named."""
        keys = list(keys)
        for i in range(0, len(keys), 1000):
            self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in keys[i : i + 1000]], "Quiet": True}
            )
        return len(keys)

    def delete_prefix(self, prefix: str) -> int:
        return self.delete([o["Key"] for o in self.list(prefix)])

    def copy(self, src_key: str, dst_key: str) -> None:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": dst_key, "CopySource": {"Bucket": self.bucket, "Key": src_key}}
        kwargs.update(self._sse())
        self.client.copy_object(**kwargs)

    def upload_dir(self, local_dir: str | os.PathLike[str], prefix: str) -> list[str]:
        """Upload every file under local_dir to prefix/<relative path>; returns the keys."""
        root = Path(local_dir)
        keys = []
        # Marker files (_SUCCESS, _COMPLETE.json) go last: their presence means "all of it is there".
        files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: (p.name.startswith("_"), str(p)))
        for path in files:
            key = prefix.rstrip("/") + "/" + path.relative_to(root).as_posix()
            self.put_file(key, path)
            keys.append(key)
        return keys

    def download_prefix(self, prefix: str, local_dir: str | os.PathLike[str]) -> list[Path]:
        root = Path(local_dir)
        prefix = prefix.rstrip("/") + "/"
        out = []
        for obj in self.list(prefix):
            rel = obj["Key"][len(prefix) :]
            if not rel or rel.endswith("/"):
                continue
            dest = local_path(root, rel)  # a key like model/../../x never writes outside root
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(self.get_bytes(obj["Key"]))
            out.append(dest)
        return out


def _guess_type(name: str) -> str:
    for ext, ct in ((".json", "application/json"), (".jsonl", "application/x-ndjson"), (".html", "text/html"),
                    (".md", "text/markdown"), (".png", "image/png"), (".css", "text/css"), (".js", "text/javascript"),
                    (".txt", "text/plain"), (".yaml", "application/yaml")):
        if name.endswith(ext):
            return ct
    return "application/octet-stream"

"""Object-store access (boto3) and the few file operations every stage needs.

Everything the pipeline stores goes through `ObjectStore`, so server-side encryption,
the key prefix and conditional writes are applied in one place. The trainer also accepts
plain local paths, so `fetch`/`publish` dispatch on the URI scheme.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterator

from .config import Settings
from .layout import PROBE_PREFIX
from .safepath import local_path


class PreconditionFailed(RuntimeError):
    """A conditional write lost: the object changed (or appeared) under us."""


class ConditionalWritesIgnored(RuntimeError):
    """The S3 server accepts If-Match / If-None-Match and ignores them: every pointer there
    would be last-writer-wins, so the registry and the dataset pointer refuse to run on it."""


_PROBED: set[tuple[str, str]] = set()  # (endpoint, bucket) whose conditional writes were checked


def parse_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def local_store_credentials(settings: Settings, environ: Any = None) -> dict[str, str] | None:
    """After `make run`: the local profile's endpoint is the embedded store, whose keys live in
    .local/s3.env. Those keys, when the endpoint is that store, the environment holds no AWS
    keys or profile, no Airflow connection is configured and the file exists; else None."""
    env = os.environ if environ is None else environ
    if env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_PROFILE") or settings.storage.aws_conn_id:
        return None
    from .localstore import local_store

    ls = local_store(settings)
    endpoint = (settings.storage.endpoint_url or "").rstrip("/")
    if endpoint not in (ls.endpoint, f"http://localhost:{ls.port}") or not ls.env_file.is_file():
        return None
    return ls.credentials()


def _client_from_settings(settings: Settings):
    import boto3
    from botocore.config import Config

    kwargs: dict[str, Any] = {
        "region_name": settings.storage.region,
        "config": Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60),
    }
    if settings.storage.endpoint_url:
        kwargs["endpoint_url"] = settings.storage.endpoint_url
    # The one place credentials are looked up for every command: the local store's own file.
    local = local_store_credentials(settings)
    if local:
        kwargs["aws_access_key_id"] = local.get("AWS_ACCESS_KEY_ID")
        kwargs["aws_secret_access_key"] = local.get("AWS_SECRET_ACCESS_KEY")
    if settings.storage.aws_conn_id:
        # Only inside a running task: parsing the DAG never looks up a connection.
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(settings.storage.aws_conn_id)
        kwargs["aws_access_key_id"] = conn.login
        kwargs["aws_secret_access_key"] = conn.password
        extra = conn.extra_dejson or {}
        if extra.get("endpoint_url") and not settings.storage.endpoint_url:
            kwargs["endpoint_url"] = extra["endpoint_url"]
    return boto3.client("s3", **kwargs)


class ObjectStore:
    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.settings = settings
        self.bucket = settings.storage.bucket
        self._client = client

    @property
    def client(self):
        if self._client is None:
            self._client = _client_from_settings(self.settings)
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

        if (if_match or if_none_match) and (self._where(), self.bucket) not in _PROBED:
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
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
                raise PreconditionFailed(f"conditional write to {self.uri(key)} failed ({code})") from exc
            raise

    def _where(self) -> str:
        return self.settings.storage.endpoint_url or f"AWS S3 ({self.settings.storage.region})"

    def check_conditional_writes(self) -> None:
        """Once per process and store, before the first conditional write: a probe object is
        written, then overwritten with If-None-Match: * and with If-Match on a wrong ETag; both
        must be refused (412). A server that takes either raises ConditionalWritesIgnored."""
        import uuid

        from botocore.exceptions import ClientError

        key = self.key(PROBE_PREFIX + uuid.uuid4().hex)
        base = {"Bucket": self.bucket, "Key": key, "ContentType": "text/plain", **self._sse()}
        self.client.put_object(Body=b"probe", **base)
        ignored = []
        try:
            for header, value in (("IfNoneMatch", "*"), ("IfMatch", '"00000000000000000000000000000000"')):
                try:
                    self.client.put_object(Body=b"probe-overwrite", **{header: value}, **base)
                    ignored.append(header)
                except ClientError as exc:
                    code = exc.response.get("Error", {}).get("Code", "")
                    if code not in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
                        raise
        finally:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        if ignored:
            raise ConditionalWritesIgnored(
                f"the object store at {self._where()} (bucket {self.bucket}) ignores conditional writes "
                f"({', '.join(ignored)} took effect instead of failing with 412): champion.json, datasets/latest.json "
                "and state/processed.json would be last-writer-wins there, so the registry and the pipeline refuse "
                "to run on it; use a store that honours If-Match / If-None-Match (AWS S3, SeaweedFS, MinIO >= 2024)")
        _PROBED.add((self._where(), self.bucket))

    def put_json(self, key: str, obj: Any, **kw: Any) -> str:
        data = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return self.put_bytes(key, data, content_type="application/json", **kw)

    def put_file(self, key: str, path: str | os.PathLike[str], content_type: str | None = None) -> str:
        return self.put_bytes(key, Path(path).read_bytes(), content_type=content_type or _guess_type(str(path)))

    def get_bytes(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def get_with_etag(self, key: str) -> tuple[bytes, str] | None:
        from botocore.exceptions import ClientError

        try:
            r = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return r["Body"].read(), r["ETag"]

    def get_json(self, key: str, default: Any = None) -> Any:
        got = self.get_with_etag(key)
        if got is None:
            return default
        return json.loads(got[0])

    def sha256(self, key: str) -> tuple[str, int] | None:
        """(sha256 hex, size) of an object, read in 1 MiB chunks (memory stays flat); None if missing."""
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        h, size = hashlib.sha256(), 0
        for chunk in body.iter_chunks(1 << 20):
            h.update(chunk)
            size += len(chunk)
        return h.hexdigest(), size

    def head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
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
        h, size = hashlib.md5(usedforsecurity=False), 0
        for chunk in self.client.get_object(Bucket=self.bucket, Key=key)["Body"].iter_chunks(1 << 20):
            h.update(chunk)
            size += len(chunk)
        return {"size": size, "md5": h.hexdigest()}

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

    def delete_prefix(self, prefix: str) -> int:
        keys = [o["Key"] for o in self.list(prefix)]
        for i in range(0, len(keys), 1000):
            self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in keys[i : i + 1000]], "Quiet": True}
            )
        return len(keys)

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


# -- scheme-agnostic helpers for the trainer (s3:// or a local path) ---------------------

def fetch(uri: str, local_dir: str | os.PathLike[str], settings: Settings) -> Path:
    """Make the directory at `uri` available locally; returns the local directory."""
    if uri.startswith("s3://"):
        bucket, key = parse_s3_uri(uri)
        store = ObjectStore(settings.model_copy(update={"storage": settings.storage.model_copy(update={"bucket": bucket})}))
        files = store.download_prefix(key, local_dir)
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
        store = ObjectStore(settings.model_copy(update={"storage": settings.storage.model_copy(update={"bucket": bucket})}))
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

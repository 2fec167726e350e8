"""Does this S3 server honour conditional writes? Checked once per process and store before the
first one (storage.ObjectStore.put_bytes): a server that accepts If-Match / If-None-Match and
ignores them would make every pointer last-writer-wins, so the pipeline refuses to run on it."""

from __future__ import annotations

from typing import Any

from .errors import ConditionalWritesIgnored

CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict", "412", "409")  # a lost conditional write
PROBED: set[tuple[str, str]] = set()  # (endpoint, bucket) whose conditional writes were checked


def error_code(exc: Any) -> str:
    """The S3 error code of a botocore ClientError."""
    return exc.response.get("Error", {}).get("Code", "")


def probe(client: Any, bucket: str, key: str, sse: dict[str, str], where: str) -> None:
    """A probe object is written at `key`, then overwritten with If-None-Match: * and with If-Match
    on a wrong ETag; both must be refused (412). A server that takes either raises
    ConditionalWritesIgnored; one that refuses both is remembered, so the probe runs once."""
    from botocore.exceptions import ClientError

    base = {"Bucket": bucket, "Key": key, "ContentType": "text/plain", **sse}
    client.put_object(Body=b"probe", **base)
    ignored = []
    try:
        for header, value in (("IfNoneMatch", "*"), ("IfMatch", '"00000000000000000000000000000000"')):
            try:
                client.put_object(Body=b"probe-overwrite", **{header: value}, **base)
                ignored.append(header)
            except ClientError as exc:
                if error_code(exc) not in CONFLICT_CODES:
                    raise
    finally:
        client.delete_object(Bucket=bucket, Key=key)
    if ignored:
        raise ConditionalWritesIgnored(
            f"the object store at {where} (bucket {bucket}) ignores conditional writes "
            f"({', '.join(ignored)} took effect instead of failing with 412): champion.json, datasets/latest.json "
            "and state/processed.json would be last-writer-wins there, so the registry and the pipeline refuse "
            "to run on it; use a store that honours If-Match / If-None-Match (AWS S3, SeaweedFS, MinIO >= 2024)")
    PROBED.add((where, bucket))

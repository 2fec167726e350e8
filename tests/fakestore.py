"""An in-memory ObjectStore for unit tests: the same keys, URIs, ETags and conditional writes
(If-Match / If-None-Match) as the real one, no server. Only what the stores above it use."""

from __future__ import annotations

import hashlib
from typing import Any, Iterator

from ner_pipeline.storage import ObjectStore, PreconditionFailed, md5_hex


class MemoryStore(ObjectStore):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings, client=object())  # never used: every I/O method is replaced
        self.objects: dict[str, tuple[bytes, str]] = {}  # key -> (bytes, ETag)
        self.puts: list[str] = []  # keys in write order

    def put_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream",
                  if_match: str | None = None, if_none_match: bool = False) -> str:
        current = self.objects.get(key)
        if (if_none_match and current is not None) or (if_match and (current is None or current[1] != if_match)):
            raise PreconditionFailed(f"conditional write to {self.uri(key)} failed (412)")
        etag = f'"{md5_hex(data)}"'
        self.objects[key] = (bytes(data), etag)
        self.puts.append(key)
        return etag

    def get_with_etag(self, key: str) -> tuple[bytes, str] | None:
        return self.objects.get(key)

    def get_bytes(self, key: str) -> bytes:
        if key not in self.objects:
            raise KeyError(f"NoSuchKey: {key}")
        return self.objects[key][0]

    def head(self, key: str) -> dict[str, Any] | None:
        got = self.objects.get(key)
        return None if got is None else {"ContentLength": len(got[0]), "ETag": got[1]}

    def list(self, prefix: str) -> Iterator[dict[str, Any]]:
        for key in sorted(k for k in self.objects if k.startswith(prefix)):
            yield {"Key": key, "Size": len(self.objects[key][0]), "ETag": self.objects[key][1]}

    def delete_prefix(self, prefix: str) -> int:
        keys = [k for k in self.objects if k.startswith(prefix)]
        for k in keys:
            del self.objects[k]
        return len(keys)

    def list_dirs(self, prefix: str) -> list[str]:
        return sorted({prefix + k[len(prefix):].split("/", 1)[0] + "/" for k in self.objects
                       if k.startswith(prefix) and "/" in k[len(prefix):]})

    def copy(self, src_key: str, dst_key: str) -> None:
        data, etag = self.objects[src_key]
        self.objects[dst_key] = (data, etag)
        self.puts.append(dst_key)

    def sha256(self, key: str) -> tuple[str, int] | None:
        got = self.objects.get(key)
        return None if got is None else (hashlib.sha256(got[0]).hexdigest(), len(got[0]))

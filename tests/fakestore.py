"""An in-memory ObjectStore for unit tests: the same keys, URIs, ETags and conditional writes
(If-Match / If-None-Match) as the real one, no server. Only what the stores above it use."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ner_pipeline.storage import ObjectStore, PreconditionFailed, Reading, md5_hex


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

    def open(self, key: str) -> Reading | None:
        got = self.objects.get(key)
        return None if got is None else Reading(len(got[0]), got[1], iter([got[0]]))

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

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        for k in keys:
            self.objects.pop(k, None)
        return len(keys)

    def list_dirs(self, prefix: str) -> list[str]:
        return sorted({prefix + k[len(prefix):].split("/", 1)[0] + "/" for k in self.objects
                       if k.startswith(prefix) and "/" in k[len(prefix):]})

    def copy(self, src_key: str, dst_key: str) -> None:
        data, etag = self.objects[src_key]
        self.objects[dst_key] = (data, etag)
        self.puts.append(dst_key)

"""Reading an object as a stream: its size and ETag first, then the body in CHUNK pieces, and
the one loop that hashes a stream (optionally writing it out as it goes). storage.ObjectStore.open
gives a Reading; checksums, discovery's sha256 and the registry's pull hash through hash_chunks."""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterable, Iterator

CHUNK = 1 << 20  # streamed reads go 1 MiB at a time: memory stays flat whatever the object's size


def hash_chunks(chunks: Iterable[bytes], algorithm: str, sink: Callable[[bytes], Any] | None = None
                ) -> tuple[str, int]:
    """(hex digest, size) of a stream, each chunk also handed to `sink` (a file's write) when given."""
    h = hashlib.new(algorithm, usedforsecurity=False)
    size = 0
    for chunk in chunks:
        h.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink(chunk)
    return h.hexdigest(), size


class Reading:
    """An object being read: its size and ETag known before its body (one GET, not HEAD + GET)."""

    def __init__(self, size: int, etag: str, chunks: Iterator[bytes], close: Callable[[], Any] = lambda: None) -> None:
        self.size, self.etag, self.chunks, self._close = size, etag, chunks, close

    def read(self) -> bytes:
        return b"".join(self.chunks)

    def close(self) -> None:
        self._close()

    def __enter__(self) -> "Reading":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

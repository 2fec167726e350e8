"""The project's one JSON Lines reader and writer.

- Lines are split on b"\\n" only (a trailing "\\r" is dropped): never str.splitlines(), which
  also breaks on U+2028, U+2029, U+0085, \\x1c-\\x1e, \\v and \\f, all legal inside a JSON string.
- The writer escapes U+0085, U+2028 and U+2029 (json.dumps leaves them raw with
  ensure_ascii=False), so other tools that split on them read the file right too.
- Strict UTF-8 both ways: bytes that are not UTF-8 do not decode, and a value that cannot be
  written as UTF-8 (a lone surrogate from a "\\ud83d" escape) raises instead of being mangled;
  incoming data is checked for that at read time (ingest.schema.roundtrip_problem).
Blank lines are layout, not records.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

_ESCAPE = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


class JsonlError(ValueError):
    """A line of an internal JSONL file does not parse (the message names the line, not its content)."""


def dumps(obj: Any, *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None) -> str:
    """One JSON line, without the newline (NaN/Infinity refused: they are not JSON)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=sort_keys, allow_nan=False, default=default).translate(_ESCAPE)


def dump_line(obj: Any, *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None) -> bytes:
    return (dumps(obj, sort_keys=sort_keys, default=default) + "\n").encode("utf-8")  # strict: a lone surrogate raises


def dump_lines(objs: Iterable[Any], *, sort_keys: bool = False) -> bytes:
    return "".join(dumps(o, sort_keys=sort_keys) + "\n" for o in objs).encode("utf-8")


def iter_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, the line's bytes without "\\n" / "\\r\\n") of every non-blank line."""
    pos, n, line_no = 0, len(data), 0
    while pos < n:
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl
        chunk = data[pos:end]
        pos = end + 1
        line_no += 1
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
        if chunk.strip(b" \t\r"):
            yield line_no, chunk


def loads(chunk: bytes) -> Any:
    return json.loads(chunk.decode("utf-8"))


def load_lines(data: bytes, *, skip_bad: bool = False) -> list[Any]:
    """Every line's value; a line that does not parse raises JsonlError (or is skipped)."""
    out = []
    for line_no, chunk in iter_lines(data):
        try:
            out.append(loads(chunk))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            if skip_bad:
                continue
            raise JsonlError(f"line {line_no} is not a UTF-8 JSON value ({type(exc).__name__})") from None
    return out


def read_file(path: str | os.PathLike[str], *, skip_bad: bool = False) -> list[Any]:
    return load_lines(Path(path).read_bytes(), skip_bad=skip_bad)


def iter_file(path: str | os.PathLike[str]) -> Iterator[Any]:
    """read_file one line at a time (a file larger than memory): the same lines, the same errors."""
    with open(path, "rb") as fh:
        for line_no, raw in enumerate(fh, 1):  # binary files split on b"\n" only
            chunk = raw[:-1] if raw.endswith(b"\n") else raw
            if chunk.endswith(b"\r"):
                chunk = chunk[:-1]
            if not chunk.strip(b" \t\r"):
                continue
            try:
                yield loads(chunk)
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                raise JsonlError(f"line {line_no} is not a UTF-8 JSON value ({type(exc).__name__})") from None


class Writer:
    """Append JSON lines to a file created owner-readable only (records may hold transcripts)."""

    def __init__(self, path: str | os.PathLike[str], *, sort_keys: bool = False, mode: int = 0o600) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        os.fchmod(fd, mode)  # an existing file keeps its old mode with O_CREAT alone
        self._fh = os.fdopen(fd, "wb")
        self.sort_keys = sort_keys
        self.n = 0

    def write(self, obj: Any) -> None:
        self._fh.write(dump_line(obj, sort_keys=self.sort_keys))
        self.n += 1

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def write_file(path: str | os.PathLike[str], objs: Iterable[Any], *, sort_keys: bool = False,
               mode: int = 0o600, atomic: bool = True) -> int:
    """Write every object as a line (atomically: a temp file in the same folder, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp") if atomic else path
    with Writer(tmp, sort_keys=sort_keys, mode=mode) as w:
        for obj in objs:
            w.write(obj)
    if atomic:
        os.replace(tmp, path)
    return w.n

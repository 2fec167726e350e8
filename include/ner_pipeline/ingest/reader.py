"""One file's bytes -> RawRecords, auto-detecting the format, never raising on bad content.

- A body starting with '[' is a JSON list (Label Studio export, or canonical records),
  unless its first line is complete JSON with more lines after it (then it is JSONL):
  elements are decoded one at a time, so a truncated export still yields the tasks before
  the damage and one invalid_json record for the rest. `line` is the 0-based task index.
- Anything else is JSON Lines: one record per non-blank physical line (1-based `line`),
  each decoded on its own so one bad byte or truncated line costs one record, not the file.
  A pretty-printed single JSON object (a one-task .json export) is read as one record.
- Each object is a Label Studio task when it has a `data` object and no top-level `text`,
  otherwise a canonical record, so mixed files work too.
- A UTF-8 BOM and Windows line endings are tolerated; non-UTF-8 bytes are invalid_json
  (JSON text is UTF-8 by definition), kept in `raw` with backslash escapes.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from .canonical import parse_canonical
from .labels import LabelMapper
from .labelstudio import NoAnnotation, is_label_studio_task, parse_label_studio
from ..jsonl import iter_lines
from .raw import INVALID_JSON, INVALID_SCHEMA, LINE_TOO_LONG, RawRecord
from .schema import SchemaError, roundtrip_problem, type_name

_BOM = b"\xef\xbb\xbf"
_WS = b" \t\r\n"
_decoder = json.JSONDecoder()


def read_records(name: str, data: bytes, source: str, settings: Any = None, *,
                 mapper: LabelMapper | None = None, max_line_bytes: int | None = None) -> Iterator[RawRecord]:
    """Yield every record of one file, in order. `settings` supplies the label mapping and the
    line size cap (validation.max_line_bytes; `max_line_bytes` overrides it, None: no cap)."""
    if mapper is None:
        mapper = LabelMapper.from_settings(settings) if settings is not None else LabelMapper()
    if max_line_bytes is None and settings is not None:
        max_line_bytes = settings.validation.max_line_bytes
    cap = max_line_bytes or len(data) + 1
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    stripped = body.lstrip(_WS)
    if stripped.startswith(b"[") and not _first_line_is_a_record(stripped, cap):
        yield from _read_json_list(name, stripped, source, mapper, cap)
    else:
        yield from _read_jsonl(name, body, source, mapper, cap)


def _too_long(name: str, line: int, raw: str, source: str, size: int, cap: int, what: str) -> RawRecord:
    return RawRecord(name, line, raw, source, "unknown", error=LINE_TOO_LONG,
                     detail=f"{what} has {size} bytes, limit {cap} (validation.max_line_bytes): not parsed")


def _first_line_is_a_record(body: bytes, cap: int) -> bool:
    """JSON Lines whose first line happens to be an array ("[1, 2]" then more lines) is
    JSONL with a bad first record, not a list export: the first line is a complete JSON
    value and more content follows. A one-line list export has nothing after it; a
    pretty-printed one has a first line that is not complete JSON."""
    nl = body.find(b"\n")
    if nl < 0 or not body[nl:].strip(_WS):
        return False
    if nl > cap:
        return True  # JSONL with an over-long first line: never parsed
    try:
        json.loads(body[:nl])
    except (ValueError, RecursionError):
        return False
    return True


def _read_jsonl(name: str, body: bytes, source: str, mapper: LabelMapper, cap: int) -> Iterator[RawRecord]:
    first = True
    for line_no, chunk in iter_lines(body):
        if len(chunk) > cap:
            yield _too_long(name, line_no, chunk.decode("utf-8", "backslashreplace"), source, len(chunk), cap, "line")
            first = False
            continue
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError:
            yield RawRecord(name, line_no, chunk.decode("utf-8", "backslashreplace"), source, "unknown",
                            error=INVALID_JSON, detail="line is not valid UTF-8")
            first = False
            continue
        line = line.lstrip("\ufeff")  # a BOM left mid-file by concatenating exports
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            if first and len(body) <= cap and (single := _single_document(body)) is not None:
                yield _record(name, 1, single[1], source, single[0], mapper)
                return
            yield RawRecord(name, line_no, line, source, "unknown", error=INVALID_JSON, detail=_json_error(exc))
            first = False
            continue
        first = False
        yield _record(name, line_no, line, source, obj, mapper)


def _single_document(body: bytes) -> tuple[Any, str] | None:
    """The whole file as one JSON object (pretty-printed single task), else None."""
    try:
        text = body.decode("utf-8").lstrip("\ufeff")
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return (obj, text.strip()) if isinstance(obj, dict) else None


def _read_json_list(name: str, body: bytes, source: str, mapper: LabelMapper, cap: int) -> Iterator[RawRecord]:
    # surrogateescape keeps undecodable bytes addressable; elements holding them are invalid_json.
    s = body.decode("utf-8", "surrogateescape")
    idx, n, i = 1, len(s), 0  # s[0] == "["
    while True:
        idx = _skip_ws(s, idx)
        if idx < n and s[idx] == "]" and i == 0:
            return
        try:
            obj, end = _decoder.raw_decode(s, idx)
        except (ValueError, RecursionError) as exc:
            if idx < n:  # damaged or truncated: the rest is one unreadable record
                yield RawRecord(name, i, _printable(s[idx:]), source, "unknown", error=INVALID_JSON,
                                detail=f"JSON list element {i}: {_json_error(exc)}")
            return
        raw = s[idx:end]
        size = len(raw) if len(raw) * 4 <= cap else len(raw.encode("utf-8", "surrogateescape"))
        if size > cap:
            yield _too_long(name, i, _printable(raw), source, size, cap, f"JSON list element {i}")
        elif _has_bad_bytes(raw):
            yield RawRecord(name, i, _printable(raw), source, "unknown", error=INVALID_JSON, detail="element is not valid UTF-8")
        else:
            yield _record(name, i, raw, source, obj, mapper)
        i += 1
        idx = _skip_ws(s, end)
        if idx < n and s[idx] == ",":
            idx += 1
            continue
        if idx < n and s[idx] == "]":
            return
        if idx < n:  # garbage between elements: account for it rather than drop it
            yield RawRecord(name, i, _printable(s[idx:]), source, "unknown", error=INVALID_JSON,
                            detail=f"JSON list element {i}: expected ',' or ']'")
        return


def _record(name: str, line: int, raw: str, file_source: str, obj: Any, mapper: LabelMapper) -> RawRecord:
    if not isinstance(obj, dict):
        return RawRecord(name, line, raw, file_source, "unknown", error=INVALID_SCHEMA,
                         detail=f"a record must be a JSON object, got {type_name(obj)}")
    ls = is_label_studio_task(obj)
    fmt = "label_studio" if ls else "canonical"
    try:
        f = parse_label_studio(obj, mapper) if ls else parse_canonical(obj, mapper)
    except SchemaError as exc:
        return RawRecord(name, line, raw, file_source, fmt, id=_best_effort_id(obj, ls), error=INVALID_SCHEMA, detail=str(exc))
    except NoAnnotation as exc:
        text = obj["data"].get("text")
        return RawRecord(name, line, raw, file_source, fmt, id=_best_effort_id(obj, ls),
                         text=text if isinstance(text, str) and roundtrip_problem(text, "") is None else None,
                         error=exc.code,
                         detail="no annotation that is not cancelled")
    # What would not survive being written back (lone surrogates, NaN): invalid_schema, naming
    # the field, here rather than as a crash of whatever writes the record next.
    id_field = "data.id" if ls and obj["data"].get("id") not in (None, "") else "id"
    id_problem = roundtrip_problem(f["id"], id_field)
    problem = id_problem or _label_problem(f["entities"], ls) or roundtrip_problem(f["meta"], "meta")
    if problem is not None:
        rid = f["id"] if id_problem is None else None
        return RawRecord(name, line, raw, file_source, fmt, id=rid, error=INVALID_SCHEMA, detail=problem)
    # A record that says it is real is real, whatever folder it came through (privacy first).
    source = "real" if "real" in (file_source, f["source"]) else file_source
    return RawRecord(name, line, raw, source, fmt, id=f["id"], text=f["text"], entities=f["entities"], meta=f["meta"])


def _label_problem(spans: list[tuple[int, int, str]], ls: bool) -> str | None:
    for i, (_, _, label) in enumerate(spans):
        if not label.isascii() and roundtrip_problem(label, "") is not None:
            return f"{'annotation span' if ls else 'entities'}[{i}].label is not valid Unicode (lone surrogate)"
    return None


def _best_effort_id(obj: dict[str, Any], ls: bool) -> str | None:
    v = obj.get("id")
    if isinstance(v, bool) or not isinstance(v, (str, int)) or v == "" or roundtrip_problem(v, "id") is not None:
        return None
    return f"ls-{v}" if ls else str(v)


def _skip_ws(s: str, i: int) -> int:
    n = len(s)
    while i < n and s[i] in " \t\r\n":
        i += 1
    return i


def _has_bad_bytes(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(s: str) -> str:
    """Undecodable bytes (surrogate-escaped) shown as \\xNN so the quarantine line is valid UTF-8."""
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") if _has_bad_bytes(s) else s


def _json_error(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"  # position only: the message quotes no input
    return "nesting too deep" if isinstance(exc, RecursionError) else "not valid JSON"

"""Type checks shared by the readers. Errors name fields and types, never values."""

from __future__ import annotations

from typing import Any

from ..records import SOURCES


class SchemaError(ValueError):
    """The JSON parsed but does not have the record's shape (reason invalid_schema)."""


def type_name(v: Any) -> str:
    return "null" if v is None else type(v).__name__


def require_int(v: Any, where: str) -> int:
    # bool is an int subclass in Python; an offset of `true` is a data error, not 1.
    if isinstance(v, bool) or not isinstance(v, int):
        raise SchemaError(f"{where} must be an integer, got {type_name(v)}")
    return v


def require_text(v: Any, where: str) -> str:
    if not isinstance(v, str):
        raise SchemaError(f"{where} must be a string, got {type_name(v)}")
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from JSON escapes: not writable as UTF-8
        raise SchemaError(f"{where} is not valid Unicode (lone surrogate)") from None
    return v


def roundtrip_problem(v: Any, where: str) -> str | None:
    """Where `v` holds something the pipeline's JSONL writer cannot write back as it was read
    (a lone surrogate in a string or key, a NaN/Infinity), else None. Names fields, never values."""
    if isinstance(v, str):
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where} is not valid Unicode (lone surrogate)"
        return None
    if isinstance(v, float):
        return None if v == v and v not in (float("inf"), float("-inf")) else f"{where} is not a finite number"
    if isinstance(v, dict):
        for k, item in v.items():
            if roundtrip_problem(k, f"{where} key") is not None:
                return f"a key of {where} is not valid Unicode (lone surrogate)"
            if (p := roundtrip_problem(item, f"{where}.{k}")) is not None:
                return p
    elif isinstance(v, list):
        for i, item in enumerate(v):
            if (p := roundtrip_problem(item, f"{where}[{i}]")) is not None:
                return p
    return None


def optional_id(v: Any, where: str) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise SchemaError(f"{where} must be a string or integer, got {type_name(v)}")
    return str(v)


def optional_source(v: Any) -> str | None:
    if v is None:
        return None
    if v not in SOURCES:
        raise SchemaError(f"source must be one of {list(SOURCES)}")
    return v


def optional_dict(v: Any, where: str) -> dict:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise SchemaError(f"{where} must be an object, got {type_name(v)}")
    return v


def optional_list(v: Any, where: str) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise SchemaError(f"{where} must be a list, got {type_name(v)}")
    return v

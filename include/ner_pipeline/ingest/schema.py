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

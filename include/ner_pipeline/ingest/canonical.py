"""The canonical record (shared/LABELS.md) from a parsed JSON object."""

from __future__ import annotations

from typing import Any, Callable

from ..records import Span
from .schema import SchemaError, optional_dict, optional_id, optional_list, optional_source, require_int, require_text, type_name


def parse_canonical(obj: dict[str, Any], map_label: Callable[[str], str]) -> dict[str, Any]:
    """-> {id, text, entities, source, meta}; raises SchemaError.

    `entities` missing or null reads as no entities (an unlabelled transcript): whether that
    is acceptable is validation's call (require_entities). Unknown extra keys are ignored.
    """
    text = require_text(obj.get("text"), "text")
    spans = []
    for i, e in enumerate(optional_list(obj.get("entities"), "entities")):
        where = f"entities[{i}]"
        if not isinstance(e, dict):
            raise SchemaError(f"{where} must be an object, got {type_name(e)}")
        label = e.get("label")
        if not isinstance(label, str) or not label.strip():
            raise SchemaError(f"{where}.label must be a non-empty string, got {type_name(label)}")
        spans.append(Span(require_int(e.get("start"), f"{where}.start"), require_int(e.get("end"), f"{where}.end"), map_label(label)))
    return {
        "id": optional_id(obj.get("id"), "id"),
        "text": text,
        "entities": spans,
        "source": optional_source(obj.get("source")),
        "meta": optional_dict(obj.get("meta"), "meta"),
    }

"""The canonical record (shared/LABELS.md) from a parsed JSON object."""

from __future__ import annotations

from typing import Any, Callable

from .schema import SchemaError, optional_dict, optional_id, optional_list, optional_source, require_int, require_text, type_name


def parse_canonical(obj: dict[str, Any], map_label: Callable[[str], str]) -> dict[str, Any]:
    """-> {id, text, entities, source, meta}; raises SchemaError.

    `entities` missing or null reads as no entities (an unlabelled transcript): whether that
    is acceptable is validation's call (require_entities). Unknown extra keys are ignored.
    """
    text = require_text(obj.get("text"), "text")
    spans = []
    for i, e in enumerate(optional_list(obj.get("entities"), "entities")):
        # Fast path first (type() is exact, so bool never passes as int); the slow path
        # finds the field to blame.
        if type(e) is dict:
            start, end, label = e.get("start"), e.get("end"), e.get("label")
            if type(start) is int and type(end) is int and type(label) is str and label.strip():
                spans.append((start, end, map_label(label)))
                continue
        spans.append(_entity_slow(e, f"entities[{i}]", map_label))
    return {
        "id": optional_id(obj.get("id"), "id"),
        "text": text,
        "entities": spans,
        "source": optional_source(obj.get("source")),
        "meta": optional_dict(obj.get("meta"), "meta"),
    }


def _entity_slow(e: Any, where: str, map_label: Callable[[str], str]) -> tuple[int, int, str]:
    if not isinstance(e, dict):
        raise SchemaError(f"{where} must be an object, got {type_name(e)}")
    label = e.get("label")
    if not isinstance(label, str) or not label.strip():
        raise SchemaError(f"{where}.label must be a non-empty string, got {type_name(label)}")
    return require_int(e.get("start"), f"{where}.start"), require_int(e.get("end"), f"{where}.end"), map_label(label)

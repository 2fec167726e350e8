"""Label Studio task -> canonical fields.

Text comes from data.text, spans from the chosen annotation's result items of type "labels"
(value.start, value.end, value.labels[0]). Cancelled (skipped) annotations are ignored, the
most recently updated remaining annotation wins, predictions are never used.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from .offsets import decide
from .raw import NO_ANNOTATION
from .schema import SchemaError, optional_dict, optional_id, optional_list, require_int, require_text, type_name

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class NoAnnotation(Exception):
    """The task has no usable annotation: it was never labelled or every annotation was skipped."""

    code = NO_ANNOTATION


def is_label_studio_task(obj: dict[str, Any]) -> bool:
    return isinstance(obj.get("data"), dict) and "text" not in obj


def parse_label_studio(task: dict[str, Any], map_label: Callable[[str], str]) -> dict[str, Any]:
    """-> {id, text, entities, source, meta}; raises SchemaError or NoAnnotation."""
    data = optional_dict(task.get("data"), "data")
    text = require_text(data.get("text"), "data.text")
    task_id = optional_id(task.get("id"), "id")
    # Old exports call annotations "completions".
    anns = task["annotations"] if "annotations" in task else task.get("completions")
    usable = [a for a in optional_list(anns, "annotations") if isinstance(a, dict) and not a.get("was_cancelled")]
    if not usable:
        raise NoAnnotation()
    ann = max(usable, key=_recency)
    items: list[tuple[int, int, Any, str]] = []  # start, end, value.text, label
    for i, item in enumerate(optional_list(ann.get("result"), "annotations[].result")):
        where = f"result[{i}]"
        if not isinstance(item, dict):
            raise SchemaError(f"{where} must be an object, got {type_name(item)}")
        if item.get("type") != "labels":
            continue  # choices, relations, textarea...: not spans
        value = optional_dict(item.get("value"), f"{where}.value")
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels or not isinstance(labels[0], str) or not labels[0].strip():
            raise SchemaError(f"{where}.value.labels must be a non-empty list of strings")
        start = require_int(value.get("start"), f"{where}.value.start")
        end = require_int(value.get("end"), f"{where}.value.end")
        items.append((start, end, value.get("text"), map_label(labels[0])))
    meta: dict[str, Any] = {"label_studio": {"task_id": task.get("id"), "annotation_id": ann.get("id")}}
    # Code points or UTF-16 code units, decided for the whole task (offsets.py); the choice,
    # and each span it moved (old UTF-16 offsets, new code points), go to meta, from where
    # validation audits them (rule utf16_offsets) or quarantines the task (offsets_undecided).
    reading = decide(text, [(s, e, t if isinstance(t, str) else None) for s, e, t, _ in items])
    spans = [(s, e, lab) for (s, e), (_, _, _, lab) in zip(reading.spans, items)]
    if reading.basis != "same":
        moved = [[a, b, s, e, lab] for (a, b, _, lab), (s, e) in zip(items, reading.spans) if (a, b) != (s, e)]
        meta["label_studio"]["offsets"] = {"convention": reading.convention, "basis": reading.basis, "converted": moved}
    return {
        "id": optional_id(data.get("id"), "data.id") or (f"ls-{task_id}" if task_id is not None else None),
        "text": text,
        "entities": spans,
        "source": None,
        "meta": meta,
    }


def _recency(ann: dict[str, Any]) -> tuple[datetime, int]:
    when = _timestamp(ann.get("updated_at")) or _timestamp(ann.get("created_at")) or _EPOCH
    ident = ann.get("id")
    return when, ident if isinstance(ident, int) and not isinstance(ident, bool) else -1


def _timestamp(v: Any) -> datetime | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):  # old exports: epoch seconds
        try:
            return datetime.fromtimestamp(v, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(v, str):
        return None
    try:
        ts = datetime.fromisoformat(v)
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


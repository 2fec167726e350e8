"""Label Studio task files: the label config's names, pre-annotated tasks, writing them.

A task is what Label Studio imports (Data Manager > Import, a JSON list):

    {"data": {"text": "...", "id": "record id"},
     "predictions": [{"model_version": "...", "score": 0.91,
                      "result": [{"id": "p0", "from_name": "label", "to_name": "text", "type": "labels",
                                  "value": {"start": 4, "end": 9, "text": "Grace", "labels": ["NAME"]},
                                  "score": 0.97}]}],
     "meta": {...}}

Offsets are half-open, in the convention of the target Label Studio: code points (the
canonical record's, newer Label Studio) or UTF-16 code units (older Label Studio), by the
setting annotation.label_studio_offsets; they differ only after a character outside the BMP. `data.id` carries the
record id, so a task exported, annotated and exported back by Label Studio keeps it (the
reader takes the record id from data.id). Predictions are only suggestions: the reader never
takes spans from them, only from a submitted (not cancelled) annotation.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import jsonl
from ..config import CONFIG_DIR
from ..ingest.offsets import CODE_POINTS, astral_positions, to_label_studio
from ..records import LABELS

LABEL_CONFIG_FILE = CONFIG_DIR / "labelstudio.xml"


@dataclass(frozen=True)
class LabelConfig:
    from_name: str  # the <Labels> control's name
    to_name: str  # the <Text> object it labels
    data_key: str  # the task data field the <Text> shows ($text -> "text")
    labels: tuple[str, ...]
    xml: str

    @classmethod
    def load(cls, path: str | os.PathLike[str] = LABEL_CONFIG_FILE) -> "LabelConfig":
        xml = Path(path).read_text(encoding="utf-8")
        root = ET.fromstring(xml)
        labels_el = next((el for el in root.iter("Labels")), None)
        if labels_el is None or not labels_el.get("name") or not labels_el.get("toName"):
            raise ValueError(f"{path}: no <Labels name=... toName=...> element")
        to_name = labels_el.get("toName")
        text_el = next((el for el in root.iter("Text") if el.get("name") == to_name), None)
        if text_el is None or not (text_el.get("value") or "").startswith("$"):
            raise ValueError(f"{path}: no <Text name={to_name!r} value=\"$...\"> element")
        labels = tuple(el.get("value") or "" for el in labels_el.iter("Label"))
        return cls(labels_el.get("name"), to_name, text_el.get("value")[1:], labels, xml)


def region(text: str, start: int, end: int, label: str, cfg: LabelConfig, rid: str,
           score: float | None = None, offsets: str = CODE_POINTS) -> dict[str, Any]:
    """One labelled region as Label Studio writes it in results and predictions; start/end
    (code points) written in the target's convention (`offsets`, ingest/offsets.py)."""
    s, e = to_label_studio(text, start, end, offsets)
    out: dict[str, Any] = {"id": rid, "from_name": cfg.from_name, "to_name": cfg.to_name, "type": "labels",
                           "value": {"start": s, "end": e, "text": text[start:end], "labels": [label]}}
    if score is not None:
        out["score"] = score
    return out


def make_task(text: str, spans: Iterable[Sequence[Any]], cfg: LabelConfig, *, model_version: str,
              record_id: str | None = None, meta: dict[str, Any] | None = None,
              scores: Sequence[float | None] | None = None, offsets: str = CODE_POINTS) -> dict[str, Any]:
    """A task with `spans` ((start, end, label) in code points) as one prediction, its offsets in
    the target Label Studio's convention (annotation.label_studio_offsets: code_points | utf16)."""
    spans = list(spans)
    data: dict[str, Any] = {cfg.data_key: text}
    if record_id is not None:
        data["id"] = record_id
    task: dict[str, Any] = {"data": data}
    result = [region(text, int(s), int(e), str(lab), cfg, f"p{i}", None if scores is None else scores[i], offsets)
              for i, (s, e, lab) in enumerate(spans)]
    pred: dict[str, Any] = {"model_version": model_version, "result": result}
    known = [x for x in (scores or []) if x is not None]
    if known:
        pred["score"] = round(sum(known) / len(known), 4)
    if result or scores is not None:
        task["predictions"] = [pred]
    if meta:
        task["meta"] = meta
    if offsets != CODE_POINTS and astral_positions(text):
        task.setdefault("meta", {})["offsets"] = offsets  # where it matters: spans after an emoji
    return task


def placeable(text: str, spans: Iterable[tuple[int, int, str]]) -> tuple[list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Spans Label Studio can show (inside the text, end > start, a label of the config) and
    the others, described by offsets, label and why (never text), for the task's meta."""
    ok, other = [], []
    for s, e, lab in spans:
        if not (0 <= s < e <= len(text)):
            other.append({"start": s, "end": e, "label": lab, "why": "outside the text or end <= start"})
        elif lab not in LABELS:
            other.append({"start": s, "end": e, "label": lab, "why": "label not in the label set"})
        else:
            ok.append((s, e, lab))
    return ok, other


def write_tasks(path: str | os.PathLike[str], tasks: Iterable[dict[str, Any]]) -> int:
    """A JSON list, one task per line (Label Studio imports it; diffs stay readable).
    Tasks hold transcript text: the file is created readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    n = 0
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("[")
        for task in tasks:
            fh.write(("\n" if n == 0 else ",\n") + jsonl.dumps(task))
            n += 1
        fh.write("\n]\n")
    tmp.replace(path)
    return n


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[dict[str, Any]]) -> int:
    """Records listed apart (unparsed): JSONL, owner-readable only (they may hold text)."""
    return jsonl.write_file(path, rows, atomic=False)


def apart_path(to: str | os.PathLike[str]) -> Path:
    """tasks.json -> tasks.unparsed.jsonl: where records that cannot become tasks are listed."""
    p = Path(to)
    return p.with_name(p.stem + ".unparsed.jsonl")

"""Quarantined records (and, optionally, accepted ones with unlabelled repeats) -> Label Studio tasks.

Input: the lines of quarantine/<run_key>/quarantine.jsonl, {file, line, id, source, reasons,
details, raw, proposed_repairs?, unrepaired_spans?}. Each `raw` (the original line or Label
Studio task) is read again with the pipeline's own reader, so a task shows exactly the text
and spans validation saw: the text in data.text, the spans as the prediction (model_version
"pipeline-run:<run_key>"): the original ones with the repairs validation proposed applied
(the record was quarantined as a whole because some other span could not be repaired), the
reason codes, details, proposed repairs and unrepaired spans in the task's meta. Spans Label Studio could not show (outside the
text, unknown label) are not drawn but listed in meta.unplaceable_spans.

A record whose text cannot be read (invalid JSON, no text field, empty text) cannot become a
task: it is returned apart, with its quarantine line, so nothing disappears silently.
Records quarantined only as duplicates (duplicate_text, possibly with file_rejected) have
nothing to fix: they are counted as skipped unless asked for by reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..ingest import read_records
from ..ingest.labels import LabelMapper
from ..validate.completeness import INCOMPLETE_ANNOTATION, scan
from ..validate.reasons import DUPLICATE_TEXT, FILE_REJECTED
from .labelstudio import LabelConfig, make_task, placeable

MODEL_VERSION_PREFIX = "pipeline-run:"


@dataclass
class Export:
    tasks: list[dict[str, Any]] = field(default_factory=list)
    apart: list[dict[str, Any]] = field(default_factory=list)  # quarantine lines + {"why": ...}
    skipped: int = 0  # duplicates only (see the module docstring)


def model_version(run_key: str) -> str:
    return MODEL_VERSION_PREFIX + run_key


def read_raw(q: dict[str, Any], mapper: LabelMapper) -> tuple[str | None, list[tuple[int, int, str]], str]:
    """(text, spans, why-not) of a quarantine line's raw record; text None when unreadable."""
    raw = q.get("raw")
    if not isinstance(raw, str) or not raw.strip():
        return None, [], "no original record kept"
    rr = next(iter(read_records(str(q.get("file") or "quarantine"), raw.encode("utf-8", "surrogatepass"),
                                q.get("source") or "real", mapper=mapper)), None)
    if rr is not None and isinstance(rr.text, str):
        return rr.text, list(rr.entities), ""
    # invalid_schema (a span field of the wrong type, ...): the text may still be there.
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError):
        return None, [], "the original is not valid JSON"
    return _lenient(obj, mapper)


def _lenient(obj: Any, mapper: LabelMapper) -> tuple[str | None, list[tuple[int, int, str]], str]:
    if not isinstance(obj, dict):
        return None, [], "the original is not a JSON object"
    data = obj.get("data") if isinstance(obj.get("data"), dict) and "text" not in obj else None
    text = (data if data is not None else obj).get("text")
    if not isinstance(text, str):
        return None, [], "no text string in the original"
    items: list[Any] = []
    if data is None:
        items = [(e.get("start"), e.get("end"), e.get("label")) for e in _list(obj.get("entities")) if isinstance(e, dict)]
    else:
        anns = [a for a in _list(obj.get("annotations") or obj.get("completions"))
                if isinstance(a, dict) and not a.get("was_cancelled")]
        for item in _list(anns[-1].get("result")) if anns else []:
            v = item.get("value") if isinstance(item, dict) and item.get("type") == "labels" else None
            if isinstance(v, dict):
                labs = v.get("labels")
                items.append((v.get("start"), v.get("end"), labs[0] if isinstance(labs, list) and labs else None))
    spans = [(s, e, mapper(lab)) for s, e, lab in items
             if type(s) is int and type(e) is int and isinstance(lab, str) and lab.strip()]
    return text, spans, ""


def _list(v: Any) -> list:
    return v if isinstance(v, list) else []


def export_quarantine(lines: Iterable[dict[str, Any]], *, run_key: str, cfg: LabelConfig,
                      mapper: LabelMapper | None = None, reasons: set[str] | None = None,
                      offsets: str = "code_points") -> Export:
    """Tasks for quarantine lines (only those with one of `reasons`, when given)."""
    mapper = mapper or LabelMapper()
    out = Export()
    version = model_version(run_key)
    for q in lines:
        codes = set(q.get("reasons") or ())
        if reasons and not reasons & codes:
            continue
        if not reasons and codes - {FILE_REJECTED} == {DUPLICATE_TEXT}:
            out.skipped += 1
            continue
        text, spans, why = read_raw(q, mapper)
        if text is not None and not text.strip():
            text, why = None, "the text is empty"
        if text is None:
            out.apart.append({**q, "why": why})
            continue
        proposed = [r for r in q.get("proposed_repairs") or [] if isinstance(r, dict)]
        spans = with_proposed_repairs(spans, proposed)
        shown, unplaceable = placeable(text, spans)
        meta = {"origin": "quarantine", "run": run_key, "file": q.get("file"), "line": q.get("line"),
                "record_id": q.get("id"), "source": q.get("source"), "reasons": list(q.get("reasons") or []),
                "details": list(q.get("details") or [])}
        if proposed:
            meta["proposed_repairs"] = proposed  # offsets, labels, rules: already drawn in the prediction
        if q.get("unrepaired_spans"):
            meta["unrepaired_spans"] = q["unrepaired_spans"]
        if unplaceable:
            meta["unplaceable_spans"] = unplaceable
        out.tasks.append(make_task(text, shown, cfg, model_version=version, record_id=q.get("id"), meta=meta,
                                   offsets=offsets))
    return out


def with_proposed_repairs(spans: list[tuple[int, int, str]], repairs: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """The spans as validation would have repaired them (the quarantine entry's proposed_repairs:
    {rule, label, old, new}): a repaired span moves to `new`, a dropped duplicate goes, a
    propagated label is added. So a person in Label Studio starts from the repairs; the spans
    no rule could repair stay as they arrived."""
    out = list(spans)
    for r in repairs:
        old, new, label = r.get("old"), r.get("new"), r.get("label")
        old_t = (old[0], old[1], label) if isinstance(old, list) and len(old) == 2 else None
        new_t = (new[0], new[1], label) if isinstance(new, list) and len(new) == 2 else None
        if old_t is not None:
            if old_t not in out:
                continue  # not the spans this entry was made from: leave them alone
            out.remove(old_t)
            if new_t is None and old_t not in out:  # a dropped duplicate: its twin stays
                out.append(old_t)
        if new_t is not None:
            out.append(new_t)
    return sorted(out)


def export_incomplete(records: Iterable[dict[str, Any]], *, run_key: str, cfg: LabelConfig,
                      offsets: str = "code_points") -> list[dict[str, Any]]:
    """Tasks for accepted canonical records that still have unlabelled repeats (warn policy, or
    what propagation could not fill). meta.unlabelled_repeats gives their offsets and labels."""
    tasks = []
    version = model_version(run_key)
    for rec in records:
        text = rec["text"]
        spans = [(e["start"], e["end"], e["label"]) for e in rec.get("entities") or []]
        found = scan(text, spans).findings
        if not found:
            continue
        meta = {"origin": "accepted", "run": run_key, "record_id": rec.get("id"), "source": rec.get("source"),
                "reasons": [INCOMPLETE_ANNOTATION],
                "unlabelled_repeats": [{"start": f.start, "end": f.end, "label": f.label, "kind": f.kind} for f in found]}
        tasks.append(make_task(text, sorted(spans), cfg, model_version=version, record_id=rec.get("id"), meta=meta,
                               offsets=offsets))
    return tasks

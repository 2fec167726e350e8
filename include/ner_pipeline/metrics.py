"""Strict entity-level metrics from character spans (the shape in docs/CONTRACTS.md).

Below both train (validation F1) and evaluate (the evaluate task, `ner-pipeline score`).

Both gold and predicted spans are turned into word-level IOB2 over records.words and scored by
seqeval in strict IOB2 mode, so an entity counts only with exact start, end and label, and two
models with different tokenizers are measured on the same words.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Any, Sequence

from .records import LABELS, Record, Span, spans_to_word_tags, words

EMPTY = {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}  # the scores of a label with no entities
_EMPTY_ROW = dict(EMPTY, tp=0, fp=0, fn=0)  # a label nobody predicted or annotated


def word_tag_sequences(records: Sequence[Record], predicted: Sequence[Sequence[Span]]) -> tuple[list[list[str]], list[list[str]]]:
    if len(records) != len(predicted):
        raise ValueError(f"{len(records)} gold records but {len(predicted)} predictions")
    y_true, y_pred = [], []
    for rec, pred in zip(records, predicted):
        offs = words(rec.text)
        y_true.append(spans_to_word_tags(rec.text, rec.entities, offs))
        y_pred.append(spans_to_word_tags(rec.text, pred, offs))
    return y_true, y_pred


def _row(d: dict[str, Any], counts: tuple[int, int, int] = (0, 0, 0)) -> dict[str, Any]:
    tp, fp, fn = counts
    return {"precision": float(d["precision"]), "recall": float(d["recall"]),
            "f1": float(d["f1-score"]), "support": int(d["support"]), "tp": tp, "fp": fp, "fn": fn}


def _counts(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, tuple[int, int, int]]:
    """(tp, fp, fn) per label: entities as (sequence, label, start, end), strict IOB2 like the scores."""
    from seqeval.scheme import IOB2, Entities

    gold = {e.to_tuple() for seq in Entities(y_true, IOB2).entities for e in seq}
    pred = {e.to_tuple() for seq in Entities(y_pred, IOB2).entities for e in seq}
    out = {}
    for lab in LABELS:
        g = {e for e in gold if e[1] == lab}
        p = {e for e in pred if e[1] == lab}
        out[lab] = (len(g & p), len(p - g), len(g - p))
    return out


def record_counts(y_true: list[list[str]], y_pred: list[list[str]]) -> list[dict[str, list[int]]]:
    """Per record, [tp, fp, fn] for each label with any (the same strict entities as _counts):
    what a paired bootstrap over records resamples (evaluate/bootstrap.py)."""
    from seqeval.scheme import IOB2, Entities

    out: list[dict[str, list[int]]] = []
    for gold_seq, pred_seq in zip(y_true, y_pred):
        gold = {e.to_tuple() for e in Entities([gold_seq], IOB2).entities[0]}
        pred = {e.to_tuple() for e in Entities([pred_seq], IOB2).entities[0]}
        row: dict[str, list[int]] = {}
        for e in gold | pred:
            c = row.setdefault(e[1], [0, 0, 0])
            c[0 if e in gold and e in pred else 1 if e in pred else 2] += 1
        out.append({lab: row[lab] for lab in LABELS if lab in row})
    return out


def _report(y_true: list[list[str]], y_pred: list[list[str]]) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, Any]]:
    """(micro, per label, macro); every row has precision/recall/f1/support and tp/fp/fn."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    if not any(t != "O" for seq in y_true + y_pred for t in seq):
        return dict(_EMPTY_ROW), {lab: dict(_EMPTY_ROW) for lab in LABELS}, \
            dict(EMPTY, labels=[])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty-slice warnings of the macro average
        rep = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
    counts = _counts(y_true, y_pred)
    per_label = {lab: _row(rep[lab], counts[lab]) if lab in rep else dict(_EMPTY_ROW) for lab in LABELS}
    total = tuple(sum(c[i] for c in counts.values()) for i in range(3))
    # macro: the unweighted mean over the labels that occur in gold or predictions (seqeval's)
    macro = {k: float(rep["macro avg"][src]) for k, src in (("precision", "precision"), ("recall", "recall"),
                                                              ("f1", "f1-score"))}
    macro.update(support=int(rep["macro avg"]["support"]), labels=[lab for lab in LABELS if lab in rep])
    return _row(rep["micro avg"], total), per_label, macro


def score(gold: Sequence[Record], predicted: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """Metrics of `predicted` (one span list per gold record, same order) against `gold`."""
    y_true, y_pred = word_tag_sequences(gold, predicted)
    micro, per_label, macro = _report(y_true, y_pred)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(gold):
        groups[rec.source].append(i)
    by_source = {}
    for source, idx in sorted(groups.items()):
        s_micro, s_labels, s_macro = _report([y_true[i] for i in idx], [y_pred[i] for i in idx])
        by_source[source] = {"micro": s_micro, "macro": s_macro, "per_label": s_labels, "per_entity": s_labels,
                             "n_records": len(idx)}
    # per_record: ids and counts only (never text), so the gate can compare two models record by record.
    per_record = [{"id": rec.id, "source": rec.source, "counts": c} for rec, c in zip(gold, record_counts(y_true, y_pred))]
    # per_entity: the name the trainer issue gave; per_label: the name the gate, UI and reports read.
    return {"micro": micro, "macro": macro, "per_label": per_label, "per_entity": per_label, "by_source": by_source,
            "n_records": len(gold), "per_record": per_record}

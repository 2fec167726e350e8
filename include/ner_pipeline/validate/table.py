"""The compact table Great Expectations checks: one row per accepted record, one per span.

No text column exists, so nothing GX stores or renders can contain transcript text: only
ids, offsets, labels, lengths, text hashes and booleans. Rows accumulate in typed arrays
(a few bytes per span) and become a pandas frame once, at the end of the run.
"""

from __future__ import annotations

from array import array
from typing import Any, Iterable

from ..records import LABELS
from .completeness import AMBIGUOUS
from ..words import aligned

_LABEL_CODE = {lab: i for i, lab in enumerate(LABELS)}
# One row per unlabelled repeat left in an accepted record (completeness.py): its label only.
INCOMPLETE_LABELS = (*LABELS, AMBIGUOUS)
_INCOMPLETE_CODE = {lab: i for i, lab in enumerate(INCOMPLETE_LABELS)}


class SpanTable:
    def __init__(self) -> None:
        self.rec_id: list[str] = []
        self.rec_hash: list[str] = []
        self.rec_len = array("i")
        self.rec_nent = array("i")
        self.span_rec = array("i")
        self.span_start = array("i")
        self.span_end = array("i")
        self.span_label = array("b")
        self.span_aligned = array("b")
        self.find_rec = array("i")
        self.find_label = array("b")

    def __len__(self) -> int:
        return len(self.rec_id)

    def add(self, record_id: str, thash: str, text: str, spans: list[tuple[int, int, str]],
            incomplete: Iterable[str] = ()) -> None:
        r = len(self.rec_id)
        self.rec_id.append(record_id)
        self.rec_hash.append(thash)
        self.rec_len.append(len(text))
        self.rec_nent.append(len(spans))
        for lab in incomplete:
            self.find_rec.append(r)
            self.find_label.append(_INCOMPLETE_CODE[lab])
        if not spans:
            return
        starts, ends, labels = zip(*spans)
        self.span_rec.extend([r] * len(spans))
        self.span_start.extend(starts)
        self.span_end.extend(ends)
        self.span_label.extend([_LABEL_CODE[lab] for lab in labels])
        # Recomputed on the output, not copied from the checks: GX asserts it independently.
        self.span_aligned.extend([aligned(text, s, e) for s, e in zip(starts, ends)])

    def frame(self, with_entity_counts: bool = False) -> Any:
        """pandas DataFrame; overlap and per-label support are computed here, in numpy.

        Kept narrow on purpose: GX copies the whole frame for every column metric, so each
        column costs time on millions of span rows. Numbers are float64 (NaN where a row kind
        has no value): GX's between-check is vectorised only for numpy int64/float64.
        Record rows are the ones with a text_hash; span rows the ones with a label; finding rows
        (unlabelled repeats left in the output) the ones with an incomplete_label.
        """
        import numpy as np
        import pandas as pd

        # record_id as a categorical (int32 codes): span rows repeat it millions of times.
        # Categories are deduplicated by hand because ids need not be unique across inputs.
        uniq = list(dict.fromkeys(self.rec_id))
        code_of = {rid: i for i, rid in enumerate(uniq)}
        rec_code = np.fromiter((code_of[r] for r in self.rec_id), dtype=np.int32, count=len(self.rec_id))
        rec_len = _np(self.rec_len, np.int32)
        recs = {
            "record_id": pd.Categorical.from_codes(rec_code, uniq),
            "text_hash": pd.array(np.asarray(self.rec_hash, dtype=object), dtype="string"),
            "text_len": rec_len.astype(np.float64),
        }
        if with_entity_counts:
            recs["n_entities"] = _np(self.rec_nent, np.int32).astype(np.float64)
        rec_idx = _np(self.span_rec, np.int32)
        start, end = _np(self.span_start, np.int32), _np(self.span_end, np.int32)
        label = _np(self.span_label, np.int8)
        spans = pd.DataFrame({
            "record_id": pd.Categorical.from_codes(rec_code[rec_idx], uniq),
            "text_len": rec_len[rec_idx].astype(np.float64),
            "start": start.astype(np.float64),
            "end": end.astype(np.float64),
            "label": pd.Categorical.from_codes(label, list(LABELS)),
            "aligned": pd.array(_np(self.span_aligned, np.int8).astype(bool), dtype="boolean"),
            "overlaps_previous": pd.array(overlaps(rec_idx, start, end), dtype="boolean"),
            "label_support": np.bincount(label, minlength=len(LABELS))[label].astype(np.float64),
        })
        recs["incomplete_label"] = _incomplete(np.full(len(rec_code), -1, dtype=np.int8))
        spans["incomplete_label"] = _incomplete(np.full(len(spans), -1, dtype=np.int8))
        find_rec = _np(self.find_rec, np.int32)
        finds = pd.DataFrame({
            "record_id": pd.Categorical.from_codes(rec_code[find_rec], uniq),
            "incomplete_label": _incomplete(_np(self.find_label, np.int8)),
        })
        return pd.concat([pd.DataFrame(recs), spans, finds], ignore_index=True)


def _incomplete(codes: Any) -> Any:
    """The incomplete_label column (categorical, -1 = none) from label codes."""
    import pandas as pd

    return pd.Categorical.from_codes(codes, list(INCOMPLETE_LABELS))


def _np(a: array, dtype: Any) -> Any:
    import numpy as np

    return np.frombuffer(a, dtype=dtype) if len(a) else np.zeros(0, dtype)


def overlaps(rec: Any, start: Any, end: Any) -> Any:
    """True where a span starts before the furthest end among the spans sorted before it in
    the same record. Sorts itself (does not trust the order the checks left), then one
    running maximum over keys rec*M + end: keys of earlier records are always smaller, so
    the running max just before row i, minus rec*M, is the furthest end in i's record."""
    import numpy as np

    n = len(rec)
    out = np.zeros(n, dtype=bool)
    if n < 2:
        return out
    order = np.lexsort((end, start, rec))
    r, s, e = (x[order].astype(np.int64) for x in (rec, start, end))
    m = int(e.max()) + 1
    running = np.maximum.accumulate(r * m + e)
    same = r[1:] == r[:-1]
    out[order[1:]] = same & (s[1:] < running[:-1] - r[1:] * m)
    return out

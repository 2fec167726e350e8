"""Unlabelled transcripts -> Label Studio tasks pre-annotated with a model's predictions.

Predictions are the spans `Predictor.predict` gives (same windows, same merge, same decoding),
each with a score: the mean, over the span's words, of the softmax probability of the tag
predicted on the word's first token (the token the tag is decoded from). The prediction's
own score is the mean of its spans' scores; Label Studio sorts and filters tasks by it.
The window loop is `Predictor.predict_windows_scored`; a test holds the spans equal to
`Predictor.predict`'s.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Sequence

from .. import jsonl
from ..ingest.schema import roundtrip_problem
from .labelstudio import LabelConfig, make_task

CHUNK = 256  # transcripts per predict call: bounds memory on big inputs


@dataclass
class Transcript:
    line: int
    text: str
    id: str | None = None
    meta: dict[str, Any] | None = None


def read_transcripts(data: bytes) -> tuple[list[Transcript], list[dict[str, Any]]]:
    """JSONL of {"text": ...} (optional id, meta; entities are ignored) -> transcripts, and the
    lines that cannot become tasks ({line, why, raw}), in file order."""
    good: list[Transcript] = []
    bad: list[dict[str, Any]] = []
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    for n, chunk in jsonl.iter_lines(body):
        raw = chunk.decode("utf-8", "backslashreplace")
        try:
            obj = jsonl.loads(chunk)
        except (UnicodeDecodeError, ValueError, RecursionError):
            bad.append({"line": n, "why": "not a valid UTF-8 JSON line", "raw": raw})
            continue
        if (problem := roundtrip_problem(obj, "line")) is not None:
            bad.append({"line": n, "why": problem, "raw": raw})
            continue
        text = obj.get("text") if isinstance(obj, dict) else None
        if not isinstance(text, str) or not text.strip():
            bad.append({"line": n, "why": "no non-empty string field 'text'", "raw": raw})
            continue
        rid = obj.get("id")
        good.append(Transcript(n, text, str(rid) if isinstance(rid, (str, int)) and not isinstance(rid, bool) and rid != ""
                               else None, obj.get("meta") if isinstance(obj.get("meta"), dict) else None))
    return good, bad


def predict_scored(predictor: Any, texts: Sequence[str]) -> list[list[tuple[int, int, str, float]]]:
    """(start, end, label, score) per text, the spans of predictor.predict(texts)."""
    from ..tokens.decode import decode_spans, windows_of_texts
    from ..tokens.windows import merge_window_predictions

    encoded, windows = predictor.encode(texts)
    ids, probs = predictor.predict_windows_scored(encoded, windows)

    out = []
    for enc, ws in zip(encoded, windows_of_texts(len(encoded), windows)):
        bounds = [(windows[w].start, windows[w].end) for w in ws]
        tag_ids = merge_window_predictions(len(enc), bounds, [ids[w] for w in ws])
        tag_p = merge_window_predictions(len(enc), bounds, [probs[w] for w in ws])
        word_starts = [s for s, _ in enc.word_offsets]
        scored = []
        for sp in decode_spans(enc, tag_ids, predictor.id2label):
            lo, hi = bisect.bisect_left(word_starts, sp.start), bisect.bisect_left(word_starts, sp.end)
            ps = [tag_p[enc.owned[w]] for w in range(lo, hi) if enc.owned[w] >= 0]
            scored.append((sp.start, sp.end, sp.label, round(sum(ps) / len(ps), 4) if ps else None))
        out.append(scored)
    return out


def preannotate(transcripts: Sequence[Transcript], predictor: Any, cfg: LabelConfig, *, model_version: str,
                source_name: str = "", offsets: str = "code_points") -> list[dict[str, Any]]:
    """One task per transcript, the model's spans (with scores where it gives them) as the prediction.
    A predictor without the internals predict_scored needs is asked for plain spans."""
    tasks: list[dict[str, Any]] = []
    scored_ok = all(hasattr(predictor, a) for a in ("encode", "model", "specials", "id2label"))
    for i in range(0, len(transcripts), CHUNK):
        chunk = transcripts[i : i + CHUNK]
        texts = [t.text for t in chunk]
        if scored_ok:
            preds = predict_scored(predictor, texts)
        else:
            preds = [[(s.start, s.end, s.label, None) for s in spans] for spans in predictor.predict(texts)]
        for t, spans in zip(chunk, preds):
            meta = {"origin": "preannotate", "model_version": model_version, "line": t.line}
            if source_name:
                meta["file"] = source_name
            if t.meta:
                meta["input_meta"] = t.meta
            scores = [s[3] for s in spans] if scored_ok else None
            tasks.append(make_task(t.text, [s[:3] for s in spans], cfg, model_version=model_version,
                                   record_id=t.id, meta=meta, scores=scores, offsets=offsets))
    return tasks

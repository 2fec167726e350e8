"""The serving check: does the consumer's stock pipeline return the spans that were scored?

`serving_check(model_dir, texts, scored)` runs the saved model folder through the stock
`pipeline("token-classification", aggregation_strategy="simple")` (stock_pipeline.py) on the
test texts and compares its character spans with the predictions the evaluate task scored
(`ner-pipeline predict`'s): exact start, end and label. The figure is a span F1 (`agreement`),
so a model whose served output cuts words, splits entities or drops a tail scores below 1.0
even when its own decoder hides it. The gate's `serving_agreement` rule reads `f1`.

Everything returned is a count or a ratio: no text, no span offsets (they would say where the
names are).
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from ..records import Span, is_word_aligned

log = logging.getLogger(__name__)

GATED_AGGREGATION = "simple"  # what ai_service serves with


def agreement(scored: Sequence[Sequence[Span]], served: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """Span agreement of served vs scored predictions, per record then summed (pure).

    f1 = 2 * matched / (scored + served spans); precision = share of served spans that were
    scored, recall = share of scored spans that are served. Nothing on either side agrees
    perfectly (1.0): there is nothing the consumer would see differently.
    """
    if len(scored) != len(served):
        raise ValueError(f"{len(scored)} scored predictions but {len(served)} served")
    matched = n_scored = n_served = identical = 0
    for a, b in zip(scored, served):
        ca, cb = Counter(a), Counter(b)
        matched += sum((ca & cb).values())
        n_scored += len(a)
        n_served += len(b)
        identical += ca == cb
    return {
        "f1": 2 * matched / (n_scored + n_served) if n_scored + n_served else 1.0,
        "precision": matched / n_served if n_served else 1.0,
        "recall": matched / n_scored if n_scored else 1.0,
        "matched": matched, "scored_spans": n_scored, "served_spans": n_served,
        "n_records": len(scored), "records_identical": identical,
    }


def served_faults(texts: Sequence[str], served: Sequence[Sequence[Span]]) -> dict[str, int]:
    """Counts of served spans the label guide never allows: ones that cut a word (a fragment
    such as "aka" of "Mwakamba") and ones that are only a stopword or clitic ("the", "'s";
    the gender pronouns GENDER allows excepted: validate/plausible.py's own rules)."""
    from ..validate.plausible import implausible

    fragments = stopword_only = 0
    for text, spans in zip(texts, served):
        for s in spans:
            if not is_word_aligned(text, s.start, s.end):
                fragments += 1
            elif implausible(text[s.start : s.end], s.label) in ("stopword", "only_stopwords", "clitic"):
                stopword_only += 1
    return {"fragments": fragments, "stopword_only": stopword_only}


def _tokens_per_text(tokenizer: Any, texts: Sequence[str]) -> list[int]:
    return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=True, verbose=False)["input_ids"]]


def serving_check(model_dir: str | Path, texts: Sequence[str], scored: Sequence[Sequence[Span]], *,
                  aggregations: Sequence[str] = (GATED_AGGREGATION,), stride: int | None = None,
                  sources: Sequence[str] | None = None, batch_size: int = 8) -> dict[str, Any]:
    """Agreement of the stock pipeline with `scored`, per aggregation; `f1` and the top-level
    counts are the gated aggregation's (simple), also `by_source` when the texts' sources are
    given (unfamiliar real names are where pieces get tagged apart). Texts longer than the
    tokenizer's model_max_length run with the stock pipeline's `stride` (stock_pipeline.py says
    why); `stride` defaults to the folder's own inference stride (ner_inference.json)."""
    import transformers

    from . import stock_pipeline
    from ..tokens.inference import InferenceConfig

    pipe = stock_pipeline.load(model_dir)
    if stride is None:
        stride = InferenceConfig.read(Path(model_dir), pipe.model.config, pipe.tokenizer).stride
    window = int(pipe.tokenizer.model_max_length)
    long_idx = [i for i, n in enumerate(_tokens_per_text(pipe.tokenizer, texts)) if n > window]
    by_agg: dict[str, Any] = {}
    for agg in dict.fromkeys([GATED_AGGREGATION, *aggregations]):
        served = stock_pipeline.spans(pipe, texts, aggregation=agg, stride=stride, batch_size=batch_size)
        row = {**agreement(scored, served), **served_faults(texts, served)}
        if long_idx:
            row["multi_window"] = agreement([scored[i] for i in long_idx], [served[i] for i in long_idx])
        if sources is not None and agg == GATED_AGGREGATION:
            row["by_source"] = {src: agreement([scored[i] for i, s in enumerate(sources) if s == src],
                                               [served[i] for i, s in enumerate(sources) if s == src])
                                for src in sorted(set(sources))}
        by_agg[agg] = row
    gated = by_agg[GATED_AGGREGATION]
    out = {"aggregation": GATED_AGGREGATION, **gated, "transformers": transformers.__version__,
           "window_tokens": window, "stride": stride, "multi_window_texts": len(long_idx)}
    if len(by_agg) > 1:
        out["by_aggregation"] = by_agg
    log.info("serving check (stock pipeline, transformers %s): agreement F1 %.4f on %d records "
             "(%d scored / %d served spans, %d served fragments, %d stopword-only; %d texts over one window)",
             out["transformers"], out["f1"], out["n_records"], out["scored_spans"], out["served_spans"],
             out["fragments"], out["stopword_only"], out["multi_window_texts"])
    return out


def serving_figure(model_dir: str | Path, texts: Sequence[str], scored: Sequence[Sequence[Span]],
                   sources: Sequence[str] | None = None) -> dict[str, Any]:
    """serving_check for the evaluate task: a check that cannot run is a figure of None with the
    reason (the gate then blocks), not a crashed task. The reason names the error type, and its
    message only for errors about files or packages (others could quote a transcript)."""
    try:
        return serving_check(model_dir, texts, scored, sources=sources)
    except Exception as exc:  # whatever the stock pipeline raises, the model is not servable as is
        msg = f"{type(exc).__name__}: {exc}" if isinstance(exc, (OSError, ImportError)) else type(exc).__name__
        log.error("serving check could not run: %s", msg)
        return {"aggregation": GATED_AGGREGATION, "f1": None, "error": f"the stock pipeline could not run ({msg})"}

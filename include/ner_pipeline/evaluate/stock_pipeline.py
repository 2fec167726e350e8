"""The consumer's serving code as it is: transformers' stock token-classification pipeline.

OpenCHS ai_service serves the champion folder as
`pipeline("token-classification", model=DIR, aggregation_strategy="simple")` (transformers
4.53.3) and returns each entity's `start`, `end` and `entity_group`. This module runs exactly
that pipeline on a model folder and returns those character spans, nothing re-decoded.

It imports only the standard library, transformers and records.py (itself stdlib only), so it
also runs as a script inside the consumer's pinned environment (tests/serving_venv.py):

    python -m ner_pipeline.evaluate.stock_pipeline MODEL_DIR [--aggregation simple]
        [--stride N] < texts.jsonl > spans.jsonl      (one JSON string per line in, one list out)

Long texts: called without `stride` the pipeline truncates at the tokenizer's
model_max_length and silently drops the rest. The consumer never hands it more than one window
(ai_service chunks long transcripts before the pipeline), so truncation is not what it serves;
with `stride` the stock pipeline covers the whole text itself: windows of model_max_length
tokens overlapping by `stride`, entities of overlapping windows resolved by its own rule (the
longer span wins). The serving check passes the model folder's own inference stride
(serving.py), so for a text that fits one window nothing changes, and for a longer one the
windows are the ones `ner-pipeline predict` cuts when its window is model_max_length.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..records import Span

AGGREGATIONS = ("simple", "first", "max")  # the strategies the served spans must agree under


def load(model_dir: str | Path, *, device: str = "cpu") -> Any:
    """The pipeline object, built the way ai_service builds it (fp32, the folder's tokenizer)."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForTokenClassification.from_pretrained(str(model_dir))
    return pipeline("token-classification", model=model, tokenizer=tokenizer, device=device)


def spans(pipe: Any, texts: Sequence[str], *, aggregation: str = "simple", stride: int | None = None,
          batch_size: int = 8) -> list[list[Span]]:
    """Character spans per text, as the stock pipeline returns them (sorted, nothing dropped)."""
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation {aggregation!r} not one of {AGGREGATIONS}")
    out: list[list[Span]] = [[] for _ in texts]
    todo = [i for i, t in enumerate(texts) if t.strip()]  # the pipeline refuses an empty string
    kwargs: dict[str, Any] = {"aggregation_strategy": aggregation, "batch_size": batch_size}
    if stride is not None:
        kwargs["stride"] = stride
    if todo:
        results = pipe([texts[i] for i in todo], **kwargs)
        for i, ents in zip(todo, results):
            out[i] = sorted(Span(int(e["start"]), int(e["end"]), str(e["entity_group"])) for e in ents)
    return out


def _main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="stock token-classification pipeline spans (no text printed)")
    p.add_argument("model_dir")
    p.add_argument("--aggregation", action="append", choices=AGGREGATIONS,
                   help="repeatable; default simple. Output lines hold one list per aggregation")
    p.add_argument("--stride", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=8)
    args = p.parse_args(list(argv) if argv is not None else None)
    texts = [json.loads(line) for line in sys.stdin if line.strip()]
    pipe = load(args.model_dir)
    aggs = args.aggregation or ["simple"]
    per_agg = {a: spans(pipe, texts, aggregation=a, stride=args.stride, batch_size=args.batch_size) for a in aggs}
    import transformers

    for i in range(len(texts)):
        row = {a: [s.to_dict() for s in per_agg[a][i]] for a in aggs}
        sys.stdout.write(json.dumps(row) + "\n")
    sys.stderr.write(f"transformers {transformers.__version__}: {len(texts)} texts\n")
    return 0


if __name__ == "__main__":
    sys.exit(_main())

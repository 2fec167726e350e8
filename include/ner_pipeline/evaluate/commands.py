"""`ner-pipeline predict` and `ner-pipeline score`.

Files may be local paths or s3:// URIs (read and written through the object store settings).
Prediction files hold {id, entities} per line, never text.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from .. import jsonl
from ..records import Record, Span

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..cli_common import add_common

    p = subparsers.add_parser("predict", help="predict entity spans for canonical JSONL records")
    add_common(p)
    p.add_argument("--model", required=True,
                   help="'champion', a registry version id, a model folder or an s3:// prefix (a run's model/)")
    p.add_argument("--input", required=True, help="records JSONL (local or s3://)")
    p.add_argument("--out", required=True, help="predictions JSONL: {id, entities} per line")
    p.add_argument("--batch-size", type=int, default=None, help="windows per batch (default training.eval_batch_size)")
    p.set_defaults(func=run_predict)

    s = subparsers.add_parser("score", help="strict entity-level metrics of predictions against gold records")
    add_common(s)
    s.add_argument("--gold", required=True, help="gold records JSONL (local or s3://)")
    s.add_argument("--pred", required=True, help="predictions JSONL from `ner-pipeline predict`")
    s.add_argument("--out", default=None, help="write metrics JSON here")
    s.set_defaults(func=run_score)

    from .stock_pipeline import AGGREGATIONS

    c = subparsers.add_parser("serving-check", help="span agreement of the stock transformers pipeline with "
                              "`predict` on records' texts (the gate's serving_agreement; counts only)")
    add_common(c)
    c.add_argument("--model", required=True, help="as for predict")
    c.add_argument("--input", required=True, help="records JSONL (local or s3://); only the texts are used")
    c.add_argument("--aggregation", action="append", choices=AGGREGATIONS,
                   help="repeatable (default: all of them); simple is always run: the gate reads it")
    c.add_argument("--out", default=None, help="write the figures JSON here")
    c.set_defaults(func=run_serving_check)


# -- file helpers (local or s3://) ----------------------------------------------------------------

def _store_for(uri: str, settings: Any):
    from ..storage import ObjectStore, parse_s3_uri

    bucket, key = parse_s3_uri(uri)
    st = settings.model_copy(update={"storage": settings.storage.model_copy(update={"bucket": bucket})})
    return ObjectStore(st), key


def read_bytes(uri: str, settings: Any) -> bytes:
    if uri.startswith("s3://"):
        store, key = _store_for(uri, settings)
        return store.get_bytes(key)
    return Path(uri).read_bytes()


def write_bytes(uri: str, data: bytes, settings: Any) -> None:
    if uri.startswith("s3://"):
        store, key = _store_for(uri, settings)
        store.put_bytes(key, data)
        return
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def parse_records(data: bytes) -> list[Record]:
    return [Record.from_dict(d) for d in jsonl.load_lines(data)]


def predictions_jsonl(records: list[Record], predictions: list[list[Span]]) -> bytes:
    return jsonl.dump_lines({"id": r.id, "entities": [s.to_dict() for s in sorted(p)]}
                            for r, p in zip(records, predictions))


def parse_predictions(data: bytes) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for d in jsonl.load_lines(data):
        out[str(d["id"])] = [Span(int(e["start"]), int(e["end"]), str(e["label"])) for e in d.get("entities", [])]
    return out


# -- handlers -------------------------------------------------------------------------------------

def _model_dir(spec: str, settings: Any, tmp: str, command: str) -> str | None:
    """A local folder for --model: an s3:// prefix is fetched; 'champion' or a version id is
    pulled (checksums verified); a folder is used as is. None (said on stderr) when unknown."""
    if spec.startswith("s3://"):
        from ..storage_transfer import fetch

        return str(fetch(spec, tmp, settings))
    from ..registry import RegistryError, resolve_model

    try:
        return str(resolve_model(spec, settings, tmp)[0])
    except (RegistryError, FileExistsError) as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return None


def run_predict(args: argparse.Namespace) -> int:
    from ..cli_common import settings_from
    from .predict import Predictor

    settings = settings_from(args)
    records = parse_records(read_bytes(args.input, settings))
    with tempfile.TemporaryDirectory(prefix="ner-predict-") as tmp:
        model_dir = _model_dir(args.model, settings, tmp, "predict")
        if model_dir is None:
            return 2
        predictor = Predictor.load(model_dir, batch_size=args.batch_size or settings.training.eval_batch_size)
        predictions = predictor.predict([r.text for r in records])
    write_bytes(args.out, predictions_jsonl(records, predictions), settings)
    st = predictor.last_stats
    log.info("%d records, %d windows, %.0f tokens/s -> %s", len(records), st["windows"], st["tokens_per_s"], args.out)
    return 0


def run_score(args: argparse.Namespace) -> int:
    from ..cli_common import settings_from
    from ..metrics import score
    from .score import format_metrics_table

    settings = settings_from(args)
    gold = parse_records(read_bytes(args.gold, settings))
    by_id = parse_predictions(read_bytes(args.pred, settings))
    missing = [r.id for r in gold if r.id not in by_id]
    if missing:
        # A mismatched file would silently score as "predicted nothing": refuse instead.
        print(f"error: {len(missing)} gold records have no prediction (first id: {missing[0]})", file=sys.stderr)
        return 2
    metrics = score(gold, [by_id[r.id] for r in gold])
    if args.out:
        write_bytes(args.out, (json.dumps(metrics, indent=2, sort_keys=True) + "\n").encode(), settings)
    print(format_metrics_table(metrics))
    return 0


def run_serving_check(args: argparse.Namespace) -> int:
    """Exit 0 when the agreement (aggregation simple) meets gate.serving_agreement_min, else 1."""
    from ..cli_common import settings_from
    from .formatting import fmt_value
    from .predict import Predictor
    from .serving import serving_check
    from .stock_pipeline import AGGREGATIONS

    settings = settings_from(args)
    records = parse_records(read_bytes(args.input, settings))
    texts = [r.text for r in records]
    with tempfile.TemporaryDirectory(prefix="ner-serving-") as tmp:
        model_dir = _model_dir(args.model, settings, tmp, "serving-check")
        if model_dir is None:
            return 2
        predictor = Predictor.load(model_dir, batch_size=settings.training.eval_batch_size,
                                   precision=settings.training.precision)
        result = serving_check(model_dir, texts, predictor.predict(texts),
                               aggregations=args.aggregation or AGGREGATIONS, sources=[r.source for r in records])
    if args.out:
        write_bytes(args.out, (json.dumps(result, indent=2, sort_keys=True) + "\n").encode(), settings)
    print(f"stock pipeline (transformers {result['transformers']}) vs predict on {result['n_records']} texts "
          f"({result['multi_window_texts']} longer than one {result['window_tokens']}-token window: "
          f"stride {result['stride']})")
    cols = (("aggregation", 12), ("agreement F1", 12), ("served", 7), ("scored", 7), ("matched", 7),
            ("fragments", 9), ("stopword", 8))
    print(" ".join(f"{name:>{w}}" for name, w in cols))
    for agg, r in (result.get("by_aggregation") or {result["aggregation"]: result}).items():
        vals = (agg, fmt_value(r["f1"]), r["served_spans"], r["scored_spans"], r["matched"], r["fragments"],
                r["stopword_only"])
        print(" ".join(f"{v:>{w}}" for v, (_, w) in zip(vals, cols)))
    thr = settings.gate.serving_agreement_min
    ok = result["f1"] >= thr
    print(f"serving_agreement (simple) {fmt_value(result['f1'])} {'>=' if ok else '<'} {thr}")
    return 0 if ok else 1

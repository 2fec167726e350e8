"""The consumer's own serving code on our model folder: transformers 4.53.3 (the pin OpenCHS
ai_service serves with) in its own virtual environment, built once under .local/
(tests/serving_venv.py), against `ner-pipeline predict` in this one.

A tiny model trained here with the default settings (every sub-token labelled) learns its six
transcripts; on them the stock pipeline returns exactly predict's spans under aggregation
simple, first and max. On text it never saw, a model this small tags a new word's pieces
apart, and only `first` still agrees: that residue is what the gate's serving_agreement
measures, and the figure the evaluate task computes in-process (transformers 5.x) is the one
the pinned consumer gets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import serving_venv
from test_trainer import RECORDS, write_snapshot

from ner_pipeline.records import Span

pytestmark = [pytest.mark.integration, pytest.mark.slow]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CANARY = "Kanari-Mwajuma-5X"
# the training texts, one of them with a canary, and one text longer than a 512-token window
TEXTS = [r.text for r in RECORDS] + [RECORDS[0].text.replace("Grace", CANARY),
                                     " ".join(r.text for r in RECORDS * 5)]


def _train(tmp: Path) -> Path:
    from ner_pipeline.config import load_settings
    from ner_pipeline.tokens.inference import INFERENCE_FILE
    from ner_pipeline.train.job import run_training

    write_snapshot(tmp / "snap", RECORDS, RECORDS, RECORDS[:2])  # validation = train: it must fit them
    overrides = ["training.base_model=tiny:hidden_size=128,intermediate_size=256", "training.epochs=12",
                 "training.learning_rate=0.005", "training.batch_size=2", "training.warmup_ratio=0.0",
                 "training.early_stopping_patience=0", "training.max_length=64", "training.stride=16",
                 # each transcript once (RECORDS has a real one): the fit must not depend on the weight's default
                 "training.real_weight=1"]
    settings = load_settings("local", overrides, environ={})
    assert settings.training.label_all_subtokens  # the default under test
    result = run_training(str(tmp / "snap"), str(tmp / "out"), settings)
    assert result["best_val_micro_f1"] == 1.0, result
    # Predict with the stock pipeline's window (tokenizer.model_max_length) and stride, so both
    # read every text in the same windows.
    (tmp / "out" / "model" / INFERENCE_FILE).write_text(json.dumps({"max_length": 512, "stride": 128}))
    return tmp / "out" / "model"


def _served(py: Path, model: Path) -> dict[str, list[list[Span]]]:
    from ner_pipeline.evaluate.stock_pipeline import AGGREGATIONS

    args = [str(model), "--stride", "128"] + [a for agg in AGGREGATIONS for a in ("--aggregation", agg)]
    proc = serving_venv.run_module(py, "ner_pipeline.evaluate.stock_pipeline", args,
                                   "".join(json.dumps(t) + "\n" for t in TEXTS))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "transformers 4.53.3:" in proc.stderr  # the pinned version served, not this venv's
    assert CANARY not in proc.stdout and CANARY not in proc.stderr  # offsets and labels only
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return {agg: [[Span(**d) for d in row[agg]] for row in rows] for agg in AGGREGATIONS}


@pytest.fixture(scope="module")
def pinned_python() -> Path:
    try:
        return serving_venv.ensure()
    except serving_venv.IndexUnreachable as exc:
        pytest.skip(f"cannot build the transformers 4.53.3 serving venv: the package index is unreachable ({exc})")


def test_pinned_transformers_serves_what_predict_scores(pinned_python, tmp_path):
    from ner_pipeline.evaluate import stock_pipeline
    from ner_pipeline.evaluate.predict import Predictor
    from ner_pipeline.evaluate.serving import agreement, served_faults, serving_check

    model = _train(tmp_path)
    ours = Predictor.load(model, device="cpu", precision="fp32").predict(TEXTS)
    n = len(RECORDS)
    assert [sorted(p) for p in ours[:n]] == [sorted(r.entities) for r in RECORDS]  # it learned them
    served = _served(pinned_python, model)
    for agg, spans in served.items():
        assert agreement(ours[:n], spans[:n])["f1"] == 1.0, agg
        assert served_faults(TEXTS[:n], spans[:n]) == {"fragments": 0, "stopword_only": 0}, agg
    # the decode rule is the pipeline's `first`: equal everywhere, the long text's windows included
    assert served["first"] == ours

    # The evaluate task's figure, computed with this venv's transformers, is the consumer's.
    here = stock_pipeline.load(model)
    for agg, spans in served.items():
        assert stock_pipeline.spans(here, TEXTS, aggregation=agg, stride=128) == spans, agg
    fig = serving_check(model, TEXTS, ours)
    assert fig["f1"] == agreement(ours, served["simple"])["f1"] and fig["multi_window_texts"] == 1

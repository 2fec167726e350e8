"""The consumer's own serving code on our model folder: transformers 4.53.3 (the pin OpenCHS
ai_service serves with) in its own virtual environment, built once under .local/
(tests/serving_venv.py), against `ner-pipeline predict` in this one.

A tiny model trained here with every sub-token labelled (the default) returns, through the
stock pipeline under aggregation simple, first and max, exactly the spans predict returns; the
same training with continuation pieces left unlabelled serves fragments under simple (the
defect issue 14 measured on the champion: F1 0.64 against predict)."""

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


def _train(tmp: Path, label_all_subtokens: bool) -> Path:
    from ner_pipeline.config import load_settings
    from ner_pipeline.evaluate.predict import INFERENCE_FILE
    from ner_pipeline.train.job import run_training

    snap = tmp / "snap"
    if not snap.exists():
        write_snapshot(snap, RECORDS, RECORDS, RECORDS[:2])  # validation = train: it must fit them
    out = tmp / f"all-subtokens-{label_all_subtokens}"
    overrides = ["training.base_model=tiny:hidden_size=128,intermediate_size=256", "training.epochs=10",
                 "training.learning_rate=0.005", "training.batch_size=4", "training.warmup_ratio=0.0",
                 "training.early_stopping_patience=0", "training.max_length=24", "training.stride=6",
                 f"training.label_all_subtokens={str(label_all_subtokens).lower()}"]
    result = run_training(str(snap), str(out), load_settings("local", overrides, environ={}))
    assert result["best_val_micro_f1"] > 0.9, result
    # Predict with the stock pipeline's window (tokenizer.model_max_length) and the serving stride,
    # so both read every text in the same windows.
    (out / "model" / INFERENCE_FILE).write_text(json.dumps({"max_length": 512, "stride": 128}))
    return out / "model"


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
    from ner_pipeline.evaluate.predict import Predictor
    from ner_pipeline.evaluate.serving import agreement, served_faults

    model = _train(tmp_path, label_all_subtokens=True)
    ours = Predictor.load(model, device="cpu", precision="fp32").predict(TEXTS)
    hits = sum(len(set(p) & set(r.entities)) for p, r in zip(ours, RECORDS))
    assert hits / sum(len(r.entities) for r in RECORDS) > 0.9  # it learned them: real spans to agree on
    served = _served(pinned_python, model)
    for agg, spans in served.items():
        assert agreement(ours, spans)["f1"] == 1.0, agg
        assert served_faults(TEXTS, spans) == {"fragments": 0, "stopword_only": 0}, agg


def test_unlabelled_continuations_serve_fragments(pinned_python, tmp_path):
    """The old setting, for contrast: predict still looks fine (first pieces only), the stock
    pipeline under simple does not. This is what the gate rule serving_agreement catches."""
    from ner_pipeline.evaluate.predict import Predictor
    from ner_pipeline.evaluate.serving import agreement, served_faults

    model = _train(tmp_path, label_all_subtokens=False)
    ours = Predictor.load(model, device="cpu", precision="fp32").predict(TEXTS)
    served = _served(pinned_python, model)
    assert agreement(ours, served["first"])["f1"] == 1.0  # the decode rule is `first`, whatever the training
    simple = agreement(ours, served["simple"])
    assert simple["f1"] < 0.99 and served_faults(TEXTS, served["simple"])["fragments"] > 0, simple

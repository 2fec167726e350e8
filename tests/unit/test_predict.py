"""Predictor round trip on a saved tiny model folder, the predict CLI and evaluate_model."""

from __future__ import annotations

import json
import os

import pytest

from ner_pipeline.records import LABELS, Record, Span, is_word_aligned

os.environ.setdefault("HF_HUB_OFFLINE", "1")

TEXTS = [
    "Hello, my name is Grace. I am calling from Kondoa, Dodoma about Rehema who is 13.",
    "Call me on 0712-345-678 near St. Joseph Primary School. " * 30,  # several windows
    "",
    "Zoë Müller 😀 anaishi Mwanza",
]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A tiny random model saved the way the trainer saves one (window settings included)."""
    import torch

    from ner_pipeline.tokens.inference import INFERENCE_FILE
    from ner_pipeline.train.model_loading import load_base_model

    torch.manual_seed(0)
    model, tokenizer, _ = load_base_model("tiny:")
    path = tmp_path_factory.mktemp("model")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    (path / INFERENCE_FILE).write_text(json.dumps({"max_length": 64, "stride": 16}))
    return path


def check_spans(text: str, spans: list[Span]) -> None:
    assert spans == sorted(spans)
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    for s in spans:
        assert s.label in LABELS and is_word_aligned(text, s.start, s.end)


def test_predictor_load_and_predict(model_dir):
    from ner_pipeline.evaluate.predict import Predictor

    predictor = Predictor.load(model_dir, batch_size=4, device="cpu")
    assert predictor.window_cfg.max_length == 64 and predictor.window_cfg.stride == 16
    out = predictor.predict(TEXTS)
    assert len(out) == len(TEXTS) and out[2] == []
    for text, spans in zip(TEXTS, out):
        check_spans(text, spans)
    assert predictor.last_stats["windows"] > len(TEXTS)  # the long text was windowed
    assert predictor.predict(TEXTS) == out  # deterministic
    # the same predictions whatever the batch size (padding must not change results)
    assert Predictor.load(model_dir, batch_size=1, device="cpu").predict(TEXTS) == out


def test_predict_cli_writes_ids_and_spans_only(model_dir, tmp_path):
    from ner_pipeline.cli import main

    records = [Record(f"id-{i}", t, [], source="synthetic") for i, t in enumerate(TEXTS)]
    inp = tmp_path / "records.jsonl"
    inp.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in records))
    out = tmp_path / "pred.jsonl"
    assert main(["predict", "--model", str(model_dir), "--input", str(inp), "--out", str(out)]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [d["id"] for d in lines] == [r.id for r in records]
    assert all(set(d) == {"id", "entities"} for d in lines)
    assert "Grace" not in out.read_text()


def test_evaluate_model(model_dir):
    from ner_pipeline.evaluate.predict import evaluate_model

    text = TEXTS[0]
    i = text.index("Grace")
    rec = Record("g", text, [Span(i, i + 5, "NAME")], source="real")
    metrics, predictions = evaluate_model(model_dir, [rec], device="cpu")
    assert len(predictions) == 1 and metrics["n_records"] == 1
    assert metrics["micro"]["support"] == 1 and set(metrics["per_label"]) == set(LABELS)
    assert set(metrics["by_source"]) == {"real"}

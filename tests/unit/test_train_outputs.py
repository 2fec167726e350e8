"""train/outputs.py: what the trainer's output files hold, and train/callbacks.py: timing,
logging and the per-epoch order, each without a real training run."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import pytest

from ner_pipeline.layout import OutputPaths
from ner_pipeline.train import outputs


def _result(**kw):
    # only the attributes the payloads read (FitResult's shape, without a model)
    base = dict(best_val_micro_f1=0.81, best_epoch=2.0, best_validation={"micro": {"f1": 0.81}}, best_metric_source="all",
                validation_history=[{"epoch": 1.0}], epochs_run=2.0, global_steps=10,
                loss_curve=[{"step": i, "loss": 1.0 / (i + 1)} for i in range(120)], tokens_per_s=1234.56,
                n_train_records=30, n_validation_records=5)
    return SimpleNamespace(**{**base, **kw})


def test_join_uri_and_loss_summary():
    assert outputs.join_uri("s3://b/runs/x/train/", "model") == "s3://b/runs/x/train/model"
    assert outputs.summarize_loss([]) == {"first": None, "last": None, "min": None, "curve": []}
    curve = [{"step": i, "loss": 1.0 / (i + 1)} for i in range(120)]
    s = outputs.summarize_loss(curve, max_points=50)
    assert (s["first"], s["last"], s["min"]) == (1.0, 1.0 / 120, 1.0 / 120)
    assert len(s["curve"]) <= 51 and s["curve"][-1]["step"] == 119  # thinned, the last point kept
    assert s["curve"][1]["loss"] == round(s["curve"][1]["loss"], 5)


def test_metrics_payload_and_xcom_summary():
    r = _result()
    m = outputs.metrics_payload(r)
    assert m["best_val_micro_f1"] == 0.81 and m["train_loss"]["first"] == 1.0 and m["n_train_records"] == 30
    assert m["best_metric_source"] == "all"
    x = outputs.xcom_summary("s3://b/runs/x/train", r, wall_s=12.345)
    assert x == {"output_uri": "s3://b/runs/x/train", "metrics_uri": "s3://b/runs/x/train/" + OutputPaths.METRICS,
                 "model_uri": "s3://b/runs/x/train/" + OutputPaths.MODEL + "/", "tokens_per_s": 1234.6,
                 "wall_s": 12.3, "best_val_micro_f1": 0.81}


def test_mark_success_on_a_local_folder(tmp_path):
    outputs.mark_success(str(tmp_path), settings=None, payload={"b": 1, "a": 2})
    data = (tmp_path / outputs.SUCCESS).read_text()
    assert data.endswith("\n") and json.loads(data) == {"a": 2, "b": 1}
    outputs.write_json(tmp_path / "x.json", {"é": 1})
    assert (tmp_path / "x.json").read_text(encoding="utf-8") == '{\n  "é": 1\n}\n'


def test_callbacks(caplog):
    pytest.importorskip("transformers")
    from ner_pipeline.train.callbacks import callback_classes

    Throughput, Log, EpochOrder = callback_classes()
    args = SimpleNamespace(device=SimpleNamespace(type="cpu"))
    t = Throughput(skip_steps=1)
    t.on_train_begin(args, None, None)
    for step in (1, 2):
        state = SimpleNamespace(global_step=step, num_input_tokens_seen=100 * step)
        t.on_step_begin(args, state, None)
        t.on_step_end(args, state, None)
    assert t.skipped_tokens == 100 and t.seconds > 0  # step 1 was warm-up, step 2 was timed

    with caplog.at_level(logging.INFO, logger="ner_pipeline.train.trainer"):
        state = SimpleNamespace(is_world_process_zero=True, global_step=3, max_steps=9, epoch=1.0)
        Log().on_log(args, state, None, logs={"loss": 0.123456, "total_flos": 1e9})
    assert "step 3/9 epoch 1.00 {'loss': 0.1235}" in caplog.text and "total_flos" not in caplog.text

    seen = []
    ds = SimpleNamespace(set_epoch=seen.append)
    EpochOrder(ds).on_epoch_begin(args, SimpleNamespace(epoch=1.9999), None)
    EpochOrder(object()).on_epoch_begin(args, SimpleNamespace(epoch=1.0), None)  # a dataset without an order
    assert seen == [2]

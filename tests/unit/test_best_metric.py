"""train/trainer.py's choice of the best epoch: on the real validation records once there are
enough of them (training.best_metric_source), else on the whole split."""

from __future__ import annotations

import pytest

from ner_pipeline.config import load_settings
from ner_pipeline.records import Record
from ner_pipeline.train.trainer import _best_index, best_metric_source, selection_f1


def _records(n_real: int, n_synthetic: int) -> list[Record]:
    return ([Record(f"r{i}", "x", [], source="real") for i in range(n_real)]
            + [Record(f"s{i}", "x", [], source="synthetic") for i in range(n_synthetic)])


def _eval(all_f1: float, real_f1: float | None) -> dict:
    m = {"micro": {"f1": all_f1}, "by_source": {"synthetic": {"micro": {"f1": all_f1}}}}
    if real_f1 is not None:
        m["by_source"]["real"] = {"micro": {"f1": real_f1}}
    return m


def test_auto_chooses_real_records_only_from_the_floor():
    ts = load_settings("local", ["training.best_metric_min_real=20"], environ={}).training
    assert ts.best_metric_source == "auto"  # the default
    assert best_metric_source(_records(20, 100), ts) == "real"
    assert best_metric_source(_records(19, 100), ts) == "all"
    assert best_metric_source(_records(0, 100), ts) == "all"
    off = load_settings("local", ["training.best_metric_source=all"], environ={}).training
    assert best_metric_source(_records(500, 10), off) == "all"


def test_best_epoch_follows_the_chosen_source():
    # synthetic-dominated validation keeps rising while the real records peak at epoch 2
    history = [_eval(0.86, 0.60), _eval(0.90, 0.66), _eval(0.92, 0.63)]
    assert _best_index(history, "all") == 2
    assert _best_index(history, "real") == 1
    assert selection_f1(history[1], "real") == 0.66 and selection_f1(history[1], "all") == 0.90
    assert _best_index([_eval(0.5, 0.7), _eval(0.6, 0.7)], "real") == 0  # ties: the first, as the Trainer keeps
    assert _best_index([], "real") is None


def test_invalid_settings_are_refused():
    for bad in ("training.best_metric_source=synthetic", "training.best_metric_min_real=0"):
        with pytest.raises(Exception):
            load_settings("local", [bad], environ={})

"""Prediction, strict entity-level scoring and confusion counts (the gate lives in gate.py).

Modules: predict (Predictor, evaluate_model), score (score, format_metrics_table),
confusion (confusion), commands (`ner-pipeline predict` / `score`). Import functions from
their modules (`from ner_pipeline.evaluate.score import score`): the package re-exports only
names that differ from a module name, lazily, so importing it stays cheap (no torch, no seqeval).
"""

from __future__ import annotations

from typing import Any

_LAZY = {"Predictor": "predict", "evaluate_model": "predict", "format_metrics_table": "score"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

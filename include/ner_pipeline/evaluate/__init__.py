"""Prediction, strict entity-level scoring and confusion counts (the gate lives in gate.py).

Importing this package is cheap: seqeval and torch load inside the functions that use them.
`score` and `confusion` are bound eagerly (the functions shadow their same-named modules);
`Predictor` and `evaluate_model` load on first use.
"""

from __future__ import annotations

from typing import Any

from .confusion import confusion
from .score import format_metrics_table, score

__all__ = ["Predictor", "confusion", "evaluate_model", "format_metrics_table", "score"]


def __getattr__(name: str) -> Any:
    if name in ("Predictor", "evaluate_model"):
        from . import predict

        return getattr(predict, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Prediction, serving check, confusion counts and the gate (scoring itself: metrics.py).

Modules: predict (Predictor, evaluate_model), serving (serving_check), confusion, bootstrap,
gate, formatting, score (format_metrics_table), commands (`ner-pipeline predict` / `score`).
Import from the modules: importing the package loads nothing (no torch, no seqeval).
"""

"""Synthetic helpline conversation generator (plain Python, no torch/transformers).

    from ner_pipeline.synth import generate, write_jsonl, stats
    records = generate(2000, seed=7)
    write_jsonl(records, "synthetic.jsonl")
"""

from .generator import generate
from .io import read_jsonl, write_jsonl
from .stats import stats

__all__ = ["generate", "read_jsonl", "stats", "write_jsonl"]

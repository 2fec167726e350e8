"""Word-level label confusion (O included), the data behind a confusion-matrix image.

Each word of records.words is counted once with its gold label (B-/I- stripped) as the row and
the predicted label as the column. Word level, not entity level: it shows which labels are
mistaken for which, and how much is missed (column O) or hallucinated (row O).
"""

from __future__ import annotations

from typing import Any, Sequence

from ..metrics import word_tag_sequences
from ..records import LABELS, Record, Span

CONFUSION_LABELS: tuple[str, ...] = ("O",) + LABELS


def _label(tag: str) -> str:
    return "O" if tag == "O" else tag.split("-", 1)[1]


def confusion(gold: Sequence[Record], predicted: Sequence[Sequence[Span]]) -> dict[str, Any]:
    """{"labels": [O, NAME, ...], "matrix": rows = gold, columns = predicted, "n_words": N}."""
    index = {lab: i for i, lab in enumerate(CONFUSION_LABELS)}
    matrix = [[0] * len(CONFUSION_LABELS) for _ in CONFUSION_LABELS]
    y_true, y_pred = word_tag_sequences(gold, predicted)
    n = 0
    for t_seq, p_seq in zip(y_true, y_pred):
        for t, p in zip(t_seq, p_seq):
            matrix[index[_label(t)]][index[_label(p)]] += 1
            n += 1
    return {"labels": list(CONFUSION_LABELS), "matrix": matrix, "n_words": n}

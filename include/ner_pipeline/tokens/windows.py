"""Overlapping token windows over long transcripts, and merging window predictions back.

Pure functions over token positions (content tokens, special tokens excluded). A transcript
longer than a window is cut into windows of `size` tokens that overlap by `stride` tokens (the
same meaning as the tokenizer's `stride`), so no token, and so no entity, is lost to truncation.
Each token's prediction is taken from the window where it has the most context on both sides
(furthest from a window edge); a word is decoded from its first token, so a word takes the
prediction of the window where that token sits most centrally.
"""

from __future__ import annotations

from typing import Sequence


def window_bounds(n_tokens: int, size: int, stride: int) -> list[tuple[int, int]]:
    """[start, end) token ranges covering 0..n_tokens; consecutive windows overlap by `stride`.

    The last window simply ends at the text's end (it may be shorter): shifting it back to full
    size would give the tail more left context but cost up to a whole extra window of compute
    for every text slightly longer than one window; the tail already has `stride` tokens of
    left context.
    """
    if size <= 0:
        raise ValueError(f"window size must be positive, got {size}")
    if not 0 <= stride < size:
        raise ValueError(f"stride must be in [0, {size}), got {stride}")
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < n_tokens:
        end = min(start + size, n_tokens)
        bounds.append((start, end))
        if end == n_tokens:
            break
        start += size - stride
    return bounds


def context(pos: int, start: int, end: int) -> int:
    """Tokens of context on the poorer side of `pos` inside window [start, end)."""
    return min(pos - start, end - 1 - pos)


def best_window_per_token(n_tokens: int, bounds: Sequence[tuple[int, int]]) -> list[int]:
    """Index of the window each token is read from (max context; the earlier window on ties)."""
    best = [-1] * n_tokens
    best_ctx = [-1] * n_tokens
    for w, (s, e) in enumerate(bounds):
        for p in range(s, e):
            c = context(p, s, e)
            if c > best_ctx[p]:
                best[p], best_ctx[p] = w, c
    return best


def merge_window_predictions(
    n_tokens: int, bounds: Sequence[tuple[int, int]], window_preds: Sequence[Sequence[int]]
) -> list[int]:
    """Token-level predictions for the whole text from per-window predictions.

    window_preds[w][i] is the prediction for token bounds[w][0] + i.
    """
    if len(bounds) != len(window_preds):
        raise ValueError("one prediction list per window is required")
    owner = best_window_per_token(n_tokens, bounds)
    return [window_preds[w][p - bounds[w][0]] for p, w in enumerate(owner)]

"""Paired bootstrap over test records: is a challenger's F1 drop against the champion more than
retraining noise?

Both models were scored on the same records (metrics.py `per_record`: id, source and
[tp, fp, fn] per label, never text). Each resample draws the records with replacement and
computes, on the same draw for both models, champion F1 minus challenger F1 (micro and per
label, F1 = 2tp / (2tp + fp + fn), 0 when nothing is gold or predicted). The drop is
`significant` when the (1 - significance) percentile interval of the resampled drops lies
entirely above 0. Pure and seeded: the same inputs give the same interval.
"""

from __future__ import annotations

from typing import Any, Sequence

_CHUNK = 200  # resamples per matrix product: bounds memory on large test splits


def _f1(tp: Any, fp: Any, fn: Any) -> Any:
    import numpy as np

    denom = 2 * tp + fp + fn
    return np.divide(2 * tp, denom, out=np.zeros_like(denom, dtype=float), where=denom > 0)


def _matrix(rows: Sequence[dict[str, Any]], labels: Sequence[str]) -> Any:
    import numpy as np

    m = np.zeros((len(rows), len(labels), 3), dtype=np.int64)
    for i, r in enumerate(rows):
        for j, lab in enumerate(labels):
            c = (r.get("counts") or {}).get(lab)
            if c:
                m[i, j] = c
    return m


Rows = list[dict[str, Any]]


def _paired(candidate: Sequence[dict[str, Any]], champion: Sequence[dict[str, Any]]) -> tuple[Rows, Rows]:
    """(candidate, champion) rows, both in id order (so file order cannot change a draw); a
    different set of records is refused."""
    by_id = {r["id"]: r for r in champion}
    mine = {r["id"]: r for r in candidate}
    if len(by_id) != len(champion) or len(mine) != len(candidate) or set(mine) != set(by_id):
        raise ValueError("per-record counts of challenger and champion are not on the same test records")
    ids = sorted(mine, key=str)
    return [mine[i] for i in ids], [by_id[i] for i in ids]


def _summary(observed: float, drops: Any, significance: float) -> dict[str, Any]:
    import numpy as np

    lo, hi = (float(x) for x in np.quantile(drops, [significance / 2, 1 - significance / 2]))
    return {"drop": round(float(observed), 6), "interval": [round(lo, 6), round(hi, 6)], "significant": lo > 0}


def paired_bootstrap(candidate: Sequence[dict[str, Any]], champion: Sequence[dict[str, Any]], labels: Sequence[str],
                     *, resamples: int, significance: float, seed: int) -> dict[str, Any]:
    """{"micro": {drop, interval, significant}, "per_label": {label: ...}, "n_records", "resamples",
    "significance", "seed"}; with no records, every interval is None and nothing is significant."""
    import numpy as np

    labels = list(labels)
    candidate, champion = _paired(candidate, champion)
    n = len(candidate)
    head = {"n_records": n, "resamples": resamples, "significance": significance, "seed": seed}
    if n == 0 or resamples <= 0:
        empty = {"drop": None, "interval": None, "significant": False}
        return {**head, "micro": dict(empty), "per_label": {lab: dict(empty) for lab in labels}}
    # (n, labels, [tp fp fn]) for both models side by side: one draw serves both (the pairing)
    both = np.concatenate([_matrix(champion, labels), _matrix(candidate, labels)], axis=1).reshape(n, -1)
    rng = np.random.default_rng(seed)
    sums = []
    for start in range(0, resamples, _CHUNK):
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=min(_CHUNK, resamples - start))
        sums.append(weights @ both)
    draws = np.concatenate(sums).reshape(resamples, 2, len(labels), 3)
    full = both.sum(axis=0).reshape(2, len(labels), 3)

    def f1(c: Any) -> Any:  # (..., 3) counts -> F1
        return _f1(c[..., 0], c[..., 1], c[..., 2])

    def drop(c: Any) -> Any:  # c: (..., 2 models, labels, 3) -> (per-label drop, micro drop)
        tot = c.sum(axis=-2)
        return f1(c[..., 0, :, :]) - f1(c[..., 1, :, :]), f1(tot[..., 0, :]) - f1(tot[..., 1, :])

    per_obs, micro_obs = drop(full)
    per_draws, micro_draws = drop(draws)
    return {**head, "micro": _summary(micro_obs, micro_draws, significance),
            "per_label": {lab: _summary(per_obs[j], per_draws[:, j], significance) for j, lab in enumerate(labels)}}

"""The paired bootstrap over test records (evaluate/bootstrap.py) on constructed count sets: a
noise-level drop is not significant, a real one is; seeded; the pairing is checked."""

from __future__ import annotations

import pytest

from ner_pipeline.evaluate.bootstrap import paired_bootstrap

HIT, MISS = [1, 0, 0], [0, 1, 1]  # one NAME span found / one wrong span (a false positive and a miss)


def rows(n: int, misses: set[int]) -> list[dict]:
    return [{"id": f"r{i}", "source": "synthetic", "counts": {"NAME": MISS if i in misses else HIT}} for i in range(n)]


CHAMPION = rows(300, set(range(10)))


def run(candidate, champion=CHAMPION, **kw):
    args = {"resamples": 1000, "significance": 0.05, "seed": 0, **kw}
    return paired_bootstrap(candidate, champion, ["NAME", "AGE"], **args)


def test_a_noise_level_drop_is_not_significant():
    # each model gets records wrong that the other gets right (10 vs 18): F1 drops 0.027, as
    # retraining noise does, and the interval covers 0
    out = run(rows(300, set(range(10, 28))))
    name = out["per_label"]["NAME"]
    assert name["drop"] == pytest.approx(2 * 290 / 600 - 2 * 282 / 600, abs=1e-6) and name["drop"] > 0.02
    lo, hi = name["interval"]
    assert lo < 0 < hi and name["significant"] is False
    assert out["micro"] == name  # NAME is the only label with spans


def test_a_real_drop_is_significant():
    # the challenger loses 40 records the champion gets right and wins none back
    name = run(rows(300, set(range(10, 50))))["per_label"]["NAME"]
    assert name["drop"] == pytest.approx(0.1, abs=1e-6) and name["interval"][0] > 0 and name["significant"] is True


def test_the_significance_level_widens_the_interval():
    cand = rows(300, set(range(10, 28)))
    narrow, wide = (run(cand, significance=a)["per_label"]["NAME"]["interval"] for a in (0.5, 0.01))
    assert wide[0] < narrow[0] <= narrow[1] < wide[1]


def test_seeded_and_paired_by_id():
    cand = rows(300, set(range(10, 28)))
    assert run(cand) == run(list(reversed(cand)))  # paired by id, not by position
    assert run(cand) == run(cand) and run(cand, seed=1) != run(cand)
    same = run(CHAMPION)["per_label"]["NAME"]
    assert same == {"drop": 0.0, "interval": [0.0, 0.0], "significant": False}
    assert run(cand)["per_label"]["AGE"] == {"drop": 0.0, "interval": [0.0, 0.0], "significant": False}


def test_different_records_are_refused_and_empty_is_not_significant():
    with pytest.raises(ValueError, match="same test records"):
        run(rows(299, set()))
    with pytest.raises(ValueError, match="same test records"):
        run([{**r, "id": "x" + r["id"]} for r in CHAMPION])
    empty = paired_bootstrap([], [], ["NAME"], resamples=100, significance=0.05, seed=0)
    assert empty["micro"] == {"drop": None, "interval": None, "significant": False} and empty["n_records"] == 0

"""The trainer's record cap and real/synthetic mix (train/selection.py): real records always in,
synthetic ones fill the rest, seeded and stable; real_share and real_weight as settings."""

from __future__ import annotations

from collections import Counter

import pytest

from ner_pipeline.config import load_settings
from ner_pipeline.records import Record
from ner_pipeline.train.selection import real_copies, select_records, select_training

REAL = [Record(f"real-{i}", f"real transcript {i}", [], source="real") for i in range(30)]
SYN = [Record(f"syn-{i}", f"synthetic call {i}", [], source="synthetic") for i in range(200)]
SNAPSHOT = [r for pair in zip(SYN[:30], REAL) for r in pair] + SYN[30:]  # sources interleaved


def ids(records):
    return [r.id for r in records]


def test_real_records_are_always_in_and_synthetic_ones_fill_the_cap():
    sel = select_training(SNAPSHOT, 100, seed=13)
    chosen = Counter(r.source for r in sel.records)
    assert chosen == {"real": 30, "synthetic": 70}
    assert {r.id for r in REAL} <= set(ids(sel.records))
    assert ids(sel.records) == [r.id for r in SNAPSHOT if r.id in set(ids(sel.records))]  # snapshot order
    assert sel.summary == {
        "max_train_records": 100, "real_share": None, "real_weight": 1.0,
        "available": {"real": 30, "synthetic": 200}, "selected": {"real": 30, "synthetic": 70},
        "examples": {"real": 30, "synthetic": 70, "total": 100}, "real_left_out": 0}
    # a cap smaller than the real records: a seeded sample of them, no synthetic
    small = select_training(SNAPSHOT, 20, seed=13)
    assert Counter(r.source for r in small.records) == {"real": 20} and small.summary["real_left_out"] == 10
    # no cap: everything
    assert select_records(SNAPSHOT, None, seed=13) == SNAPSHOT


def test_the_synthetic_fill_is_seeded_and_stable_as_the_snapshot_grows():
    a = ids(select_records(SNAPSHOT, 100, seed=13))
    assert a == ids(select_records(SNAPSHOT, 100, seed=13))
    assert set(a) == set(ids(select_records(list(reversed(SNAPSHOT)), 100, seed=13)))  # not file order
    assert set(a) != set(ids(select_records(SNAPSHOT, 100, seed=14)))
    grown = SNAPSHOT + [Record(f"syn-new-{i}", f"new call {i}", [], source="synthetic") for i in range(20)]
    b = set(ids(select_records(grown, 100, seed=13)))
    assert len(set(a) & b) >= 85  # mostly the same records: new ones only take the places they hash into


def test_the_old_cap_chooses_the_same_synthetic_records_as_before():
    # the cap's hash is unchanged (sha256 of "seed:id"), so a synthetic-only snapshot trains on what it did
    import hashlib

    old = sorted(SYN, key=lambda r: hashlib.sha256(f"13:{r.id}".encode()).hexdigest())[:50]
    assert set(ids(select_records(SYN, 50, seed=13))) == set(ids(old))


@pytest.mark.parametrize("share,n_syn", [(0.5, 30), (0.4, 45), (0.1, 70), (1.0, 0)])
def test_real_share_limits_the_synthetic_fill(share, n_syn):
    sel = select_training(SNAPSHOT, 100, seed=13, real_share=share)
    assert sel.summary["selected"] == {"real": 30, "synthetic": n_syn}  # 0.1 would allow 270: the cap wins
    # without real records there is no share to keep: synthetic fill the cap
    assert len(select_records(SYN, 100, seed=13, real_share=share)) == 100


def test_real_weight_oversamples_real_records_deterministically():
    sel = select_training(SNAPSHOT, 100, seed=13, real_weight=2)
    got = Counter(r.id for r in sel.records)
    assert all(got[r.id] == 2 for r in REAL) and all(n == 1 for rid, n in got.items() if rid.startswith("syn"))
    assert sel.summary["examples"] == {"real": 60, "synthetic": 70, "total": 130}
    ordered = ids(sel.records)
    assert all(ordered[ordered.index(r.id) + 1] == r.id for r in REAL)  # a copy sits next to its record
    half = select_training(REAL, None, seed=13, real_weight=1.5)
    twice = [rid for rid, n in Counter(ids(half.records)).items() if n == 2]
    assert 8 <= len(twice) <= 22 and half.summary["examples"]["real"] == 30 + len(twice)
    assert twice == [rid for rid, n in Counter(ids(select_records(REAL, None, 13, real_weight=1.5))).items() if n == 2]
    assert {real_copies("x", w, 0) for w in (1.0, 3.0)} == {1, 3}


def test_settings_bound_the_mix():
    s = load_settings("local", ["training.real_share=0.4", "training.real_weight=2"], environ={})
    assert (s.training.real_share, s.training.real_weight) == (0.4, 2.0)
    for bad in ("training.real_share=0", "training.real_share=1.5", "training.real_weight=0.5"):
        with pytest.raises(Exception):
            load_settings("local", [bad], environ={})

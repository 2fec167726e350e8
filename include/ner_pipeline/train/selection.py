"""Which training records the trainer sees: the record cap and the real/synthetic mix.

Real records are what the product is judged on, so under `training.max_train_records` they take
the cap first and synthetic records fill what is left; only when real records alone exceed the
cap is a seeded sample of them taken (the cap bounds what a run costs). `training.real_share`
limits the synthetic fill so real records are at least that share of the distinct records;
`training.real_weight` repeats real records (deterministic oversampling: no trainer change).

Every choice is a seeded hash of the record id: the same records every run, and mostly the same
ones when the snapshot grows. Pure: no I/O; the summary holds counts only (it goes to run.json).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any, Sequence

from ..records import Record

REAL = "real"


@dataclass(frozen=True)
class Selection:
    records: list[Record]  # what the trainer gets, in snapshot order, real copies next to their record
    summary: dict[str, Any]


def _digest(seed: int, purpose: str, rid: str) -> str:
    return hashlib.sha256(f"{seed}:{purpose}{rid}".encode()).hexdigest()


def _sample(records: Sequence[Record], n: int, seed: int) -> list[Record]:
    # purpose "" keeps the hash the cap has always used, so existing caps choose the same records
    return sorted(records, key=lambda r: _digest(seed, "", r.id))[:n] if n < len(records) else list(records)


def real_copies(rid: str, weight: float, seed: int) -> int:
    """How many times a real record is trained on: floor(weight), plus one more for a seeded
    (weight - floor) share of the records."""
    whole = math.floor(weight)
    frac = weight - whole
    if frac <= 0:
        return whole
    u = int(_digest(seed, "weight:", rid)[:13], 16) / 16 ** 13
    return whole + (u < frac)


def synthetic_room(n_real: int, real_share: float | None) -> int | None:
    """Most synthetic records that keep real ones at least real_share of the selection (None:
    no limit; also with no real records, where no share can be reached and none is imposed)."""
    if real_share is None or n_real == 0:
        return None
    return math.floor(n_real * (1 - real_share) / real_share + 1e-9)


def select_training(records: Sequence[Record], limit: int | None, seed: int, *, real_share: float | None = None,
                    real_weight: float = 1.0) -> Selection:
    real = [r for r in records if r.source == REAL]
    other = [r for r in records if r.source != REAL]
    chosen_real = _sample(real, len(real) if limit is None else min(len(real), limit), seed)
    room = len(other) if limit is None else max(0, limit - len(chosen_real))
    share_room = synthetic_room(len(chosen_real), real_share)
    if share_room is not None:
        room = min(room, share_room)
    chosen_other = _sample(other, room, seed)
    keep = {id(r) for r in chosen_real} | {id(r) for r in chosen_other}
    out: list[Record] = []
    for r in records:  # snapshot order
        if id(r) in keep:
            out += [r] * (real_copies(r.id, real_weight, seed) if r.source == REAL else 1)
    n_real_examples = len(out) - len(chosen_other)
    summary = {
        "max_train_records": limit, "real_share": real_share, "real_weight": real_weight,
        "available": {"real": len(real), "synthetic": len(other)},
        "selected": {"real": len(chosen_real), "synthetic": len(chosen_other)},
        "examples": {"real": n_real_examples, "synthetic": len(chosen_other), "total": len(out)},
        "real_left_out": len(real) - len(chosen_real),  # > 0 only when real records alone exceed the cap
    }
    return Selection(out, summary)


def select_records(records: Sequence[Record], limit: int | None, seed: int, *, real_share: float | None = None,
                   real_weight: float = 1.0) -> list[Record]:
    """The records of select_training (see the module docstring)."""
    return select_training(records, limit, seed, real_share=real_share, real_weight=real_weight).records

"""Conventions of a dataset snapshot: per-source tallies of its records, and what the DAG's
generation follows (for_generation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from .files import loads
from .tally import ConventionTally, _spans_of

class SourceTallies(dict):
    """source -> ConventionTally of canonical record dicts added one by one; `sources` limits it
    to those sources, `max_records` to the first that many records of each."""

    def __init__(self, sources: Iterable[str] | None = None, max_records: int | None = None) -> None:
        super().__init__()
        self.want = None if sources is None else set(sources)
        self.max_records = max_records

    def add(self, d: dict[str, Any]) -> None:
        src = d.get("source") or "synthetic"
        if self.want is None or src in self.want:
            tally = self.setdefault(src, ConventionTally())
            if self.max_records is None or tally.records < self.max_records:
                tally.add(*_spans_of(d), checked=True)  # snapshot records passed validation


def tally_snapshot(store: Any, snapshot_uri: str, splits: Iterable[str], sources: Iterable[str] | None = None,
                   max_records: int | None = None) -> dict[str, ConventionTally]:
    """Per source, the tally of a dataset snapshot's records in `splits` (one split file in
    memory at a time; see SourceTallies for `sources` and `max_records`)."""
    from ..snapshots import SnapshotStore

    out = SourceTallies(sources, max_records)
    for d in SnapshotStore(store).record_dicts(snapshot_uri, splits):
        out.add(d)
    return out


# Which splits' real records the DAG's generation follows: never the test split, so what the
# model is scored on never shapes what it is trained on.
GENERATION_SPLITS = ("train", "validation")


def for_generation(settings: Any, store: Any, latest: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(conventions for the DAG's synthetic generation or None, where they come from: counts and
    names only). The latest snapshot's real records (GENERATION_SPLITS) when it holds at least
    synth.conventions_min_real of them; else synth.conventions_file when set; else None (the
    generator's label-guide defaults)."""
    cfg = settings.synth
    real = 0
    if latest and latest.get("uri"):
        from ..snapshots import SnapshotStore

        manifest = SnapshotStore(store).manifest(latest["uri"], required=False) or {}
        by_source = manifest.get("counts_by_source", {})
        real = sum(int(by_source.get(s, {}).get("real", 0)) for s in GENERATION_SPLITS)
    if real >= cfg.conventions_min_real:
        tally = tally_snapshot(store, latest["uri"], GENERATION_SPLITS, sources=["real"]).get("real", ConventionTally())
        return tally.result(), {"from": "snapshot", "snapshot_id": latest.get("snapshot_id"),
                                "splits": list(GENERATION_SPLITS), "real_records": tally.records,
                                "skipped_records": tally.skipped, "min_real": cfg.conventions_min_real}
    why = {"real_records": real, "min_real": cfg.conventions_min_real,
           "snapshot_id": (latest or {}).get("snapshot_id")}
    if cfg.conventions_file:
        f = cfg.conventions_file
        data = store.get_bytes(store.key_of(f)) if f.startswith("s3://") else Path(f).read_bytes()
        return loads(data), {"from": "file", "file": f, **why}
    return None, {"from": "label_guide", **why}

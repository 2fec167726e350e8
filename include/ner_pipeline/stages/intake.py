"""Stages 0-3: a synthetic batch, discover, validate, build the snapshot."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

from .. import discovery, jsonl
from ..config import Settings
from ..ingest import file_sha256
from ..layout import RunPaths, synthetic_batch
from ..snapshots import SnapshotStore, base_of
from ..split import parse_jsonl, to_jsonl
from ..storage import ObjectStore
from .base import store_of

log = logging.getLogger("ner_pipeline.stages")


# -- 0. optional: a fresh synthetic batch ---------------------------------------------------

def generate_synthetic(settings: Settings, run_id: str, n: int | None = None, seed: int | None = None, *,
                       store: ObjectStore | None = None) -> dict[str, Any]:
    """Write a generated batch to incoming/synthetic/ (idempotent per run: same name, same bytes).
    It follows the conventions measured on the latest snapshot's real records once there are
    synth.conventions_min_real of them (conventions.for_generation); `conventions` in the result
    says which were used (snapshot id and counts, never text)."""
    from ..conventions import for_generation
    from ..synth import generate, write_jsonl

    n = n or settings.synth.n
    seed = settings.synth.seed if seed is None else seed
    store = store_of(settings, store)
    conventions, provenance = for_generation(settings, store, SnapshotStore(store).latest())
    extra = {} if conventions is None else {"conventions": conventions}  # None: the generator's defaults
    recs = generate(n, seed, long_share=settings.synth.long_share, min_chars=settings.synth.min_chars,
                    max_chars=settings.synth.max_chars, **extra)
    log.info("synthetic conventions: %s", provenance)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        write_jsonl(recs, path)
        data = path.read_bytes()
    key = store.key(synthetic_batch(settings.sources.synthetic_prefix, run_id, seed, n))
    store.put_bytes(key, data, content_type="application/x-ndjson")
    log.info("generated %d synthetic records -> %s", len(recs), store.uri(key))
    return {"uri": store.uri(key), "records": len(recs), "seed": seed, "conventions": provenance}


# -- 1. discover ----------------------------------------------------------------------------

def discover(settings: Settings, run_id: str, sources: list[str], *, store: ObjectStore | None = None) -> dict[str, Any]:
    store = store_of(settings, store)
    files = discovery.discover(store, settings, sources, run_id=run_id)
    by_source = Counter(f["source"] for f in files)
    log.info("discovered %d new file(s): %s", len(files), dict(by_source))
    return {"files": files, "n_files": len(files), "by_source": dict(by_source), "sources": sources}


# -- 2. validate ----------------------------------------------------------------------------

def _read_discovered(store: ObjectStore, settings: Settings, run_id: str, discovered: dict[str, Any],
                     consumed: dict[str, Any], files: list[dict[str, Any]],
                     skipped: list[dict[str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """(key, source, bytes or Oversized) of each discovered file as it is now; appends what was
    read to `files` and what was not to `skipped` (see validate)."""
    from ..validate import Oversized

    for f in discovered["files"]:
        got = store.open(f["key"])  # one GET: its size decides before the body is read
        if got is None:
            log.warning("incoming file %s was deleted before validation; skipped (not marked consumed)", f["key"])
            skipped.append({"key": f["key"], "source": f["source"], "reason": "deleted before validation"})
            continue
        if got.size > settings.validation.max_file_bytes:
            # Over the size cap: never downloaded; rejected as a whole (file_too_large), under
            # the hash discovery streamed, and marked so no later night reads it again.
            got.close()
            files.append(f)
            yield f["key"], f["source"], Oversized(got.size, f["sha256"])
            continue
        with got:
            data = got.read()
        digest = file_sha256(data)
        if digest != f["sha256"]:
            mark = consumed.get(digest)
            if mark is not None and mark.get("run_id") != run_id:
                log.warning("file %s changed since discovery into content already consumed; skipped", f["key"])
                skipped.append({"key": f["key"], "source": f["source"],
                                "reason": "changed since discovery into already consumed content"})
                continue
            # Changed between discovery and now: validate what we read, under its real hash.
            log.warning("file %s changed since discovery; validating the current content", f["key"])
            f = {**f, "sha256": digest, "bytes": len(data)}
        files.append(f)
        yield f["key"], f["source"], data


def _base_for_validation(store: ObjectStore, settings: Settings, run_id: str) -> dict[str, Any]:
    """What the base snapshot tells validation: known text hashes and ids, train label counts,
    per-source convention tallies (one read of each split)."""
    snaps = SnapshotStore(store)
    _, base_uri = base_of(snaps.latest(), run_id)
    if not base_uri:
        return {"known_hashes": set(), "known_ids": set(), "previous_label_counts": None, "base_conventions": None}
    from ..conventions import SourceTallies

    tallies = SourceTallies(max_records=settings.validation.convention_max_records)
    prev_counts = snaps.manifest(base_uri).get("label_counts", {}).get("train")
    known, known_ids = snaps.known(base_uri, also=tallies.add)
    return {"known_hashes": known, "known_ids": known_ids, "previous_label_counts": prev_counts,
            "base_conventions": tallies}


def validate(settings: Settings, run_id: str, discovered: dict[str, Any], *,
             store: ObjectStore | None = None) -> dict[str, Any]:
    """Validate the discovered files, read one at a time (memory follows the largest file).

    A file deleted since discovery is skipped with a warning and listed in `skipped_files`
    (it is not marked consumed, so it is found again if it comes back). A file changed since
    discovery is validated as it is now, under the hash of what was read, and that hash is
    what build_snapshot marks consumed; if the new content was already consumed by another
    run, the file is skipped like discovery would have. Records are checked for duplicates
    against the snapshot this run builds on (snapshots.base_of), so a re-run validates alike.
    """
    from ..validate import validate_batch

    store = store_of(settings, store)
    paths = RunPaths(run_id)
    consumed = discovery.load_state(store)[0].get("files", {})
    files: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    base = _base_for_validation(store, settings, run_id)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "data_docs"
        incoming = _read_discovered(store, settings, run_id, discovered, consumed, files, skipped)
        outcome = validate_batch(incoming, settings, docs_dir=docs, run_id=paths.rk, **base)
        store.delete_prefix(store.key(paths.validation) + "/")  # a retry's outputs never mix with an earlier attempt's
        if docs.exists():
            store.upload_dir(docs, store.key(paths.data_docs))
        store.put_bytes(store.key(paths.validation_audit), jsonl.dump_lines(outcome.audit, sort_keys=True))
    qkey, akey, rkey = (store.key(k) for k in (paths.quarantine, paths.accepted, paths.validation_report))
    store.put_bytes(qkey, jsonl.dump_lines(outcome.quarantined))
    store.put_bytes(akey, to_jsonl(outcome.accepted))
    store.put_json(rkey, outcome.report)  # last: the run's validation is complete

    rejected = {r["path"] for r in outcome.rejected_files}
    summary = {
        "report_uri": store.uri(rkey),
        "data_docs_uri": store.uri(store.key(paths.data_docs_index)),
        "quarantine_uri": store.uri(qkey),
        "accepted_uri": store.uri(akey),
        "counts": {k: outcome.report[k] for k in ("records_read", "accepted", "repaired", "quarantined")},
        "by_source": outcome.report.get("by_source", {}),
        "quarantined_by_reason": outcome.report.get("quarantined_by_reason", {}),
        "convention_conflicts": (outcome.report.get("conventions") or {}).get("conflicts_found", 0),
        "rejected_files": [{"path": r["path"], "message": r.get("message", "")} for r in outcome.rejected_files],
        "skipped_files": skipped,
        "files": [{**f, "status": "rejected" if f["key"] in rejected else "consumed"} for f in files],
    }
    log.info("validation: %s", summary["counts"])
    for r in outcome.rejected_files:
        log.error("file rejected: %s", r.get("message") or r["path"])
    return summary


# -- 3. snapshot ----------------------------------------------------------------------------

def build_snapshot(settings: Settings, run_id: str, validated: dict[str, Any], *,
                   store: ObjectStore | None = None) -> dict[str, Any]:
    """Cumulative snapshot = base snapshot + this run's accepted records (SnapshotStore.build:
    manifest last, then the pointer's conditional move); files are marked consumed last."""
    store = store_of(settings, store)
    new = parse_jsonl(store.get_bytes(store.key_of(validated["accepted_uri"])))
    source_files = [{k: f[k] for k in ("key", "source", "sha256")} for f in validated["files"]]
    built = SnapshotStore(store).build(run_id, new, settings.split, source_files=source_files)
    discovery.mark_consumed(store, validated["files"], run_id)
    manifest = built["manifest"]
    log.info("snapshot %s: %s", built["snapshot_id"], manifest["counts"])
    return {"snapshot_id": built["snapshot_id"], "dataset_uri": built["uri"], "counts": manifest["counts"],
            "new_records": len(new),
            "manifest_sha256": hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()}

"""`submit`: validate files locally exactly as the DAG would, then upload the ones it would take.

The same BatchValidator the DAG's validate task runs (same settings, same readers, same
checks, same file-rejection rule), with the text hashes of the latest dataset snapshot as
"known", so a file the DAG would reject is refused here, with its reasons, before it is
uploaded. GX is not run: it checks the validator's own output and never rejects a file.

Uploads go to the source's incoming/ prefix under a content-hash name
(`<sources.<source>_prefix><sha256>.jsonl|.json`), written with If-None-Match, so the same
bytes submitted twice land once. A file whose bytes are already there, or were already
consumed by a run (state/processed.json), is not validated again and not uploaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Settings
from ..discovery import load_state
from ..ingest import file_sha256
from ..layout import incoming_file
from ..snapshots import SnapshotStore
from ..storage import ObjectStore, PreconditionFailed

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    path: str
    source: str
    sha256: str
    key: str  # where it goes (or went) in the bucket
    status: str = "pending"  # uploaded | would_upload | refused | already_submitted | already_processed | same_as
    counts: dict[str, Any] = field(default_factory=dict)  # read/accepted/repaired/quarantined/rate/...
    reasons: dict[str, int] = field(default_factory=dict)  # quarantined records per reason code
    message: str = ""

    @property
    def refused(self) -> bool:
        return self.status == "refused"


def incoming_key(settings: Settings, source: str, sha: str, name: str, data: bytes) -> str:
    prefix = settings.sources.real_prefix if source == "real" else settings.sources.synthetic_prefix
    suffix = Path(name).suffix.lower()
    if suffix not in (".json", ".jsonl"):
        suffix = ".json" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") else ".jsonl"
    return settings.key(incoming_file(prefix, sha + suffix))


def known_hashes(store: ObjectStore) -> tuple[set[str], set[str]]:
    """Text hashes and record ids of the latest complete snapshot (what the DAG checks against)."""
    return SnapshotStore(store).known_latest()


def processed(store: ObjectStore) -> dict[str, Any]:
    """sha256 -> {key, source, run_id, status} of every file a run has consumed."""
    return load_state(store)[0].get("files", {})


def submit(files: list[tuple[str, bytes]], source: str, settings: Settings, *, dry_run: bool = False,
           store: ObjectStore | None = None) -> tuple[list[FileResult], dict[str, Any] | None]:
    """Validate and upload (name, bytes) files; returns one result per file and the report
    (None when every file was already there). Writes nothing when dry_run."""
    from ..validate import BatchValidator

    store = store or ObjectStore(settings)
    state = processed(store)
    results: list[FileResult] = []
    todo: list[tuple[FileResult, bytes]] = []
    first_of: dict[str, str] = {}
    for name, data in files:
        sha = file_sha256(data)  # the hash discovery and state/processed.json key on
        res = FileResult(name, source, sha, incoming_key(settings, source, sha, name, data))
        results.append(res)
        if sha in first_of:
            res.status, res.message = "same_as", f"same bytes as {first_of[sha]} in this submission"
        elif sha in state:
            entry = state[sha]
            res.status = "already_processed"
            res.message = f"already processed by run {entry.get('run_id')} as {entry.get('key')} ({entry.get('status', 'consumed')})"
        elif store.exists(res.key):
            res.status, res.message = "already_submitted", f"already in {store.uri(res.key)}"
        else:
            todo.append((res, data))
        first_of.setdefault(sha, name)
    if not todo:
        return results, None

    hashes, ids = known_hashes(store)
    validator = BatchValidator(settings, known_hashes=hashes, known_ids=ids)
    for res, data in todo:
        entry = validator.add_file(res.path, source, data)
        res.counts = {k: entry[k] for k in ("records_read", "accepted", "repaired", "quarantined", "quarantine_rate")}
        res.reasons = dict(entry.get("quarantined_by_reason") or {})
    report = validator.finish(run_gx=False, run_id="submit")
    by_file = report["completeness"]["by_file"]
    rejected = {r["path"]: r for r in report["rejected_files"]}
    for res, data in todo:
        res.counts["unlabelled_repeats"] = by_file.get(res.path, {}).get("unlabelled_repeats", 0)
        if res.path in rejected:
            res.status, res.message = "refused", rejected[res.path]["message"]
            res.reasons = rejected[res.path]["reasons"]
            continue
        if dry_run:
            res.status, res.message = "would_upload", f"would upload to {store.uri(res.key)}"
            continue
        ctype = "application/json" if res.key.endswith(".json") else "application/x-ndjson"
        try:
            store.put_bytes(res.key, data, content_type=ctype, if_none_match=True)
            res.status, res.message = "uploaded", f"uploaded to {store.uri(res.key)}"
            log.info("submitted %s -> %s", res.path, store.uri(res.key))
        except PreconditionFailed:
            res.status, res.message = "already_submitted", f"already in {store.uri(res.key)}"
    return results, report


def format_table(results: list[FileResult]) -> str:
    """The outcome table `submit` prints: counts and codes only, never text."""
    head = (f"{'file':<32} {'source':<9} {'read':>6} {'accepted':>8} {'repaired':>8} {'quarant.':>8} "
            f"{'rate':>6} {'unlabelled':>10}  outcome")
    lines = [head, "-" * len(head)]
    for r in results:
        c = r.counts
        name = r.path if len(r.path) <= 32 else "..." + r.path[-29:]
        if c:
            nums = (f"{c['records_read']:>6} {c['accepted']:>8} {c['repaired']:>8} {c['quarantined']:>8} "
                    f"{c['quarantine_rate']:>6.1%} {c.get('unlabelled_repeats', 0):>10}")
        else:
            nums = f"{'-':>6} {'-':>8} {'-':>8} {'-':>8} {'-':>6} {'-':>10}"
        lines.append(f"{name:<32} {r.source:<9} {nums}  {r.status.replace('_', ' ')}")
        if r.message:
            lines.append(f"    {r.message}")
        if r.reasons:
            lines.append("    quarantined by reason: " + ", ".join(f"{k}={v}" for k, v in sorted(r.reasons.items())))
    return "\n".join(lines)

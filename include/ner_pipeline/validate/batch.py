"""Validate a batch of files: every record read ends accepted, repaired or quarantined.

Files are processed one at a time (memory follows the largest file, not the batch): the
file's verdicts are held until its quarantine rate is known, because a file over
validation.quarantine_rate_limit is rejected as a whole. Then its accepted records go to
the accepted sink and its text hashes join the batch's "seen" set; a rejected file's
records all go to quarantine with file_rejected added to their reasons, and its hashes are
released so a later copy of the same transcript can still be accepted.

Duplicate text: a hash is claimed by the first record that is *accepted* (known_hashes
holds earlier batches and the frozen test set). A quarantined record claims nothing: it
never reaches the dataset, so a clean copy after it is not a duplicate of anything there.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..conventions import ConventionTally
from ..ingest import file_sha256, read_records
from ..ingest.labels import LabelMapper
from ..records import SOURCES, Record, Span
from . import reasons as R
from .checks import check_record
from .completeness import CompletenessTally
from .report import build_report
from .table import SpanTable
from .tally import Tally

log = logging.getLogger(__name__)


@dataclass
class ValidationOutcome:
    accepted: list[Record]  # accepted and repaired records, canonical
    quarantined: list[dict[str, Any]]  # {file, line, id, source, reasons, details, raw}
    audit: list[dict[str, Any]]  # one entry per repair of an output record
    report: dict[str, Any]  # counts and codes only, never text
    rejected_files: list[dict[str, Any]]  # {path, reasons: {code: n}, message}
    accepted_hashes: set[str] = field(default_factory=set)  # text hashes now taken by this batch

    @property
    def ok(self) -> bool:
        return not self.rejected_files and self.report.get("gx", {}).get("success", True)


class BatchValidator:
    """Streaming form of validate_batch: add files one by one, then finish().

    Sinks receive output as soon as a file is decided, so a caller that writes them to disk
    (the CLI, the benchmark) holds one file at a time, plus the compact GX table (a few
    bytes per accepted span) and the audit list. on_accepted gets the
    canonical record dict (Record.to_dict() shape), on_quarantined the quarantine entry.
    """

    def __init__(self, settings: Any, *, known_hashes: Iterable[str] | set[str] = frozenset(),
                 known_ids: Iterable[str] | set[str] = frozenset(),
                 on_accepted: Callable[[dict[str, Any]], None] | None = None,
                 on_quarantined: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.settings = settings
        self.vs = settings.validation
        self.mapper = LabelMapper.from_settings(settings)
        self.known = known_hashes if isinstance(known_hashes, (set, frozenset)) else set(known_hashes)
        self.known_ids = known_ids if isinstance(known_ids, (set, frozenset)) else set(known_ids)
        self.claimed: set[str] = set()
        self.claimed_ids: set[str] = set()  # ids, like text hashes, are claimed by accepted records only
        self.on_accepted = on_accepted or (lambda rec: None)
        self.on_quarantined = on_quarantined or (lambda q: None)
        self.table = SpanTable()
        self.total = Tally()
        self.by_source: dict[str, Tally] = {}
        self.label_counts: Counter = Counter()
        self.files: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.audit: list[dict[str, Any]] = []
        self.completeness = CompletenessTally()
        self.completeness_by_file: dict[str, dict[str, Any]] = {}
        self.conventions: dict[str, ConventionTally] = {}  # per source, of the accepted output

    def add_file(self, name: str, source: str, data: "bytes | Oversized") -> dict[str, Any]:
        """Validate one file; `data` is its bytes, or Oversized when the caller did not read an
        object over validation.max_file_bytes (it is rejected as a whole, unread)."""
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
        size = data.size if isinstance(data, Oversized) else len(data)
        if size > self.vs.max_file_bytes:
            return self._reject_unread(name, source, size, data.sha256 if isinstance(data, Oversized) else file_sha256(data))
        checked = self._check_file(name, source, data)
        tally = checked.tally
        rate = tally.quarantined / tally.records_read if tally.records_read else 0.0
        rejected = rate > self.vs.quarantine_rate_limit
        entry: dict[str, Any] = {"path": name, "source": source, "sha256": file_sha256(data),
                                 "formats": dict(checked.formats), "quarantine_rate": round(rate, 4), "rejected": rejected}
        final, comp = self._decide_file(name, checked.verdicts, rejected)
        if rejected:
            self._reject(name, tally, rate, entry)
        else:
            self.claimed |= checked.claimed
            self.claimed_ids |= checked.ids
        entry.update(final.as_dict())
        self.total.merge(final)
        self.completeness.merge(comp)
        self.completeness_by_file[name] = comp.file_summary()
        self.files.append(entry)
        log.info("validated %s: read %d, accepted %d, repaired %d, quarantined %d%s", name, final.records_read,
                 final.accepted, final.repaired, final.quarantined, " (file rejected)" if rejected else "")
        return entry

    def _check_file(self, name: str, source: str, data: bytes) -> "_CheckedFile":
        """Every record of the file checked, in read order, with the duplicates of earlier
        accepted records (this batch, earlier batches, the test set) marked; nothing emitted."""
        out = _CheckedFile()
        for rr in read_records(name, data, source, mapper=self.mapper, max_line_bytes=self.vs.max_line_bytes):
            c = check_record(rr, self.vs)
            out.formats[rr.format] += 1
            h = c.text_hash
            if h is not None and (h in self.known or h in self.claimed or h in out.claimed):
                c.reasons.append(R.DUPLICATE_TEXT)
                c.details.append("same normalised text as an earlier record or the test set")
            if rr.error is None and c.id is not None and (c.id in self.known_ids or c.id in self.claimed_ids
                                                           or c.id in out.ids):
                c.reasons.append(R.DUPLICATE_ID)
                c.details.append("id already taken by an earlier accepted record or the dataset snapshot")
            if c.reasons:
                out.tally.add_quarantined(c.reasons)
            else:
                out.claimed.add(h)
                out.ids.add(c.id)
                out.tally.add_accepted(c.repairs)
            out.verdicts.append((rr, c))
        return out

    def _decide_file(self, name: str, verdicts: list[tuple[Any, Any]], rejected: bool
                     ) -> tuple[Tally, CompletenessTally]:
        """Send each record to its sink (every one to quarantine when the file is rejected);
        the file's final tally and completeness figures."""
        final = Tally()
        comp = CompletenessTally()
        for rr, c in verdicts:
            comp.add(c.completeness, rr.source, accepted=not (c.reasons or rejected), reasons=c.reasons)
            src_tally = self.by_source.setdefault(rr.source, Tally())
            if c.reasons or rejected:
                reasons = c.reasons + [R.FILE_REJECTED] if rejected else c.reasons
                final.add_quarantined(reasons)
                src_tally.add_quarantined(reasons)
                self.on_quarantined(quarantine_entry(name, rr, c, reasons))
            else:
                final.add_accepted(c.repairs)
                src_tally.add_accepted(c.repairs)
                self._emit(rr, c)
        return final, comp

    def _reject(self, name: str, tally: Tally, rate: float, entry: dict[str, Any]) -> None:
        """A file over validation.quarantine_rate_limit: its entry says why, and it is listed rejected."""
        top = ", ".join(f"{k} ({v})" for k, v in tally.quarantined_by_reason.most_common(3))
        msg = (f"{name}: file rejected, {tally.quarantined} of {tally.records_read} records ({rate:.1%}) "
               f"quarantined, over the limit of {self.vs.quarantine_rate_limit:.0%}; top reasons: {top}")
        entry["message"] = msg
        entry["before_rejection"] = tally.counts()
        self.rejected.append({"path": name, "reasons": dict(tally.quarantined_by_reason.most_common()), "message": msg})
        log.warning(msg)

    def _reject_unread(self, name: str, source: str, size: int, sha256: str) -> dict[str, Any]:
        """A file over the size cap: rejected as a whole without reading a record of it."""
        msg = (f"{name}: file rejected unread, {size} bytes is over validation.max_file_bytes "
               f"({self.vs.max_file_bytes}) ({R.FILE_TOO_LARGE})")
        entry: dict[str, Any] = {"path": name, "source": source, "sha256": sha256, "bytes": size, "formats": {},
                                 "quarantine_rate": 0.0, "rejected": True, "message": msg, **Tally().as_dict()}
        self.rejected.append({"path": name, "reasons": {R.FILE_TOO_LARGE: 1}, "message": msg})
        self.completeness_by_file[name] = CompletenessTally().file_summary()
        self.files.append(entry)
        log.warning(msg)
        return entry

    def _emit(self, rr: Any, c: Any) -> None:
        # The canonical dict, exactly as Record.to_dict() writes it (spans sorted), built
        # directly: the CLI writes it as is, validate_batch turns it into a Record.
        rec = {"id": c.id, "text": rr.text, "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in c.spans],
               "source": rr.source}
        if rr.meta:
            rec["meta"] = rr.meta
        self.table.add(c.id, c.text_hash, rr.text, c.spans, c.completeness.remaining if c.completeness else ())
        self.label_counts.update([lab for _, _, lab in c.spans])
        tally = self.conventions.setdefault(rr.source, ConventionTally())
        if tally.records < self.vs.convention_max_records:  # rates: a bounded sample is enough
            tally.add(rr.text, c.spans, checked=True)
        for rep in c.repairs:
            self.audit.append({"file": rr.file, "line": rr.line, "id": c.id, **rep})
        self.on_accepted(rec)

    def finish(self, *, previous_label_counts: dict[str, int] | None = None, docs_dir: Path | None = None,
               run_id: str = "local", run_gx: bool = True,
               base_conventions: dict[str, ConventionTally] | None = None) -> dict[str, Any]:
        """Run the GX suite over the accepted output, build Data Docs, return the report.
        base_conventions: per-source tallies of the base snapshot (conventions_check.py)."""
        from . import conventions_check

        if not self.total.balanced:  # a bug, never a data problem: stop rather than misreport
            raise RuntimeError(f"accounting identity broken: {self.total.counts()}")
        conventions, convention_rows = conventions_check.check(self.conventions, base_conventions, self.vs)
        if conventions["conflicts_found"]:
            log.warning("convention conflicts between sources: %d of %d compared conventions (%s)",
                        conventions["conflicts_found"], conventions["compared"],
                        ", ".join(sorted({conventions_check.key(r) for r in conventions["conflicts"]})[:5]))
        gx_summary: dict[str, Any] = {"skipped": True}
        if run_gx:
            from .gx_suite import run_suite

            frame = self.table.frame(with_entity_counts=self.vs.require_entities)
            self.table = SpanTable()  # the frame holds it all now: free the arrays before GX copies it
            gx_summary = run_suite(frame, self.settings, previous_label_counts=previous_label_counts,
                                   docs_dir=docs_dir, run_id=run_id,
                                   conventions_frame=conventions_check.frame(convention_rows) if convention_rows else None)
            del frame
            if not gx_summary["success"]:
                log.error("GX critical expectations failed on accepted output: %s", gx_summary["failed_critical"])
        return build_report(self, gx_summary, run_id=run_id, previous_label_counts=previous_label_counts,
                            conventions=conventions)


@dataclass
class _CheckedFile:
    """One file's records checked, before the file is decided: verdicts (RawRecord, Checked) in
    read order, the tally of those verdicts, the formats read, and the text hashes and ids its
    accepted records would claim."""

    verdicts: list[tuple[Any, Any]] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    formats: Counter = field(default_factory=Counter)
    claimed: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Oversized:
    """Stands for the bytes of an object over validation.max_file_bytes that were never read."""

    size: int
    sha256: str


def quarantine_entry(name: str, rr: Any, c: Any, reasons: list[str]) -> dict[str, Any]:
    """{file, line, id, source, reasons, details, raw}, plus, when validation found any, the
    repairs the record would have had (proposed_repairs: the audit's shape) and the spans no
    rule could repair (unrepaired_spans: {label, old, why}): offsets, labels and codes only.
    export-quarantine draws the proposed repairs as the task's predictions."""
    q = {"file": name, "line": rr.line, "id": c.id, "source": rr.source, "reasons": reasons, "details": c.details,
         "raw": rr.raw}
    if c.repairs:
        q["proposed_repairs"] = c.repairs
    if c.unrepaired:
        q["unrepaired_spans"] = c.unrepaired
    return q


def validate_batch(files: Iterable[tuple[str, str, "bytes | Oversized"]], settings: Any, *,
                   known_hashes: Iterable[str] | set[str] = frozenset(),
                   known_ids: Iterable[str] | set[str] = frozenset(),
                   previous_label_counts: dict[str, int] | None = None,
                   docs_dir: Path | None = None, run_id: str = "local", run_gx: bool = True,
                   base_conventions: dict[str, ConventionTally] | None = None) -> ValidationOutcome:
    """Validate (name, source, data) files in order; see the module docstring."""
    accepted: list[Record] = []
    quarantined: list[dict[str, Any]] = []
    v = BatchValidator(settings, known_hashes=known_hashes, known_ids=known_ids, on_accepted=lambda d: accepted.append(_record(d)),
                       on_quarantined=quarantined.append)
    for name, source, data in files:
        v.add_file(name, source, data)
    report = v.finish(previous_label_counts=previous_label_counts, docs_dir=docs_dir, run_id=run_id, run_gx=run_gx,
                      base_conventions=base_conventions)
    return ValidationOutcome(accepted=accepted, quarantined=quarantined, audit=v.audit, report=report,
                             rejected_files=list(v.rejected), accepted_hashes=set(v.claimed))


def _record(d: dict[str, Any]) -> Record:
    return Record(id=d["id"], text=d["text"], entities=[Span(e["start"], e["end"], e["label"]) for e in d["entities"]],
                  source=d["source"], meta=d.get("meta") or {})

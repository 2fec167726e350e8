"""Validate annotated files: each record accepted, repaired (audited) or quarantined.

`ner-pipeline validate INPUT... --out A --quarantine Q --report R [--source] [--docs DIR]`.
Works on local files only (no Airflow, no object store). Streams: each input file is read,
validated and written out before the next is read. Exit 0 when it ran (quarantined records
included); 1 when a file was rejected or a critical GX expectation failed (message on
stderr); 2 when an input cannot be read.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Iterator

from ..ingest.files import is_input_name

log = logging.getLogger(__name__)



def register(subparsers: Any) -> None:
    from ..cli_common import add_common

    p = subparsers.add_parser("validate", help="validate canonical JSONL / Label Studio exports",
                              description=__doc__.splitlines()[0])
    add_common(p)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, or directories of *.jsonl/*.json")
    p.add_argument("--out", required=True, type=Path, help="accepted + repaired records (canonical JSONL)")
    p.add_argument("--quarantine", required=True, type=Path, help="quarantined records with reasons (JSONL)")
    p.add_argument("--report", required=True, type=Path, help="validation report (JSON: counts and codes only)")
    p.add_argument("--source", choices=["real", "synthetic"], default=None,
                   help="source of every input (default: from the path, 'real'/'synthetic', else synthetic)")
    p.add_argument("--docs", type=Path, default=None, help="build GX Data Docs into this directory")
    p.add_argument("--run-id", default="local", help="run name shown in Data Docs and the report")
    p.add_argument("--known-hashes", type=Path, default=None,
                   help="text hashes (one per line) of earlier batches and the frozen test set")
    p.add_argument("--previous-labels", type=Path, default=None,
                   help="JSON {label: count} of the last accepted snapshot, for the drift warning")
    p.add_argument("--no-gx", action="store_true", help="skip the Great Expectations suite (quick local checks)")
    p.set_defaults(func=run)


def expand_inputs(inputs: list[str]) -> list[Path]:
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and is_input_name(p.name))
        else:
            out.append(path)
    return out


def _read_files(paths: list[Path], source: str | None) -> Iterator[tuple[str, str, bytes]]:
    from ..ingest import infer_source

    for path in paths:
        yield str(path), source or infer_source(str(path)), path.read_bytes()


def run(args: argparse.Namespace) -> int:
    from .. import jsonl
    from ..cli_common import settings_from
    from .batch import BatchValidator

    settings = settings_from(args)
    paths = expand_inputs(args.inputs)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing or not paths:
        print(f"validate: cannot read input(s): {', '.join(missing) or 'none given'}", file=sys.stderr)
        return 2
    known: set[str] = set()
    if args.known_hashes:
        known = {ln.strip() for ln in args.known_hashes.read_text().splitlines() if ln.strip()}
    previous = json.loads(args.previous_labels.read_text()) if args.previous_labels else None

    for p in (args.out, args.quarantine, args.report):
        p.parent.mkdir(parents=True, exist_ok=True)
    # Both hold transcript text: created readable by their owner only.
    with jsonl.Writer(args.out) as acc, jsonl.Writer(args.quarantine) as quar:
        v = BatchValidator(settings, known_hashes=known, on_accepted=acc.write, on_quarantined=quar.write)
        for name, source, data in _read_files(paths, args.source):
            v.add_file(name, source, data)
            del data  # one file in memory at a time
    docs = args.docs.resolve() if args.docs else None  # GX wants an absolute folder
    report = v.finish(previous_label_counts=previous, docs_dir=docs, run_id=args.run_id, run_gx=not args.no_gx)
    write_report(args.report, report)

    print(f"validate: read {report['records_read']}, accepted {report['accepted']}, repaired {report['repaired']}, "
          f"quarantined {report['quarantined']} -> {args.out}, {args.quarantine}, {args.report}")
    status = 0
    for rej in report["rejected_files"]:
        print(f"validate: {rej['message']}", file=sys.stderr)
        status = 1
    if not report["gx"].get("success", True):
        print(f"validate: critical GX expectations failed on the accepted output: {report['gx']['failed_critical']}",
              file=sys.stderr)
        status = 1
    return status


def write_report(path: Path, report: dict[str, Any]) -> None:
    """Write atomically: the DAG uploads whatever is at `path`."""
    tmp = Path(str(path) + ".partial")
    tmp.write_text(json.dumps(report, indent=2, sort_keys=False, default=str), encoding="utf-8")
    tmp.replace(path)

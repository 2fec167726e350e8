"""`ner-pipeline submit | export-quarantine | preannotate`: the annotation loop's commands.

    submit FILE... --source real|synthetic [--dry-run]
    export-quarantine --run RUN --to tasks.json [--reason CODE] [--include-incomplete]
    preannotate IN.jsonl --model champion --to tasks.json

They talk to the bucket of the configuration (storage.*; credentials from boto3's chain). With
the local profile and no AWS credentials in the environment, the local store's own
credentials (.local/s3.env, written by `make run`) are used. Console output is counts, codes,
ids and paths only; transcript text goes only into the task files (created owner-readable).
Exit status: 0 done, 1 submit refused a file, 2 input or object store problem.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    from ..cli_common import add_common

    p = subparsers.add_parser("submit", help="validate files as the DAG would, then upload them to incoming/",
                              description="Validate files locally (same code and settings as the DAG), print the "
                                          "outcome, refuse a file the DAG would reject, upload the others to "
                                          "incoming/<source>/ under a content-hash name (idempotent).")
    add_common(p)
    p.add_argument("files", nargs="+", metavar="FILE", help="canonical JSONL or Label Studio export (JSON/JSONL)")
    p.add_argument("--source", required=True, choices=["real", "synthetic"])
    p.add_argument("--dry-run", action="store_true", help="validate and show what would happen; upload nothing")
    p.set_defaults(func=run_submit)

    p = subparsers.add_parser("export-quarantine", help="a run's quarantined records as a Label Studio import file",
                              description="Quarantined records of a run -> Label Studio tasks (text, original spans "
                                          "as predictions, reason codes in meta). Unreadable records are listed apart.")
    add_common(p)
    p.add_argument("--run", default=None, help="the Airflow run id (or its run key) whose quarantine to export")
    p.add_argument("--from", dest="from_file", type=Path, default=None,
                   help="a local quarantine JSONL (e.g. from `ner-pipeline validate --quarantine`) instead of the store")
    p.add_argument("--to", required=True, type=Path, help="Label Studio tasks file to write (JSON list)")
    p.add_argument("--reason", action="append", default=None, metavar="CODE",
                   help="only records quarantined for this reason (repeatable; default all but duplicates only)")
    p.add_argument("--include-incomplete", action="store_true",
                   help="also accepted records that still have unlabelled repeats (runs/<run>/accepted.jsonl)")
    p.add_argument("--accepted", type=Path, default=None, help="local accepted JSONL for --include-incomplete")
    p.set_defaults(func=run_export)

    p = subparsers.add_parser("preannotate", help="unlabelled transcripts -> Label Studio tasks with model predictions")
    add_common(p)
    p.add_argument("input", type=Path, metavar="IN.jsonl", help='one {"text": ...} per line (optional "id", "meta")')
    p.add_argument("--model", default="champion", help="'champion', a registry version id, or a model folder")
    p.add_argument("--to", required=True, type=Path, help="Label Studio tasks file to write (JSON list)")
    p.add_argument("--batch-size", type=int, default=None, help="windows per batch (default training.eval_batch_size)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    p.set_defaults(func=run_preannotate)


# -- shared ---------------------------------------------------------------------------------

def _err(cmd: str, msg: str) -> int:
    print(f"{cmd}: {msg}", file=sys.stderr)
    return 2


def _settings(args: argparse.Namespace) -> Any:
    from ..cli_common import settings_from

    return settings_from(args)  # credentials: storage.py (the local store's file after `make run`)


def _store_problem(exc: Exception, settings: Any) -> str | None:
    """A readable line for an object-store failure (None: not one, re-raise)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(exc, (BotoCoreError, ClientError)):
        return None
    where = settings.storage.endpoint_url or "AWS S3"
    hint = " (the local store: `make run` leaves it running, `ner-pipeline store up` starts it)" \
        if "127.0.0.1" in where or "localhost" in where else ""
    return f"object store problem at {where}, bucket {settings.storage.bucket}: {type(exc).__name__}: {exc}{hint}"


# -- submit ---------------------------------------------------------------------------------

def run_submit(args: argparse.Namespace) -> int:
    from .submit import format_table, submit

    settings = _settings(args)
    files = []
    for f in args.files:
        path = Path(f)
        if not path.is_file():
            return _err("submit", f"cannot read {f}")
        files.append((str(path), path.read_bytes()))
    try:
        results, _ = submit(files, args.source, settings, dry_run=args.dry_run)
    except Exception as exc:
        msg = _store_problem(exc, settings)
        if msg is None:
            raise
        return _err("submit", msg)
    print(format_table(results))
    refused = [r for r in results if r.refused]
    done = {s: sum(r.status == s for r in results) for s in ("uploaded", "would_upload", "already_submitted",
                                                            "already_processed", "same_as")}
    summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in done.items() if n)
    print(f"\nsubmit{' (dry run, nothing uploaded)' if args.dry_run else ''}: "
          f"{summary or 'nothing uploaded'}{f'; {len(refused)} refused' if refused else ''}")
    for r in refused:
        print(f"submit: refused {r.path}: {r.message}", file=sys.stderr)
    return 1 if refused else 0


# -- export-quarantine ----------------------------------------------------------------------

def _jsonl(data: bytes) -> list[dict[str, Any]]:
    from .. import jsonl

    return jsonl.load_lines(data)


class _NoInput(Exception):
    """An input export-quarantine needs is not there; the message says which."""


def run_export(args: argparse.Namespace) -> int:
    from ..layout import RunPaths

    if not args.run and not args.from_file:
        return _err("export-quarantine", "give --run RUN (the store) or --from FILE (a local quarantine JSONL)")
    settings = _settings(args)
    paths = RunPaths(args.run) if args.run else RunPaths.for_key("local")
    try:
        lines, origin = _read_quarantine(args, settings, paths)
        accepted = _read_accepted(args, settings, paths) if args.include_incomplete else []
    except _NoInput as exc:
        return _err("export-quarantine", str(exc))
    except (OSError, ValueError) as exc:
        return _err("export-quarantine", f"cannot read input: {type(exc).__name__}: {exc}")
    except Exception as exc:
        msg = _store_problem(exc, settings)
        if msg is None:
            raise
        return _err("export-quarantine", msg)
    _write_export(args, settings, paths.rk, lines, origin, accepted)
    return 0


def _read_quarantine(args: argparse.Namespace, settings: Any, paths: Any) -> tuple[list[dict[str, Any]], str]:
    """The quarantine entries (from --from, else the run's in the store) and where they came from."""
    if args.from_file:
        return _jsonl(args.from_file.read_bytes()), str(args.from_file)
    from ..storage import ObjectStore

    store = ObjectStore(settings)
    key = store.key(paths.quarantine)
    got = store.get_with_etag(key)
    if got is None:
        raise _NoInput(f"no quarantine file for run {paths.rk} at {store.uri(key)}")
    return _jsonl(got[0]), store.uri(key)


def _read_accepted(args: argparse.Namespace, settings: Any, paths: Any) -> list[dict[str, Any]]:
    """For --include-incomplete: the accepted records (from --accepted, else the run's in the store)."""
    if args.accepted:
        return _jsonl(args.accepted.read_bytes())
    if not args.run:
        raise _NoInput("--include-incomplete with --from needs --accepted FILE")
    from ..storage import ObjectStore

    store = ObjectStore(settings)
    got = store.get_with_etag(store.key(paths.accepted))
    if got is None:
        raise _NoInput(f"no accepted records stored for run {paths.rk}")
    return _jsonl(got[0])


def _write_export(args: argparse.Namespace, settings: Any, rk: str, lines: list[dict[str, Any]], origin: str,
                  accepted: list[dict[str, Any]]) -> None:
    """The tasks file, and apart from it the records without readable text; a line of counts each."""
    from ..ingest.labels import LabelMapper
    from .labelstudio import LabelConfig, apart_path, write_jsonl, write_tasks
    from .quarantine import export_incomplete, export_quarantine

    cfg = LabelConfig.load()
    offsets = settings.annotation.label_studio_offsets
    result = export_quarantine(lines, run_key=rk, cfg=cfg, mapper=LabelMapper.from_settings(settings),
                               reasons=set(args.reason) if args.reason else None, offsets=offsets)
    incomplete = export_incomplete(accepted, run_key=rk, cfg=cfg, offsets=offsets) if accepted else []
    n = write_tasks(args.to, result.tasks + incomplete)
    print(f"export-quarantine: {n} task(s) -> {args.to} ({len(result.tasks)} of {len(lines)} quarantined record(s) "
          f"of {origin}{f', {len(incomplete)} accepted with unlabelled repeats' if args.include_incomplete else ''}); "
          f"model_version pipeline-run:{rk}")
    if result.skipped:
        print(f"export-quarantine: {result.skipped} record(s) quarantined only as duplicates skipped "
              f"(nothing to fix; --reason duplicate_text exports them)")
    apart = apart_path(args.to)
    if result.apart:
        write_jsonl(apart, result.apart)
        print(f"export-quarantine: {len(result.apart)} record(s) without readable text listed apart -> {apart}",
              file=sys.stderr)
    elif apart.exists():
        apart.unlink()  # a stale list from an earlier export would mislead


# -- preannotate ----------------------------------------------------------------------------

def run_preannotate(args: argparse.Namespace) -> int:
    from ..registry import RegistryError, resolve_model
    from .labelstudio import LabelConfig, apart_path, write_jsonl, write_tasks
    from .preannotate import preannotate, read_transcripts

    settings = _settings(args)
    try:
        transcripts, bad = read_transcripts(args.input.read_bytes())
    except OSError as exc:
        return _err("preannotate", f"cannot read {args.input}: {exc.strerror or exc}")
    with tempfile.TemporaryDirectory(prefix="ner-preannotate-") as tmp:
        try:
            model_dir, version = resolve_model(args.model, settings, tmp)
        except RegistryError as exc:
            return _err("preannotate", str(exc))
        except Exception as exc:
            msg = _store_problem(exc, settings)
            if msg is None:
                raise
            return _err("preannotate", msg)
        from ..evaluate.predict import Predictor

        predictor = Predictor.load(model_dir, batch_size=args.batch_size or settings.training.eval_batch_size,
                                   device=args.device)
        tasks = preannotate(transcripts, predictor, LabelConfig.load(), model_version=version,
                            source_name=args.input.name, offsets=settings.annotation.label_studio_offsets)
    n = write_tasks(args.to, tasks)
    n_spans = sum(len(t["predictions"][0]["result"]) for t in tasks if t.get("predictions"))
    print(f"preannotate: {n} task(s), {n_spans} predicted span(s) -> {args.to} (model_version {version})")
    apart = apart_path(args.to)
    if bad:
        write_jsonl(apart, bad)
        print(f"preannotate: {len(bad)} line(s) without a readable text listed apart -> {apart} "
              f"(lines {', '.join(str(b['line']) for b in bad[:10])}{', ...' if len(bad) > 10 else ''})", file=sys.stderr)
    elif apart.exists():
        apart.unlink()
    return 0

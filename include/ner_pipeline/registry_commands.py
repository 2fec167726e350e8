"""`ner-pipeline registry ...`: list, show, history, pull, rollback, promote.

Every pointer change (rollback, promote) is a conditional write recorded in
models/ner/history.jsonl with who (--who, else $USER) and why (--reason).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import getpass
import json
import os
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    from .cli_common import add_common

    reg = sub.add_parser("registry", help="the S3 model registry: versions, champion, rollback")
    actions = reg.add_subparsers(dest="registry_command", required=True)

    p = actions.add_parser("list", help="complete versions, newest first")
    add_common(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    p = actions.add_parser("show", help="one version: marker, metrics, gate, lineage, card")
    add_common(p)
    p.add_argument("version", help="a version id or 'champion'")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_show)

    p = actions.add_parser("history", help="decisions, promotions and rollbacks, oldest first")
    add_common(p)
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_history)

    p = actions.add_parser("pull", help="download a complete version (checksums verified)")
    add_common(p)
    p.add_argument("version", help="a version id or 'champion'")
    p.add_argument("--to", required=True, dest="dest", metavar="DIR")
    p.set_defaults(func=_pull)

    p = actions.add_parser("rollback", help="point the champion at an earlier version")
    add_common(p)
    p.add_argument("version")
    p.add_argument("--reason", required=True)
    p.add_argument("--who", default=None, help="recorded in the history (default: $USER)")
    p.set_defaults(func=_rollback)

    p = actions.add_parser("promote", help="promote a run's trained model (gate blessing required unless --force)")
    add_common(p)
    p.add_argument("run", help="the Airflow run id")
    p.add_argument("--force", action="store_true", help="promote even though the gate did not pass")
    p.add_argument("--reason", default=None, help="why (required with --force)")
    p.add_argument("--who", default=None, help="recorded in the history (default: $USER)")
    p.add_argument("--staging", help="trainer output URI (default: runs/<run>/train/)")
    p.add_argument("--metrics", help="test metrics URI (default: runs/<run>/evaluation/metrics.json)")
    p.add_argument("--blessing", help="gate blessing URI (default: runs/<run>/gate/blessing.json)")
    p.add_argument("--model-files", help="what evaluate scored, file by file (default: "
                                         "runs/<run>/evaluation/model_files.json); staging must match it")
    p.set_defaults(func=_promote)


def _who(args: argparse.Namespace) -> str:
    if args.who:
        return args.who
    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


def _registry(args: argparse.Namespace):
    from .cli_common import settings_from
    from .registry import Registry
    from .storage import ObjectStore

    settings = settings_from(args)
    return settings, Registry(ObjectStore(settings))


def _fail(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def _list(args: argparse.Namespace) -> int:
    _, reg = _registry(args)
    versions = reg.versions()
    if args.json:
        print(json.dumps(versions, indent=2))
        return 0
    if not versions:
        print("no versions yet")
        return 0
    print(f"{'':2}{'version':<28} {'micro_f1':>8}  {'kind':<16} {'created_at':<20}  run_id")
    for v in versions:
        flag = "*" if v["is_champion"] else ("." if v["was_champion"] else " ")
        f1 = f"{v['micro_f1']:.4f}" if isinstance(v.get("micro_f1"), (int, float)) else "-"
        print(f"{flag:2}{v['version']:<28} {f1:>8}  {v.get('kind') or '-':<16} {v.get('created_at') or '-':<20}  "
              f"{v.get('run_id') or '-'}")
    print("\n* champion   . was champion before")
    return 0


def _show(args: argparse.Namespace) -> int:
    from .evaluate.formatting import format_gate_table
    from .registry import RegistryError

    _, reg = _registry(args)
    vid = args.version
    if vid == "champion":
        champ = reg.champion()
        if not champ:
            return _fail("there is no champion yet")
        vid = champ["version"]
    try:
        info = reg.version(vid)
    except RegistryError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    champ = reg.champion() or {}
    print(f"version   {info['version']}{'  (champion)' if champ.get('version') == vid else ''}")
    print(f"uri       {info['uri']}")
    print(f"complete  {'yes' if info['complete'] else 'NO (partial: never pointed at or pulled)'}")
    marker = info.get("marker") or {}
    for key in ("run_id", "created_at", "kind", "micro_f1"):
        if marker.get(key) is not None:
            print(f"{key:<9} {marker[key]}")
    for key, value in sorted((info.get("lineage") or {}).items()):
        print(f"  {key}: {value}")
    if info.get("blessing") and info["blessing"].get("rules"):
        print()
        print(format_gate_table(info["blessing"]))
    return 0


def _history(args: argparse.Namespace) -> int:
    _, reg = _registry(args)
    for e in reg.history()[-args.limit:]:
        what = e.get("version") or e.get("decision") or ""
        extra = f" (from {e['previous']})" if e.get("previous") else ""
        why = e.get("reason") or "; ".join(e.get("reasons") or []) or ""
        print(f"{e.get('ts', '-'):<20}  {e.get('kind', '-'):<16} {what}{extra}  run={e.get('run_id') or '-'} "
              f"who={e.get('who') or '-'}  {why}".rstrip())
    return 0


def _pull(args: argparse.Namespace) -> int:
    from .registry import RegistryError

    _, reg = _registry(args)
    try:
        path = reg.pull(args.version, args.dest)
    except (RegistryError, FileExistsError) as exc:
        return _fail(str(exc))
    print(path)
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from .registry import ChampionChanged, RegistryError

    _, reg = _registry(args)
    try:
        out = reg.rollback(args.version, reason=args.reason, who=_who(args))
    except (RegistryError, ChampionChanged) as exc:
        return _fail(str(exc))
    if out["changed"]:
        print(f"champion: {out['previous'] or 'none'} -> {out['version']}")
    else:
        print(f"{out['version']} already is the champion: nothing changed")
    return 0


def _promote(args: argparse.Namespace) -> int:
    from .errors import StageError
    from .layout import RunPaths
    from .promotion import PromotionError, Request, check_staging_is_evaluated, lineage, promote
    from .registry import ChampionChanged, RegistryError

    settings, reg = _registry(args)
    store = reg.store
    try:
        request = Request(args.run, who=_who(args), force=args.force, reason=args.reason or "")
    except PromotionError as exc:
        return _fail(f"{exc} (--force needs --reason)")
    paths = RunPaths(args.run)
    staging = args.staging or settings.uri(paths.train) + "/"
    found = _run_objects(store, args, paths)
    if isinstance(found, str):
        return _fail(found)
    metrics, blessing = found
    # With promotion.approval: required the command line promotes only what a reviewer approved
    # (the review the DAG wrote into the run's blessing); forced promotions go through the DAG.
    from .approval import cli_refusal

    refusal = cli_refusal(settings.promotion.approval, force=args.force, review=blessing.get("approval"))
    if refusal:
        return _fail(refusal)
    audit = {k: blessing[k] for k in ("triggered_by", "approval") if blessing.get(k)}
    request = replace(request, audit=audit)
    # The model promoted is the one evaluate scored, file for file (size + MD5), as in the DAG;
    # only --force goes on when no record of the evaluated files exists.
    files_uri = args.model_files or settings.uri(paths.model_files)
    try:
        if not args.force or store.exists(store.key_of(files_uri)):
            check_staging_is_evaluated(store, staging, files_uri)
        out = promote(reg, request, staging_uri=staging, blessing=blessing, metrics=metrics,
                      lineage=lineage(store, staging, args.run, source="cli"))
    except (StageError, RegistryError, ChampionChanged) as exc:
        return _fail(str(exc))
    if out["already_done"]:
        print(f"run {args.run} was already promoted as {out['version']}: nothing changed "
              f"(to make it champion again: registry rollback {out['version']} --reason ...)")
    else:
        print(f"champion: {out['previous'] or 'none'} -> {out['version']} ({out['uri']})")
    return 0


def _run_objects(store: Any, args: argparse.Namespace, paths: Any) -> tuple[dict[str, Any], dict[str, Any]] | str:
    """(test metrics, gate blessing) of the run, or why the command cannot go on."""
    metrics_uri = args.metrics or store.settings.uri(paths.metrics)
    blessing_uri = args.blessing or store.settings.uri(paths.blessing)
    metrics = store.get_json(store.key_of(metrics_uri))
    if metrics is None:
        return f"no test metrics at {metrics_uri} (evaluate the run first, or pass --metrics)"
    blessing = store.get_json(store.key_of(blessing_uri))
    if blessing is None:
        if not args.force:
            return f"no gate decision at {blessing_uri}; run the gate or use --force --reason"
        blessing = {"passed": False, "decision": "rejected", "rules": [], "champion_version": None,
                    "reasons": [f"no gate decision found at {blessing_uri}"]}
    if not blessing.get("passed") and not args.force:
        return "the gate rejected this run: " + "; ".join(blessing.get("reasons", [])) + " (use --force --reason)"
    return metrics, blessing

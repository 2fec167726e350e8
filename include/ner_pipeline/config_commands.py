"""`ner-pipeline config show [--profile P] [--set k=v] [--json]`: the resolved config, one line
per setting with where its value came from: default (include/config/ner_retraining.yaml),
`config FILE` (NER_CONFIG / --config), `profile NAME`, `env VAR` or `--set`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Iterator


def register(subparsers: Any) -> None:
    from .cli_common import add_common

    p = subparsers.add_parser("config", help="the resolved settings and where each value came from")
    sub = p.add_subparsers(dest="config_command", required=True)
    show = sub.add_parser("show", help="print every setting, its value and its source", description=__doc__.split("\n\n")[0])
    add_common(show)
    show.add_argument("--json", action="store_true", help='one JSON object: {"key": {"value": ..., "source": ...}}')
    show.set_defaults(func=run_show)


def leaves(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) of every setting; a mapping's keys are settings too, an empty one is a value."""
    if isinstance(data, dict) and data:
        for k, v in data.items():
            yield from leaves(v, path + (str(k),))
    else:
        yield path, data


def shown(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    from .config import resolve, validate

    resolved = resolve(getattr(args, "profile", None), getattr(args, "set", None) or [],
                       config_file=getattr(args, "config", None))
    settings = validate(resolved)
    return {".".join(p): {"value": v, "source": resolved.source_of(p)}
            for p, v in leaves(settings.model_dump(mode="json"))}


def run_show(args: argparse.Namespace) -> int:
    rows = shown(args)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(map(len, rows))
    for key, row in rows.items():
        value = json.dumps(row["value"], ensure_ascii=False)
        sys.stdout.write(f"{key:<{width}}  {value:<40}  {row['source']}\n")
    return 0

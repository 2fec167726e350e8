"""`ner-pipeline <command>`: the same functions the DAG calls, from a shell or a pod.

Each area registers its own subcommands (`register(subparsers)` in its `commands.py`),
so this file only wires. Global options: --profile and --set key.path=value, read by
every command through `cli_common.settings_from(args)`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .cli_common import add_common
from .cli_common import settings_from  # noqa: F401  validate/, synth/, registry_commands import it from here
from .config import ConfigError

# Areas that contribute subcommands; each module has register(subparsers).
_COMMAND_MODULES = (
    "ner_pipeline.synth.commands",
    "ner_pipeline.validate.commands",
    "ner_pipeline.validate.repair_commands",
    "ner_pipeline.train.commands",
    "ner_pipeline.evaluate.commands",
    "ner_pipeline.registry_commands",
    "ner_pipeline.pipeline_commands",
    "ner_pipeline.annotation.commands",
    "ner_pipeline.conventions_commands",
    "ner_pipeline.config_commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ner-pipeline", description=__doc__.splitlines()[0])
    add_common(parser)
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in _COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:  # one line per problem, not a traceback
        print(f"ner-pipeline: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

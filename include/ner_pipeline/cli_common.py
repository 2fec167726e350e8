"""What every command module shares: the common options and the settings they select.

Command modules import this, never cli.py (which imports them): no cycle.
"""

from __future__ import annotations

import argparse

from .config import Settings, load_settings


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(getattr(args, "profile", None), getattr(args, "set", None) or [],
                         config_file=getattr(args, "config", None))


def add_common(p: argparse.ArgumentParser) -> None:
    """Options every command accepts (also after the subcommand name)."""
    p.add_argument("--profile", default=argparse.SUPPRESS, help="config profile (default: NER_PROFILE or local)")
    p.add_argument("--config", default=argparse.SUPPRESS, help="config YAML (default include/config/ner_retraining.yaml)")
    p.add_argument("--set", action="append", default=argparse.SUPPRESS, metavar="KEY=VALUE",
                   help="override one setting, e.g. --set training.epochs=2 (repeatable)")

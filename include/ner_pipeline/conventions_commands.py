"""`ner-pipeline conventions FILE... [--out FILE]`: measure a dataset's annotation conventions.

Reads canonical JSONL or Label Studio exports (files or folders) with the pipeline's reader,
skips and counts records it cannot read, records that break the data contract (misaligned,
overlapping or out-of-range spans) and repeated texts, and measures the rest (conventions/).
With --out the conventions file is written (.json: JSON, else YAML) and a one-line JSON summary
printed; without it the conventions are printed as YAML. Either way only counts, rates, labels
and lexicon words come out, never transcript text. Exit 2 when an input cannot be read or no
record could be measured.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    from .cli_common import add_common

    p = subparsers.add_parser("conventions", help="measure a dataset's label conventions (no text printed)",
                              description=__doc__.split("\n\n")[0])
    add_common(p)
    p.add_argument("inputs", nargs="+", metavar="FILE", help="canonical JSONL / Label Studio exports, or folders of them")
    p.add_argument("--out", type=Path, default=None, help="conventions file to write (.json or .yaml)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import yaml

    from . import conventions as C
    from .cli_common import settings_from
    from .validate.commands import expand_inputs

    paths = expand_inputs(args.inputs)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing or not paths:
        print(f"conventions: cannot read input(s): {', '.join(missing) or 'none given'}", file=sys.stderr)
        return 2
    records, skipped = C.load_records(paths, settings_from(args))
    if not records:
        print(f"conventions: no record could be measured (skipped: {json.dumps(skipped)})", file=sys.stderr)
        return 2
    result = C.measure(records)
    log.info("conventions: measured %d records, skipped %s", result["n_records"], skipped)
    if args.out is None:
        sys.stdout.write(yaml.safe_dump(result, sort_keys=False))
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    C.save(result, args.out)
    print(json.dumps({"out": str(args.out), "n_records": result["n_records"], "skipped": skipped,
                      "gender_pronoun_rule": result["gender_pronouns"]["rule"]}))
    return 0

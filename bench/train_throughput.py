"""This trainer against the original recipe, on the same generated data, in one run (not a test).

    python bench/train_throughput.py                 # 96 generated transcripts, one epoch each
    python bench/train_throughput.py --n 48 --max-steps 12

Runs benchmarks/bench_train.py once per configuration, each in its own process (so memory,
threads and oneDNN caches of one cannot help or hurt the next), on the same records:

- original: the recipe this pipeline started from: every window padded to 512, no length
  grouping, fp32, the base model's attention dropout;
- trainer:  `ner-pipeline train` as the local profile runs it (precision auto, length-grouped
  dynamic padding, the profile's attention dropout);
- bare:     a bare PyTorch loop (forward + backward + AdamW) of the same model on the trainer's
  own batches, in fp32 and, where this machine runs bf16 natively, in bf16: the ceiling.

Prints a table of real (non-pad) and computed (padded) training tokens/s, the trainer's share
of the best bare loop, and as its last line `speedup <trainer real tokens/s / original's>`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench_train.py"

ORIGINAL = ["--pad-to-max", "--no-group-by-length", "--precision", "fp32", "--attention-dropout", "model"]


def run_one(name: str, extra: list[str], common: list[str], repeat: int = 1) -> dict:
    """The fastest of `repeat` runs: on a shared machine the slower ones measured the neighbours."""
    cmd = [sys.executable, str(BENCH), *common, *extra]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    runs = []
    for i in range(repeat):
        print(f"[{name} {i + 1}/{repeat}] {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-4000:])
            raise SystemExit(f"[{name}] failed with exit code {proc.returncode}")
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return max(runs, key=lambda r: r.get("train_computed_tokens_per_s") or r.get("bare_computed_tokens_per_s") or 0)


def fast_bf16() -> bool:
    sys.path.insert(0, str(ROOT / "include"))
    from ner_pipeline.runtime import detect_runtime

    return detect_runtime("auto").precision == "bf16"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=96, help="generated transcripts (the same for every configuration)")
    ap.add_argument("--max-steps", type=int, default=-1, help="optimizer steps per configuration (default: one epoch)")
    ap.add_argument("--warmup-steps", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    ap.add_argument("--repeat", type=int, default=1, help="runs per configuration; the fastest counts")
    a = ap.parse_args(argv)
    common = ["--n", str(a.n), "--batch-size", str(a.batch_size), "--warmup-steps", str(a.warmup_steps),
              "--max-steps", str(a.max_steps), "--device", a.device, "--skip-inference"]
    rows = {"original": run_one("original", ORIGINAL, common, a.repeat),
            "trainer": run_one("trainer", [], common, a.repeat)}
    bare_precisions = ["fp32"] + (["bf16"] if fast_bf16() or a.device == "cuda" else [])
    for p in bare_precisions:
        steps = max(1, rows["trainer"]["steps"] - a.warmup_steps)
        rows[f"bare-{p}"] = run_one(f"bare-{p}", ["--mode", "bare", "--bare-shape", "same", "--precision", p,
                                                  "--max-steps", str(steps + a.warmup_steps)], common, a.repeat)

    print(f"\n{'config':<12} {'precision':>9} {'padding':>12} {'real tok/s':>11} {'computed tok/s':>15}")
    for name, r in rows.items():
        real = r.get("train_tokens_per_s") or r.get("bare_tokens_per_s")
        comp = r.get("train_computed_tokens_per_s") or r.get("bare_computed_tokens_per_s")
        print(f"{name:<12} {r['precision']:>9} {r.get('padding', 'trainer batches'):>12} {real:>11.1f} {comp:>15.1f}")
    t = rows["trainer"]
    best_bare = max(r["bare_computed_tokens_per_s"] for k, r in rows.items() if k.startswith("bare-"))
    print(f"\ndevice {t['device_name']} ({t['device']}), trainer precision {t['precision']}: {t['precision_reason']}")
    print(f"trainer computed tokens/s = {t['train_computed_tokens_per_s'] / best_bare:.0%} of the best bare loop")
    print(f"load average at the end {os.getloadavg()[0]:.2f} (other processes on the cores distort every row)")
    print(f"speedup {t['train_tokens_per_s'] / rows['original']['train_tokens_per_s']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

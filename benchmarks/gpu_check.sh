#!/usr/bin/env bash
# One prepared run on a lent GPU machine (no network there): carried wheels + fp16 MiniLM.
#   device run: carry .whl .gpu ; command: bash benchmarks/gpu_check.sh
set -u
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  .whl/pydantic-*.whl .whl/pydantic_core-*.whl .whl/annotated_types-*.whl .whl/typing_inspection-*.whl || exit 1
python3 -m pip install -q --no-index --no-deps --no-build-isolation --target /tmp/site .whl/seqeval-*.tar.gz || exit 1
export PYTHONPATH=/tmp/site:$PWD/include
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c "import torch, transformers, sys; print('python', sys.version.split()[0], 'torch', torch.__version__, 'transformers', transformers.__version__, torch.cuda.get_device_name(0))" | tee -a "$OUT/gpu.txt"
python3 benchmarks/make_snapshot.py --n 2000 --seed 7 --out /tmp/snap || exit 1
MINILM=$PWD/.gpu/minilm

echo "== 1. local-profile sweep: F1 per training token (fp32, like the CPU)"
timeout 330 python3 benchmarks/sweep_cpu_budget.py --snapshot /tmp/snap --base-model "$MINILM" 2>"$OUT/sweep.err" | tee "$OUT/sweep.txt"

echo "== 2. GPU profile (profiles/gpu.yaml: lr 2e-5, batch 8, 5 epochs, 512, bf16 auto) on MiniLM"
timeout 200 python3 -m ner_pipeline.cli train --profile gpu --dataset /tmp/snap --output /tmp/gpu-run \
  --set training.base_model="$MINILM" --xcom-file "$OUT/gpu_profile_xcom.json" > "$OUT/gpu_profile.log" 2>&1
tail -1 "$OUT/gpu_profile.log"; cp /tmp/gpu-run/run.json "$OUT/gpu_profile_run.json" 2>/dev/null
python3 - <<'PY' 2>>"$OUT/gpu_profile.log" | tee "$OUT/gpu_profile_test.txt"
import sys; sys.path.insert(0, "include")
from pathlib import Path
from ner_pipeline.evaluate.predict import evaluate_model
from ner_pipeline.evaluate.score import format_metrics_table
from ner_pipeline.split import parse_jsonl
m, _ = evaluate_model("/tmp/gpu-run/model", parse_jsonl(Path("/tmp/snap/test.jsonl").read_bytes()))
print(format_metrics_table(m))
PY

echo "== 3. throughput: bert-base-sized model, bf16, dynamic padding vs pad-to-512"
for mode in "" "--pad-to-max"; do
  timeout 90 python3 benchmarks/bench_train.py --arch bert-base --device cuda --precision bf16 --n 600 \
    --batch-size 32 --max-length 512 --max-steps 60 $mode 2>>"$OUT/bench.err" | tail -8 | tee -a "$OUT/bench.txt"
done

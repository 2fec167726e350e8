"""Write a local dataset snapshot of generated transcripts (for benchmarks and the GPU check)."""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

from ner_pipeline.config import SplitSettings  # noqa: E402
from ner_pipeline.snapshots import manifest_for  # noqa: E402
from ner_pipeline.split import split_records, to_jsonl  # noqa: E402
from ner_pipeline.synth import generate  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("--n", type=int, default=2000)
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--out", required=True)
a = ap.parse_args()
splits = split_records(generate(a.n, a.seed), SplitSettings())
files = {f"{k}.jsonl": to_jsonl(v) for k, v in splits.items()}
out = Path(a.out)
out.mkdir(parents=True, exist_ok=True)
for name, data in files.items():
    (out / name).write_bytes(data)
(out / "manifest.json").write_text(json.dumps(manifest_for(f"synth-{a.seed}-{a.n}", splits, files, {})))
print({k: len(v) for k, v in splits.items()})

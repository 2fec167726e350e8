"""Fine-tuning with the transformers Trainer: windows in, best model (by validation F1) out.

Choices that matter:
- dynamic padding per batch + length-grouped batches (batching.py);
- the best checkpoint and early stopping use strict entity-level micro F1 on validation,
  computed by the same merge/decode/score code as `ner-pipeline predict`/`score`, never token
  accuracy; on the real validation records alone once there are enough of them
  (`training.best_metric_source`), since real records then decide the gate;
- checkpoints live in the caller's temp folder; only the best model is saved to the output.
Under torchrun the Trainer runs DDP by itself; every rank calls `fit`, only rank 0 writes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from ..config import Settings, TrainingSettings
from ..metrics import score
from ..records import Record
from ..runtime import Runtime, seed_everything
from ..tokens.align import IGNORE
from ..tokens.decode import decode_window_predictions
from ..tokens.encoding import PreparedSplit, SpecialTokens, WindowConfig, label_maps, prepare_split
from ..tokens.inference import INFERENCE_FILE, InferenceConfig
from .batching import ListDataset, make_collator, train_dataset
from .callbacks import callback_classes
from .selection import REAL

if TYPE_CHECKING:
    from .dataset import WindowedSplit

log = logging.getLogger(__name__)

BEST_METRIC = "selection_f1"  # micro F1 of the records best_metric_source chose


def best_metric_source(records: Sequence[Record], ts: TrainingSettings) -> str:
    """Which validation records choose the best epoch: "real" or "all" (a pure decision)."""
    n_real = sum(r.source == REAL for r in records)
    return REAL if ts.best_metric_source == "auto" and n_real >= ts.best_metric_min_real else "all"


class ValidationScorer:
    """compute_metrics: token predictions of the validation windows -> spans -> strict F1.

    The Trainer may reorder evaluation samples (in transformers 5.x, length grouping applies to
    the eval sampler too; DDP shards them), so predictions are matched back to windows by their
    input ids (`include_for_metrics=["inputs"]`), not by position. Identical windows get
    identical predictions in eval mode, so duplicates are harmless.
    Keeps every evaluation's full metrics (per label, by source) for metrics.json.
    """

    def __init__(self, split: PreparedSplit, specials: SpecialTokens, id2label: dict[int, str], pad_id: int,
                 source: str) -> None:
        self.split = split
        self.source = source  # "all" or a record source whose micro F1 selects
        self.n_prefix = len(specials.prefix)
        self.id2label = id2label
        self.pad_id = pad_id
        self.by_input: dict[tuple[int, ...], list[int]] = {}
        for i, f in enumerate(split.features):
            self.by_input.setdefault(tuple(f["input_ids"]), []).append(i)
        self.history: list[dict[str, Any]] = []

    def _window_predictions(self, inputs: Any, preds: Any) -> list[list[int]]:
        out: list[list[int] | None] = [None] * len(self.split.windows)
        for row in range(len(preds)):
            ids = [int(x) for x in inputs[row]]
            n = len(ids)
            while n and ids[n - 1] in (self.pad_id, IGNORE):  # batch padding, then cross-batch padding
                n -= 1
            for i in self.by_input.get(tuple(ids[:n]), ()):
                w = self.split.windows[i]
                out[i] = preds[row, self.n_prefix : self.n_prefix + (w.end - w.start)].tolist()
        missing = sum(p is None for p in out)
        if missing:
            raise RuntimeError(f"{missing} validation windows came back without predictions")
        return out  # type: ignore[return-value]

    def __call__(self, eval_pred: Any) -> dict[str, float]:
        window_preds = self._window_predictions(eval_pred.inputs, eval_pred.predictions)
        spans = decode_window_predictions(self.split.encoded, self.split.windows, window_preds, self.id2label)
        metrics = score(self.split.records, spans)
        self.history.append(metrics)
        micro = metrics["micro"]
        out = {"micro_f1": micro["f1"], "micro_precision": micro["precision"], "micro_recall": micro["recall"]}
        if REAL in metrics["by_source"]:
            out["real_micro_f1"] = metrics["by_source"][REAL]["micro"]["f1"]
        out[BEST_METRIC] = selection_f1(metrics, self.source)
        return out


def selection_f1(metrics: dict[str, Any], source: str) -> float:
    return (metrics["micro"] if source == "all" else metrics["by_source"][source]["micro"])["f1"]


def argmax_logits(logits: Any, labels: Any) -> Any:
    """Keep only predicted ids during evaluation (19x less memory than logits)."""
    if isinstance(logits, tuple):
        logits = logits[0]
    return logits.argmax(dim=-1)


def training_arguments(ts: TrainingSettings, rt: Runtime, checkpoint_dir: Path, has_validation: bool) -> Any:
    from transformers import TrainingArguments

    kwargs: dict[str, Any] = dict(
        output_dir=str(checkpoint_dir),
        per_device_train_batch_size=ts.batch_size,
        per_device_eval_batch_size=ts.eval_batch_size,
        num_train_epochs=ts.epochs,
        learning_rate=ts.learning_rate,
        weight_decay=ts.weight_decay,
        warmup_steps=ts.warmup_ratio,  # a float in [0, 1) is a ratio of total steps in 5.x
        seed=ts.seed,
        data_seed=ts.seed,
        # Length grouping is done by batching.LengthGroupedDataset, read in order (see there).
        train_sampling_strategy="sequential" if ts.group_by_length else "random",
        bf16=rt.precision == "bf16",
        fp16=rt.precision == "fp16",
        use_cpu=rt.device == "cpu",
        logging_strategy="steps",
        logging_steps=0.02,  # ~50 loss points per run
        logging_first_step=True,
        include_num_input_tokens_seen="non_padding",
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,  # features are in memory or memory-mapped; workers only add start-up time
        save_only_model=True,  # no optimizer state: we never resume, and it is 2x the model
        save_total_limit=1,
    )
    if rt.device == "cuda" and _cuda_capability() >= 8:
        kwargs["tf32"] = True  # Ampere+: fp32 leftovers (loss, norms) on tensor cores
    if has_validation:
        kwargs.update(eval_strategy="epoch", save_strategy="best", load_best_model_at_end=True,
                      metric_for_best_model=BEST_METRIC, greater_is_better=True,
                      include_for_metrics=["inputs"])  # to match predictions to windows
    else:
        kwargs.update(eval_strategy="no", save_strategy="no")
    return TrainingArguments(**kwargs)


def _cuda_capability() -> int:
    import torch

    return torch.cuda.get_device_capability(0)[0]


@dataclass
class FitResult:
    model: Any
    tokenizer: Any
    window_config: WindowConfig
    base_model: str
    epochs_run: float
    global_steps: int
    train_seconds: float  # inside training steps
    train_tokens: int  # real (non-pad) tokens seen in training steps, all ranks
    n_train_records: int
    n_validation_records: int
    n_train_windows: int
    n_validation_windows: int
    train_window_tokens: int  # one epoch, specials and window overlaps included
    train_text_tokens: int  # one epoch, each text token once
    best_validation: dict[str, Any] | None
    best_epoch: float | None
    best_metric_source: str | None = None  # "real" or "all": whose micro F1 chose best_epoch
    validation_history: list[dict[str, Any]] = field(default_factory=list)
    loss_curve: list[dict[str, float]] = field(default_factory=list)

    @property
    def tokens_per_s(self) -> float:
        return self.train_tokens / self.train_seconds if self.train_seconds > 0 else 0.0

    @property
    def best_val_micro_f1(self) -> float | None:
        return None if self.best_validation is None else self.best_validation["micro"]["f1"]


def fit(train_records: Sequence[Record] | Any, validation_records: Sequence[Record], settings: Settings,
        rt: Runtime, work_dir: Path) -> FitResult:
    """Train on train_records (a list, or a records dataset of dataset.py: memory-mapped, for a
    split larger than RAM), pick the best epoch on validation_records; model stays in memory."""
    from transformers import EarlyStoppingCallback, PrinterCallback, Trainer
    from transformers.utils import logging as hf_logging

    from .model_loading import load_base_model

    hf_logging.disable_progress_bar()  # tqdm bars in a pod log are noise
    ts = settings.training
    seed_everything(ts.seed, deterministic=rt.device == "cpu")
    model, tokenizer, _src = load_base_model(ts.base_model, settings=settings, download_dir=work_dir / "base_model",
                                             attention_dropout=ts.attention_dropout)
    specials = SpecialTokens.from_tokenizer(tokenizer)
    max_length = min(ts.max_length, getattr(model.config, "max_position_embeddings", ts.max_length))
    cfg = WindowConfig(max_length, ts.stride)

    train, val = _splits(train_records, validation_records, tokenizer, cfg, specials, ts, work_dir / "datasets")
    id2label, _ = label_maps(model.config)
    source = best_metric_source(val.records, ts)
    scorer = ValidationScorer(val, specials, id2label, tokenizer.pad_token_id or 0, source) if val.features else None
    if scorer:
        log.info("best epoch chosen on the micro F1 of %s validation records", "the real" if source == REAL else "all")
    Throughput, LogCb, EpochOrder = callback_classes()
    throughput = Throughput()
    train_ds = train_dataset(train.features, ts, lengths=train.lengths)
    callbacks: list[Any] = [throughput, LogCb(), EpochOrder(train_ds)]
    if scorer and ts.early_stopping_patience > 0:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=ts.early_stopping_patience))

    trainer = Trainer(
        model=model,
        args=training_arguments(ts, rt, work_dir / "checkpoints", has_validation=scorer is not None),
        data_collator=make_collator(tokenizer, rt),
        train_dataset=train_ds,
        eval_dataset=ListDataset(val.features) if scorer else None,
        processing_class=tokenizer,
        compute_metrics=scorer,
        preprocess_logits_for_metrics=argmax_logits if scorer else None,
        callbacks=callbacks,
    )
    trainer.remove_callback(PrinterCallback)
    trainer.train()

    return _result(trainer, tokenizer, scorer, throughput.seconds, train, val, cfg, ts)


def _splits(train_records: Sequence[Record] | Any, validation_records: Sequence[Record], tokenizer: Any,
            cfg: WindowConfig, specials: SpecialTokens, ts: TrainingSettings,
            arrow_dir: Path) -> tuple[WindowedSplit, PreparedSplit]:
    """Train windows in memory-mapped Arrow (dataset.py); validation in memory, since the scorer
    decodes and scores all of it at each evaluation."""
    from .dataset import records_from_list, window_dataset

    if isinstance(train_records, Sequence):
        train_records = records_from_list(train_records, arrow_dir)
    train = window_dataset(train_records, tokenizer, cfg, specials, ts.label_all_subtokens, arrow_dir)
    val = prepare_split(validation_records, tokenizer, cfg, specials, ts.label_all_subtokens, longest_first=True)
    log.info("train: %d records -> %d windows (%d tokens, %d of them text); validation: %d records -> %d windows",
             train.n_records, train.n_windows, train.n_tokens, train.n_text_tokens, len(val.records),
             len(val.windows))
    if not train.n_windows:
        raise ValueError("no training windows: the training split is empty")
    return train, val


def _result(trainer: Any, tokenizer: Any, scorer: ValidationScorer | None, train_seconds: float,
            train: WindowedSplit, val: PreparedSplit, cfg: WindowConfig, ts: TrainingSettings) -> FitResult:
    state = trainer.state
    best_idx = _best_index(scorer.history, scorer.source) if scorer else None
    evals = [e for e in state.log_history if f"eval_{BEST_METRIC}" in e]
    history = [{"epoch": e.get("epoch"), "step": e.get("step"), "micro_f1": e["eval_micro_f1"],
                **({"real_micro_f1": e["eval_real_micro_f1"]} if "eval_real_micro_f1" in e else {}),
                "loss": e.get("eval_loss")} for e in evals]
    return FitResult(
        model=trainer.model,
        tokenizer=tokenizer,
        window_config=cfg,
        base_model=ts.base_model,
        epochs_run=float(state.epoch or 0.0),
        global_steps=state.global_step,
        train_seconds=train_seconds,
        train_tokens=int(state.num_input_tokens_seen),
        n_train_records=train.n_records,
        n_validation_records=len(val.records),
        n_train_windows=train.n_windows,
        n_validation_windows=len(val.windows),
        train_window_tokens=train.n_tokens,
        train_text_tokens=train.n_text_tokens,
        best_validation=scorer.history[best_idx] if best_idx is not None else None,
        best_metric_source=scorer.source if scorer else None,
        best_epoch=history[best_idx]["epoch"] if best_idx is not None and best_idx < len(history) else None,
        validation_history=history,
        loss_curve=[{"step": e["step"], "epoch": e.get("epoch"), "loss": e["loss"]}
                    for e in state.log_history if "loss" in e and "step" in e],
    )


def _best_index(history: list[dict[str, Any]], source: str) -> int | None:
    """First evaluation with the highest selection F1 (the Trainer keeps the first best too)."""
    if not history:
        return None
    scores = [selection_f1(h, source) for h in history]
    return scores.index(max(scores))


def save_model(result: FitResult, model_dir: Path) -> None:
    """save_pretrained model + tokenizer, plus the window settings predict needs."""
    import json

    model_dir.mkdir(parents=True, exist_ok=True)
    result.model.save_pretrained(model_dir)
    result.tokenizer.save_pretrained(model_dir)
    cfg = InferenceConfig(result.window_config.max_length, result.window_config.stride)
    (model_dir / INFERENCE_FILE).write_text(json.dumps(cfg.to_dict(), indent=2) + "\n")

"""Trainer callbacks: throughput timing, logging to our logger, per-epoch batch order.

Defined inside a function so that importing this module does not import transformers.
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger("ner_pipeline.train.trainer")


def callback_classes() -> tuple[type, type, type]:
    """Callback classes, defined lazily: transformers is imported only when training."""
    from transformers import TrainerCallback

    class ThroughputCallback(TrainerCallback):
        """Time spent inside training steps only (evaluation, checkpointing and data loading
        excluded), so tokens/s measures the training math on real (non-pad) tokens."""

        def __init__(self, skip_steps: int = 0) -> None:
            self.seconds = 0.0
            self.skip_steps = skip_steps  # warm-up steps left out (benchmarks)
            self.skipped_tokens = 0
            self._t0 = 0.0
            self._cuda = False

        def _sync(self) -> None:
            if self._cuda:
                import torch

                torch.cuda.synchronize()

        def on_train_begin(self, args, state, control, **kw):
            self._cuda = args.device.type == "cuda"

        def on_step_begin(self, args, state, control, **kw):
            self._sync()
            self._t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            self._sync()
            if state.global_step <= self.skip_steps:
                self.skipped_tokens = state.num_input_tokens_seen
                return
            self.seconds += time.perf_counter() - self._t0

    class LogCallback(TrainerCallback):
        """Trainer logs to our logger (stderr), not print(): stdout ends with the xcom JSON."""

        def on_log(self, args, state, control, logs=None, **kw):
            if state.is_world_process_zero and logs:
                shown = {k: float(f"{v:.4g}") if isinstance(v, float) else v for k, v in logs.items() if k != "total_flos"}
                log.info("step %d/%d epoch %.2f %s", state.global_step, state.max_steps, state.epoch or 0.0, shown)

    class EpochOrderCallback(TrainerCallback):
        """A new length-grouped order every epoch (same on every rank: seeded by the epoch)."""

        def __init__(self, dataset: Any) -> None:
            self.dataset = dataset

        def on_epoch_begin(self, args, state, control, **kw):
            if hasattr(self.dataset, "set_epoch"):
                self.dataset.set_epoch(int(round(state.epoch or 0)))

    return ThroughputCallback, LogCallback, EpochOrderCallback

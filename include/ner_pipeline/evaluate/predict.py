"""Character-span prediction with a trained model folder, windowed for long transcripts.

`Predictor.load(model_dir).predict(texts)` tokenizes each text once, cuts it into the same
overlapping windows the trainer used (settings saved in the model folder), runs the windows in
length-sorted batches (little padding), merges window predictions per token (most context wins)
and decodes them into character spans by the one rule of tokens/decode.py (the stock pipeline's).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

from ..metrics import score
from ..records import Record, Span
from ..runtime import detect_runtime, pad_multiple
from ..tokens.decode import decode_window_predictions
from ..tokens.encoding import (
    EncodedText,
    SpecialTokens,
    Window,
    WindowConfig,
    encode_texts,
    label_maps,
    plan_windows,
    window_input_ids,
)
from ..tokens.inference import InferenceConfig

log = logging.getLogger(__name__)


class Predictor:
    """precision follows the trainer's choice (runtime.choose_precision): on a GPU the
    weights are cast to bf16/fp16 (argmax is stable, twice the speed); on a CPU with native
    bf16 (AMX/AVX512-BF16) the forward runs under bf16 autocast; elsewhere fp32."""

    def __init__(self, model: Any, tokenizer: Any, *, max_length: int, stride: int,
                 batch_size: int = 32, device: str | None = None, precision: str = "auto") -> None:
        import torch

        rt = detect_runtime(precision, device=device or "auto")
        self.tokenizer = tokenizer
        self.device = rt.device
        self.precision, self.precision_reason = rt.precision, rt.precision_reason
        self.model = model.to(self.device).eval()
        if self.device == "cuda" and self.precision in ("bf16", "fp16"):
            self.model = self.model.to(torch.bfloat16 if self.precision == "bf16" else torch.float16)
        self.specials = SpecialTokens.from_tokenizer(tokenizer)
        self.window_cfg = WindowConfig(max_length, stride)
        self.window_cfg.content_size(self.specials)  # validate early
        self.batch_size = batch_size
        # Few distinct shapes where kernels are specialised per shape (GPU, oneDNN bf16 on CPU).
        self.pad_multiple = pad_multiple(rt)
        self.id2label, _ = label_maps(model.config)
        self.last_stats: dict[str, Any] = {}

    @classmethod
    def load(cls, model_dir: str | os.PathLike[str], *, batch_size: int = 32, device: str | None = None,
             max_length: int | None = None, stride: int | None = None, precision: str = "auto") -> "Predictor":
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        path = Path(model_dir)
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForTokenClassification.from_pretrained(path)
        cfg = InferenceConfig.read(path, model.config, tokenizer)
        return cls(model, tokenizer, max_length=max_length or cfg.max_length,
                   stride=cfg.stride if stride is None else stride, batch_size=batch_size, device=device,
                   precision=precision)

    def _autocast(self) -> Any:
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.device == "cpu" and self.precision == "bf16")

    # -- the steps, each usable on its own (the trainer's validation decodes as decode does) ---
    def encode(self, texts: Sequence[str]) -> tuple[list[EncodedText], list[Window]]:
        encoded = encode_texts(self.tokenizer, texts)
        return encoded, plan_windows(encoded, self.window_cfg, self.specials)

    def predict_windows(self, encoded: Sequence[EncodedText], windows: Sequence[Window]) -> list[list[int]]:
        """Predicted tag id per content token of each window (specials stripped)."""
        return self.predict_windows_scored(encoded, windows, with_probs=False)[0]

    def predict_windows_scored(self, encoded: Sequence[EncodedText], windows: Sequence[Window], *,
                               with_probs: bool = True) -> tuple[list[list[int]], list[list[float]]]:
        """Tag ids and (with_probs) their softmax probabilities per content token of each window."""
        import torch

        pad_id = self.tokenizer.pad_token_id or 0
        n_pre = len(self.specials.prefix)
        out: list[list[int]] = [[] for _ in windows]
        probs: list[list[float]] = [[] for _ in windows]
        order = sorted(range(len(windows)), key=lambda i: windows[i].end - windows[i].start, reverse=True)
        with torch.inference_mode():  # no autograd bookkeeping at all (cheaper than no_grad)
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                seqs = [window_input_ids(encoded[windows[i].text_index], windows[i], self.specials) for i in idx]
                width = max(len(s) for s in seqs)
                if self.pad_multiple:
                    width = -(-width // self.pad_multiple) * self.pad_multiple
                ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(seqs), width), dtype=torch.long)
                for r, s in enumerate(seqs):
                    ids[r, : len(s)] = torch.tensor(s)
                    mask[r, : len(s)] = 1
                with self._autocast():
                    logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
                if with_probs:
                    p, a = logits.float().softmax(-1).max(-1)
                    p_rows, pred = p.cpu().tolist(), a.cpu().tolist()
                else:
                    pred = logits.argmax(-1).cpu().tolist()
                for r, i in enumerate(idx):
                    n = windows[i].end - windows[i].start
                    out[i] = pred[r][n_pre : n_pre + n]
                    if with_probs:
                        probs[i] = p_rows[r][n_pre : n_pre + n]
        return out, probs

    def decode(self, encoded: Sequence[EncodedText], windows: Sequence[Window],
               window_preds: Sequence[Sequence[int]]) -> list[list[Span]]:
        return decode_window_predictions(encoded, windows, window_preds, self.id2label)

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        """Character spans per text, in text order."""
        t0 = time.perf_counter()
        encoded, windows = self.encode(texts)
        spans = self.decode(encoded, windows, self.predict_windows(encoded, windows))
        elapsed = time.perf_counter() - t0
        n_tokens = sum(w.end - w.start + len(self.specials) for w in windows)
        self.last_stats = {"texts": len(texts), "windows": len(windows), "tokens": n_tokens,
                           "seconds": elapsed, "tokens_per_s": n_tokens / elapsed if elapsed else 0.0,
                           "precision": self.precision, "device": self.device}
        return spans


def evaluate_model(model_dir: str | os.PathLike[str], records: Sequence[Record], *, settings: Any = None,
                   batch_size: int = 32, device: str | None = None,
                   precision: str | None = None) -> tuple[dict[str, Any], list[list[Span]]]:
    """(metrics, predictions) of a model folder (or s3:// prefix, given settings) on records."""
    uri = str(model_dir)
    with tempfile.TemporaryDirectory(prefix="ner-eval-") as tmp:
        if uri.startswith("s3://"):
            if settings is None:
                raise ValueError("an s3:// model needs settings")
            from ..storage_transfer import fetch

            uri = str(fetch(uri, tmp, settings))
        if precision is None:  # the trainer's setting, so evaluation runs as training chose
            precision = settings.training.precision if settings is not None else "auto"
        predictor = Predictor.load(uri, batch_size=batch_size, device=device, precision=precision)
        predictions = predictor.predict([r.text for r in records])
    st = predictor.last_stats
    log.info("predicted %d records: %d windows, %d tokens in %.1f s, %.0f inference tokens/s (%s, %s: %s)",
             len(records), st.get("windows", 0), st.get("tokens", 0), st.get("seconds", 0.0),
             st.get("tokens_per_s", 0.0), predictor.device, predictor.precision, predictor.precision_reason)
    return score(records, predictions), predictions

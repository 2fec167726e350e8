"""The window settings a model folder carries: written by the trainer, read by prediction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INFERENCE_FILE = "ner_inference.json"  # window settings saved beside the model by the trainer


@dataclass(frozen=True)
class InferenceConfig:
    max_length: int = 512
    stride: int = 128

    def to_dict(self) -> dict[str, int]:
        return {"max_length": self.max_length, "stride": self.stride}

    @classmethod
    def read(cls, model_dir: Path, model_config: Any, tokenizer: Any) -> "InferenceConfig":
        path = model_dir / INFERENCE_FILE
        if path.is_file():
            d = json.loads(path.read_text())
            return cls(int(d["max_length"]), int(d["stride"]))
        # A folder not written by our trainer: the longest window the model accepts.
        limit = min(getattr(model_config, "max_position_embeddings", 512) or 512,
                    getattr(tokenizer, "model_max_length", 512) or 512, 512)
        return cls(limit, limit // 4)

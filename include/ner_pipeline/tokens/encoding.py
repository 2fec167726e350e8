"""Tokenize transcripts once, then cut them into model-ready windows (training and prediction).

A whole transcript is tokenized without special tokens and without truncation; windows are
slices of that token list with the tokenizer's own special tokens put around them. Doing the
slicing ourselves (instead of the tokenizer's overflow API) keeps one code path for any fast
tokenizer and lets the merge step know exactly which tokens each window saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..records import Record, spans_to_word_tags, words
from . import align
from .windows import window_bounds


@dataclass(frozen=True)
class SpecialTokens:
    """Ids the tokenizer puts before and after a single sequence ([CLS] ... [SEP] for BERT)."""

    prefix: tuple[int, ...]
    suffix: tuple[int, ...]

    @classmethod
    def from_tokenizer(cls, tokenizer: Any) -> "SpecialTokens":
        # Encode a probe with and without specials and read off what surrounds the content.
        with_sp = list(tokenizer("a", add_special_tokens=True)["input_ids"])
        bare = list(tokenizer("a", add_special_tokens=False)["input_ids"])
        for i in range(len(with_sp) - len(bare) + 1):
            if with_sp[i : i + len(bare)] == bare:
                return cls(tuple(with_sp[:i]), tuple(with_sp[i + len(bare) :]))
        raise ValueError("cannot locate content tokens inside the tokenizer's special-token template")

    def __len__(self) -> int:
        return len(self.prefix) + len(self.suffix)


@dataclass(frozen=True)
class EncodedText:
    """One transcript's content tokens and their mapping to records.words."""

    token_ids: list[int]
    token_offsets: list[tuple[int, int]]
    word_offsets: list[tuple[int, int]]
    token_words: list[int]
    owned: list[int]  # per word: its owned first token, or -1 (see align)

    def __len__(self) -> int:
        return len(self.token_ids)


@dataclass(frozen=True)
class Window:
    text_index: int
    start: int  # content-token range [start, end)
    end: int


@dataclass(frozen=True)
class WindowConfig:
    max_length: int  # tokens per window, specials included
    stride: int

    def content_size(self, specials: SpecialTokens) -> int:
        size = self.max_length - len(specials)
        if size <= self.stride:
            raise ValueError(f"max_length {self.max_length} leaves no room beyond stride {self.stride}")
        return size


def encode_texts(tokenizer: Any, texts: Sequence[str], chunk: int = 256) -> list[EncodedText]:
    """Tokenize whole texts (batched through the fast tokenizer) and map tokens to words."""
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError("a fast tokenizer is required (character offsets)")
    out: list[EncodedText] = []
    for i in range(0, len(texts), chunk):
        batch = list(texts[i : i + chunk])
        enc = tokenizer(batch, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        for text, ids, offs in zip(batch, enc["input_ids"], enc["offset_mapping"]):
            offs = [tuple(o) for o in offs]
            w = words(text)
            tw = align.token_words(offs, w)
            owned = align.owned_first_tokens(tw, align.word_first_tokens(offs, w))
            out.append(EncodedText(list(ids), offs, w, tw, owned))
    return out


def plan_windows(encoded: Sequence[EncodedText], cfg: WindowConfig, specials: SpecialTokens) -> list[Window]:
    size = cfg.content_size(specials)
    return [
        Window(i, s, e)
        for i, enc in enumerate(encoded)
        for s, e in window_bounds(len(enc), size, cfg.stride)
    ]


def window_input_ids(enc: EncodedText, win: Window, specials: SpecialTokens) -> list[int]:
    return [*specials.prefix, *enc.token_ids[win.start : win.end], *specials.suffix]


def record_token_labels(record: Record, enc: EncodedText, label_all_subtokens: bool) -> list[int]:
    tags = spans_to_word_tags(record.text, record.entities, enc.word_offsets)
    return align.token_label_ids(enc.token_words, enc.owned, tags, label_all_subtokens=label_all_subtokens)


def training_features(
    records: Sequence[Record],
    encoded: Sequence[EncodedText],
    windows: Sequence[Window],
    specials: SpecialTokens,
    label_all_subtokens: bool,
) -> list[dict[str, list[int]]]:
    """input_ids / attention_mask / labels per window (unpadded: the collator pads per batch)."""
    token_labels = [record_token_labels(r, e, label_all_subtokens) for r, e in zip(records, encoded)]
    ignore_pre = [align.IGNORE] * len(specials.prefix)
    ignore_suf = [align.IGNORE] * len(specials.suffix)
    feats = []
    for win in windows:
        ids = window_input_ids(encoded[win.text_index], win, specials)
        labels = ignore_pre + token_labels[win.text_index][win.start : win.end] + ignore_suf
        feats.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels})
    return feats


@dataclass
class PreparedSplit:
    records: list[Record]
    encoded: list[EncodedText]
    windows: list[Window]
    features: list[dict[str, list[int]]]

    @property
    def n_tokens(self) -> int:
        """Tokens of all windows (specials and overlaps included): what one epoch computes."""
        return sum(len(f["input_ids"]) for f in self.features)

    @property
    def n_text_tokens(self) -> int:
        """Tokens of the texts themselves, each counted once."""
        return sum(len(e) for e in self.encoded)


def prepare_split(records: Sequence[Record], tokenizer: Any, cfg: WindowConfig, specials: SpecialTokens,
                  label_all_subtokens: bool, *, longest_first: bool = False) -> PreparedSplit:
    """Tokenize, window and label records. longest_first (for evaluation) puts windows of a
    similar length in the same batch; the window list keeps the same order as the features."""
    encoded = encode_texts(tokenizer, [r.text for r in records])
    windows = plan_windows(encoded, cfg, specials)
    if longest_first:
        windows.sort(key=lambda w: w.end - w.start, reverse=True)
    feats = training_features(records, encoded, windows, specials, label_all_subtokens)
    return PreparedSplit(list(records), encoded, windows, feats)


def label_maps(config: Any) -> tuple[dict[int, str], dict[str, int]]:
    """id2label/label2id from a model config, keys normalised to int/str."""
    id2label = {int(k): str(v) for k, v in (config.id2label or {}).items()}
    return id2label, {v: k for k, v in id2label.items()}


"""The training split as memory-mapped Arrow tables (Hugging Face `datasets`), so a snapshot
larger than RAM trains.

train.jsonl -> a records dataset (Dataset.from_generator over the project's JSONL reader, one
line at a time) -> the selection (selection.py) as row indices -> windows via `.map`, batch by
batch, through the same encode_texts / plan_windows / training_features as the in-memory path
(tokens.encoding.prepare_split), so the windows and labels are identical. Every Arrow file lives in the
caller's cache folder (the run's work folder) and is read through mmap; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from .. import jsonl
from ..records import Record, Span
from ..tokens.encoding import SpecialTokens, WindowConfig, encode_texts, plan_windows, training_features

FEATURE_COLUMNS = ("input_ids", "attention_mask", "labels")
MAP_BATCH = 256  # records per tokenizer call (encode_texts' own chunk)


def _datasets() -> Any:
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # never the network: read when datasets is imported,
    import datasets

    # ...which transformers' Trainer may have done first.
    datasets.config.HF_HUB_OFFLINE = datasets.config.HF_DATASETS_OFFLINE = True
    datasets.disable_progress_bars()  # bars in a pod log are noise
    return datasets


def _record_features(ds: Any) -> Any:
    entity = {"start": ds.Value("int64"), "end": ds.Value("int64"), "label": ds.Value("string")}
    return ds.Features({"id": ds.Value("string"), "text": ds.Value("string"), "source": ds.Value("string"),
                        "entities": ds.List(entity)})


def _window_features(ds: Any) -> Any:
    return ds.Features({"input_ids": ds.List(ds.Value("int32")), "attention_mask": ds.List(ds.Value("int8")),
                        "labels": ds.List(ds.Value("int32")), "length": ds.Value("int32"),
                        "text_tokens": ds.Value("int32")})


def _rows(path: str) -> Iterator[dict[str, Any]]:
    for d in jsonl.iter_file(path):
        r = Record.from_dict(d)  # the same defaults (id, source) as the in-memory reader
        yield {"id": r.id, "text": r.text, "source": r.source, "entities": [s.to_dict() for s in r.entities]}


def records_dataset(path: str | os.PathLike[str], cache_dir: Path, fingerprint: str | None = None) -> Any:
    """A canonical JSONL file as a memory-mapped records dataset (id, text, source, entities)."""
    ds = _datasets()
    st = Path(path).stat()  # without a content digest: path, size and mtime name the cache
    fp = fingerprint or hashlib.sha256(f"{Path(path).resolve()}:{st.st_size}:{st.st_mtime_ns}".encode()).hexdigest()[:16]
    return ds.Dataset.from_generator(_rows, features=_record_features(ds), cache_dir=str(cache_dir),
                                     gen_kwargs={"path": str(path)}, fingerprint=fp)


def records_from_list(records: Sequence[Record], cache_dir: Path) -> Any:
    """Records already in memory (tests, tools) through the same Arrow path."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / "records.jsonl"
    jsonl.write_file(path, ({"id": r.id, "text": r.text, "source": r.source, "entities": [s.to_dict() for s in r.entities]}
                            for r in records))
    return records_dataset(path, cache_dir, fingerprint=hashlib.sha256(path.read_bytes()).hexdigest()[:16])


def as_records(batch: dict[str, list[Any]]) -> list[Record]:
    return [Record(i, t, [Span(e["start"], e["end"], e["label"]) for e in ents], s)
            for i, t, s, ents in zip(batch["id"], batch["text"], batch["source"], batch["entities"])]


@dataclass(frozen=True)
class RecordRef:
    """What selection.py reads of a record (id, source), and its row in the records dataset."""

    id: str
    source: str
    row: int


def record_refs(records: Any, batch_size: int = 10_000) -> list[RecordRef]:
    refs: list[RecordRef] = []
    for batch in records.select_columns(["id", "source"]).iter(batch_size=batch_size):
        refs += [RecordRef(i, s, len(refs) + k) for k, (i, s) in enumerate(zip(batch["id"], batch["source"]))]
    return refs


class _Windower:
    """The .map function: one batch of records -> its windows (rows of the windows dataset)."""

    def __init__(self, tokenizer: Any, cfg: WindowConfig, specials: SpecialTokens, label_all_subtokens: bool) -> None:
        self.tokenizer, self.cfg, self.specials, self.label_all = tokenizer, cfg, specials, label_all_subtokens

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        records = as_records(batch)
        encoded = encode_texts(self.tokenizer, [r.text for r in records], chunk=MAP_BATCH)
        windows = plan_windows(encoded, self.cfg, self.specials)
        feats = training_features(records, encoded, windows, self.specials, self.label_all)
        out: dict[str, list[Any]] = {k: [f[k] for f in feats] for k in FEATURE_COLUMNS}
        out["length"] = [len(f["input_ids"]) for f in feats]
        # each text's tokens counted once: on its first window
        out["text_tokens"] = [len(encoded[w.text_index]) if w.start == 0 else 0 for w in windows]
        return out


@dataclass
class WindowedSplit:
    """A split's windows in an Arrow table; `features` is what the Trainer reads."""

    windows: Any  # datasets.Dataset: input_ids, attention_mask, labels, length, text_tokens
    lengths: list[int]  # tokens per window, in the dataset's order (for length grouping)
    n_records: int
    n_text_tokens: int

    @property
    def features(self) -> Any:
        return self.windows.select_columns(list(FEATURE_COLUMNS))

    @property
    def n_windows(self) -> int:
        return len(self.lengths)

    @property
    def n_tokens(self) -> int:
        """Tokens of all windows (specials and overlaps included): what one epoch computes."""
        return sum(self.lengths)


def window_dataset(records: Any, tokenizer: Any, cfg: WindowConfig, specials: SpecialTokens,
                   label_all_subtokens: bool, cache_dir: Path, *, longest_first: bool = False) -> WindowedSplit:
    """Tokenized, windowed and labelled records (tokens.encoding.prepare_split's output, in Arrow).
    longest_first: windows sorted by length, longest first (stable, as list.sort)."""
    ds = _datasets()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256(repr((getattr(records, "_fingerprint", ""), cfg, specials, label_all_subtokens,
                               getattr(tokenizer, "name_or_path", ""), len(tokenizer))).encode()).hexdigest()[:16]
    windows = records.map(_Windower(tokenizer, cfg, specials, label_all_subtokens), batched=True,
                          batch_size=MAP_BATCH, remove_columns=records.column_names, features=_window_features(ds),
                          cache_file_name=str(cache_dir / f"windows-{tag}.arrow"), new_fingerprint=tag)
    lengths = windows.data.column("length").to_numpy()
    n_text = int(windows.data.column("text_tokens").to_numpy().sum(dtype="int64"))
    if longest_first:
        order = (-lengths).argsort(kind="stable")
        windows, lengths = windows.select(order), lengths[order]
    return WindowedSplit(windows, lengths.tolist(), len(records), n_text)


def snapshot_train(folder: Path, manifest: dict[str, Any], cache_dir: Path) -> Any:
    """The snapshot's train.jsonl as a records dataset, its sha256 checked first (streamed)."""
    from ..errors import SnapshotError
    from ..layout import split_file
    from ..snapshots import check_split_file

    checked = check_split_file(folder, manifest, "train")
    if checked is None:
        raise SnapshotError(f"snapshot has no {split_file('train')}")
    path, digest = checked
    return records_dataset(path, cache_dir, fingerprint=digest[:16])

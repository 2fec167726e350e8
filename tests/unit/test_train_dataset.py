"""The trainer's Arrow path (train/dataset.py) gives exactly the windows of the in-memory path."""

from __future__ import annotations

import hashlib
import json

import pytest

from ner_pipeline import jsonl
from ner_pipeline.records import Record, Span


@pytest.fixture(scope="module")
def tokenizer():
    from ner_pipeline.train.model_loading import load_tokenizer, packaged_model_dir

    return load_tokenizer(str(packaged_model_dir()))


def snapshot_rows() -> list[dict]:
    long = " ".join(f"Grace called about Rehema, case {i}." for i in range(60))  # several windows
    rows = [
        {"id": "a", "text": "My name is Grace and I live in Kisumu.", "source": "real",
         "entities": [{"start": 31, "end": 37, "label": "LOCATION"}, {"start": 11, "end": 16, "label": "NAME"}]},
        {"text": "No id, no source: both take the reader's defaults."},  # id derived, source synthetic
        {"id": "long", "text": long, "source": "synthetic",
         "entities": [{"start": long.index("Rehema"), "end": long.index("Rehema") + 6, "label": "VICTIM"}]},
        {"id": "empty", "text": "", "source": "real", "entities": []},
        {"id": "odd", "text": "Line\u2028sep, caf\u00e9 \u00e9t\u00e9 \U0001F600 Juma", "source": "real",
         "entities": [{"start": 21, "end": 25, "label": "NAME"}]},
    ]
    return rows + [{**r, "id": f"{r.get('id', 'x')}-{k}"} for k in range(3) for r in rows[:3]]


def both_paths(tokenizer, tmp_path, *, longest_first: bool, label_all: bool):
    from ner_pipeline.train.dataset import records_dataset, window_dataset
    from ner_pipeline.tokens.encoding import SpecialTokens, WindowConfig
    from ner_pipeline.train.trainer import prepare_split

    path = tmp_path / "train.jsonl"
    jsonl.write_file(path, snapshot_rows())
    specials = SpecialTokens.from_tokenizer(tokenizer)
    cfg = WindowConfig(48, 12)
    old = prepare_split([Record.from_dict(d) for d in jsonl.read_file(path)], tokenizer, cfg, specials, label_all,
                        longest_first=longest_first)
    new = window_dataset(records_dataset(path, tmp_path / "arrow"), tokenizer, cfg, specials, label_all,
                         tmp_path / "arrow", longest_first=longest_first)
    return old, new


@pytest.mark.parametrize("longest_first,label_all", [(False, True), (True, True), (False, False)])
def test_arrow_windows_and_labels_are_identical_to_the_in_memory_ones(tokenizer, tmp_path, longest_first, label_all):
    old, new = both_paths(tokenizer, tmp_path, longest_first=longest_first, label_all=label_all)
    rows = [new.features[i] for i in range(len(new.features))]
    assert len(old.windows) > len(old.records)  # the long text is windowed
    assert json.dumps(rows).encode() == json.dumps(old.features).encode()
    assert new.lengths == [len(f["input_ids"]) for f in old.features]
    assert (new.n_records, new.n_windows, new.n_tokens, new.n_text_tokens) == (
        len(old.records), len(old.windows), old.n_tokens, old.n_text_tokens)


def test_arrow_files_stay_in_the_cache_folder(tokenizer, tmp_path):
    import os

    _, new = both_paths(tokenizer, tmp_path, longest_first=False, label_all=True)
    assert new.windows.cache_files and all(f["filename"].startswith(str(tmp_path / "arrow")) for f in new.windows.cache_files)
    import datasets

    assert os.environ["HF_DATASETS_OFFLINE"] == "1" and datasets.config.HF_HUB_OFFLINE is True


def test_selection_through_refs_picks_the_records_of_the_list_path(tmp_path):
    from ner_pipeline.train.dataset import records_from_list, record_refs
    from ner_pipeline.train.selection import select_training

    records = [Record(f"r{i}", f"text {i}", [Span(0, 4, "NAME")], "real" if i % 3 == 0 else "synthetic")
               for i in range(40)]
    ds = records_from_list(records, tmp_path)
    for kw in ({"limit": 25}, {"limit": None, "real_weight": 1.5}, {"limit": 30, "real_share": 0.5}):
        by_list = select_training(records, seed=7, **kw)
        by_refs = select_training(record_refs(ds), seed=7, **kw)
        assert [r.id for r in by_refs.records] == [r.id for r in by_list.records]
        assert by_refs.summary == by_list.summary
        chosen = ds.select([r.row for r in by_refs.records])
        assert chosen["id"][:] == [r.id for r in by_list.records]


def test_snapshot_train_checks_presence_and_sha256(tmp_path):
    from ner_pipeline.errors import SnapshotError
    from ner_pipeline.train.dataset import snapshot_train

    jsonl.write_file(tmp_path / "train.jsonl", snapshot_rows())
    digest = hashlib.sha256((tmp_path / "train.jsonl").read_bytes()).hexdigest()
    ds = snapshot_train(tmp_path, {"files": {"train.jsonl": {"sha256": digest}}}, tmp_path / "arrow")
    assert len(ds) == len(snapshot_rows())
    with pytest.raises(SnapshotError, match="sha256"):
        snapshot_train(tmp_path, {"files": {"train.jsonl": {"sha256": "0" * 64}}}, tmp_path / "arrow")
    (tmp_path / "train.jsonl").unlink()
    with pytest.raises(SnapshotError, match="no train.jsonl"):
        snapshot_train(tmp_path, {}, tmp_path / "arrow")


def test_length_grouped_batches_read_the_same_from_arrow_and_lists(tmp_path):
    from ner_pipeline.config import load_settings
    from ner_pipeline.train.batching import train_dataset

    feats = [{"input_ids": [1] * n, "attention_mask": [1] * n, "labels": [0] * n} for n in (5, 9, 2, 7, 3, 8, 4)]
    ts = load_settings("local", ["training.batch_size=2"], environ={}).training
    import datasets

    arrow = datasets.Dataset.from_list(feats)
    a, b = train_dataset(feats, ts), train_dataset(arrow, ts, lengths=[len(f["input_ids"]) for f in feats])
    assert a.order == b.order
    assert [a[i] for i in range(len(a))] == b.__getitems__(list(range(len(b)))) == a.__getitems__(list(range(len(a))))

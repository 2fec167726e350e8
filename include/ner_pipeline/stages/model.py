"""Stages 4-5: train (local backend) and evaluate, and the checks on a model folder."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import StageError
from ..layout import OutputPaths, RunPaths
from ..snapshots import SnapshotStore
from ..storage import ObjectStore
from .base import store_of

log = logging.getLogger("ner_pipeline.stages")


# -- 4. train (local backend) ---------------------------------------------------------------

def train_output_uri(settings: Settings, run_id: str) -> str:
    return settings.uri(RunPaths(run_id).train) + "/"


def train_local(settings: Settings, run_id: str, dataset_uri: str, profile: str | None = None,
                overrides: list[str] | None = None) -> dict[str, Any]:
    """Run the trainer CLI in a subprocess, exactly as the pod runs it (same args, same outputs)."""
    out_uri = train_output_uri(settings, run_id)
    with tempfile.TemporaryDirectory() as tmp:
        xcom = Path(tmp) / "return.json"
        cmd = [sys.executable, "-m", "ner_pipeline.cli", "train", "--profile", profile or settings.profile,
               "--dataset", dataset_uri, "--output", out_uri, "--xcom-file", str(xcom)]
        for item in overrides or []:
            cmd += ["--set", item]
        log.info("trainer: %s", " ".join(cmd))
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        tail: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:  # into the task log (the trainer logs counts and metrics only)
            line = line.rstrip()
            log.info("trainer | %s", line)
            tail = (tail + [line])[-20:]
        if proc.wait() != 0:
            rc = proc.returncode
            how = f"was killed by {signal.Signals(-rc).name}" if rc < 0 else f"exited with status {rc}"
            raise StageError(f"trainer {how} after {time.monotonic() - t0:.0f}s (no model published for "
                             f"{out_uri}); last lines:\n" + "\n".join(tail))
        return json.loads(xcom.read_text())


# -- 5. evaluate ----------------------------------------------------------------------------

def evaluate(settings: Settings, run_id: str, dataset_uri: str, train_result: dict[str, Any], *,
             store: ObjectStore | None = None) -> dict[str, Any]:
    from ..evaluate.confusion import confusion
    from ..evaluate.predict import evaluate_model
    from ..evaluate.score import format_metrics_table
    from ..evaluate.serving import serving_figure

    store = store_of(settings, store)
    paths = RunPaths(run_id)
    test = SnapshotStore(store).split(dataset_uri, "test")
    if not test:
        raise StageError(f"the test split of {dataset_uri} is empty")
    out_prefix = train_result.get("output_uri") or train_output_uri(settings, run_id)
    out = OutputPaths(store.key_of(out_prefix).rstrip("/"))
    if not store.exists(out.success):
        raise StageError(f"trainer output {out_prefix} is incomplete (no _SUCCESS marker)")
    model_uri = store.uri(out.model + "/")
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "challenger"
        store.download_prefix(out.model, model_dir)
        check_model_dir(model_dir, model_uri)
        try:
            metrics, preds = evaluate_model(model_dir, test, precision=settings.training.precision)
        except (OSError, ValueError) as exc:
            raise StageError(f"model at {model_uri} could not be loaded: {type(exc).__name__}: {exc}") from exc
        # What the consumer's stock pipeline serves from this folder vs what was just scored
        # (gate rule serving_agreement; counts only).
        metrics["serving"] = serving_figure(model_dir, [r.text for r in test], preds, [r.source for r in test])
        # What was evaluated, file by file: promote refuses a staging model that differs from it.
        store.put_json(store.key(paths.model_files), {"model_uri": model_uri, "files": fingerprint(model_dir)})
        store.put_json(store.key(paths.metrics), metrics)
        store.put_json(store.key(paths.confusion), confusion(test, preds))
        champ, champion_metrics = _score_champion(store, test, settings.training.precision, Path(tmp) / "champion")
        if champion_metrics:
            store.put_json(store.key(paths.champion_metrics), champion_metrics)
    log.info("challenger vs champion on %d test records:\n%s", len(test),
             format_metrics_table(metrics, champion_metrics))
    return {
        "metrics_uri": store.uri(store.key(paths.metrics)),
        "champion_metrics_uri": store.uri(store.key(paths.champion_metrics)) if champion_metrics else None,
        "champion_version": champ["version"] if champ else None,
        "micro_f1": metrics["micro"]["f1"],
        "champion_micro_f1": champion_metrics["micro"]["f1"] if champion_metrics else None,
        "n_test": len(test),
        "model_files_uri": store.uri(store.key(paths.model_files)),
    }


def _score_champion(store: ObjectStore, test: list[Any], precision: str,
                    dest: Path) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(champion pointer, its metrics on the same test records); (None, None) without one."""
    from ..evaluate.predict import evaluate_model
    from ..registry import Registry

    registry = Registry(store)
    champ = registry.champion()
    if not champ:
        return None, None
    champ_dir = registry.pull("champion", dest)
    model_sub = champ_dir / OutputPaths.MODEL if (champ_dir / OutputPaths.MODEL).exists() else champ_dir
    champion_metrics, _ = evaluate_model(model_sub, test, precision=precision)
    champion_metrics["version"] = champ["version"]
    return champ, champion_metrics


def check_model_dir(model_dir: Path, where: str) -> None:
    """Refuse a model folder that is incomplete or unreadable, saying what is wrong with it
    (weights are checked as far as their header: truncation is caught, bit flips are not)."""
    from ..records import TAGS

    problems: list[str] = []
    cfg_path = model_dir / "config.json"
    if not cfg_path.is_file():
        problems.append("config.json is missing")
    else:
        try:
            n_labels = len(json.loads(cfg_path.read_text(encoding="utf-8")).get("id2label") or {})
        except (ValueError, UnicodeDecodeError, AttributeError) as exc:
            problems.append(f"config.json is not a JSON object ({exc})")
        else:
            if n_labels != len(TAGS):
                problems.append(f"config.json has {n_labels} labels, not {len(TAGS)}")
    weights = model_dir / "model.safetensors"
    if weights.is_file():
        try:
            from safetensors import safe_open

            with safe_open(str(weights), framework="pt") as fh:
                if not list(fh.keys()):
                    problems.append("model.safetensors holds no tensors")
        except Exception as exc:  # the reader's own error type (SafetensorError) is not importable stably
            problems.append(f"model.safetensors is unreadable ({exc})")
    elif not any((model_dir / n).is_file() for n in ("model.safetensors.index.json", "pytorch_model.bin")):
        problems.append("no weights (model.safetensors)")
    if not any((model_dir / n).is_file() for n in ("tokenizer.json", "vocab.txt")):
        problems.append("no tokenizer (tokenizer.json or vocab.txt)")
    if problems:
        raise StageError(f"model at {where} is corrupt or incomplete: " + "; ".join(problems))


def fingerprint(root: Path) -> dict[str, dict[str, Any]]:
    """Size and MD5 of every file under root (what promote compares the staging model with)."""
    from ..storage import md5_hex

    return {p.relative_to(root).as_posix(): {"size": p.stat().st_size, "md5": md5_hex(p.read_bytes())}
            for p in sorted(root.rglob("*")) if p.is_file()}

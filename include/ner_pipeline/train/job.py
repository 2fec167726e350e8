"""One training job, as run by the pod or the local subprocess: fetch -> fit -> publish.

Everything is built in a local temp folder and published in one go, with _SUCCESS last, so a
reader never sees a partial output. Checkpoints stay in the temp folder and die with it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ..config import Settings, TrainingSettings
from ..layout import OutputPaths
from ..snapshots import Snapshot, load_snapshot
from ..storage_transfer import fetch, publish
from .model_loading import resolve_base_model
from .selection import select_training

log = logging.getLogger(__name__)


def _training_data(folder: Path, ts: TrainingSettings, work: Path) -> tuple[Snapshot, Any, dict[str, Any]]:
    """The snapshot (manifest, validation records), the selected train records as a memory-mapped
    records dataset (train/dataset.py: never all in memory), and the selection's summary."""
    from .dataset import record_refs, snapshot_train

    snap = load_snapshot(folder, splits=("validation",))  # validation is scored in memory
    train_all = snapshot_train(folder, snap.manifest, work / "datasets")
    selection = select_training(record_refs(train_all), ts.max_train_records, ts.seed, real_share=ts.real_share,
                                real_weight=ts.real_weight)
    return snap, train_all.select([r.row for r in selection.records]), selection.summary


def run_training(dataset_uri: str, output_uri: str, settings: Settings, *, xcom_file: str | None = None) -> dict[str, Any] | None:
    """Train on the snapshot at dataset_uri and publish to output_uri; returns the xcom summary
    (None on ranks other than 0 under torchrun)."""
    t0 = time.perf_counter()
    ts = settings.training
    if resolve_base_model(ts.base_model).kind != "hub":
        # Nothing to download: never let a library wait on an unreachable hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")

    with tempfile.TemporaryDirectory(prefix="ner-train-") as tmp:
        work = Path(tmp)
        # Refuse an incomplete snapshot before paying for torch imports.
        snap, train_records, sel = _training_data(fetch(dataset_uri, work / "dataset", settings), ts, work)
        log.info("snapshot %s: %d train records (%d real, %d synthetic); trained on %d real + %d synthetic "
                 "(%d examples, real weight %s); %d validation records", snap.manifest.get("snapshot_id"),
                 sum(sel["available"].values()), sel["available"]["real"], sel["available"]["synthetic"],
                 sel["selected"]["real"], sel["selected"]["synthetic"], sel["examples"]["total"], ts.real_weight,
                 len(snap.validation))

        from .outputs import mark_success, metrics_payload, run_payload, write_json, xcom_summary
        from ..runtime import detect_runtime, is_main_process
        from .trainer import fit, save_model

        rt = detect_runtime(ts.precision, ts.torch_threads)
        log.info("device %s (%s), precision %s (%s), world size %d, %d threads",
                 rt.device, rt.device_name, rt.precision, rt.precision_reason, rt.world_size, rt.threads)
        result = fit(train_records, snap.validation, settings, rt, work)
        if not is_main_process():
            return None

        stage = work / "output"
        save_model(result, stage / OutputPaths.MODEL)
        write_json(stage / OutputPaths.METRICS, metrics_payload(result))
        write_json(stage / OutputPaths.CONFIG, settings.model_dump(mode="json"))
        wall_s = time.perf_counter() - t0
        write_json(stage / OutputPaths.RUN, {**run_payload(result, rt, settings, wall_s=wall_s, dataset_uri=dataset_uri,
                                                      output_uri=output_uri, manifest=snap.manifest),
                                        "train_selection": sel})  # the mix trained on (counts only)
        publish(stage, output_uri, settings)
        summary = xcom_summary(output_uri, result, wall_s)
        mark_success(output_uri, settings, summary)

    if xcom_file:
        path = Path(xcom_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary) + "\n")
    log.info("published %s: best validation micro F1 %s, %.0f train tokens/s, %.0f s",
             output_uri, summary["best_val_micro_f1"], summary["tokens_per_s"], summary["wall_s"])
    return summary

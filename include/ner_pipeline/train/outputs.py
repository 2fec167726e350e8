"""The trainer's output folder: what each file holds (docs/CONTRACTS.md, "Trainer output").

No transcript text goes into any of these files: counts, labels, metrics and settings only.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from ..config import Settings
from ..layout import OutputPaths
from ..storage import ObjectStore, parse_s3_uri
from ..runtime import Runtime, git_commit, versions
from .trainer import FitResult

SUCCESS = OutputPaths.SUCCESS


def join_uri(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


def summarize_loss(curve: list[dict[str, Any]], max_points: int = 50) -> dict[str, Any]:
    """First/last/min training loss and an evenly thinned curve (the last point always kept)."""
    if not curve:
        return {"first": None, "last": None, "min": None, "curve": []}
    step = max(1, -(-len(curve) // max_points))
    thinned = curve[::step]
    if thinned[-1] is not curve[-1]:
        thinned.append(curve[-1])
    losses = [p["loss"] for p in curve]
    return {"first": losses[0], "last": losses[-1], "min": min(losses),
            "curve": [{k: (round(v, 5) if isinstance(v, float) else v) for k, v in p.items()} for p in thinned]}


def metrics_payload(result: FitResult) -> dict[str, Any]:
    return {
        "best_val_micro_f1": result.best_val_micro_f1,
        "best_epoch": result.best_epoch,
        "best_metric_source": result.best_metric_source,  # "real": chosen on the real validation records
        "best_validation": result.best_validation,  # micro, per_label (all 9), by_source, n_records
        "validation_history": result.validation_history,
        "epochs_run": result.epochs_run,
        "global_steps": result.global_steps,
        "train_loss": summarize_loss(result.loss_curve),
        "train_tokens_per_s": result.tokens_per_s,
        "n_train_records": result.n_train_records,
        "n_validation_records": result.n_validation_records,
    }


def run_payload(result: FitResult, rt: Runtime, settings: Settings, *, wall_s: float, dataset_uri: str,
                output_uri: str, manifest: dict[str, Any]) -> dict[str, Any]:
    return {
        "versions": versions(),
        "git_commit": git_commit(),
        "seed": settings.training.seed,
        **rt.to_dict(),
        "base_model": result.base_model,
        "max_length": result.window_config.max_length,
        "stride": result.window_config.stride,
        "wall_s": wall_s,
        "train_s": result.train_seconds,
        "train_tokens": result.train_tokens,
        "train_tokens_per_s": result.tokens_per_s,
        "n_train_windows": result.n_train_windows,
        "n_validation_windows": result.n_validation_windows,
        "train_window_tokens_per_epoch": result.train_window_tokens,
        "train_text_tokens_per_epoch": result.train_text_tokens,
        "n_train_records": result.n_train_records,
        "n_validation_records": result.n_validation_records,
        "dataset_uri": dataset_uri,
        "dataset_snapshot_id": manifest.get("snapshot_id"),
        "output_uri": output_uri,
        "settings_digest": settings.digest(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def mark_success(output_uri: str, settings: Settings, payload: dict[str, Any]) -> None:
    """Write _SUCCESS after everything else is in place (publish uploads in name order, and
    '_' sorts before lower-case names, so the marker cannot travel with the folder)."""
    data = (json.dumps(payload, sort_keys=True) + "\n").encode()
    if output_uri.startswith("s3://"):
        bucket, key = parse_s3_uri(output_uri)
        store = ObjectStore(settings.model_copy(update={"storage": settings.storage.model_copy(update={"bucket": bucket})}))
        store.put_bytes(join_uri(key, SUCCESS), data, content_type="application/json")
    else:
        (Path(output_uri.removeprefix("file://")) / SUCCESS).write_bytes(data)


def xcom_summary(output_uri: str, result: FitResult, wall_s: float) -> dict[str, Any]:
    return {
        "output_uri": output_uri,
        "metrics_uri": join_uri(output_uri, OutputPaths.METRICS),
        "model_uri": join_uri(output_uri, OutputPaths.MODEL) + "/",
        "tokens_per_s": round(result.tokens_per_s, 1),
        "wall_s": round(wall_s, 1),
        "best_val_micro_f1": result.best_val_micro_f1,
    }

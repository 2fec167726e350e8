"""The DAG's task bodies, as plain functions: each takes settings and small JSON inputs,
does its work against the object store, and returns a small JSON summary (what goes to XCom).

No transcript text ever leaves these functions except into the dataset snapshot and the
quarantine files, which are data. Heavy libraries are imported inside the functions. Every key
comes from layout.py; snapshots are read and built through snapshots.SnapshotStore.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from . import discovery, jsonl
from .config import Settings
from .errors import StageError
from .layout import LAST_RUN, OutputPaths, RunPaths, synthetic_batch
from .snapshots import SnapshotStore, base_of
from .split import parse_jsonl, to_jsonl
from .storage import ObjectStore

log = logging.getLogger(__name__)

def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- 0. optional: a fresh synthetic batch ---------------------------------------------------

def generate_synthetic(settings: Settings, run_id: str, n: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """Write a generated batch to incoming/synthetic/ (idempotent per run: same name, same bytes).
    It follows the conventions measured on the latest snapshot's real records once there are
    synth.conventions_min_real of them (conventions.for_generation); `conventions` in the result
    says which were used (snapshot id and counts, never text)."""
    from .conventions import for_generation
    from .synth import generate, write_jsonl

    n = n or settings.synth.n
    seed = settings.synth.seed if seed is None else seed
    store = ObjectStore(settings)
    conventions, provenance = for_generation(settings, store, SnapshotStore(store).latest())
    extra = {} if conventions is None else {"conventions": conventions}  # None: the generator's defaults
    recs = generate(n, seed, long_share=settings.synth.long_share, min_chars=settings.synth.min_chars,
                    max_chars=settings.synth.max_chars, **extra)
    log.info("synthetic conventions: %s", provenance)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        write_jsonl(recs, path)
        data = path.read_bytes()
    key = store.key(synthetic_batch(settings.sources.synthetic_prefix, run_id, seed, n))
    store.put_bytes(key, data, content_type="application/x-ndjson")
    log.info("generated %d synthetic records -> %s", len(recs), store.uri(key))
    return {"uri": store.uri(key), "records": len(recs), "seed": seed, "conventions": provenance}


# -- 1. discover ----------------------------------------------------------------------------

def discover(settings: Settings, run_id: str, sources: list[str]) -> dict[str, Any]:
    store = ObjectStore(settings)
    files = discovery.discover(store, settings, sources, run_id=run_id)
    by_source = Counter(f["source"] for f in files)
    log.info("discovered %d new file(s): %s", len(files), dict(by_source))
    return {"files": files, "n_files": len(files), "by_source": dict(by_source), "sources": sources}


# -- 2. validate ----------------------------------------------------------------------------

def _read_discovered(store: ObjectStore, settings: Settings, run_id: str, discovered: dict[str, Any],
                     consumed: dict[str, Any], files: list[dict[str, Any]],
                     skipped: list[dict[str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """(key, source, bytes or Oversized) of each discovered file as it is now; appends what was
    read to `files` and what was not to `skipped` (see validate)."""
    from .validate import Oversized

    for f in discovered["files"]:
        head = store.head(f["key"])
        if head is not None and head["ContentLength"] > settings.validation.max_file_bytes:
            # Over the size cap: never downloaded; rejected as a whole (file_too_large), under
            # the hash discovery streamed, and marked so no later night reads it again.
            files.append(f)
            yield f["key"], f["source"], Oversized(head["ContentLength"], f["sha256"])
            continue
        got = store.get_with_etag(f["key"])
        if got is None:
            log.warning("incoming file %s was deleted before validation; skipped (not marked consumed)", f["key"])
            skipped.append({"key": f["key"], "source": f["source"], "reason": "deleted before validation"})
            continue
        data = got[0]
        digest = discovery.sha256(data)
        if digest != f["sha256"]:
            mark = consumed.get(digest)
            if mark is not None and mark.get("run_id") != run_id:
                log.warning("file %s changed since discovery into content already consumed; skipped", f["key"])
                skipped.append({"key": f["key"], "source": f["source"],
                                "reason": "changed since discovery into already consumed content"})
                continue
            # Changed between discovery and now: validate what we read, under its real hash.
            log.warning("file %s changed since discovery; validating the current content", f["key"])
            f = {**f, "sha256": digest, "bytes": len(data)}
        files.append(f)
        yield f["key"], f["source"], data


def _base_for_validation(store: ObjectStore, settings: Settings, run_id: str) -> dict[str, Any]:
    """What the base snapshot tells validation: known text hashes and ids, train label counts,
    per-source convention tallies (one read of each split)."""
    snaps = SnapshotStore(store)
    _, base_uri = base_of(snaps.latest(), run_id)
    if not base_uri:
        return {"known_hashes": set(), "known_ids": set(), "previous_label_counts": None, "base_conventions": None}
    from .conventions import SourceTallies

    tallies = SourceTallies(max_records=settings.validation.convention_max_records)
    prev_counts = snaps.manifest(base_uri).get("label_counts", {}).get("train")
    known, known_ids = snaps.known(base_uri, also=tallies.add)
    return {"known_hashes": known, "known_ids": known_ids, "previous_label_counts": prev_counts,
            "base_conventions": tallies}


def validate(settings: Settings, run_id: str, discovered: dict[str, Any]) -> dict[str, Any]:
    """Validate the discovered files, read one at a time (memory follows the largest file).

    A file deleted since discovery is skipped with a warning and listed in `skipped_files`
    (it is not marked consumed, so it is found again if it comes back). A file changed since
    discovery is validated as it is now, under the hash of what was read, and that hash is
    what build_snapshot marks consumed; if the new content was already consumed by another
    run, the file is skipped like discovery would have. Records are checked for duplicates
    against the snapshot this run builds on (snapshots.base_of), so a re-run validates alike.
    """
    from .validate import validate_batch

    store = ObjectStore(settings)
    paths = RunPaths(run_id)
    consumed = discovery.load_state(store)[0].get("files", {})
    files: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    base = _base_for_validation(store, settings, run_id)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "data_docs"
        incoming = _read_discovered(store, settings, run_id, discovered, consumed, files, skipped)
        outcome = validate_batch(incoming, settings, docs_dir=docs, run_id=paths.rk, **base)
        store.delete_prefix(store.key(paths.validation) + "/")  # a retry's outputs never mix with an earlier attempt's
        if docs.exists():
            store.upload_dir(docs, store.key(paths.data_docs))
        store.put_bytes(store.key(paths.validation_audit), jsonl.dump_lines(outcome.audit, sort_keys=True))
    qkey, akey, rkey = (store.key(k) for k in (paths.quarantine, paths.accepted, paths.validation_report))
    store.put_bytes(qkey, jsonl.dump_lines(outcome.quarantined))
    store.put_bytes(akey, to_jsonl(outcome.accepted))
    store.put_json(rkey, outcome.report)  # last: the run's validation is complete

    rejected = {r["path"] for r in outcome.rejected_files}
    summary = {
        "report_uri": store.uri(rkey),
        "data_docs_uri": store.uri(store.key(paths.data_docs_index)),
        "quarantine_uri": store.uri(qkey),
        "accepted_uri": store.uri(akey),
        "counts": {k: outcome.report[k] for k in ("records_read", "accepted", "repaired", "quarantined")},
        "by_source": outcome.report.get("by_source", {}),
        "quarantined_by_reason": outcome.report.get("quarantined_by_reason", {}),
        "convention_conflicts": (outcome.report.get("conventions") or {}).get("conflicts_found", 0),
        "rejected_files": [{"path": r["path"], "message": r.get("message", "")} for r in outcome.rejected_files],
        "skipped_files": skipped,
        "files": [{**f, "status": "rejected" if f["key"] in rejected else "consumed"} for f in files],
    }
    log.info("validation: %s", summary["counts"])
    for r in outcome.rejected_files:
        log.error("file rejected: %s", r.get("message") or r["path"])
    return summary


# -- 3. snapshot ----------------------------------------------------------------------------

def build_snapshot(settings: Settings, run_id: str, validated: dict[str, Any]) -> dict[str, Any]:
    """Cumulative snapshot = base snapshot + this run's accepted records (SnapshotStore.build:
    manifest last, then the pointer's conditional move); files are marked consumed last."""
    store = ObjectStore(settings)
    new = parse_jsonl(store.get_bytes(store.key_of(validated["accepted_uri"])))
    source_files = [{k: f[k] for k in ("key", "source", "sha256")} for f in validated["files"]]
    built = SnapshotStore(store).build(run_id, new, settings.split, source_files=source_files)
    discovery.mark_consumed(store, validated["files"], run_id)
    manifest = built["manifest"]
    log.info("snapshot %s: %s", built["snapshot_id"], manifest["counts"])
    return {"snapshot_id": built["snapshot_id"], "dataset_uri": built["uri"], "counts": manifest["counts"],
            "new_records": len(new),
            "manifest_sha256": hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()}


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

def evaluate(settings: Settings, run_id: str, dataset_uri: str, train_result: dict[str, Any]) -> dict[str, Any]:
    from .evaluate.confusion import confusion
    from .evaluate.predict import evaluate_model
    from .evaluate.score import format_metrics_table
    from .evaluate.serving import serving_figure

    store = ObjectStore(settings)
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
        store.put_json(store.key(paths.model_files), {"model_uri": model_uri, "files": _fingerprint(model_dir)})
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
    from .evaluate.predict import evaluate_model
    from .registry import Registry

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
    from .records import TAGS

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


def _fingerprint(root: Path) -> dict[str, dict[str, Any]]:
    from .storage import md5_hex

    return {p.relative_to(root).as_posix(): {"size": p.stat().st_size, "md5": md5_hex(p.read_bytes())}
            for p in sorted(root.rglob("*")) if p.is_file()}


def _promoted_version(registry: Any, run_id: str) -> str | None:
    """The version this run already made champion (now or before), else None."""
    vid = registry.version_for_run(run_id)
    if not vid or registry.marker(vid) is None:
        return None
    if (registry.champion() or {}).get("version") == vid:
        return vid
    kinds = ("promotion", "forced_promotion")
    return vid if any(e.get("version") == vid and e.get("kind") in kinds for e in registry.history()) else None


# -- 6. gate --------------------------------------------------------------------------------

def gate(settings: Settings, run_id: str, evaluation: dict[str, Any], *, dry_run: bool = False,
         force_promote: bool = False, reason: str = "", triggered_by: str | None = None) -> dict[str, Any]:
    from .evaluate.formatting import format_gate_table
    from .evaluate.gate import decide
    from .registry import Registry

    store = ObjectStore(settings)
    key = store.key(RunPaths(run_id).blessing)
    done = _promoted_version(Registry(store), run_id)
    if done:
        # A cleared/re-run gate of a run that was promoted: the decision stands (re-judging its
        # model against itself or a later champion must not add a rejection to the history).
        blessing = store.get_json(key)
        if blessing is None:
            blessing = Registry(store).version(done)["blessing"] or {"passed": True, "reasons": []}
            store.put_json(key, blessing)
        log.info("run %s was already promoted as %s; its gate decision stands", run_id, done)
        return {"passed": bool(blessing.get("passed")), "promote": True, "blessing_uri": store.uri(key),
                "reasons": blessing.get("reasons", []), "dry_run": dry_run, "force_promote": force_promote,
                "already_promoted": done}
    metrics = store.get_json(store.key_of(evaluation["metrics_uri"]))
    champ = store.get_json(store.key_of(evaluation["champion_metrics_uri"])) if evaluation.get("champion_metrics_uri") else None
    blessing = decide(metrics, settings.gate, champ, champion_version=evaluation.get("champion_version"))
    blessing.update({"run_id": run_id, "dry_run": dry_run, "force_promote": force_promote, "trigger_reason": reason,
                     "triggered_by": triggered_by or "airflow", "approval_mode": settings.promotion.approval})
    store.put_json(key, blessing)
    log.info("gate decision: %s\n%s", "PASS" if blessing["passed"] else "FAIL", format_gate_table(blessing))
    promote = (blessing["passed"] or force_promote) and not dry_run
    return {"passed": blessing["passed"], "promote": promote, "blessing_uri": store.uri(key),
            "reasons": blessing.get("reasons", []), "dry_run": dry_run, "force_promote": force_promote}


# -- 7. promote / record rejection ----------------------------------------------------------

def promote(settings: Settings, run_id: str, *, snapshot: dict[str, Any], train_result: dict[str, Any],
            evaluation: dict[str, Any], decision: dict[str, Any], dag_id: str, reason: str = "",
            who: str = "airflow", review: dict[str, Any] | None = None) -> dict[str, Any]:
    """`who`: the user who triggered the run (the DAG passes it; the scheduler: "airflow").
    `review`: the approval (approval.review_from_event) when promotion.approval is required; then
    the reviewer is the `who` of the history, pointer and blessing, and `triggered_by` is kept."""
    from .approval import attribution, required
    from .modelcard import render
    from .registry import Registry

    store = ObjectStore(settings)
    registry = Registry(store)
    staging = train_result.get("output_uri") or train_output_uri(settings, run_id)
    done = _promoted_version(registry, run_id)
    if required(settings) and not done and (review or {}).get("decision") != "approved":
        raise StageError(f"promotion.approval is 'required' and run {run_id} has no approval "
                         f"({(review or {}).get('decision') or 'no review'}): not promoted")
    if not done:
        _check_staging_is_evaluated(store, staging, evaluation)
    audit = attribution(who, review)
    who = audit.pop("who")
    blessing = {**store.get_json(store.key_of(decision["blessing_uri"])), **audit}
    if review:
        store.put_json(store.key_of(decision["blessing_uri"]), blessing)  # the run's blessing says who approved
    metrics = store.get_json(store.key_of(evaluation["metrics_uri"]))
    manifest = SnapshotStore(store).manifest(snapshot["dataset_uri"], required=False)
    lineage = {
        "dataset_snapshot": snapshot["snapshot_id"], "dataset_uri": snapshot["dataset_uri"],
        "dataset_manifest_sha256": snapshot["manifest_sha256"], "git_commit": _git_commit(),
        "config_sha256": settings.digest(), "base_model": settings.training.base_model,
        "trainer_image": settings.training.kubernetes.image if settings.training.backend == "kubernetes" else "local",
        "training_backend": settings.training.backend, "dag_id": dag_id, "run_id": run_id,
    }

    def card(b: dict[str, Any]) -> str:
        return render(metrics=metrics, blessing=b, manifest=manifest, lineage=lineage, settings=settings)

    if decision.get("force_promote") and not decision.get("passed"):
        result = registry.promote(run_id=run_id, staging_uri=staging, blessing=blessing, metrics=metrics,
                                  lineage=lineage, model_card=card(blessing), reason=reason or "forced promotion",
                                  who=who, force=True, audit=audit)
        result["promoted"] = True
    else:
        # Gate again inside the promotion loop: if another run moved the champion since our
        # evaluate task, the new champion is re-scored on the same test records first.
        def rescore(version: str) -> dict[str, Any]:
            if version == evaluation.get("champion_version") and evaluation.get("champion_metrics_uri"):
                return store.get_json(store.key_of(evaluation["champion_metrics_uri"]))
            return _score_version(store, registry, version, snapshot["dataset_uri"], settings.training.precision)

        result = registry.gate_and_promote(run_id=run_id, staging_uri=staging, metrics=metrics, gate=settings.gate,
                                           rescore=rescore, lineage=lineage, model_card=card, who=who, audit=audit)
    if result.get("promoted"):
        log.info("promoted %s -> %s", result["version"], result["uri"])
        return {k: result[k] for k in ("promoted", "version", "uri", "champion_uri", "already_done") if k in result}
    reasons = result["blessing"].get("reasons", [])
    log.info("not promoted after re-gating against the new champion: %s", "; ".join(reasons))
    return {"promoted": False, "reason": "; ".join(reasons)}


def _check_staging_is_evaluated(store: ObjectStore, staging: str, evaluation: dict[str, Any]) -> None:
    """Refuse to promote a staging folder that is incomplete, or whose model is not, file for
    file (size + MD5), the one evaluate scored (corrupted, truncated or replaced since)."""
    out = OutputPaths(store.key_of(staging).rstrip("/"))
    if not store.exists(out.success):
        raise StageError(f"trainer output {staging} is incomplete (no _SUCCESS marker): not promoted")
    if not evaluation.get("model_files_uri"):
        return  # evaluated by an older version of this stage: the registry's own checks apply
    want = (store.get_json(store.key_of(evaluation["model_files_uri"])) or {}).get("files")
    if not want:
        raise StageError(f"{evaluation['model_files_uri']} is missing: cannot tell which model was evaluated")
    have = {o["Key"][len(out.model) + 1:]: store.checksum(o["Key"]) for o in store.list(out.model + "/")}
    changed = sorted(set(have) ^ set(want)) + sorted(k for k in set(have) & set(want) if have[k] != want[k])
    if changed:
        raise StageError(f"model at {staging.rstrip('/')}/model/ is not the model that was evaluated "
                         f"(differs in: {', '.join(changed[:5])}); refusing to promote")


def _score_version(store: ObjectStore, registry: Any, version: str, dataset_uri: str,
                   precision: str = "auto") -> dict[str, Any]:
    from .evaluate.predict import evaluate_model

    test = SnapshotStore(store).split(dataset_uri, "test")
    with tempfile.TemporaryDirectory() as tmp:
        d = registry.pull(version, Path(tmp) / "v")
        model = d / OutputPaths.MODEL
        metrics, _ = evaluate_model(model if model.exists() else d, test, precision=precision)
    return metrics


def record_rejection(settings: Settings, run_id: str, *, evaluation: dict[str, Any], decision: dict[str, Any],
                     reason: str = "", who: str = "airflow", review: dict[str, Any] | None = None) -> dict[str, Any]:
    """Not promoted: the gate said no (kind rejection), a dry run, or, with `review`, the reviewer
    rejected (review_rejection: name and comment) or nobody answered in time (review_timeout)."""
    from .approval import attribution, rejection_of, response_timeout
    from .evaluate.gate import decision_entry
    from .registry import Registry

    store = ObjectStore(settings)
    kind = "dry_run" if decision.get("dry_run") else "rejection"
    blessing = store.get_json(store.key_of(decision["blessing_uri"]))
    audit = attribution(who, review)
    why = "dry run: promotion skipped" if kind == "dry_run" else "; ".join(decision.get("reasons", []))
    if review:
        kind, why = rejection_of(review, response_timeout(settings))
        store.put_json(store.key_of(decision["blessing_uri"]), {**blessing, **{k: v for k, v in audit.items()
                                                                              if k != "who"}})
    entry = {**decision_entry(blessing), "kind": kind, "run_id": run_id,
             "micro_f1": evaluation.get("micro_f1"), "blessing_uri": decision["blessing_uri"],
             "champion_version": evaluation.get("champion_version"), "trigger_reason": reason, **audit}
    if review:
        entry["reason"] = why
    Registry(store).record_decision(run_id, entry)
    log.info("not promoted: %s", why)
    return {"kind": kind, "reason": why}


# -- 8. report ------------------------------------------------------------------------------

def report(settings: Settings, run_id: str, *, validated: dict[str, Any] | None, evaluation: dict[str, Any] | None,
           decision: dict[str, Any] | None, promoted: dict[str, Any] | None,
           rejected: dict[str, Any] | None) -> dict[str, Any]:
    """Assemble the run summary (counts, metrics, gate, outcome), store it and return it."""
    store = ObjectStore(settings)
    summary: dict[str, Any] = {"run_id": run_id, "finished_at": _now()}
    if validated:
        rep = store.get_json(store.key_of(validated["report_uri"])) or {}
        summary["validation"] = {"counts": validated["counts"], "by_source": rep.get("by_source", {}),
                                 "quarantined_by_reason": rep.get("quarantined_by_reason", {}),
                                 "rejected_files": validated.get("rejected_files", []),
                                 "skipped_files": validated.get("skipped_files", [])}
        conv = rep.get("conventions") or {}
        if conv.get("conflicts_found"):
            from .validate.conventions_check import key as convention_key

            summary["validation"]["convention_conflicts"] = {
                "count": conv["conflicts_found"], "compared": conv.get("compared", 0),
                "largest": [convention_key(r) for r in conv.get("conflicts", [])[:5]]}
    if evaluation:
        summary["metrics"] = store.get_json(store.key_of(evaluation["metrics_uri"]))
        if evaluation.get("champion_metrics_uri"):
            summary["champion_metrics"] = store.get_json(store.key_of(evaluation["champion_metrics_uri"]))
    if decision:
        summary["blessing"] = store.get_json(store.key_of(decision["blessing_uri"]))
    if promoted and promoted.get("promoted"):
        summary["outcome"] = {"promoted": True, "version": promoted["version"], "uri": promoted["uri"]}
    else:
        why = (rejected or promoted or {}).get("reason") or "pipeline did not reach the gate"
        summary["outcome"] = {"promoted": False, "reason": why}
    key = store.key(RunPaths(run_id).summary)
    store.put_json(key, summary)
    store.put_json(store.key(LAST_RUN), {"run_id": run_id, "summary_uri": store.uri(key)})
    text = format_summary(summary)
    log.info("run summary\n%s", text)
    if validated and validated.get("rejected_files"):
        names = ", ".join(r["path"] for r in validated["rejected_files"])
        raise StageError(f"input file(s) rejected by validation: {names}; see {validated['report_uri']}")
    return {"summary_uri": store.uri(key), "outcome": summary["outcome"]}


def format_summary(summary: dict[str, Any]) -> str:
    """Human-readable run summary (what `make run` prints at the end)."""
    lines: list[str] = [f"Run {summary.get('run_id')}"]
    val = summary.get("validation")
    if val:
        lines.append("\nRecords by source")
        lines.append(f"  {'source':<10} {'read':>7} {'accepted':>9} {'repaired':>9} {'quarantined':>12}")
        by_source = val.get("by_source") or {}
        rows = list(by_source.items()) + [("total", val["counts"])]
        for src, c in rows:
            lines.append(f"  {src:<10} {c.get('records_read', 0):>7} {c.get('accepted', 0):>9} "
                         f"{c.get('repaired', 0):>9} {c.get('quarantined', 0):>12}")
        if val.get("quarantined_by_reason"):
            lines.append("  quarantined by reason: " + ", ".join(f"{k}={v}" for k, v in sorted(val["quarantined_by_reason"].items())))
        for r in val.get("rejected_files", []):
            lines.append(f"  REJECTED FILE: {r.get('message') or r['path']}")
        for r in val.get("skipped_files", []):
            lines.append(f"  SKIPPED FILE: {r['key']} ({r['reason']})")
        if val.get("convention_conflicts"):
            cc = val["convention_conflicts"]
            lines.append(f"  convention conflicts between sources (reported, not blocking): {cc['count']} of "
                         f"{cc['compared']} compared; largest: {', '.join(cc['largest'])}")
    if summary.get("metrics"):
        from .evaluate.score import format_metrics_table

        from .evaluate.gate import evaluated_on

        data = evaluated_on(summary["metrics"])
        lines.append("\nTest-set entity metrics (strict, character spans)")
        lines.append(f"Test data: {data['statement']}")
        lines.append(format_metrics_table(summary["metrics"], summary.get("champion_metrics")))
        if data["decided_on"] == "real":  # the records that decide the gate, on their own
            champ = (summary.get("champion_metrics") or {}).get("by_source", {}).get("real")
            lines.append("\nReal records only (these decide the gate)")
            lines.append(format_metrics_table(summary["metrics"]["by_source"]["real"], champ))
    if summary.get("blessing"):
        from .evaluate.formatting import format_gate_table

        b = summary["blessing"]
        lines.append(f"\nGate: {'PASSED' if b['passed'] else 'FAILED'}")
        lines.append(format_gate_table(b))
    out = summary.get("outcome", {})
    lines.append("")
    if out.get("promoted"):
        lines.append(f"PROMOTED version {out['version']}: {out['uri']}")
    else:
        lines.append(f"NOT PROMOTED: {out.get('reason')}")
    return "\n".join(lines)


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).resolve().parent).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None

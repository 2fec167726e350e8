"""Stages 6-7: the gate, then promote or record the rejection. The rules are promotion.py's;
these read the run's objects, call it, and return small summaries."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import StageError
from ..layout import OutputPaths, RunPaths
from ..promotion import Request, already_promoted, check_staging_is_evaluated, lineage
from ..promotion import promote as promote_run
from ..registry import Registry
from ..snapshots import SnapshotStore
from ..storage import ObjectStore
from .base import store_of
from .model import train_output_uri

log = logging.getLogger("ner_pipeline.stages")


def gate(settings: Settings, run_id: str, evaluation: dict[str, Any], *, dry_run: bool = False,
         force_promote: bool = False, reason: str = "", triggered_by: str | None = None,
         store: ObjectStore | None = None) -> dict[str, Any]:
    from ..evaluate.formatting import format_gate_table
    from ..evaluate.gate import decide

    # Refused before anything is judged: a force without a reason (the Request's one check).
    Request(run_id, who=triggered_by or "airflow", force=force_promote, reason=reason)
    store = store_of(settings, store)
    key = store.key(RunPaths(run_id).blessing)
    registry = Registry(store)
    done = already_promoted(registry, run_id)
    if done:
        # A cleared/re-run gate of a run that was promoted: the decision stands (re-judging its
        # model against itself or a later champion must not add a rejection to the history).
        blessing = store.get_json(key)
        if blessing is None:
            blessing = registry.version(done)["blessing"] or {"passed": True, "reasons": []}
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


def promote(settings: Settings, run_id: str, *, snapshot: dict[str, Any], train_result: dict[str, Any],
            evaluation: dict[str, Any], decision: dict[str, Any], dag_id: str, reason: str = "",
            who: str = "airflow", review: dict[str, Any] | None = None,
            store: ObjectStore | None = None) -> dict[str, Any]:
    """`who`: the user who triggered the run (the DAG passes it; the scheduler: "airflow").
    `review`: the approval (approval.review_from_event) when promotion.approval is required; then
    the reviewer is the `who` of the history, pointer and blessing, and `triggered_by` is kept.
    `reason`: the run's trigger reason, the promotion's reason when it is forced."""
    from ..approval import attribution, required
    from ..modelcard import render

    store = store_of(settings, store)
    registry = Registry(store)
    staging = train_result.get("output_uri") or train_output_uri(settings, run_id)
    done = already_promoted(registry, run_id)
    if required(settings) and not done and (review or {}).get("decision") != "approved":
        raise StageError(f"promotion.approval is 'required' and run {run_id} has no approval "
                         f"({(review or {}).get('decision') or 'no review'}): not promoted")
    if not done:
        check_staging_is_evaluated(store, staging, evaluation.get("model_files_uri"))
    audit = attribution(who, review)
    forced = bool(decision.get("force_promote") and not decision.get("passed"))
    request = Request(run_id, who=audit.pop("who"), force=forced, reason=reason if forced else "", audit=audit)
    blessing = {**store.get_json(store.key_of(decision["blessing_uri"])), **audit}
    if review:
        store.put_json(store.key_of(decision["blessing_uri"]), blessing)  # the run's blessing says who approved
    metrics = store.get_json(store.key_of(evaluation["metrics_uri"]))
    manifest = SnapshotStore(store).manifest(snapshot["dataset_uri"], required=False)
    made = lineage(store, staging, run_id, dag_id=dag_id, snapshot=snapshot)

    def card(b: dict[str, Any]) -> str:
        return render(metrics=metrics, blessing=b, manifest=manifest, lineage=made, settings=settings)

    def rescore(version: str) -> dict[str, Any]:
        # the champion the gate saw was re-scored by evaluate; a newer one is scored here
        if version == evaluation.get("champion_version") and evaluation.get("champion_metrics_uri"):
            return store.get_json(store.key_of(evaluation["champion_metrics_uri"]))
        return _score_version(store, registry, version, snapshot["dataset_uri"], settings.training.precision)

    result = promote_run(registry, request, staging_uri=staging, metrics=metrics, lineage=made, blessing=blessing,
                         model_card=card, gate=settings.gate, rescore=rescore)
    if result.get("promoted"):
        log.info("promoted %s -> %s", result["version"], result["uri"])
        return {k: result[k] for k in ("promoted", "version", "uri", "champion_uri", "already_done") if k in result}
    reasons = result["blessing"].get("reasons", [])
    log.info("not promoted after re-gating against the new champion: %s", "; ".join(reasons))
    return {"promoted": False, "reason": "; ".join(reasons)}


def _score_version(store: ObjectStore, registry: Registry, version: str, dataset_uri: str,
                   precision: str = "auto") -> dict[str, Any]:
    from ..evaluate.predict import evaluate_model

    test = SnapshotStore(store).split(dataset_uri, "test")
    with tempfile.TemporaryDirectory() as tmp:
        d = registry.pull(version, Path(tmp) / "v")
        model = d / OutputPaths.MODEL
        metrics, _ = evaluate_model(model if model.exists() else d, test, precision=precision)
    return metrics


def record_rejection(settings: Settings, run_id: str, *, evaluation: dict[str, Any], decision: dict[str, Any],
                     reason: str = "", who: str = "airflow", review: dict[str, Any] | None = None,
                     store: ObjectStore | None = None) -> dict[str, Any]:
    """Not promoted: the gate said no (kind rejection), a dry run, or, with `review`, the reviewer
    rejected (review_rejection: name and comment) or nobody answered in time (review_timeout)."""
    from ..approval import attribution, rejection_of, response_timeout
    from ..evaluate.gate import decision_entry

    store = store_of(settings, store)
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

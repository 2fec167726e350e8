"""Promotion: which run's model may become the champion, and how (docs/CONTRACTS.md).

The rules live here; `Registry` stores what they decide (versions, pointer, history).

- `Request`: the run, who asks, force and its reason, the audit trail; checked once, when built
  (a forced promotion needs a reason, and nothing supplies one by default).
- `already_promoted`: the version a run's model already served as.
- `check_staging_is_evaluated`: the staging model is, file for file, the one evaluate scored.
- `lineage`: how the model was made, built once for the DAG and the command line.
- `promote`: the one way in. A forced request promotes a blessing that did not pass; a passed
  blessing is promoted against the champion it was gated with, and when another run moved the
  champion since, the new champion is re-scored and the gate re-run (`rescore`), up to
  `max_attempts` times. Without `rescore` (the command line) a moved champion is an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from .config import config_digest
from .errors import StageError
from .evaluate.gate import decide, decision_entry
from .layout import OutputPaths
from .registry import ChampionChanged, Registry, RegistryError
from .storage import ObjectStore

log = logging.getLogger(__name__)

PASSED_REASON = "gate passed"  # what an unforced promotion records when nobody gave a reason


class PromotionError(RegistryError):
    """The promotion rules refuse the request (no reason for a force, a blessing that did not pass)."""


@dataclass(frozen=True)
class Request:
    """Who asks to promote which run, and why. `audit`: approval.attribution's `triggered_by`
    and `approval` (the reviewer), written with the pointer, the history and the blessing."""

    run_id: str
    who: str = "airflow"
    force: bool = False
    reason: str = ""
    audit: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.run_id:
            raise PromotionError("a promotion needs a run id")
        if self.force and not (self.reason or "").strip():
            raise PromotionError("a forced promotion needs a reason")

    @property
    def recorded_reason(self) -> str:
        return self.reason if (self.reason or "").strip() else PASSED_REASON


def already_promoted(registry: Registry, run_id: str) -> str | None:
    """The version this run's model already served as, else None.

    Served means: the champion now, or named by any promotion, forced promotion or rollback in
    the history (Registry.served). A rollback counts (stages.py once counted promotions only):
    once a version has served, re-running its run must neither re-gate it, which would record a
    rejection of a model that served, nor move the pointer back to it; the registry's own
    idempotency uses the same rule, so the two can never disagree."""
    vid = registry.version_for_run(run_id)
    if not vid or registry.marker(vid) is None:
        return None
    return vid if registry.served(vid) else None


def check_staging_is_evaluated(store: ObjectStore, staging: str, model_files_uri: str | None) -> None:
    """Refuse a staging folder that is incomplete, or whose model is not, file for file (size +
    MD5), the one evaluate scored (corrupted, truncated or replaced since)."""
    out = OutputPaths(store.key_of(staging).rstrip("/"))
    if not store.exists(out.success):
        raise StageError(f"trainer output {staging} is incomplete (no _SUCCESS marker): not promoted")
    want = (store.get_json(store.key_of(model_files_uri)) or {}).get("files") if model_files_uri else None
    if not want:
        raise StageError(f"{model_files_uri or 'the evaluated model files'} is missing: cannot tell which model "
                         "was evaluated")
    have = {o["Key"][len(out.model) + 1:]: store.checksum(o["Key"]) for o in store.list(out.model + "/")}
    changed = sorted(set(have) ^ set(want)) + sorted(k for k in set(have) & set(want) if have[k] != want[k])
    if changed:
        raise StageError(f"model at {staging.rstrip('/')}/model/ is not the model that was evaluated "
                         f"(differs in: {', '.join(changed[:5])}); refusing to promote")


def lineage(store: ObjectStore, staging: str, run_id: str, *, dag_id: str | None = None,
            snapshot: dict[str, Any] | None = None, source: str | None = None) -> dict[str, Any]:
    """How the model was made, from what the trainer left in staging (config.json, run.json)
    and, from the DAG, the snapshot it was built from.

    `config_sha256` is the digest of the settings the trainer ran with: Settings.digest() (the
    sha256 of their canonical JSON, first 16 hex digits) over its config.json, equal to the
    `settings_digest` in its run.json. It names the training configuration, not that of the
    task or command that promotes. `git_commit` is likewise the trainer's code."""
    out = OutputPaths(store.key_of(staging).rstrip("/"))
    config = store.get_json(out.config) or {}
    run = store.get_json(out.run) or {}
    training = config.get("training") or {}
    backend = training.get("backend")
    got: dict[str, Any] = {
        "run_id": run_id, "dag_id": dag_id,
        "config_sha256": config_digest(config) if config else None,
        "base_model": training.get("base_model"), "training_backend": backend,
        "trainer_image": (training.get("kubernetes") or {}).get("image") if backend == "kubernetes" else "local",
        "git_commit": run.get("git_commit"),
        "dataset_uri": (snapshot or {}).get("dataset_uri") or run.get("dataset_uri") or run.get("dataset"),
    }
    if snapshot:
        got.update(dataset_snapshot=snapshot.get("snapshot_id"),
                   dataset_manifest_sha256=snapshot.get("manifest_sha256"))
    if source:
        got["source"] = source
    return got


def promote(registry: Registry, request: Request, *, staging_uri: str, metrics: dict[str, Any],
            lineage: dict[str, Any], blessing: dict[str, Any] | None = None,
            model_card: Callable[[dict[str, Any]], str] | None = None, gate: Any = None,
            rescore: Callable[[str], dict[str, Any]] | None = None, max_attempts: int = 3) -> dict[str, Any]:
    """Make the run's model the champion; returns {"promoted", "blessing", ...Registry.promote's
    result}. `blessing`: the run's gate decision (None: gate now against the current champion,
    which needs `gate` and `rescore`). A rejection by a re-run gate is recorded in the history
    (kind "rejection") and returned with promoted False. A run that already served returns
    already_done (Registry.promote's own path, so a history line lost in a crash is written)."""
    done = already_promoted(registry, request.run_id)
    if done:
        blessing = blessing or registry.version(done)["blessing"] or {"passed": True}
    if blessing is not None and not blessing.get("passed") and not done:
        if not request.force:
            raise PromotionError(f"run {request.run_id} did not pass the gate: {'; '.join(blessing.get('reasons', []))}")
        return _store(registry, request, staging_uri, blessing, metrics, lineage, model_card, expected=...)
    stamps: dict[str, Any] | None = None
    for attempt in range(1, max_attempts + 1):
        if blessing is None:
            blessing = _regate(registry, request, metrics, gate, rescore, stamps)
            if not blessing["passed"]:
                return {"promoted": False, "blessing": blessing}
        try:
            # a passed blessing holds only against the champion it was gated with
            return _store(registry, request, staging_uri, blessing, metrics, lineage, model_card,
                          expected=blessing.get("champion_version"))
        except ChampionChanged as exc:
            if rescore is None or attempt == max_attempts:
                raise
            log.warning("%s; re-running the gate against the new champion (attempt %d)", exc, attempt + 1)
            stamps, blessing = {k: v for k, v in blessing.items() if k in _KEPT}, None  # who asked stays
    raise AssertionError("unreachable")


# What a re-run gate keeps of the run's blessing: who asked and how, not the decision itself.
_KEPT = ("run_id", "dry_run", "force_promote", "trigger_reason", "triggered_by", "approval_mode", "approval")


def _regate(registry: Registry, request: Request, metrics: dict[str, Any], gate: Any,
            rescore: Callable[[str], dict[str, Any]] | None, stamps: dict[str, Any] | None = None) -> dict[str, Any]:
    """The gate against the champion as it is now (re-scored on the same test records); a
    rejection goes to the history."""
    if gate is None or rescore is None:
        raise PromotionError("no blessing to promote, and no gate to decide one")
    champ = registry.champion()
    cv = champ["version"] if champ else None
    blessing = {**(stamps or {}), **decide(metrics, gate, rescore(cv) if cv else None, champion_version=cv),
                **request.audit}
    if not blessing["passed"]:
        registry.record_decision(request.run_id, {**decision_entry(blessing), "kind": "rejection", "who": request.who,
                                                  **request.audit})
    return blessing


def _store(registry: Registry, request: Request, staging_uri: str, blessing: dict[str, Any], metrics: dict[str, Any],
           lineage: dict[str, Any], model_card: Callable[[dict[str, Any]], str] | None, *, expected: Any
           ) -> dict[str, Any]:
    blessing = {**blessing, **request.audit}
    result = registry.promote(run_id=request.run_id, staging_uri=staging_uri, blessing=blessing, metrics=metrics,
                              lineage=lineage, model_card=model_card(blessing) if model_card else None,
                              expected_champion=expected, reason=request.recorded_reason, who=request.who,
                              audit=request.audit)
    return {"promoted": True, "blessing": blessing, **result}

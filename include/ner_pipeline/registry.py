"""The S3 model registry: immutable versions, one champion pointer, an append-only history.

Keys are layout.py's (VersionPaths under models/ner/versions/<v>/, CHAMPION, HISTORY, run_map).
A version holds model/ (weights + tokenizer), metrics.json, blessing.json, lineage.json,
model_card.md and the trainer's files as train_*.json, _COMPLETE.json last; champion.json is
{"version", "uri", "run_id", "promoted_at", "previous", ...}; history.jsonl one event a line
(registry_history.py); runs/<hash>.json which version id a DAG run owns (registry_runs.py).

Safety argument, in short:
- A version is complete only once `_COMPLETE.json` exists; it is written after every other object
  was copied and verified (size + MD5), and lists them. Nothing points at, lists or pulls a
  version without it, and a complete version is never written again.
- champion.json changes only by one conditional PUT (If-Match on the ETag read before, or
  If-None-Match for the first champion) and only ever names a complete version. So a crash at any
  point leaves the old pointer or the new one, and two writers cannot both win.
- A run maps to one version id (the runs/ object, created with If-None-Match), and every step
  checks what is already there, so re-running a promotion finishes the work of a crashed attempt
  and never makes a second version or history entry.

Storage only: which run may be promoted, the gate and its re-run after a lost race are
promotion.py's. The version's blessing.json is the decision that built the version; the
decision that finally moved the pointer is in the history entry (its rules and
`gated_against`), which differs only when a lost race was re-gated.
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from . import registry_history, registry_runs
from .errors import ChampionChanged, RegistryError
from .layout import CHAMPION, COMPLETE_MARKER, HISTORY, VERSIONS, OutputPaths, VersionPaths
from .registry_files import build_version, download, holds_staging
from .registry_history import PROMOTION_KINDS
from .storage import ObjectStore, PreconditionFailed, json_bytes
from .timestamps import iso as _iso
from .timestamps import utcnow

__all__ = ["ChampionChanged", "PROMOTION_KINDS", "Registry", "RegistryError", "resolve_model"]

log = logging.getLogger(__name__)


_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class Registry:
    """The registry over one ObjectStore (boto3; any S3 API with conditional writes).

    `hooks` maps a step name to a callable run at that point of a promotion; tests use it to
    inject crashes. Steps: "after_copy" (staging copied, generated files not yet written),
    "before_marker", "before_pointer", "before_history".
    """

    def __init__(self, store: ObjectStore, *, hooks: dict[str, Callable[[], None]] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.hooks = hooks or {}
        self.clock = clock

    # -- keys -------------------------------------------------------------------------------
    def _key(self, *parts: str) -> str:
        return self.store.key(*parts)

    def _vprefix(self, version: str) -> str:
        return self._key(VersionPaths(version).root) + "/"

    def version_uri(self, version: str) -> str:
        return self.store.uri(self._vprefix(version))

    @property
    def champion_uri(self) -> str:
        return self.store.uri(self._key(CHAMPION))

    def _checkpoint(self, step: str) -> None:
        hook = self.hooks.get(step)
        if hook is not None:
            hook()

    @staticmethod
    def _check_version_id(version: str) -> str:
        if not _VERSION_RE.match(version or ""):
            raise RegistryError(f"not a version id: {version!r}")
        return version

    # -- reading ----------------------------------------------------------------------------
    def champion_with_etag(self) -> tuple[dict[str, Any] | None, str | None]:
        got = self.store.get_with_etag(self._key(CHAMPION))
        if got is None:
            return None, None
        return json.loads(got[0]), got[1]

    def champion(self) -> dict[str, Any] | None:
        """The pointer: {"version", "uri", "run_id", "promoted_at", "previous", "kind", "who", "reason"}."""
        return self.champion_with_etag()[0]

    def marker(self, version: str) -> dict[str, Any] | None:
        """The version's completion marker (its file list with sizes and MD5s), None if incomplete."""
        return self.store.get_json(self._vprefix(self._check_version_id(version)) + COMPLETE_MARKER)

    def versions(self) -> list[dict[str, Any]]:
        """Complete versions, newest first: {"version", "run_id", "created_at", "micro_f1", "passed",
        "kind", "is_champion", "was_champion"}. Partial folders (crashed copies) are not listed."""
        champ = self.champion() or {}
        ever = registry_history.ever_champion(self.history())
        root = self._key(VERSIONS) + "/"
        out = []
        for prefix in self.store.list_dirs(root):
            vid = prefix[len(root):].strip("/")
            marker = self.store.get_json(prefix + COMPLETE_MARKER)
            if not marker:
                continue
            out.append({"version": vid, "run_id": marker.get("run_id"), "created_at": marker.get("created_at"),
                        "micro_f1": marker.get("micro_f1"), "passed": marker.get("passed"), "kind": marker.get("kind"),
                        "is_champion": vid == champ.get("version"), "was_champion": vid in ever})
        return sorted(out, key=lambda v: v["version"], reverse=True)

    def version(self, version: str) -> dict[str, Any]:
        """One version: {"version", "uri", "complete", "marker", "metrics", "blessing", "lineage", "model_card"}."""
        prefix = self._vprefix(self._check_version_id(version))
        marker = self.store.get_json(prefix + COMPLETE_MARKER)
        if marker is None and not any(True for _ in self.store.list(prefix)):
            raise RegistryError(f"no such version: {version}")
        card = self.store.get_with_etag(prefix + VersionPaths.MODEL_CARD)
        return {
            "version": version,
            "uri": self.store.uri(prefix),
            "complete": marker is not None,
            "marker": marker,
            "metrics": self.store.get_json(prefix + VersionPaths.METRICS),
            "blessing": self.store.get_json(prefix + VersionPaths.BLESSING),
            "lineage": self.store.get_json(prefix + VersionPaths.LINEAGE),
            "model_card": card[0].decode("utf-8") if card else None,
        }

    def history(self) -> list[dict[str, Any]]:
        """Every recorded event, oldest first (a line that does not parse is skipped)."""
        got = self.store.get_with_etag(self._key(HISTORY))
        return registry_history.parse(got[0]) if got else []

    def served(self, version: str, champion: dict[str, Any] | None = ..., history: list[dict[str, Any]] | None = None
               ) -> bool:
        """True when `version` is the champion, or ever was (a promotion, forced promotion or
        rollback named it): the one meaning of "already promoted" (promotion.already_promoted)."""
        champ = self.champion() if champion is ... else champion
        if (champ or {}).get("version") == version:
            return True
        return version in registry_history.ever_champion(self.history() if history is None else history)

    # -- run -> version ---------------------------------------------------------------------
    def new_version_id(self, run_id: str) -> str:
        """The version id this run owns (registry_runs.claim: the same on every call)."""
        return registry_runs.claim(self.store, run_id, self.clock())

    def _next_version_id(self, run_id: str, current: str) -> str:
        return registry_runs.next_attempt(self.store, run_id, current, self.clock())

    def version_for_run(self, run_id: str) -> str | None:
        return registry_runs.version_for_run(self.store, run_id)

    # -- history ----------------------------------------------------------------------------
    def record_decision(self, run_id: str | None, entry: dict[str, Any]) -> bool:
        """Append one event to history.jsonl (registry_history.append); False if already recorded.
        Idempotent per (run_id, entry["kind"]), per entry["op_id"] when given (rollbacks)."""
        if "kind" not in entry:
            raise ValueError("a history entry needs a 'kind'")
        return registry_history.append(self.store, self._key(HISTORY), {"ts": _iso(self.clock()), "run_id": run_id,
                                                                        **entry})

    # -- promotion --------------------------------------------------------------------------
    def promote(self, *, run_id: str, staging_uri: str, blessing: dict[str, Any], metrics: dict[str, Any],
                lineage: dict[str, Any], model_card: str | None = None, expected_champion: Any = ...,
                reason: str = "gate passed", who: str = "airflow",
                audit: dict[str, Any] | None = None) -> dict[str, Any]:
        """Make the run's model a version and the champion; returns {"version", "uri", "champion_uri",
        "previous", "already_done"}. Which blessings may be promoted, and with what reason, is
        promotion.py's to decide (promotion.promote is the caller); a blessing that did not pass
        is stored as kind "forced_promotion".

        audit: who else took part (approval.attribution: `triggered_by`, `approval` with the
        reviewer, decision, time and comment); written into the pointer, the history entry and the
        version's blessing.json (the model card is the caller's: render it from that blessing).

        expected_champion: the champion version the gate compared against (None = there was none);
        if the pointer names anything else, ChampionChanged is raised before anything is copied,
        and the pointer write itself is conditional on the ETag read. `...` (default) accepts
        whatever champion is current when promote starts (still a conditional write).
        Re-running for the same run_id finishes a crashed attempt or returns already_done=True.
        """
        kind = "promotion" if blessing.get("passed") else "forced_promotion"
        vid = self.new_version_id(run_id)
        champ, etag = self.champion_with_etag()
        current = champ.get("version") if champ else None
        vid, complete, served = self._own_version(run_id, vid, champ, staging_uri)
        uri = self.version_uri(vid)
        if served:
            # Done before: at most the history line is missing (crash right after the pointer moved).
            if current == vid and champ.get("run_id") == run_id and champ.get("kind") in PROMOTION_KINDS:
                self._checkpoint("before_history")
                self.record_decision(run_id, {**registry_history.promotion_entry(
                    champ["kind"], vid, champ.get("previous"), blessing, metrics, reason, who), **(audit or {})})
            return {"version": vid, "uri": uri, "champion_uri": self.champion_uri,
                    "previous": (champ or {}).get("previous") if current == vid else None, "already_done": True}

        if expected_champion is not ... and expected_champion != current:
            raise ChampionChanged(expected_champion, current)
        if not complete:
            build_version(self.store, self._vprefix(vid), vid, run_id=run_id, staging_uri=staging_uri,
                          blessing={**blessing, **(audit or {})}, metrics=metrics, lineage=lineage,
                          model_card=model_card, kind=kind, who=who, reason=reason, now=lambda: _iso(self.clock()),
                          checkpoint=self._checkpoint)

        self._checkpoint("before_pointer")
        pointer = {"version": vid, "uri": uri, "run_id": run_id, "promoted_at": _iso(self.clock()),
                   "previous": current, "kind": kind, "who": who, "reason": reason,
                   "micro_f1": (metrics.get("micro") or {}).get("f1"), **(audit or {})}
        self._move_pointer(pointer, etag, expected=current)
        self._checkpoint("before_history")
        self.record_decision(run_id, {**registry_history.promotion_entry(kind, vid, current, blessing, metrics,
                                                                         reason, who), **(audit or {})})
        log.info("champion: %s -> %s (%s)", current or "none", vid, kind)
        return {"version": vid, "uri": uri, "champion_uri": self.champion_uri, "previous": current,
                "already_done": False}

    def _own_version(self, run_id: str, vid: str, champ: dict[str, Any] | None,
                     staging_uri: str) -> tuple[str, bool, bool]:
        """(version id, complete, served) of this attempt. A version that is complete but never
        served (crash before the pointer moved, or a lost race) while this attempt trained other
        weights is not reused: a version id never names two models, so this attempt gets its own."""
        marker = self.marker(vid)
        served = self.served(vid, champ, self.history()) if marker is not None else False
        if marker is not None and not served and not holds_staging(self.store, marker, staging_uri):
            vid, marker = self._next_version_id(run_id, vid), None
        return vid, marker is not None, served

    def _move_pointer(self, pointer: dict[str, Any], etag: str | None, *, expected: str | None) -> None:
        """The one write that changes what serves: conditional on what we read before."""
        key = self._key(CHAMPION)
        try:
            self.store.put_conditional(key, json_bytes(pointer), etag)
        except PreconditionFailed:
            now = self.champion() or {}
            # A retried PUT whose first try succeeded (response lost) finds our own pointer.
            if now.get("version") == pointer["version"] and now.get("run_id") == pointer.get("run_id") \
                    and now.get("promoted_at") == pointer["promoted_at"]:
                return
            raise ChampionChanged(expected, now.get("version")) from None

    # -- rollback ---------------------------------------------------------------------------
    def rollback(self, version: str, *, reason: str, who: str) -> dict[str, Any]:
        """Point the champion at an earlier complete version (conditional write, recorded with
        who/why). Returns {"version", "previous", "changed"}; changed=False if it already is."""
        if not reason or not reason.strip():
            raise RegistryError("a rollback needs a reason")
        marker = self.marker(version)
        if marker is None:
            raise RegistryError(f"version {version} does not exist or is incomplete")
        champ, etag = self.champion_with_etag()
        current = champ.get("version") if champ else None
        if current == version:
            if champ.get("kind") == "rollback" and champ.get("op_id"):
                self.record_decision(None, {k: champ.get(k) for k in ("kind", "version", "previous", "who",
                                                                      "reason", "op_id")})
            return {"version": version, "previous": current, "changed": False}
        pointer = {"version": version, "uri": self.version_uri(version), "run_id": marker.get("run_id"),
                   "promoted_at": _iso(self.clock()), "previous": current, "kind": "rollback", "who": who,
                   "reason": reason, "micro_f1": marker.get("micro_f1"), "op_id": uuid.uuid4().hex}
        self._move_pointer(pointer, etag, expected=current)
        self.record_decision(None, {k: pointer[k] for k in ("kind", "version", "previous", "who", "reason", "op_id")})
        log.info("champion rolled back: %s -> %s by %s", current, version, who)
        return {"version": version, "previous": current, "changed": True}

    # -- pull -------------------------------------------------------------------------------
    def pull(self, version_or_champion: str, dest_dir: str | os.PathLike[str]) -> Path:
        """Download a complete version ("champion" = the current one) into dest_dir, each file's
        size and MD5 checked (registry_files.download); dest_dir/_COMPLETE.json says which version."""
        vid = version_or_champion
        if vid == "champion":
            champ = self.champion()
            if not champ:
                raise RegistryError("there is no champion yet")
            vid = champ["version"]
        marker = self.marker(vid)
        if marker is None:
            raise RegistryError(f"version {vid} does not exist or is incomplete")
        return download(self.store, self._vprefix(vid), vid, marker, Path(dest_dir))


def resolve_model(spec: str, settings: Any, tmp: str | os.PathLike[str]) -> tuple[Path, str]:
    """(model folder, model_version) for 'champion', a registry version id, or a local folder
    (a model folder, or a pulled version holding model/ and _COMPLETE.json); a registry
    version is pulled (checksums verified) into `tmp`."""
    path = Path(spec)
    if path.is_dir():
        marker = path / COMPLETE_MARKER
        version = json.loads(marker.read_text())["version"] if marker.is_file() else f"local:{path.resolve().name}"
        return (path / OutputPaths.MODEL if (path / OutputPaths.MODEL).is_dir() else path), version
    dest = Registry(ObjectStore(settings)).pull(spec, Path(tmp) / "version")
    return dest / OutputPaths.MODEL, json.loads((dest / COMPLETE_MARKER).read_text())["version"]

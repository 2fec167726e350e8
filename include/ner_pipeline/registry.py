"""The S3 model registry: immutable versions, one champion pointer, an append-only history.

Layout (under settings.storage.prefix):

    models/ner/versions/<v>/        model/ (weights + tokenizer), metrics.json (test metrics),
                                    blessing.json, lineage.json, model_card.md, and the trainer's
                                    metrics/config/run files as train_*.json; _COMPLETE.json last
    models/ner/champion.json        {"version", "uri", "run_id", "promoted_at", "previous", ...}
    models/ner/history.jsonl        one JSON object per decision / promotion / rollback
    models/ner/runs/<hash>.json     which version id a DAG run owns (so retries reuse it)

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

`gate_and_promote` is the loop the issue asks for when a promotion loses a race: re-score the
new champion, re-run the gate, try again. The version's blessing.json is the decision that built
the version; the decision that finally moved the pointer is in the history entry (its rules and
`gated_against`), which differs only when a lost race was re-gated.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from . import jsonl
from .layout import CHAMPION, COMPLETE_MARKER, HISTORY, VERSIONS, OutputPaths, VersionPaths, run_hash, run_map
from .safepath import local_path
from .storage import ObjectStore, PreconditionFailed, md5_hex

log = logging.getLogger(__name__)

STAGING_MARKER = OutputPaths.SUCCESS

# Trainer outputs keep their content but not their names where the registry writes its own.
STAGING_RENAMES = {OutputPaths.METRICS: "train_metrics.json", OutputPaths.CONFIG: "train_config.json",
                   OutputPaths.RUN: "train_run.json"}
GENERATED = (VersionPaths.METRICS, VersionPaths.BLESSING, VersionPaths.LINEAGE, VersionPaths.MODEL_CARD, COMPLETE_MARKER)

PROMOTION_KINDS = ("promotion", "forced_promotion")
HISTORY_ATTEMPTS = 10

_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


class RegistryError(RuntimeError):
    """The registry refused an operation (incomplete input, unknown version, unblessed model)."""


class ChampionChanged(RuntimeError):
    """The champion pointer moved between reading it and writing it: another writer won."""

    def __init__(self, expected: str | None, found: str | None) -> None:
        self.expected, self.found = expected, found
        super().__init__(f"champion changed under me: expected {expected or 'no champion'}, "
                         f"found {found or 'no champion'}")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


class Registry:
    """The registry over one ObjectStore (boto3; any S3 API with conditional writes).

    `hooks` maps a step name to a callable run at that point of a promotion; tests use it to
    inject crashes. Steps: "after_copy" (staging copied, generated files not yet written),
    "before_marker", "before_pointer", "before_history".
    """

    def __init__(self, store: ObjectStore, *, hooks: dict[str, Callable[[], None]] | None = None,
                 clock: Callable[[], datetime] = _utcnow) -> None:
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
        ever = self._ever_champion(self.history())
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
        return _parse_history(got[0]) if got else []

    @staticmethod
    def _ever_champion(history: list[dict[str, Any]]) -> set[str]:
        out: set[str] = set()
        for e in history:
            if e.get("kind") in PROMOTION_KINDS + ("rollback",) and e.get("version"):
                out.add(e["version"])
        return out

    # -- run -> version ---------------------------------------------------------------------
    def new_version_id(self, run_id: str) -> str:
        """The version id this run owns: `v<UTC yyyymmddThhmmssmmm>Z-<sha256(run_id)[:8]>`.

        Sorts by the time of the run's first promotion attempt and is unique per run; the first
        call stores it (If-None-Match), so every later call for the same run returns the same id.
        """
        key = self._key(run_map(run_id))
        existing = self.store.get_json(key)
        if existing:
            return existing["version"]
        now = self.clock()
        vid = f"v{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{run_hash(run_id)[:8]}"
        try:
            self.store.put_json(key, {"run_id": run_id, "version": vid, "created_at": _iso(self.clock())},
                                if_none_match=True)
        except PreconditionFailed:  # a concurrent attempt of the same run got there first
            return self.store.get_json(key)["version"]
        return vid

    def _next_version_id(self, run_id: str, current: str) -> str:
        """A new attempt's version id for this run (`<timestamp>Z-<hash>-a<n>`), recorded in the
        run map by a conditional write so every later call returns it."""
        key = self._key(run_map(run_id))
        got = self.store.get_with_etag(key)
        entry, etag = (json.loads(got[0]), got[1]) if got else ({"run_id": run_id, "version": current}, None)
        if entry.get("version") != current:  # another attempt moved it already
            return entry["version"]
        earlier = list(entry.get("earlier") or []) + [current]
        now = self.clock()
        vid = f"v{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{run_hash(run_id)[:8]}-a{len(earlier) + 1}"
        new = {"run_id": run_id, "version": vid, "created_at": _iso(now), "earlier": earlier}
        try:
            self.store.put_json(key, new, if_match=etag) if etag else self.store.put_json(key, new, if_none_match=True)
        except PreconditionFailed:
            return self.store.get_json(key)["version"]
        log.warning("version %s of run %s holds other weights than this attempt's staging: this attempt is %s",
                    current, run_id, vid)
        return vid

    def _holds_staging(self, vid: str, staging_uri: str) -> bool:
        """True when the complete version `vid` was copied from exactly these staging files
        (size + MD5 of each, under the names the registry gives them)."""
        marker = self.marker(vid) or {}
        recorded = {k: v for k, v in (marker.get("files") or {}).items() if k not in GENERATED}
        skey = self.store.key_of(staging_uri).rstrip("/") + "/"
        now: dict[str, Any] = {}
        for obj in self.store.list(skey):
            rel = obj["Key"][len(skey):]
            dst = STAGING_RENAMES.get(rel, rel)
            if not rel or rel.endswith("/") or rel == STAGING_MARKER or dst in GENERATED:
                continue
            now[dst] = self._checksum(obj["Key"])
        return now == recorded

    def version_for_run(self, run_id: str) -> str | None:
        got = self.store.get_json(self._key(run_map(run_id)))
        return got["version"] if got else None

    # -- history ----------------------------------------------------------------------------
    def record_decision(self, run_id: str | None, entry: dict[str, Any]) -> bool:
        """Append one event to history.jsonl; returns False if it was already recorded.

        Idempotent per (run_id, entry["kind"]) (per entry["op_id"] when given, e.g. rollbacks):
        a retried task never writes a second line. The append is a read + conditional PUT
        (If-Match on the ETag, If-None-Match for the first line), retried when another writer
        appended in between.
        """
        if "kind" not in entry:
            raise ValueError("a history entry needs a 'kind'")
        entry = {"ts": _iso(self.clock()), "run_id": run_id, **entry}
        line = jsonl.dump_line(entry, sort_keys=True, default=str)
        key = self._key(HISTORY)
        for attempt in range(HISTORY_ATTEMPTS):
            got = self.store.get_with_etag(key)
            data, etag = got if got else (b"", None)
            if any(_same_event(e, entry) for e in _parse_history(data)):
                return False
            if data and not data.endswith(b"\n"):
                data += b"\n"
            try:
                if etag:
                    self.store.put_bytes(key, data + line, content_type="application/x-ndjson", if_match=etag)
                else:
                    self.store.put_bytes(key, line, content_type="application/x-ndjson", if_none_match=True)
                return True
            except PreconditionFailed:
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise RuntimeError(f"could not append to {self.store.uri(key)} after {HISTORY_ATTEMPTS} attempts")

    # -- promotion --------------------------------------------------------------------------
    def promote(self, *, run_id: str, staging_uri: str, blessing: dict[str, Any], metrics: dict[str, Any],
                lineage: dict[str, Any], model_card: str | None = None, expected_champion: Any = ...,
                reason: str = "gate passed", who: str = "airflow", force: bool = False,
                audit: dict[str, Any] | None = None) -> dict[str, Any]:
        """Make the run's model a version and the champion; returns {"version", "uri", "champion_uri",
        "previous", "already_done"}.

        audit: who else took part (approval.attribution: `triggered_by`, `approval` with the
        reviewer, decision, time and comment); written into the pointer, the history entry and the
        version's blessing.json (the model card is the caller's: render it from that blessing).

        expected_champion: the champion version the gate compared against (None = there was none);
        if the pointer names anything else, ChampionChanged is raised before anything is copied,
        and the pointer write itself is conditional on the ETag read. `...` (default) accepts
        whatever champion is current when promote starts (still a conditional write).
        A blessing that did not pass is promoted only with force=True (or blessing["force_promote"],
        as the DAG's gate stamps it) and a reason; that is recorded as kind "forced_promotion".
        Re-running for the same run_id finishes a crashed attempt or returns already_done=True.
        """
        forced = not blessing.get("passed")
        if forced and not (force or blessing.get("force_promote")):
            raise RegistryError(f"run {run_id} did not pass the gate: {'; '.join(blessing.get('reasons', []))}")
        if forced and (not reason or reason == "gate passed"):
            raise RegistryError("a forced promotion needs a reason")
        kind = "forced_promotion" if forced else "promotion"
        vid = self.new_version_id(run_id)
        champ, etag = self.champion_with_etag()
        current = champ.get("version") if champ else None
        complete = self.marker(vid) is not None
        if complete and current != vid and vid not in self._ever_champion(self.history()) \
                and not self._holds_staging(vid, staging_uri):
            # The run's version is complete but never served (crash before the pointer moved, or
            # a lost race) and this attempt trained other weights: a version id never names two
            # models, so this attempt gets its own.
            vid = self._next_version_id(run_id, vid)
            complete = False
        uri = self.version_uri(vid)

        if complete and (current == vid or vid in self._ever_champion(self.history())):
            # Done before: at most the history line is missing (crash right after the pointer moved).
            if current == vid and champ.get("run_id") == run_id and champ.get("kind") in PROMOTION_KINDS:
                self._checkpoint("before_history")
                self.record_decision(run_id, {**self._promotion_entry(champ["kind"], vid, champ.get("previous"),
                                                                      blessing, metrics, reason, who), **(audit or {})})
            return {"version": vid, "uri": uri, "champion_uri": self.champion_uri,
                    "previous": (champ or {}).get("previous") if current == vid else None, "already_done": True}

        if expected_champion is not ... and expected_champion != current:
            raise ChampionChanged(expected_champion, current)
        if not complete:
            self._build_version(vid, run_id=run_id, staging_uri=staging_uri, blessing={**blessing, **(audit or {})},
                                metrics=metrics, lineage=lineage, model_card=model_card, kind=kind, who=who,
                                reason=reason)

        self._checkpoint("before_pointer")
        pointer = {"version": vid, "uri": uri, "run_id": run_id, "promoted_at": _iso(self.clock()),
                   "previous": current, "kind": kind, "who": who, "reason": reason,
                   "micro_f1": (metrics.get("micro") or {}).get("f1"), **(audit or {})}
        self._move_pointer(pointer, etag, expected=current)
        self._checkpoint("before_history")
        self.record_decision(run_id, {**self._promotion_entry(kind, vid, current, blessing, metrics, reason, who),
                                      **(audit or {})})
        log.info("champion: %s -> %s (%s)", current or "none", vid, kind)
        return {"version": vid, "uri": uri, "champion_uri": self.champion_uri, "previous": current,
                "already_done": False}

    def gate_and_promote(self, *, run_id: str, staging_uri: str, metrics: dict[str, Any], gate: Any,
                         rescore: Callable[[str], dict[str, Any]], lineage: dict[str, Any],
                         model_card: Callable[[dict[str, Any]], str] | None = None, who: str = "airflow",
                         max_attempts: int = 3, audit: dict[str, Any] | None = None) -> dict[str, Any]:
        """Gate against the current champion and promote; on ChampionChanged, re-score the new
        champion (`rescore(version) -> metrics` on the same test records) and gate again.

        Returns {"promoted": bool, "blessing", ...promote()'s result when promoted}. A rejection is
        recorded in the history (kind "rejection", every rule's outcome).
        """
        from .evaluate.gate import decide, decision_entry

        done = self._already_promoted(run_id)
        if done:
            return {"promoted": True, "blessing": self.version(done)["blessing"], "version": done,
                    "uri": self.version_uri(done), "champion_uri": self.champion_uri, "already_done": True}
        for attempt in range(1, max_attempts + 1):
            champ = self.champion()
            cv = champ["version"] if champ else None
            blessing = {**decide(metrics, gate, rescore(cv) if cv else None, champion_version=cv), **(audit or {})}
            if not blessing["passed"]:
                self.record_decision(run_id, {**decision_entry(blessing), "kind": "rejection", "who": who,
                                              **(audit or {})})
                return {"promoted": False, "blessing": blessing}
            try:
                result = self.promote(run_id=run_id, staging_uri=staging_uri, blessing=blessing, metrics=metrics,
                                      lineage=lineage, model_card=model_card(blessing) if model_card else None,
                                      expected_champion=cv, who=who, audit=audit)
                return {"promoted": True, "blessing": blessing, **result}
            except ChampionChanged as exc:
                if attempt == max_attempts:
                    raise
                log.warning("%s; re-running the gate against the new champion (attempt %d)", exc, attempt + 1)
        raise AssertionError("unreachable")

    def _already_promoted(self, run_id: str) -> str | None:
        vid = self.version_for_run(run_id)
        if vid and self.marker(vid) is not None:
            champ = self.champion() or {}
            if champ.get("version") == vid or vid in self._ever_champion(self.history()):
                return vid
        return None

    def _promotion_entry(self, kind: str, vid: str, previous: str | None, blessing: dict[str, Any],
                         metrics: dict[str, Any], reason: str, who: str) -> dict[str, Any]:
        return {"kind": kind, "version": vid, "previous": previous, "reason": reason, "who": who,
                "micro_f1": (metrics.get("micro") or {}).get("f1"), "passed": bool(blessing.get("passed")),
                "gated_against": blessing.get("champion_version"), "reasons": blessing.get("reasons", []),
                "rules": [{k: r.get(k) for k in ("rule", "label", "value", "threshold", "outcome", "action")}
                          for r in blessing.get("rules", [])]}

    def _move_pointer(self, pointer: dict[str, Any], etag: str | None, *, expected: str | None) -> None:
        """The one write that changes what serves: conditional on what we read before."""
        key = self._key(CHAMPION)
        try:
            if etag:
                self.store.put_json(key, pointer, if_match=etag)
            else:
                self.store.put_json(key, pointer, if_none_match=True)
        except PreconditionFailed:
            now = self.champion() or {}
            # A retried PUT whose first try succeeded (response lost) finds our own pointer.
            if now.get("version") == pointer["version"] and now.get("run_id") == pointer.get("run_id") \
                    and now.get("promoted_at") == pointer["promoted_at"]:
                return
            raise ChampionChanged(expected, now.get("version")) from None

    def _build_version(self, vid: str, *, run_id: str, staging_uri: str, blessing: dict[str, Any],
                       metrics: dict[str, Any], lineage: dict[str, Any], model_card: str | None,
                       kind: str, who: str, reason: str) -> None:
        """Copy staging, write the generated files, verify all, write the marker last."""
        from .modelcard import render

        skey = self.store.key_of(staging_uri).rstrip("/") + "/"
        if not self.store.exists(skey + STAGING_MARKER):
            raise RegistryError(f"staging {staging_uri} has no {STAGING_MARKER}: the trainer did not finish")
        prefix = self._vprefix(vid)
        files: dict[str, dict[str, Any]] = {}

        for obj in self.store.list(skey):
            rel = obj["Key"][len(skey):]
            if not rel or rel.endswith("/") or rel == STAGING_MARKER:
                continue
            dst = STAGING_RENAMES.get(rel, rel)
            if dst in GENERATED:
                continue  # the registry's own file of that name wins
            self.store.copy(obj["Key"], prefix + dst)
            src_sum = self._checksum(obj["Key"])
            if self._checksum(prefix + dst) != src_sum:
                raise RegistryError(f"copy of {rel} into {vid} does not match its source (size/MD5)")
            files[dst] = src_sum
        if not any(name.startswith(OutputPaths.MODEL + "/") for name in files):
            raise RegistryError(f"staging {staging_uri} holds no model/ folder")
        self._checkpoint("after_copy")

        stored_blessing = dict(blessing)
        if kind == "forced_promotion":
            # forced by whoever asked for it (the run's trigger, or the CLI user); approved by `who`
            stored_blessing["forced"] = {"who": blessing.get("triggered_by") or who, "reason": reason}
        generated = {
            VersionPaths.METRICS: _json_bytes(metrics),
            VersionPaths.BLESSING: _json_bytes(stored_blessing),
            VersionPaths.LINEAGE: _json_bytes({**lineage, "version": vid, "run_id": lineage.get("run_id") or run_id,
                                         "staging_uri": staging_uri}),
            VersionPaths.MODEL_CARD: (model_card if model_card is not None
                              else render(metrics=metrics, blessing=stored_blessing, lineage=lineage, version=vid)
                              ).encode("utf-8"),
        }
        for name, data in generated.items():
            ctype = "text/markdown" if name.endswith(".md") else "application/json"
            self.store.put_bytes(prefix + name, data, content_type=ctype)
            expected = {"size": len(data), "md5": md5_hex(data)}
            if self._checksum(prefix + name) != expected:
                raise RegistryError(f"{name} in {vid} does not read back as written (size/MD5)")
            files[name] = expected

        # Leftovers of an earlier attempt from a different staging content do not belong here.
        for obj in list(self.store.list(prefix)):
            rel = obj["Key"][len(prefix):]
            if rel not in files and rel != COMPLETE_MARKER:
                self.store.client.delete_object(Bucket=self.store.bucket, Key=obj["Key"])

        self._checkpoint("before_marker")
        marker = {"version": vid, "run_id": run_id, "created_at": _iso(self.clock()), "kind": kind,
                  "passed": bool(blessing.get("passed")), "micro_f1": (metrics.get("micro") or {}).get("f1"),
                  "staging_uri": staging_uri, "files": dict(sorted(files.items()))}
        try:
            self.store.put_json(prefix + COMPLETE_MARKER, marker, if_none_match=True)
        except PreconditionFailed:
            pass  # a concurrent attempt of this same run completed it: versions are immutable

    def _checksum(self, key: str) -> dict[str, Any]:
        """{"size", "md5"} of a stored object. A single-part ETag is the MD5 (also with SSE-S3);
        multipart and SSE-KMS ETags are not, so then the object is read and hashed."""
        head = self.store.head(key)
        if head is None:
            raise RegistryError(f"{self.store.uri(key)} is missing")
        etag = head["ETag"].strip('"')
        if re.fullmatch(r"[0-9a-f]{32}", etag) and self.store.settings.storage.sse != "aws:kms":
            return {"size": head["ContentLength"], "md5": etag}
        h, size = hashlib.md5(usedforsecurity=False), 0
        for chunk in self.store.client.get_object(Bucket=self.store.bucket, Key=key)["Body"].iter_chunks(1 << 20):
            h.update(chunk)
            size += len(chunk)
        return {"size": size, "md5": h.hexdigest()}

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
        """Download a complete version ("champion" = the current one) into dest_dir, checking
        every file's size and MD5 against the marker; dest_dir/_COMPLETE.json says which version.

        Downloads into a sibling folder first, so dest_dir is either the old content or the new.
        An existing dest_dir is replaced only if empty or itself a pulled version.
        """
        vid = version_or_champion
        if vid == "champion":
            champ = self.champion()
            if not champ:
                raise RegistryError("there is no champion yet")
            vid = champ["version"]
        marker = self.marker(vid)
        if marker is None:
            raise RegistryError(f"version {vid} does not exist or is incomplete")
        dest = Path(dest_dir)
        if dest.exists() and any(dest.iterdir()) and not (dest / COMPLETE_MARKER).exists():
            raise FileExistsError(f"{dest} exists and is not a pulled model version")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{dest.name}.partial-{uuid.uuid4().hex[:8]}"
        try:
            prefix = self._vprefix(vid)
            for rel, want in marker["files"].items():
                path = local_path(tmp, rel)  # the marker's names are stored data: never leave tmp
                path.parent.mkdir(parents=True, exist_ok=True)
                h, size = hashlib.md5(usedforsecurity=False), 0
                body = self.store.client.get_object(Bucket=self.store.bucket, Key=prefix + rel)["Body"]
                with open(path, "wb") as fh:
                    for chunk in body.iter_chunks(1 << 20):
                        fh.write(chunk)
                        h.update(chunk)
                        size += len(chunk)
                if {"size": size, "md5": h.hexdigest()} != want:
                    raise RegistryError(f"{rel} of {vid} does not match its recorded size/MD5")
            (tmp / COMPLETE_MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True))
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return dest


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


def _json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _parse_history(data: bytes) -> list[dict[str, Any]]:
    return [e for e in jsonl.load_lines(data, skip_bad=True) if isinstance(e, dict)]


def _same_event(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if b.get("op_id"):
        return a.get("op_id") == b["op_id"]
    return b.get("run_id") is not None and a.get("run_id") == b["run_id"] and a.get("kind") == b["kind"]

"""Where every object lives: the one module that spells an object-store key.

Keys are relative to settings.storage.prefix (ObjectStore.key / Settings.uri add it); folders
have no trailing "/". The incoming prefixes are settings (sources.*_prefix), not layout.

    state/processed.json              consumed incoming files by content hash (discovery.py)
    state/last_run.json               the last run's summary URI
    datasets/latest.json              the latest complete snapshot (snapshots.py)
    datasets/<id>/                    train|validation|test.jsonl; manifest.json last
    validation/<rk>/                  report.json (last), audit.jsonl, data_docs/
    quarantine/<rk>/quarantine.jsonl
    runs/<rk>/                        accepted.jsonl, train/ (trainer output), evaluation/,
                                      gate/blessing.json, approval/request.json, summary.json
    models/ner/                       the registry (registry.py): versions/<v>/, champion.json,
                                      history.jsonl, runs/<hash>.json

<rk> is run_key(run_id), <id> a snapshot id (the building run's key).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

STATE = "state"
PROCESSED = f"{STATE}/processed.json"
LAST_RUN = f"{STATE}/last_run.json"
PROBE_PREFIX = f"{STATE}/conditional-write-probe/"
INCOMING = "incoming"  # the parent of the default incoming prefixes (the watcher's one Asset)
DATASETS = "datasets"
LATEST_SNAPSHOT = f"{DATASETS}/latest.json"
VALIDATION = "validation"
QUARANTINE = "quarantine"
RUNS = "runs"
REGISTRY = "models/ner"
CHAMPION = f"{REGISTRY}/champion.json"
HISTORY = f"{REGISTRY}/history.jsonl"
VERSIONS = f"{REGISTRY}/versions"
REGISTRY_RUNS = f"{REGISTRY}/runs"

# -- run ids as key segments --------------------------------------------------------------

_RUN_KEY_SAFE = re.compile(r"[A-Za-z0-9_.-]")
_RUN_KEY_RE = re.compile(r"(?:[A-Za-z0-9_.-]|~[0-9a-f]{2})+")


def run_key(run_id: str) -> str:
    """The key segment of a run id: [A-Za-z0-9_.-] as they are, every other character as ~XX
    per UTF-8 byte ('~' itself too), so different run ids never share keys (retrain:1,
    retrain+1 and retrain-1 stay apart). '', '.' and '..' are refused: they are no segment."""
    if run_id in ("", ".", ".."):
        raise ValueError(f"not a usable run id: {run_id!r}")
    return "".join(ch if _RUN_KEY_SAFE.match(ch) else "".join(f"~{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
                   for ch in run_id)


def run_keys(run_id_or_key: str) -> list[str]:
    """The key segments a name a person typed may mean: the run id's key first, then the name
    itself when it already is a run key (`runs/<key>/` pasted from a listing)."""
    out = [run_key(run_id_or_key)]
    if _RUN_KEY_RE.fullmatch(run_id_or_key) and run_id_or_key not in out and run_id_or_key not in (".", ".."):
        out.append(run_id_or_key)
    return out


def run_hash(run_id: str) -> str:
    return hashlib.sha256(run_id.encode("utf-8")).hexdigest()


# -- one DAG run ----------------------------------------------------------------------------

class RunPaths:
    """Every key one DAG run writes. `RunPaths(run_id)`; `RunPaths.for_key(rk)` when only the
    key segment is known (a pasted run key, an Airflow template)."""

    def __init__(self, run_id: str) -> None:
        self.rk = run_key(run_id)

    @classmethod
    def for_key(cls, rk: str) -> RunPaths:
        paths = cls.__new__(cls)
        paths.rk = rk
        return paths

    @classmethod
    def candidates(cls, run_id_or_key: str) -> list[RunPaths]:
        """What a typed name may mean (run_keys), most likely first."""
        return [cls.for_key(rk) for rk in run_keys(run_id_or_key)]

    # validation/<rk>/ and quarantine/<rk>/ (outside runs/: the UI reads one, never the other)
    @property
    def validation(self) -> str:
        return f"{VALIDATION}/{self.rk}"

    @property
    def validation_report(self) -> str:
        return f"{self.validation}/report.json"

    @property
    def validation_audit(self) -> str:
        return f"{self.validation}/audit.jsonl"

    @property
    def data_docs(self) -> str:
        return f"{self.validation}/data_docs"

    @property
    def data_docs_index(self) -> str:
        return f"{self.data_docs}/index.html"

    @property
    def quarantine(self) -> str:
        return f"{QUARANTINE}/{self.rk}/quarantine.jsonl"

    # runs/<rk>/
    @property
    def root(self) -> str:
        return f"{RUNS}/{self.rk}"

    @property
    def accepted(self) -> str:
        return f"{self.root}/accepted.jsonl"

    @property
    def train(self) -> str:
        """The trainer's output folder (OutputPaths names its files)."""
        return f"{self.root}/train"

    @property
    def evaluation(self) -> str:
        return f"{self.root}/evaluation"

    @property
    def metrics(self) -> str:
        return f"{self.evaluation}/metrics.json"

    @property
    def champion_metrics(self) -> str:
        return f"{self.evaluation}/champion_metrics.json"

    @property
    def confusion(self) -> str:
        return f"{self.evaluation}/confusion.json"

    @property
    def model_files(self) -> str:
        return f"{self.evaluation}/model_files.json"

    @property
    def blessing(self) -> str:
        return f"{self.root}/gate/blessing.json"

    @property
    def approval_request(self) -> str:
        return f"{self.root}/approval/request.json"

    @property
    def summary(self) -> str:
        return f"{self.root}/summary.json"


# -- folders whose root may be anywhere (a key from a URI, a local path) ----------------------

MANIFEST = "manifest.json"


def split_file(split: str) -> str:
    return f"{split}.jsonl"


@dataclass(frozen=True)
class SnapshotPaths:
    """A dataset snapshot folder. `SnapshotPaths.of(id)` is datasets/<id> under the prefix;
    `SnapshotPaths(root)` any folder holding one (a full key read from a URI, a local path)."""

    root: str

    @classmethod
    def of(cls, snapshot_id: str) -> SnapshotPaths:
        return cls(f"{DATASETS}/{snapshot_id}")

    @property
    def manifest(self) -> str:
        return f"{self.root}/{MANIFEST}"

    def split(self, name: str) -> str:
        return f"{self.root}/{split_file(name)}"


class _In:
    """One file of a folder class: read on an instance, its key under the folder's root."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, folder: object, owner: type | None = None) -> str:
        return f"{folder.root}/{self.name}"  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutputPaths:
    """The trainer's output folder (docs/CONTRACTS.md, "Trainer output"): runs/<rk>/train, or
    wherever --output points. _SUCCESS is written last."""

    SUCCESS = "_SUCCESS"
    MODEL = "model"
    METRICS = "metrics.json"
    CONFIG = "config.json"
    RUN = "run.json"

    root: str

    success = _In(SUCCESS)
    model = _In(MODEL)
    metrics = _In(METRICS)
    config = _In(CONFIG)
    run = _In(RUN)


# -- the registry -------------------------------------------------------------------------

COMPLETE_MARKER = "_COMPLETE.json"


def run_map(run_id: str) -> str:
    """Which version id a DAG run owns (registry.py)."""
    return f"{REGISTRY_RUNS}/{run_hash(run_id)[:32]}.json"


@dataclass(frozen=True)
class VersionPaths:
    """One registry version folder: the trainer's files (model/, train_*.json), the registry's
    own (these names), _COMPLETE.json last."""

    METRICS = "metrics.json"
    BLESSING = "blessing.json"
    LINEAGE = "lineage.json"
    MODEL_CARD = "model_card.md"

    version: str

    @property
    def root(self) -> str:
        return f"{VERSIONS}/{self.version}"

    def file(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    marker = _In(COMPLETE_MARKER)
    metrics = _In(METRICS)
    model_card = _In(MODEL_CARD)


# -- incoming -----------------------------------------------------------------------------

def incoming_file(prefix: str, name: str) -> str:
    """A file under an incoming prefix (a setting: sources.<source>_prefix)."""
    return f"{prefix.strip('/')}/{name}"


def synthetic_batch(prefix: str, run_id: str, seed: int, n: int) -> str:
    """The generated batch of one run (same run, seed and size: same name, so retries overwrite)."""
    return incoming_file(prefix, f"synth-{run_key(run_id)}-seed{seed}-n{n}.jsonl")

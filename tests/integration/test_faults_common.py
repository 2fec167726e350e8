"""Shared helpers for the fault-injection tests (tests/integration/test_faults_*.py); no tests here.

Faults are injected into real components: a SeaweedFS of the test's own (stopped and restarted
on the same data dir and ports), the real trainer subprocess, the real stage functions of
include/ner_pipeline/stages.py (the DAG's task bodies) and the real registry. Records are tiny
hand-built transcripts (no generator), the model is the 2-layer `tiny:` BERT, trained once per
test process into a local folder and staged from there where a test does not test training itself.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest
from buckets import drop_bucket

from ner_pipeline.config import Settings, load_settings
from ner_pipeline.localstore import LocalStore, find_free_base
from ner_pipeline.records import Record, Span
from ner_pipeline.storage import ObjectStore

DAG_ID = "ner_retraining"
NER_CLI = str(Path(sys.executable).with_name("ner-pipeline"))

# A gate every model passes (the tiny model learns little in one epoch).
PERMISSIVE_GATE = ["gate.micro_f1_min=-1", "gate.default_label={min_f1: 0.0, action: warn}", "gate.labels={}",
                   "gate.min_support=0", "gate.max_micro_drop=1", "gate.max_label_drop=1",
                   "gate.serving_agreement_min=0"]
TINY_TRAINING = ["training.base_model=tiny", "training.epochs=1", "training.max_length=128", "training.stride=32",
                 "training.batch_size=8", "training.eval_batch_size=8"]

NAMES = ["Grace", "Peace", "Otieno", "Hassani", "Juma", "Halima", "Zawadi", "Wanjiru", "Achieng", "Baraka"]
VICTIMS = ["Amani", "Neema", "Imani", "Tumaini", "Faraja", "Upendo", "Subira", "Rehema"]
PLACES = ["Kondoa, Dodoma", "Kisumu", "Mwanza", "Geita", "Arusha", "Mkalama, Singida", "Moshi"]
PERPS = ["stepfather", "uncle Musa", "teacher", "neighbour"]
INCIDENTS = ["child labour", "early marriage", "bullying", "neglect"]
AGES = ["nine", "14", "twelve", "seven"]


def make_record(tag: str, i: int, rng: random.Random, source: str = "synthetic") -> Record:
    """A short labelled helpline-like transcript; `tag` + `i` make its text unique."""
    text, spans = "", []

    def say(s: str) -> None:
        nonlocal text
        text += s

    def ent(s: str, label: str) -> None:
        spans.append(Span(len(text), len(text) + len(s), label))
        say(s)

    say(f"Call {tag} {i}. My name is "); ent(rng.choice(NAMES), "NAME"); say(" from "); ent(rng.choice(PLACES), "LOCATION")
    say(". The "); ent(rng.choice(["girl", "boy"]), "GENDER"); say(" "); ent(rng.choice(VICTIMS), "VICTIM")
    say(" is "); ent(rng.choice(AGES), "AGE"); say(" and suffers "); ent(rng.choice(INCIDENTS), "INCIDENT_TYPE")
    say(" because of the "); ent(rng.choice(PERPS), "PERPETRATOR"); say(". Please help.")
    return Record(f"{tag}-{i}", text, spans, source=source)


def make_records(tag: str, n: int, seed: int = 1, source: str = "synthetic") -> list[Record]:
    rng = random.Random(f"{tag}:{seed}")
    return [make_record(tag, i, rng, source) for i in range(n)]


def jsonl(records: list[Record]) -> bytes:
    return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records).encode()


def settings_for(endpoint: str, bucket: str, *extra: str) -> Settings:
    """Settings for one bucket (credentials come from the environment, never from here)."""
    return load_settings("local", overrides=[f"storage.endpoint_url={endpoint}", f"storage.bucket={bucket}",
                                             *PERMISSIVE_GATE, *TINY_TRAINING, *extra], environ={})


def train_overrides(settings: Settings) -> list[str]:
    """What train_local passes to the trainer subprocess so it sees the same store and model."""
    return [f"storage.endpoint_url={settings.storage.endpoint_url}", f"storage.bucket={settings.storage.bucket}",
            *TINY_TRAINING]


def new_bucket(endpoint: str, *extra: str) -> tuple[Settings, ObjectStore]:
    settings = settings_for(endpoint, "f-" + uuid.uuid4().hex[:12], *extra)
    store = ObjectStore(settings)
    store.ensure_bucket()
    return settings, store


def put_incoming(store: ObjectStore, name: str, records: list[Record], source: str = "synthetic") -> str:
    prefix = store.settings.sources.synthetic_prefix if source == "synthetic" else store.settings.sources.real_prefix
    key = store.key(prefix, name)
    store.put_bytes(key, jsonl(records))
    return key


# -- a trained tiny model, once per session -------------------------------------------------------

_TRAINED: dict[str, Path] = {}


def trained_model(tmp_root: Path) -> Path:
    """A finished trainer output folder (model/, metrics.json, ..., _SUCCESS), trained once."""
    if "dir" not in _TRAINED:
        from ner_pipeline.snapshots import manifest_for
        from ner_pipeline.split import split_records, to_jsonl

        snap = tmp_root / "cached-snapshot"
        snap.mkdir(parents=True, exist_ok=True)
        splits = split_records(make_records("cache", 40), load_settings("local", environ={}).split)
        files = {f"{s}.jsonl": to_jsonl(r) for s, r in splits.items()}
        for name, data in files.items():
            (snap / name).write_bytes(data)
        (snap / "manifest.json").write_text(json.dumps(manifest_for("cached", splits, files, {})))
        out = tmp_root / "cached-train"
        args = [NER_CLI, "train", "--profile", "local", "--dataset", str(snap), "--output", str(out)]
        for item in TINY_TRAINING:
            args += ["--set", item]
        env = {k: v for k, v in os.environ.items() if not k.startswith("NER")}
        proc = subprocess.run(args, env={**env, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        _TRAINED["dir"] = out
    return _TRAINED["dir"]


def stage_model(store: ObjectStore, run_id: str, model_dir: Path) -> dict[str, Any]:
    """Publish a trainer output folder where train would have (what train_local returns, in short)."""
    from ner_pipeline.stages import train_output_uri

    uri = train_output_uri(store.settings, run_id)
    store.delete_prefix(store.key_of(uri))
    store.upload_dir(model_dir, store.key_of(uri))  # _SUCCESS last
    return {"output_uri": uri}


# -- registry / dataset state, for before/after comparisons -----------------------------------------

STATE_PREFIXES = ("models/ner/", "state/", "datasets/")


def durable_state(store: ObjectStore) -> dict[str, bytes]:
    """Every object a later run or a reader trusts: registry (versions, pointer, history, run map),
    consumed-file state, dataset snapshots and their pointer. Byte for byte."""
    out = {}
    for prefix in STATE_PREFIXES:
        for obj in store.list(store.key(prefix)):
            out[obj["Key"]] = store.get_bytes(obj["Key"])
    return out


def history(store: ObjectStore) -> list[dict[str, Any]]:
    got = store.get_with_etag(store.key("models/ner/history.jsonl"))
    return [json.loads(line) for line in got[0].decode().splitlines() if line.strip()] if got else []


def consumed(store: ObjectStore) -> dict[str, Any]:
    return (store.get_json(store.key("state/processed.json")) or {}).get("files", {})


# -- a store of the test's own, which tests stop and restart ------------------------------------------

class Outage:
    """Stops the object store right before the first matching ObjectStore call (the call itself
    then fails as it would against a store that went away), and restarts it on the same data."""

    METHODS = ("put_bytes", "get_bytes", "get_with_etag", "copy", "head", "delete_prefix")

    def __init__(self, local: LocalStore) -> None:
        self.local = local
        self.fired: str | None = None
        self._saved: dict[str, Callable] = {}

    def arm(self, method: str, when: Callable[[str], bool], *, after: int = 0) -> "Outage":
        """Stop the store at the (after+1)-th call of ObjectStore.<method> whose key matches."""
        assert method in self.METHODS
        original = getattr(ObjectStore, method)
        self._saved[method] = original
        seen = [0]
        outage = self

        def wrapper(store_self, key, *args, **kwargs):
            target = args[0] if method == "copy" else key  # copy(src, dst): match the destination
            if outage.fired is None and when(target):
                seen[0] += 1
                if seen[0] > after:
                    outage.fired = f"{method} {target}"
                    outage.local.stop()
            return original(store_self, key, *args, **kwargs)

        setattr(ObjectStore, method, wrapper)
        return self

    def disarm(self) -> None:
        for method, original in self._saved.items():
            setattr(ObjectStore, method, original)
        self._saved.clear()

    def restart(self) -> None:
        self.disarm()
        self.fired = None
        self.local.start(timeout=90)
        wait_serving(self.local)


def wait_serving(local: LocalStore, timeout: float = 60.0) -> None:
    """The S3 port answers before the volumes are back: wait until a write and a read work."""
    import time

    import boto3
    from botocore.config import Config

    creds = local.credentials()
    client = boto3.client("s3", endpoint_url=local.endpoint, region_name="us-east-1",
                          aws_access_key_id=creds["AWS_ACCESS_KEY_ID"], aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                          config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5))
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            try:
                client.head_bucket(Bucket="ready-probe")
            except client.exceptions.ClientError:
                client.create_bucket(Bucket="ready-probe")
            client.put_object(Bucket="ready-probe", Key="probe", Body=b"ok")
            if client.get_object(Bucket="ready-probe", Key="probe")["Body"].read() == b"ok":
                return
        except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
            last = exc
        time.sleep(0.3)
    raise TimeoutError(f"SeaweedFS at {local.endpoint} did not serve reads and writes again: {last}")


@pytest.fixture(scope="module")
def own_store(tmp_path_factory, monkeypatch_module, seaweed):
    """A SeaweedFS only this module uses (the session's shared one must never be stopped), with
    the shared one's keys: boto3's default session caches the first credentials it resolves."""
    local = LocalStore(tmp_path_factory.mktemp("faults-seaweed") / "data", port=find_free_base())
    local.env_file.write_text(seaweed.env_file.read_text())
    local.env_file.chmod(0o600)
    local.start(timeout=90)
    for k, v in local.credentials().items():
        monkeypatch_module.setenv(k, v)
    yield local
    local.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture()
def outage(own_store):
    o = Outage(own_store)
    yield o
    o.disarm()
    if not own_store.running():
        own_store.start(timeout=90)


# -- driving the stages the way the DAG does -----------------------------------------------------------

def prepare_run(settings: Settings, store: ObjectStore, run_id: str, model_dir: Path, *, tag: str,
                n: int = 20) -> dict[str, Any]:
    """discover -> validate -> build_snapshot -> (staged model) -> evaluate -> gate for one new file
    of n records (texts unique per tag); returns every task's XCom value, as the DAG holds them."""
    from ner_pipeline import stages

    put_incoming(store, f"batch-{tag}.jsonl", make_records(tag, n))
    x: dict[str, Any] = {"discovered": stages.discover(settings, run_id, ["synthetic", "real"])}
    x["validated"] = stages.validate(settings, run_id, x["discovered"])
    x["snapshot"] = stages.build_snapshot(settings, run_id, x["validated"])
    x["trained"] = stage_model(store, run_id, model_dir)
    x["evaluation"] = stages.evaluate(settings, run_id, x["snapshot"]["dataset_uri"], x["trained"])
    x["decision"] = stages.gate(settings, run_id, x["evaluation"])
    return x


def promote_run(settings: Settings, run_id: str, x: dict[str, Any]) -> dict[str, Any]:
    from ner_pipeline import stages

    return stages.promote(settings, run_id, snapshot=x["snapshot"], train_result=x["trained"],
                          evaluation=x["evaluation"], decision=x["decision"], dag_id=DAG_ID)


def snapshot_is_complete(store: ObjectStore, uri: str) -> bool:
    """A manifest, and every split file matching the sha256 the manifest lists."""
    import hashlib

    prefix = store.key_of(uri).rstrip("/")
    manifest = store.get_json(prefix + "/manifest.json")
    if not manifest:
        return False
    for name, meta in manifest["files"].items():
        got = store.get_with_etag(f"{prefix}/{name}")
        if got is None or hashlib.sha256(got[0]).hexdigest() != meta["sha256"]:
            return False
    return True


def put_snapshot(store: ObjectStore, snapshot_id: str, records: list[Record]) -> str:
    """A complete dataset snapshot as build_snapshot writes it (manifest last); returns its URI."""
    from ner_pipeline.snapshots import manifest_for
    from ner_pipeline.split import SPLITS, split_records, to_jsonl

    splits = split_records(records, store.settings.split)
    files = {f"{s}.jsonl": to_jsonl(splits[s]) for s in SPLITS}
    prefix = store.key("datasets", snapshot_id)
    for name, data in files.items():
        store.put_bytes(f"{prefix}/{name}", data)
    store.put_json(f"{prefix}/manifest.json", manifest_for(snapshot_id, splits, files, {"run_id": snapshot_id}))
    return store.uri(prefix + "/")


@pytest.fixture()
def shared_bucket(seaweed, monkeypatch):
    """A fresh bucket on the session's SeaweedFS (never stopped, the bucket dropped afterwards);
    credentials via the environment."""
    for k, v in seaweed.credentials().items():
        monkeypatch.setenv(k, v)
    settings, store = new_bucket(seaweed.endpoint)
    yield settings, store
    drop_bucket(store)

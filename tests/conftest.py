"""Shared fixtures: a real SeaweedFS on free 127.0.0.1 ports, and settings pointing at it."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from ner_pipeline.config import Settings, load_settings
from ner_pipeline.localstore import LocalStore, find_free_base

from buckets import drop_bucket

REPO = Path(__file__).resolve().parents[1]
SESSION_VOLUMES = 40  # far more than the buckets alive at once; far fewer than the suite creates


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory) -> LocalStore:
    """One real SeaweedFS for the whole test session (its own ports and data dir).

    Its volume slots are fixed, so a bucket a test leaves behind fails the suite the same way on
    every machine, not only where the disk is small (see buckets.py)."""
    store = LocalStore(tmp_path_factory.mktemp("seaweed") / "data", port=find_free_base(), max_volumes=SESSION_VOLUMES)
    store.start(timeout=90)
    yield store
    store.stop()


@pytest.fixture()
def s3_settings(seaweed, monkeypatch) -> Settings:
    """Settings for a fresh bucket on the session's SeaweedFS (dropped afterwards); credentials via the environment."""
    for k, v in seaweed.credentials().items():
        monkeypatch.setenv(k, v)
    bucket = "t-" + uuid.uuid4().hex[:12]
    settings = load_settings(
        "local",
        overrides=[f"storage.endpoint_url={seaweed.endpoint}", f"storage.bucket={bucket}"],
        environ={k: v for k, v in os.environ.items() if not k.startswith("NER")},
    )
    from ner_pipeline.storage import ObjectStore

    store = ObjectStore(settings)
    store.ensure_bucket()
    yield settings
    drop_bucket(store)


@pytest.fixture()
def store(s3_settings):
    from ner_pipeline.storage import ObjectStore

    return ObjectStore(s3_settings)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A saved random-init tiny BERT folder (packaged tokenizer, 32-token windows)."""
    import json

    import torch

    from ner_pipeline.tokens.inference import INFERENCE_FILE
    from ner_pipeline.train.model_loading import load_base_model

    torch.manual_seed(0)
    model, tokenizer, _ = load_base_model("tiny:")
    path = tmp_path_factory.mktemp("tiny") / "my-model"
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    (path / INFERENCE_FILE).write_text(json.dumps({"max_length": 32, "stride": 8}))
    return path


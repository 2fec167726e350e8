"""Incoming files that change or disappear while a run is processing them.

An S3 GET returns one whole version of an object, so "changed while being read" means replaced
between two reads of the same run (discovery hashes it, validation reads it again, the snapshot
marks it consumed). The rule: what is validated is what is marked consumed, by the hash of the
bytes actually read; anything else stays new for the next run. A file deleted before validation
is skipped with a warning, listed in the run's summary, and not marked (decision: one withdrawn
file must not fail the whole night's data; if it comes back it is picked up).
"""

from __future__ import annotations

import logging

import pytest

from ner_pipeline import stages
from ner_pipeline.ingest import file_sha256 as sha256
from ner_pipeline.storage import ObjectStore, Reading
from test_faults_common import consumed, jsonl, make_records, put_incoming, shared_bucket  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOURCES = ["synthetic", "real"]
RUN = "scheduled__2026-05-01T02:00:00+00:00"
NEXT = "scheduled__2026-05-02T02:00:00+00:00"


def _identity(counts: dict) -> bool:
    return counts["accepted"] + counts["repaired"] + counts["quarantined"] == counts["records_read"]


def test_file_replaced_between_discovery_and_validation(shared_bucket, caplog):
    settings, store = shared_bucket
    key = put_incoming(store, "batch.jsonl", make_records("old", 10))
    discovered = stages.discover(settings, RUN, SOURCES)
    new_bytes = jsonl(make_records("new", 12))
    store.put_bytes(key, new_bytes)  # the uploader replaces it before validation reads it

    with caplog.at_level(logging.WARNING, logger="ner_pipeline.stages"):
        validated = stages.validate(settings, RUN, discovered)
    assert "changed since discovery" in caplog.text and key in caplog.text
    assert validated["counts"]["records_read"] == 12 and _identity(validated["counts"])
    assert validated["files"][0]["sha256"] == sha256(new_bytes) != discovered["files"][0]["sha256"]

    snap = stages.build_snapshot(settings, RUN, validated)
    assert sum(snap["counts"].values()) == 12
    assert list(consumed(store)) == [sha256(new_bytes)]  # the hash of what was validated
    assert stages.discover(settings, NEXT, SOURCES)["n_files"] == 0


def test_file_replaced_right_after_validation_read_it(shared_bucket, monkeypatch):
    settings, store = shared_bucket
    key = put_incoming(store, "batch.jsonl", make_records("v1", 10))
    discovered = stages.discover(settings, RUN, SOURCES)
    v1 = store.get_bytes(key)
    v2 = jsonl(make_records("v2", 8))
    original_put = ObjectStore.put_bytes

    def read_then_replace(original):
        def read(self, k):
            got = original(self, k)
            if k == key:
                original_put(self, key, v2)  # replaced while the run is still working on it
            return got
        return read

    def open_then_replace(original):
        def read(self, k):
            got = original(self, k)
            if got is None or k != key:
                return got
            with got:
                data = got.read()  # the whole body is in hand before the object changes
            original_put(self, key, v2)
            return Reading(got.size, got.etag, iter([data]))
        return read

    with monkeypatch.context() as mp:  # however the stage reads it (every streamed read is `open`)
        mp.setattr(ObjectStore, "get_bytes", read_then_replace(ObjectStore.get_bytes))
        mp.setattr(ObjectStore, "open", open_then_replace(ObjectStore.open))
        validated = stages.validate(settings, RUN, discovered)
    snap = stages.build_snapshot(settings, RUN, validated)
    assert validated["counts"]["records_read"] == 10 and sum(snap["counts"].values()) == 10
    assert list(consumed(store)) == [sha256(v1)]  # v1 was validated, v1 is marked

    # v2 was never validated: it is new for the next run, which takes all of it.
    nxt = stages.discover(settings, NEXT, SOURCES)
    assert [f["sha256"] for f in nxt["files"]] == [sha256(v2)]
    snap2 = stages.build_snapshot(settings, NEXT, stages.validate(settings, NEXT, nxt))
    assert sum(snap2["counts"].values()) == 18 and snap2["new_records"] == 8


def test_file_deleted_before_validation_is_skipped_and_stays_new(shared_bucket, caplog):
    settings, store = shared_bucket
    gone = put_incoming(store, "a-withdrawn.jsonl", make_records("gone", 6))
    put_incoming(store, "b-kept.jsonl", make_records("kept", 9))
    discovered = stages.discover(settings, RUN, SOURCES)
    assert discovered["n_files"] == 2
    data = store.get_bytes(gone)
    store.client.delete_object(Bucket=store.bucket, Key=gone)

    with caplog.at_level(logging.WARNING, logger="ner_pipeline.stages"):
        validated = stages.validate(settings, RUN, discovered)
    assert f"incoming file {gone} was deleted before validation" in caplog.text
    assert validated["skipped_files"] == [{"key": gone, "source": "synthetic", "reason": "deleted before validation"}]
    assert validated["counts"]["records_read"] == 9 and [f["key"] for f in validated["files"]] == [
        store.key("incoming/synthetic/b-kept.jsonl")]
    stages.build_snapshot(settings, RUN, validated)
    assert sha256(data) not in consumed(store)
    summary = stages.report(settings, RUN, validated=validated, evaluation=None, decision=None, promoted=None,
                            rejected=None)
    assert summary["outcome"]["promoted"] is False
    text = stages.format_summary(store.get_json(store.key_of(summary["summary_uri"])))
    assert f"SKIPPED FILE: {gone} (deleted before validation)" in text

    store.put_bytes(gone, data)  # it comes back: the next run picks it up
    assert [f["key"] for f in stages.discover(settings, NEXT, SOURCES)["files"]] == [gone]


def test_file_deleted_while_discovery_lists(shared_bucket, monkeypatch, caplog):
    settings, store = shared_bucket
    gone = put_incoming(store, "a.jsonl", make_records("d1", 5))
    put_incoming(store, "b.jsonl", make_records("d2", 5))
    def delete_then_read(original):
        def read(self, k):
            if k == gone:
                self.client.delete_object(Bucket=self.bucket, Key=k)
            return original(self, k)
        return read

    for method in ("get_bytes", "get_with_etag", "sha256"):  # however discovery reads it
        monkeypatch.setattr(ObjectStore, method, delete_then_read(getattr(ObjectStore, method)))
    with caplog.at_level(logging.WARNING, logger="ner_pipeline.discovery"):
        found = stages.discover(settings, RUN, SOURCES)
    assert [f["key"] for f in found["files"]] == [store.key("incoming/synthetic/b.jsonl")]
    assert f"incoming file {gone} was deleted while listing" in caplog.text


def test_file_replaced_by_already_consumed_content_is_skipped(shared_bucket):
    settings, store = shared_bucket
    old = make_records("seen", 8)
    put_incoming(store, "first.jsonl", old)
    stages.build_snapshot(settings, RUN, stages.validate(settings, RUN, stages.discover(settings, RUN, SOURCES)))
    key = put_incoming(store, "second.jsonl", make_records("fresh", 8))
    discovered = stages.discover(settings, NEXT, SOURCES)
    store.put_bytes(key, jsonl(old))  # replaced by a copy of a file already consumed
    validated = stages.validate(settings, NEXT, discovered)
    assert validated["files"] == [] and validated["counts"]["records_read"] == 0
    assert validated["skipped_files"][0]["reason"] == "changed since discovery into already consumed content"

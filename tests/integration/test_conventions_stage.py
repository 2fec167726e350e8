"""The DAG's synthetic generation follows the conventions measured on the latest snapshot's real
records once there are synth.conventions_min_real of them, and says so (snapshot id, counts,
never text); validation then compares the new synthetic batch with the snapshot's real records.
Against a real S3 server (SeaweedFS) through the DAG's own task functions."""

from __future__ import annotations

import json

import pytest

from ner_pipeline import conventions as C
from ner_pipeline import layout, stages
from ner_pipeline.storage import ObjectStore
from ner_pipeline.synth import generate
from ner_pipeline.synth.io import write_jsonl

pytestmark = pytest.mark.integration
CANARY = "Kqzvbnmyta"
N = 12  # synthetic transcripts per generated batch: small, the point is which conventions


def _real(n: int) -> bytes:
    lines = []
    for i in range(n):
        text = (f"Caller {CANARY} says case {i}: the teacher beats the child and she is scared, "
                f"she is very sad.")
        s, e = text.index("teacher"), text.index("teacher") + 7
        lines.append(json.dumps({"id": f"real-{i}", "text": text, "source": "real",
                                 "entities": [{"start": s, "end": e, "label": "PERPETRATOR"}]}))
    return ("\n".join(lines) + "\n").encode()


def _run(settings, run_id: str) -> dict:
    found = stages.discover(settings, run_id, ["synthetic", "real"])
    validated = stages.validate(settings, run_id, found)
    stages.build_snapshot(settings, run_id, validated)
    return validated


def test_generation_follows_real_conventions_once_there_are_enough(s3_settings, tmp_path):
    settings = s3_settings
    settings.synth.n = N
    settings.synth.conventions_min_real = 20
    store = ObjectStore(settings)

    first = stages.generate_synthetic(settings, "conv-1")  # no snapshot yet: the label guide
    assert first["conventions"] == {"from": "label_guide", "real_records": 0, "min_real": 20, "snapshot_id": None}
    store.put_bytes(store.key("incoming/real/batch.jsonl"), _real(60))
    _run(settings, "conv-1")

    second = stages.generate_synthetic(settings, "conv-2", seed=8)  # new transcripts, not the first batch again
    prov = second["conventions"]
    manifest = store.get_json(store.key("datasets", prov["snapshot_id"], "manifest.json"))
    real_in = sum(manifest["counts_by_source"][s].get("real", 0) for s in ("train", "validation"))
    assert prov["from"] == "snapshot" and prov["splits"] == ["train", "validation"]
    assert prov["real_records"] == real_in >= 20 and prov["skipped_records"] == 0
    assert CANARY not in json.dumps(second)
    # The batch is exactly what the generator writes under those measured conventions.
    latest = store.get_json(store.key(layout.LATEST_SNAPSHOT))
    measured = C.tally_snapshot(store, latest["uri"], ("train", "validation"), sources=["real"])["real"].result()
    assert measured["surface_rates"]["INCIDENT_TYPE"]["scared"]["rate"] == 0.0
    expected = write_jsonl(generate(N, 8, long_share=settings.synth.long_share,
                                    min_chars=settings.synth.min_chars, max_chars=settings.synth.max_chars,
                                    conventions=measured), tmp_path / "expected.jsonl").read_bytes()
    assert store.get_bytes(store.key_of(second["uri"])) == expected

    # Validation of that batch compares it with the snapshot's real records (snapshot scope).
    validated = _run(settings, "conv-2")
    conv = store.get_json(store.key_of(validated["report_uri"]))["conventions"]
    assert {"batch:synthetic", "snapshot:synthetic", "snapshot:real"} <= set(conv["measured"])
    assert conv["measured"]["snapshot:real"]["records"] == 60 and validated["convention_conflicts"] == conv["conflicts_found"]
    assert CANARY not in json.dumps(conv)

    # A conventions file is the fallback below the threshold.
    path = C.save(measured, tmp_path / "conv.yaml")
    settings.synth.conventions_min_real = 10_000
    settings.synth.conventions_file = str(path)
    third = stages.generate_synthetic(settings, "conv-3")
    assert third["conventions"]["from"] == "file" and third["conventions"]["file"] == str(path)

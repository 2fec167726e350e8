"""Validation reports convention conflicts between sources: in the report, the GX results (a
warning on the per-source conventions table) and the UI's run page; never blocking, never text."""

from __future__ import annotations

import json

from ner_pipeline.config import load_settings
from ner_pipeline.conventions import ConventionTally
from ner_pipeline.validate import validate_batch
from ner_pipeline.validate.gx_suite import GX_CONVENTIONS_RESULT_FILE

CANARY = "Kqzvbnmyta"


def _line(i: int, name: str, with_the: bool, scared_labelled: bool) -> str:
    text = f"Caller {name}{i} says the teacher beats the child {i} times and she is scared."
    start = text.index("the teacher") + (0 if with_the else 4)
    ents = [{"start": start, "end": text.index("teacher") + 7, "label": "PERPETRATOR"}]
    if scared_labelled:
        ents.append({"start": text.index("scared"), "end": text.index("scared") + 6, "label": "INCIDENT_TYPE"})
    return json.dumps({"id": f"{name}-{i}", "text": text, "entities": ents})


def _file(name: str, n: int, **kw) -> bytes:
    return ("\n".join(_line(i, name, **kw) for i in range(n)) + "\n").encode()


def _settings(*extra):
    return load_settings("local", environ={}, overrides=["validation.quarantine_rate_limit=1.0", *extra])


def test_batch_conflicts_in_report_and_gx_without_text(tmp_path):
    files = [("incoming/real/r.jsonl", "real", _file(CANARY, 25, with_the=False, scared_labelled=False)),
             ("incoming/synthetic/s.jsonl", "synthetic", _file("Syn", 25, with_the=True, scared_labelled=True))]
    docs = tmp_path / "docs"
    out = validate_batch(files, _settings(), docs_dir=docs, run_id="conv")
    assert out.report["accepted"] == 50 and out.ok  # reported, not blocking
    conv = out.report["conventions"]
    assert conv["status"] == "conflicts" and conv["gx"] == "warning"
    got = {(r["scope"], r["convention"], r["label"], r["word"]): r for r in conv["conflicts"]}
    det = got[("batch", "determiner_start_share", "PERPETRATOR", "")]
    assert (det["synthetic"], det["real"], det["n_synthetic"], det["n_real"]) == (1.0, 0.0, 25, 25)
    scared = got[("batch", "surface_rate", "INCIDENT_TYPE", "scared")]
    assert (scared["synthetic"], scared["real"]) == (1.0, 0.0)
    assert conv["conflicts_found"] == len(conv["conflicts"]) and "snapshot:real" not in conv["measured"]
    assert conv["measured"]["batch:real"]["records"] == 25
    item = next(e for e in out.report["gx"]["expectations"] if e["column"] == "convention_diff")
    assert item["severity"] == "warning" and not item["success"] and item["unexpected_count"] == conv["conflicts_found"]
    assert item["element_count"] == conv["compared"] == out.report["gx"]["rows"]["conventions"]
    result = json.loads((docs / GX_CONVENTIONS_RESULT_FILE).read_text())
    assert "batch/determiner_start_share/PERPETRATOR" in json.dumps(result)  # which conventions, by name
    assert any("ner_source_conventions" in p.read_text() for p in (docs / "validations").rglob("*.html"))
    blob = json.dumps(out.report) + "".join(p.read_text() for p in docs.rglob("*") if p.suffix in (".json", ".html"))
    assert CANARY not in blob and "beats the child" not in blob


def test_snapshot_scope_compares_a_real_batch_with_the_synthetic_snapshot():
    base = ConventionTally()
    for i in range(30):  # the base snapshot: synthetic, "the" inside the span
        d = json.loads(_line(i, "Base", with_the=True, scared_labelled=True))
        base.add(d["text"], [(e["start"], e["end"], e["label"]) for e in d["entities"]])
    files = [("incoming/real/r.jsonl", "real", _file(CANARY, 25, with_the=False, scared_labelled=False))]
    out = validate_batch(files, _settings(), run_gx=False, base_conventions={"synthetic": base})
    conv = out.report["conventions"]
    assert conv["status"] == "conflicts" and conv["gx"] == "not run"
    assert {r["scope"] for r in conv["conflicts"]} == {"snapshot"}  # the batch alone has one source
    assert conv["measured"]["snapshot:synthetic"]["records"] == 30 and conv["measured"]["snapshot:real"]["records"] == 25
    assert base.records == 30  # the caller's tally is not changed by the merge


def test_agreeing_sources_and_thresholds():
    files = [("incoming/real/r.jsonl", "real", _file(CANARY, 25, with_the=False, scared_labelled=False)),
             ("incoming/synthetic/s.jsonl", "synthetic", _file("Syn", 25, with_the=False, scared_labelled=False))]
    conv = validate_batch(files, _settings(), run_gx=False).report["conventions"]
    assert conv["status"] == "ok" and conv["compared"] > 0 and not conv["conflicts"]
    few = validate_batch(files[:1], _settings(), run_gx=False).report["conventions"]
    assert few["status"] == "single_source" and few["compared"] == 0
    high = validate_batch(files, _settings("validation.convention_conflict_min_support=26"), run_gx=False)
    assert high.report["conventions"]["status"] == "compared_nothing"


def test_each_source_is_measured_on_a_bounded_sample():
    files = [("incoming/real/r.jsonl", "real", _file(CANARY, 25, with_the=False, scared_labelled=False))]
    conv = validate_batch(files, _settings("validation.convention_max_records=10"), run_gx=False).report["conventions"]
    assert conv["measured"]["batch:real"]["records"] == 10 and conv["max_records"] == 10

"""Great Expectations suite, Data Docs, the `validate` command, and the privacy canary: a
string that only exists inside real-source texts must not reach the report, Data Docs, GX
results, logs or console output."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from ner_pipeline.cli import main
from ner_pipeline.config import load_settings
from ner_pipeline.validate.gx_suite import GX_RESULT_FILE, run_suite
from ner_pipeline.validate.table import SpanTable

DATA = Path(__file__).resolve().parents[1] / "data" / "validate"
CANARY = "Kqzvbnmyta"  # see tests/data/validate/make_corpus.py
OPEN = ["--set", "validation.quarantine_rate_limit=1.0", "--set", "validation.label_mapping={Child: VICTIM}"]


def cli(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        rc = main(["validate", *args])
    return rc, out.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One full run over the corpus with GX and Data Docs, every log record captured."""
    tmp = tmp_path_factory.mktemp("validate")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    root = logging.getLogger()
    handler, old_level = Keep(level=logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    prev = tmp / "prev.json"
    prev.write_text(json.dumps({"NAME": 40, "VICTIM": 30, "LOCATION": 20}))
    try:
        rc, console = cli([str(DATA / "real"), str(DATA / "synthetic"), "--out", str(tmp / "accepted.jsonl"), "--quarantine", str(tmp / "quarantine.jsonl"),
                           "--report", str(tmp / "report.json"), "--docs", str(tmp / "docs"), "--run-id", "t1",
                           "--previous-labels", str(prev), *OPEN])
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    return {"rc": rc, "console": console, "logs": logs, "dir": tmp,
            "report": json.loads((tmp / "report.json").read_text())}


def test_cli_run_writes_outputs(run):
    assert run["rc"] == 0, run["console"]
    report, tmp = run["report"], run["dir"]
    accepted = [json.loads(x) for x in (tmp / "accepted.jsonl").read_text().splitlines()]
    quarantined = [json.loads(x) for x in (tmp / "quarantine.jsonl").read_text().splitlines()]
    assert len(accepted) == report["accepted"] + report["repaired"] and len(quarantined) == report["quarantined"]
    assert report["records_read"] == report["accepted"] + report["repaired"] + report["quarantined"] == 54
    assert {q["file"] for q in quarantined} <= {f["path"] for f in report["files"]}
    assert all(set(q) >= {"file", "line", "id", "reasons", "raw"} for q in quarantined)
    assert {"real", "synthetic"} == set(report["by_source"])
    for key in ("quarantined_by_reason", "repaired_by_rule", "label_counts", "files", "gx", "drift", "audit"):
        assert key in report


def test_gx_summary_without_values(run):
    gx = run["report"]["gx"]
    assert gx["success"] and gx["evaluated"] >= 11 and gx["rows"]["records"] == run["report"]["output_records"]
    kinds = {e["expectation"] for e in gx["expectations"]}
    assert {"expect_column_values_to_be_in_set", "expect_column_values_to_be_unique",
            "expect_column_pair_values_a_to_be_greater_than_b", "expect_column_kl_divergence_to_be_less_than"} <= kinds
    for e in gx["expectations"]:
        assert set(e) <= {"expectation", "column", "severity", "success", "unexpected_count", "unexpected_percent",
                          "element_count", "observed_value", "error"}
    # A handful of records cannot support nine labels, and the snapshot differs: warnings, not failures.
    assert "expect_column_values_to_be_between:label_support" in gx["warnings"]
    assert run["report"]["drift"]["status"] in ("ok", "warn") and run["report"]["drift"]["limit"] == 0.25


def test_data_docs_built(run):
    docs = run["dir"] / "docs"
    assert (docs / "index.html").is_file() and (docs / GX_RESULT_FILE).is_file()
    assert list((docs / "validations").rglob("*.html"))
    assert "t1" in {p.name for p in (docs / "validations").rglob("*")}  # the run id names the run


def test_canary_never_leaves_the_records(run):
    tmp = run["dir"]
    assert CANARY in (tmp / "accepted.jsonl").read_text()  # it is in the data...
    assert CANARY in (tmp / "quarantine.jsonl").read_text()  # ...and staff get originals back
    assert CANARY not in (tmp / "report.json").read_text()
    assert CANARY not in run["logs"] and CANARY not in run["console"]
    for path in (tmp / "docs").rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    assert CANARY not in (tmp / "docs" / GX_RESULT_FILE).read_text()


def test_cli_exits_non_zero_naming_the_rejected_file(tmp_path):
    rc, console = cli([str(DATA / "real" / "canonical_defects.jsonl"), str(DATA / "real" / "ls_tasks.jsonl"),
                       "--out", str(tmp_path / "a.jsonl"), "--quarantine", str(tmp_path / "q.jsonl"),
                       "--report", str(tmp_path / "r.json"), "--no-gx"])
    assert rc == 1
    assert "canonical_defects.jsonl: file rejected" in console and "invalid_schema" in console
    report = json.loads((tmp_path / "r.json").read_text())
    assert [f["rejected"] for f in report["files"]] == [True, False] and report["gx"] == {"skipped": True}
    assert len((tmp_path / "a.jsonl").read_text().splitlines()) == 2  # the other file's records stand


def test_cli_source_inference_and_override(tmp_path):
    src = tmp_path / "batch.jsonl"  # neither 'real' nor 'synthetic' in the path: synthetic
    src.write_text(json.dumps({"id": "a", "text": "Amani is nine.", "entities": []}) + "\n")
    args = ["--out", str(tmp_path / "a.jsonl"), "--quarantine", str(tmp_path / "q.jsonl"), "--report", str(tmp_path / "r.json"),
            "--no-gx"]
    assert cli([str(src), *args])[0] == 0
    assert json.loads((tmp_path / "a.jsonl").read_text())["source"] == "synthetic"
    assert cli([str(src), "--source", "real", *args])[0] == 0
    assert json.loads((tmp_path / "a.jsonl").read_text())["source"] == "real"


def test_cli_missing_input(tmp_path):
    rc, console = cli([str(tmp_path / "nope.jsonl"), "--out", "a", "--quarantine", "q", "--report", "r"])
    assert rc == 2 and "nope.jsonl" in console


def _table(spans_by_record):
    t = SpanTable()
    for i, (text, spans) in enumerate(spans_by_record):
        t.add(f"r{i}", f"h{i % 2}", text, spans)  # h0 twice: a duplicate hash
    return t


def test_suite_catches_bad_output_and_warns_on_drift():
    """Defence in depth: if a bug let bad spans through, the critical expectations fail."""
    text = "Amani is nine and lives in Kondoa."
    bad = _table([(text, [(0, 5, "VICTIM"), (2, 8, "NAME"), (30, 40, "LOCATION")]),
                  (text, [(9, 13, "AGE")]), (text, [(27, 33, "LOCATION")])])
    s = load_settings("local", environ={})
    summary = run_suite(bad.frame(), s, previous_label_counts={"NAME": 1000, "PHONE_NUMBER": 1000})
    assert not summary["success"]
    failed = set(summary["failed_critical"])
    assert {"expect_column_values_to_be_in_set:aligned", "expect_column_values_to_be_in_set:overlaps_previous",
            "expect_column_pair_values_a_to_be_greater_than_b:text_len,end",
            "expect_column_values_to_be_unique:text_hash"} <= failed
    assert "expect_column_kl_divergence_to_be_less_than:label" in summary["warnings"]
    good = _table([(text, [(0, 5, "VICTIM"), (9, 13, "AGE")])])
    summary = run_suite(good.frame(), s, previous_label_counts={"VICTIM": 50, "AGE": 50})
    assert summary["success"] and "expect_column_kl_divergence_to_be_less_than:label" not in summary["warnings"]


def test_importing_ingest_and_validate_stays_light():
    code = ("import sys, ner_pipeline.ingest, ner_pipeline.validate, ner_pipeline.validate.commands; "
            "heavy = [m for m in ('great_expectations', 'pandas', 'numpy') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)

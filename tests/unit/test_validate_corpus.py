"""The bad-input corpus (tests/data/validate) through validate_batch: every record gets its
expected outcome, the batch goes on, and accepted + repaired + quarantined == read, per file
and in total. GX is off here (test_validate_gx.py covers it) to keep this fast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ner_pipeline.config import load_settings
from ner_pipeline.ingest import infer_source
from ner_pipeline.records import LABELS, Record, text_hash
from ner_pipeline.validate import REASONS, validate_batch

DATA = Path(__file__).resolve().parents[1] / "data" / "validate"
EXPECTED = json.loads((DATA / "expected.json").read_text())
CANARY = "Kqzvbnmyta"  # see tests/data/validate/make_corpus.py
FILES = sorted({k.rsplit(":", 1)[0] for k in EXPECTED} | {"real/empty.jsonl"})
MAPPING = "validation.label_mapping={Child: VICTIM}"


def settings(*overrides: str):
    return load_settings("local", overrides=[MAPPING, *overrides], environ={})


def corpus(files=FILES) -> list[tuple[str, str, bytes]]:
    return [(f, infer_source(f), (DATA / f).read_bytes()) for f in files]


@pytest.fixture(scope="module")
def outcome():
    return validate_batch(corpus(), settings("validation.quarantine_rate_limit=1.0"), run_gx=False)


def _index(outcome):
    quarantined = {(q["file"], q["line"]): q for q in outcome.quarantined}
    rules: dict = {}
    for a in outcome.audit:
        rules.setdefault((a["file"], a["line"]), set()).add(a["rule"])
    return quarantined, rules, {r.id for r in outcome.accepted}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_record_gets_its_outcome(outcome, key):
    want = EXPECTED[key]
    file, line = key.rsplit(":", 1)
    quarantined, rules, accepted_ids = _index(outcome)
    got = quarantined.get((file, int(line)))
    if want["outcome"] == "quarantined":
        assert got is not None, f"{key} was not quarantined"
        assert sorted(got["reasons"]) == want["reasons"], got["details"]
    else:
        assert got is None, f"{key} quarantined: {got['reasons']} {got['details']}"
        assert want["id"] in accepted_ids
        assert sorted(rules.get((file, int(line)), ())) == want["rules"]


def test_accounting_identity_per_file_and_total(outcome):
    r = outcome.report
    assert r["accepted"] + r["repaired"] + r["quarantined"] == r["records_read"] == len(EXPECTED)
    assert r["output_records"] == len(outcome.accepted) and r["quarantined"] == len(outcome.quarantined)
    for f in r["files"]:
        assert f["accepted"] + f["repaired"] + f["quarantined"] == f["records_read"]
        assert f["records_read"] == sum(1 for k in EXPECTED if k.rsplit(":", 1)[0] == f["path"])
    assert [f["path"] for f in r["files"]] == FILES
    by_source = r["by_source"]
    assert sum(s["records_read"] for s in by_source.values()) == r["records_read"]
    assert set(by_source) == {"real", "synthetic"}
    expected_by_reason: dict = {}
    for e in EXPECTED.values():
        for code in e["reasons"]:
            expected_by_reason[code] = expected_by_reason.get(code, 0) + 1
    assert r["quarantined_by_reason"] == expected_by_reason


def test_corpus_covers_every_reason_code(outcome):
    seen = set(outcome.report["quarantined_by_reason"])
    # no_entities, file_rejected: tests below; incomplete_annotation: tests/unit/test_completeness.py;
    # the size caps and duplicate ids: tests/unit/test_hardening.py
    assert seen == set(REASONS) - {"no_entities", "file_rejected", "incomplete_annotation", "duplicate_id",
                                   "line_too_long", "too_many_spans", "file_too_large"}


def test_outputs_are_canonical_and_consistent(outcome):
    counts = {lab: 0 for lab in LABELS}
    for rec in outcome.accepted:
        assert isinstance(rec, Record) and rec.source in ("real", "synthetic")
        assert Record.from_dict(rec.to_dict()).to_dict() == rec.to_dict()
        for sp in rec.entities:
            counts[sp.label] += 1
    assert outcome.report["label_counts"] == counts
    assert outcome.accepted_hashes == {text_hash(r.text) for r in outcome.accepted}
    for a in outcome.audit:
        assert set(a) == {"file", "line", "id", "rule", "label", "old", "new", "shift"}
    repaired = {(a["file"], a["line"]) for a in outcome.audit}
    assert len(repaired) == outcome.report["repaired"]


def test_quarantine_keeps_the_original_line(outcome):
    lines = (DATA / "real/canonical_defects.jsonl").read_text(encoding="utf-8").split("\n")
    for q in outcome.quarantined:
        assert set(q) >= {"file", "line", "id", "reasons", "raw"}
        if q["file"] == "real/canonical_defects.jsonl":
            assert q["raw"] == lines[q["line"] - 1]
    task3 = next(q for q in outcome.quarantined if q["file"] == "real/ls_export.json" and q["line"] == 3)
    assert json.loads(task3["raw"])["id"] == 4  # a list export keeps the task JSON


def test_report_has_no_text(outcome):
    dumped = json.dumps(outcome.report)
    assert CANARY not in dumped
    assert all(CANARY not in d for q in outcome.quarantined for d in q["details"])
    assert any(CANARY in r.text for r in outcome.accepted)  # the canary really is in the data


def test_no_entities_when_required():
    out = validate_batch(corpus(["real/canonical_defects.jsonl"]),
                         settings("validation.quarantine_rate_limit=1.0", "validation.require_entities=true"), run_gx=False)
    q = {qq["id"]: qq["reasons"] for qq in out.quarantined}
    assert q["c-noents"] == ["no_entities"]


def test_file_over_the_quarantine_limit_is_rejected_and_the_rest_stands():
    files = ["real/canonical_defects.jsonl", "real/ls_tasks.jsonl", "real/windows_bom.jsonl", "synthetic/batch_a.jsonl"]
    out = validate_batch(corpus(files), settings(), run_gx=False)
    (rej,) = out.rejected_files
    assert rej["path"] == "real/canonical_defects.jsonl"
    assert "real/canonical_defects.jsonl" in rej["message"] and "invalid_schema" in rej["message"]
    assert "file_rejected" not in rej["reasons"] and rej["reasons"]["invalid_schema"] == 15
    rep = out.report
    f = next(f for f in rep["files"] if f["rejected"])
    assert (f["accepted"], f["repaired"], f["quarantined"]) == (0, 0, f["records_read"])
    assert f["before_rejection"]["accepted"] == 2 and f["message"] == rej["message"]
    in_file = [q for q in out.quarantined if q["file"] == rej["path"]]
    assert len(in_file) == f["records_read"] and all(q["reasons"][-1] == "file_rejected" for q in in_file)
    assert rep["quarantined_by_reason"]["file_rejected"] == f["records_read"]
    assert rep["accepted"] + rep["repaired"] + rep["quarantined"] == rep["records_read"] == f["records_read"] + 5
    assert {r.id for r in out.accepted} == {"ls-101", "ls-102", "w-1", "w-2", "sa-1"}
    assert not rep["success"]


def test_rejected_file_releases_its_text_hashes():
    text = "Juma from Iringa reports neglect."
    good = json.dumps({"id": "g", "text": text, "entities": [{"start": 0, "end": 4, "label": "NAME"}]})
    bad = "\n".join(["{broken"] * 3)
    out = validate_batch([("a.jsonl", "synthetic", (good + "\n" + bad).encode()),
                          ("b.jsonl", "synthetic", good.replace('"g"', '"g2"').encode())], settings(), run_gx=False)
    assert [r["path"] for r in out.rejected_files] == ["a.jsonl"]
    assert [r.id for r in out.accepted] == ["g2"]  # the later copy is not a duplicate of a rejected one


def test_duplicates_against_known_hashes_and_first_accepted_wins():
    text = "Neema, aged seven, lives in Dodoma."
    bad = json.dumps({"id": "bad", "text": text, "entities": [{"start": 0, "end": 3, "label": "VICTIM"}]})
    ok = json.dumps({"id": "ok", "text": text, "entities": [{"start": 0, "end": 5, "label": "VICTIM"}]})
    dup = json.dumps({"id": "dup", "text": text.upper(), "entities": []})
    s = settings("validation.quarantine_rate_limit=1.0")
    out = validate_batch([("a.jsonl", "real", "\n".join([bad, ok, dup]).encode())], s, run_gx=False)
    reasons = {q["id"]: q["reasons"] for q in out.quarantined}
    assert reasons == {"bad": ["span_misaligned"], "dup": ["duplicate_text"]}  # a quarantined copy claims nothing
    out = validate_batch([("a.jsonl", "real", ok.encode())], s, known_hashes={text_hash(text)}, run_gx=False)
    assert [q["reasons"] for q in out.quarantined] == [["duplicate_text"]]


def test_ten_megabyte_line_is_quarantined_and_the_batch_goes_on():
    big = json.dumps({"id": "big", "text": f"{CANARY} " * 1_000_000 + "end"})
    assert len(big) > 10_000_000
    small = json.dumps({"id": "small", "text": "Amani is nine.", "entities": [{"start": 0, "end": 5, "label": "VICTIM"}]})
    data = (small + "\n" + big + "\n" + small.replace("small", "small2").replace("nine", "ten")).encode()
    out = validate_batch([("incoming/real/big.jsonl", "real", data)], settings("validation.quarantine_rate_limit=0.5"), run_gx=False)
    # over validation.max_line_bytes (1 MiB): never parsed (a smaller long text is text_too_long)
    assert [q["reasons"] for q in out.quarantined] == [["line_too_long"]]
    assert [r.id for r in out.accepted] == ["small", "small2"]
    assert CANARY not in json.dumps(out.report)


def test_empty_input():
    out = validate_batch([("e.jsonl", "real", b"")], settings(), run_gx=False)
    assert out.report["records_read"] == 0 and not out.rejected_files and out.report["files"][0]["quarantine_rate"] == 0


def test_bad_source_argument_is_a_caller_error():
    with pytest.raises(ValueError):
        validate_batch([("a.jsonl", "web", b"")], settings(), run_gx=False)

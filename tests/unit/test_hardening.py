"""Issue 15, the parts that need no object store: what a bad record can do to the readers,
the writers and the validator (poison characters, lone surrogates, size caps, duplicate ids),
the CLI's local validate, run keys, safe local paths and the score report's names."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ner_pipeline import jsonl
from ner_pipeline.config import load_settings
from ner_pipeline.records import Record, Span
from ner_pipeline.split import parse_jsonl, to_jsonl
from ner_pipeline.validate import validate_batch

SEPARATORS = "\u2028\u2029\u0085\x1c\x1d\x1e\x0b\x0c"


def settings(*overrides: str):
    return load_settings("local", overrides=list(overrides), environ={})


def _line(**kw) -> str:
    return json.dumps({"text": "Amani is nine and lives in Kondoa.", "entities": [{"start": 0, "end": 5, "label": "VICTIM"}],
                       **kw})


# -- 1. one JSONL reader/writer: split on \n only, strict UTF-8 --------------------------------

def test_records_with_line_separator_characters_round_trip():
    text = f"Amani{SEPARATORS}is nine."
    recs = [Record("a", text, [Span(0, 5, "VICTIM")], "real"), Record("b", "Neema is ten.", [Span(0, 5, "VICTIM")], "real")]
    data = to_jsonl(recs)
    assert data.count(b"\n") == 2 and "\u2028".encode() not in data  # escaped for other tools' readers too
    assert [r.to_dict() for r in parse_jsonl(data)] == [r.to_dict() for r in recs]
    # and raw separators written by another tool read back as one line each
    raw = (json.dumps(recs[0].to_dict(), ensure_ascii=False) + "\n").encode()
    assert "\u2028".encode() in raw and parse_jsonl(raw)[0].text == text


def test_writer_refuses_what_it_cannot_write_back():
    with pytest.raises(UnicodeEncodeError):
        jsonl.dump_line({"id": "\ud83d"})
    with pytest.raises(ValueError):
        jsonl.dump_line({"x": float("nan")})
    with pytest.raises(jsonl.JsonlError, match="line 2"):
        jsonl.load_lines(b'{"a": 1}\n{"a": \n')


@pytest.mark.parametrize("line, field", [
    (r'{"id": "x\ud83d", "text": "Amani is nine.", "entities": []}', "id"),
    (r'{"id": "m", "text": "Amani is nine.", "meta": {"notes": ["ok", "\udc00"]}}', "meta.notes[1]"),
    (r'{"id": "k", "text": "Amani is nine.", "meta": {"\ud800": 1}}', "a key of meta"),
    (r'{"id": "l", "text": "Amani is nine.", "entities": [{"start": 0, "end": 5, "label": "VI\udfffCTIM"}]}',
     "entities[0].label"),
    ('{"id": "n", "text": "Amani is nine.", "meta": {"score": NaN}}', "meta.score"),
    (r'{"data": {"text": "Amani is nine.", "id": "\ud83d"}, "annotations": [{"result": []}]}', "data.id"),
])
def test_unroundtrippable_fields_are_invalid_schema_naming_the_field(line, field):
    ok = _line(id="fine")
    out = validate_batch([("incoming/real/p.jsonl", "real", (ok + "\n" + line + "\n").encode())],
                         settings("validation.quarantine_rate_limit=1.0"), run_gx=False)
    assert [r.id for r in out.accepted] == ["fine"]
    (q,) = out.quarantined
    assert q["reasons"] == ["invalid_schema"] and field in q["details"][0]
    # every output writes and reads back (before: UnicodeEncodeError / NaN written as non-JSON)
    assert jsonl.load_lines(jsonl.dump_lines(out.quarantined))[0]["raw"] == q["raw"]
    assert parse_jsonl(to_jsonl(out.accepted))[0].id == "fine"
    jsonl.dump_lines([out.report])


def test_lone_surrogate_in_label_studio_text_without_annotation_does_not_crash():
    line = r'[{"id": 3, "data": {"text": "Amani \ud83d"}, "annotations": []}]'
    out = validate_batch([("incoming/real/ls.json", "real", line.encode())], settings("validation.quarantine_rate_limit=1.0"),
                         run_gx=False)
    assert [q["reasons"] for q in out.quarantined] == [["invalid_schema"]]
    jsonl.dump_lines(out.quarantined)


def test_validate_cli_goes_on_past_a_poison_record_and_keeps_outputs_private(tmp_path, monkeypatch):
    from ner_pipeline.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([_line(id="a"), r'{"id": "b\ud83d", "text": "Neema is ten.", "entities": []}',
                              _line(id="c", text=f"Neema{SEPARATORS} is ten.", entities=[])]) + "\n")
    monkeypatch.chdir(tmp_path)
    rc = main(["validate", str(src), "--source", "real", "--out", "acc.jsonl", "--quarantine", "q.jsonl",
               "--report", "report.json", "--docs", "docs", "--set", "validation.quarantine_rate_limit=1.0"])
    assert rc == 0  # before: UnicodeEncodeError aborted the batch; a relative --docs crashed GX
    assert [d["id"] for d in jsonl.read_file(tmp_path / "acc.jsonl")] == ["a", "c"]
    assert [d["reasons"] for d in jsonl.read_file(tmp_path / "q.jsonl")] == [["invalid_schema"]]
    assert (tmp_path / "docs" / "index.html").is_file()
    for name in ("acc.jsonl", "q.jsonl"):  # they hold transcripts
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600


# -- 4. size caps -------------------------------------------------------------------------------

def test_line_over_the_cap_is_not_parsed():
    big = _line(id="big", text="Amani " * 400)
    out = validate_batch([("f.jsonl", "real", (_line(id="a") + "\n" + big + "\n").encode())],
                         settings("validation.max_line_bytes=1000", "validation.quarantine_rate_limit=1.0"), run_gx=False)
    (q,) = out.quarantined
    assert q["reasons"] == ["line_too_long"] and q["id"] is None and "1000" in q["details"][0]
    as_list = "[" + _line(id="a") + ",\n" + big + "]"
    out = validate_batch([("f.json", "real", as_list.encode())],
                         settings("validation.max_line_bytes=1000", "validation.quarantine_rate_limit=1.0"), run_gx=False)
    assert [q["reasons"] for q in out.quarantined] == [["line_too_long"]] and [r.id for r in out.accepted] == ["a"]


def test_too_many_spans_and_too_long_text_are_not_scanned():
    from ner_pipeline.ingest.raw import RawRecord
    from ner_pipeline.validate import check_record

    vs = settings().validation
    text = "Amani " * 40_000
    spans = [(i * 6, i * 6 + 5, "VICTIM") for i in range(32_000)]
    c = check_record(RawRecord("f", 1, "", "real", "canonical", id="x", text=text[:vs.max_text_chars], entities=spans), vs)
    assert c.reasons == ["too_many_spans"] and c.completeness is None  # completeness never ran
    c = check_record(RawRecord("f", 1, "", "real", "canonical", id="y", text=text, entities=spans[:10]), vs)
    assert c.reasons == ["text_too_long"] and c.completeness is None


def test_file_over_the_cap_is_rejected_unread():
    from ner_pipeline.validate import BatchValidator, Oversized

    v = BatchValidator(settings("validation.max_file_bytes=100"))
    entry = v.add_file("incoming/real/huge.jsonl", "real", Oversized(size=10_000, sha256="ab" * 32))
    assert entry["rejected"] and entry["records_read"] == 0 and entry["sha256"] == "ab" * 32
    data = (_line(id="a") + "\n") * 5
    entry = v.add_file("incoming/real/big.jsonl", "real", data.encode())
    assert entry["rejected"] and entry["records_read"] == 0
    report = v.finish(run_gx=False)
    assert [r["reasons"] for r in report["rejected_files"]] == [{"file_too_large": 1}] * 2


# -- 7. duplicate record ids --------------------------------------------------------------------

def test_duplicate_ids_are_quarantined_canonical_label_studio_and_snapshot():
    s = settings("validation.quarantine_rate_limit=1.0")
    a = _line(id="same")
    b = _line(id="same", text="Neema is ten and lives in Kisumu.", entities=[])
    c = _line(id="bad-first", text="Juma is six.", entities=[{"start": 0, "end": 500, "label": "VICTIM"}])
    c2 = _line(id="bad-first", text="Juma is seven.", entities=[])
    ls = json.dumps([{"id": 1, "data": {"text": "Baraka is eight.", "id": "same"}, "annotations": [{"result": []}]},
                     {"id": 2, "data": {"text": "Zawadi is five."}, "annotations": [{"result": []}]},
                     {"id": 2, "data": {"text": "Rehema is four."}, "annotations": [{"result": []}]}])
    out = validate_batch([("incoming/real/a.jsonl", "real", f"{a}\n{b}\n{c}\n{c2}\n".encode()),
                          ("incoming/real/ls.json", "real", ls.encode())], s, run_gx=False)
    reasons = {(q["file"], q["line"]): q["reasons"] for q in out.quarantined}
    assert reasons == {("incoming/real/a.jsonl", 2): ["duplicate_id"], ("incoming/real/a.jsonl", 3): ["span_out_of_bounds"],
                       ("incoming/real/ls.json", 0): ["duplicate_id"], ("incoming/real/ls.json", 2): ["duplicate_id"]}
    assert sorted(r.id for r in out.accepted) == ["bad-first", "ls-2", "same"]  # a quarantined record claims no id
    out = validate_batch([("incoming/real/n.jsonl", "real", a.encode())], s, known_ids={"same"}, run_gx=False)
    assert [q["reasons"] for q in out.quarantined] == [["duplicate_id"]]


# -- 6. run keys ---------------------------------------------------------------------------------

def test_run_keys_are_injective_and_refuse_dot_segments():
    from ner_pipeline.layout import run_key

    ids = ["retrain:1", "retrain+1", "retrain-1", "retrain~3a1", "retrain_1", "manual__2026-01-01T00:00:00+00:00"]
    keys = [run_key(i) for i in ids]
    assert len(set(keys)) == len(ids) and all(k.replace("~", "").replace("_", "").replace("-", "").replace(".", "").isalnum()
                                              for k in keys)
    for bad in ("", ".", ".."):
        with pytest.raises(ValueError):
            run_key(bad)
    assert run_key("a/../b") == "a~2f..~2fb"  # one segment, never a path


# -- 3. safe key-to-path ---------------------------------------------------------------------------

@pytest.mark.parametrize("rel", ["../x", "model/../../x", "/etc/passwd", "a//b", "./a", "a\\..\\b", "a/\x00"])
def test_local_path_refuses_keys_that_leave_the_folder(tmp_path, rel):
    from ner_pipeline.safepath import UnsafeKey, local_path

    with pytest.raises(UnsafeKey):
        local_path(tmp_path, rel)
    assert local_path(tmp_path, "model/config.json") == tmp_path.resolve() / "model" / "config.json"


# -- 8. stop only what this checkout started -------------------------------------------------------

def test_no_kill_by_name_anywhere():
    repo = Path(__file__).resolve().parents[2]
    for path in [repo / "Makefile", *(repo / "include").rglob("*.py")]:
        text = path.read_text()
        assert "pkill" not in text and "killall" not in text, path


def test_stale_pid_files_never_signal_another_process(tmp_path):
    import subprocess
    import sys

    from ner_pipeline.localstore import LocalStore
    from ner_pipeline.pipeline_commands import is_our_airflow
    from ner_pipeline.localstore import owned_pid

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    try:
        store = LocalStore(tmp_path / "seaweedfs", port=18433)
        store.data_dir.mkdir()
        store.pid_file.write_text(str(other.pid))  # a stale pid, now someone else's process
        assert not store.running() and store.stop() is False
        assert other.poll() is None and not store.pid_file.exists()  # not signalled; stale file removed
        ui_pid = tmp_path / "airflow-ui.pid"
        ui_pid.write_text(str(other.pid))
        assert owned_pid(ui_pid, is_our_airflow) is None and other.poll() is None
        fake = tmp_path / "bin" / "airflow"
        assert is_our_airflow([sys.executable, str(Path(sys.executable).parent / "airflow"), "standalone"])
        assert not is_our_airflow([sys.executable, str(fake), "standalone"])  # another checkout's
    finally:
        other.kill()
        other.wait()


# -- 9. make up: the venv's airflow is found with the venv not on PATH -----------------------------

def test_airflow_env_puts_this_venv_first_on_path():
    import sys

    from ner_pipeline.localrun import airflow_env

    env = airflow_env(settings())
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)

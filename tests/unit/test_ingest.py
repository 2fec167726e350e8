"""Readers: canonical JSONL and Label Studio exports, malformed input, never raising."""

from __future__ import annotations

import hashlib
import json

import pytest

from ner_pipeline.ingest import file_sha256, infer_source, read_records
from ner_pipeline.ingest.labels import LabelMapper

TEXT = "Peace called from Kisumu about Amani."


def rec(**kw) -> dict:
    return {"id": "x", "text": TEXT, "entities": [{"start": 0, "end": 5, "label": "NAME"}], **kw}


def read(data: bytes | str, name: str = "f.jsonl", source: str = "synthetic", mapper=None) -> list:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(read_records(name, data, source, mapper=mapper))


def test_file_sha256_is_content_hash():
    assert file_sha256(b"abc") == hashlib.sha256(b"abc").hexdigest()


@pytest.mark.parametrize("path,source", [
    ("incoming/real/a.jsonl", "real"), ("incoming/synthetic/b.jsonl", "synthetic"), ("real_batch.json", "real"),
    ("surreal.jsonl", "synthetic"), ("data/x.jsonl", "synthetic"), ("synthetic/real/x.jsonl", "real"),
])
def test_infer_source(path, source):
    assert infer_source(path) == source


def test_canonical_jsonl_fields_and_line_numbers():
    data = json.dumps(rec()) + "\n\n" + json.dumps(rec(id=None, meta={"k": 1})) + "\n"
    a, b = read(data)
    assert (a.line, a.id, a.text, a.entities, a.format, a.ok) == (1, "x", TEXT, [(0, 5, "NAME")], "canonical", True)
    assert (b.line, b.id, b.meta) == (3, None, {"k": 1})  # blank line 2 is layout, not a record


def test_bom_and_windows_line_endings():
    data = "\ufeff" + json.dumps(rec()) + "\r\n" + json.dumps(rec(id="y")) + "\r\n"
    out = read(data)
    assert [r.id for r in out] == ["x", "y"] and all(r.ok for r in out)
    assert not out[0].raw.startswith("\ufeff") and not out[1].raw.endswith("\r")


def test_non_utf8_line_costs_only_that_line():
    data = json.dumps(rec()).encode() + b"\n" + b'{"text": "caf\xe9"}\n' + json.dumps(rec(id="z")).encode()
    a, b, c = read(data)
    assert a.ok and c.ok
    assert b.error == "invalid_json" and "\\xe9" in b.raw


@pytest.mark.parametrize("line,code", [
    ('{"text": "abc", "entities": [', "invalid_json"),
    ("{'text': 'zqxj marker'}", "invalid_json"),
    ("[" * 50_000, "invalid_json"),  # nesting too deep: RecursionError must not escape
    ("null", "invalid_schema"),
    ("[1, 2]", "invalid_schema"),
    ('{"text": null}', "invalid_schema"),
    ('{"text": 5}', "invalid_schema"),
    ('{"entities": []}', "invalid_schema"),
    ('{"text": "a", "entities": {"start": 0}}', "invalid_schema"),
    ('{"text": "a", "entities": ["NAME"]}', "invalid_schema"),
    ('{"text": "a", "entities": [{"start": null, "end": 1, "label": "NAME"}]}', "invalid_schema"),
    ('{"text": "a", "entities": [{"start": "0", "end": 1, "label": "NAME"}]}', "invalid_schema"),
    ('{"text": "a", "entities": [{"start": 0.0, "end": 1, "label": "NAME"}]}', "invalid_schema"),
    ('{"text": "a", "entities": [{"start": true, "end": 1, "label": "NAME"}]}', "invalid_schema"),
    ('{"text": "a", "entities": [{"start": 0, "end": 1, "label": ""}]}', "invalid_schema"),
    ('{"text": "a", "entities": [{"start": 0, "end": 1}]}', "invalid_schema"),
    ('{"text": "a", "meta": "x"}', "invalid_schema"),
    ('{"text": "a", "source": "web"}', "invalid_schema"),
    ('{"text": "a", "id": [1]}', "invalid_schema"),
    ('{"text": "bad \\ud800"}', "invalid_schema"),  # lone surrogate: cannot be written back as UTF-8
])
def test_malformed_lines(line, code):
    # Sandwiched between good lines: the bad one is accounted for and the file goes on.
    out = read(json.dumps(rec()) + "\n" + line + "\n" + json.dumps(rec(id="y")))
    bad = [r for r in out if not r.ok]
    assert len(bad) == 1 and bad[0].error == code, [(r.error, r.detail) for r in out]
    assert len(out) == 3 and bad[0].line == 2 and bad[0].raw == line
    assert "abc" not in (bad[0].detail or "") and "zqxj" not in (bad[0].detail or "")  # details never quote input


def test_jsonl_whose_first_line_is_an_array_is_still_jsonl():
    out = read("[1, 2]\n" + json.dumps(rec()))
    assert [(r.line, r.error) for r in out] == [(1, "invalid_schema"), (2, None)]


def test_missing_or_null_entities_read_as_unlabelled():
    a, b = read(json.dumps({"text": TEXT}) + "\n" + json.dumps({"text": TEXT, "entities": None}))
    assert a.ok and b.ok and a.entities == b.entities == []


def test_ten_megabyte_line_is_read():
    big = "word " * 2_000_000  # 10 MB of text on one line
    out = read(json.dumps({"id": "big", "text": big}) + "\n" + json.dumps(rec()))
    assert [r.ok for r in out] == [True, True] and len(out[0].text) == 10_000_000


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf", b"[]", b"  [ ]  "])
def test_empty_files_have_no_records(data):
    assert read(data, "f.json") == []


def test_source_real_in_record_wins_over_folder():
    a, b = read(json.dumps(rec(source="real")) + "\n" + json.dumps(rec(source="synthetic")), source="synthetic")
    assert (a.source, b.source) == ("real", "synthetic")
    (c,) = read(json.dumps(rec(source="synthetic")), source="real")
    assert c.source == "real"


def test_label_mapping_case_insensitive_by_default_and_configurable():
    line = json.dumps({"text": TEXT, "entities": [{"start": 0, "end": 5, "label": "person"},
                                                  {"start": 18, "end": 24, "label": "name"}]})
    (r,) = read(line, mapper=LabelMapper({"Person": "NAME"}))
    assert [e[2] for e in r.entities] == ["NAME", "NAME"]
    (r,) = read(line, mapper=LabelMapper({"Person": "NAME"}, case_insensitive=False))
    assert [e[2] for e in r.entities] == ["person", "name"]  # passed through: validation says unknown_label


# -- Label Studio ---------------------------------------------------------------------------

def ann(aid, results, **kw):
    return {"id": aid, "result": results, **kw}


def lab(start, end, label, text=None):
    v = {"start": start, "end": end, "labels": [label]}
    if text is not None:
        v["text"] = text
    return {"type": "labels", "from_name": "label", "to_name": "text", "value": v}


def task(anns, tid=1, text=TEXT, **kw):
    return {"id": tid, "data": {"text": text}, "annotations": anns, **kw}


def read_ls(tasks, as_list=True):
    data = json.dumps(tasks) if as_list else "\n".join(json.dumps(t) for t in tasks)
    return read(data, "export.json" if as_list else "export.jsonl", source="real")


def test_label_studio_list_and_jsonl_read_the_same():
    t = task([ann(5, [lab(0, 5, "NAME"), {"type": "choices", "value": {"choices": ["x"]}}])])
    (a,), (b,) = read_ls([t]), read_ls([t], as_list=False)
    assert (a.format, a.line, b.line) == ("label_studio", 0, 1)  # list: task index; JSONL: line
    for r in (a, b):
        assert (r.id, r.text, r.entities) == ("ls-1", TEXT, [(0, 5, "NAME")])
        assert r.meta == {"label_studio": {"task_id": 1, "annotation_id": 5}}


def test_label_studio_most_recent_annotation_wins():
    t = task([ann(1, [lab(0, 5, "NAME")], updated_at="2024-03-02T00:00:00Z", created_at="2024-01-01T00:00:00Z"),
              ann(2, [lab(18, 24, "LOCATION")], updated_at="2024-03-01T00:00:00Z"),
              ann(3, [lab(31, 36, "VICTIM")], created_at="2024-03-03T00:00:00+03:00", was_cancelled=True)])
    (r,) = read_ls([t])
    assert r.entities == [(0, 5, "NAME")]


def test_label_studio_created_at_fallback_then_id():
    older = ann(1, [lab(0, 5, "NAME")], created_at="2024-01-01T00:00:00")
    newer = ann(2, [lab(18, 24, "LOCATION")], created_at="2024-02-01T00:00:00Z")
    assert read_ls([task([newer, older])])[0].entities == [(18, 24, "LOCATION")]
    tie_a, tie_b = ann(7, [lab(0, 5, "NAME")]), ann(9, [lab(31, 36, "VICTIM")])  # no timestamps: higher id
    assert read_ls([task([tie_b, tie_a])])[0].entities == [(31, 36, "VICTIM")]


def test_label_studio_no_usable_annotation():
    cancelled = task([ann(1, [lab(0, 5, "NAME")], was_cancelled=True)])
    preds_only = task([], predictions=[{"result": [lab(0, 5, "NAME")]}], tid=2)
    for r in read_ls([cancelled, preds_only]):
        assert r.error == "no_annotation" and r.id in ("ls-1", "ls-2")


def test_label_studio_submitted_without_labels_is_unlabelled_not_missing():
    (r,) = read_ls([task([ann(1, [])])])
    assert r.ok and r.entities == []


def test_label_studio_old_completions_with_epoch_timestamps():
    t = {"id": 3, "data": {"text": TEXT}, "completions": [ann(1, [lab(0, 5, "NAME")], created_at=1609789589),
                                                          ann(2, [lab(18, 24, "NAME")], created_at=1500000000)]}
    assert read_ls([t])[0].entities == [(0, 5, "NAME")]


@pytest.mark.parametrize("bad", [
    {"id": 1, "data": {"transcript": TEXT}, "annotations": [ann(1, [])]},
    task([ann(1, [lab(0, 5, "NAME") | {"value": {"start": 0, "end": 5, "labels": []}}])]),
    task([ann(1, [{"type": "labels", "value": {"start": "0", "end": 5, "labels": ["NAME"]}}])]),
    task([ann(1, "not a list")]),
    task("not a list"),
])
def test_label_studio_schema_errors(bad):
    (r,) = read_ls([bad])
    assert r.error == "invalid_schema"


def test_label_studio_data_id_preferred_as_record_id():
    t = task([ann(1, [])])
    t["data"]["id"] = "case-77"
    assert read_ls([t])[0].id == "case-77"


def test_label_studio_offsets_decided_per_task():
    """Code points or UTF-16 code units, for the whole task: value.text decides, else word
    boundaries; the choice and the spans it moved go to meta (validation audits them)."""
    text = "Hi 😀 Amani here 😀 and Peace"
    s, p = text.index("Amani"), text.index("Peace")
    good_cp = lab(s, s + 5, "VICTIM", text="Amani")
    utf16 = lab(s + 1, s + 6, "VICTIM", text="Amani")  # JS counted the emoji as two units
    unproven = lab(s + 1, s + 6, "VICTIM")  # no value.text: "Amani" on word boundaries only as UTF-16
    got = [read_ls([task([ann(1, [r])], text=text)])[0] for r in (good_cp, utf16, unproven)]
    assert [g.entities[0][:2] for g in got] == [(s, s + 5)] * 3
    offs = [g.meta["label_studio"]["offsets"] for g in got]
    assert [(o["convention"], o["basis"]) for o in offs] == [("code_points", "value_text"), ("utf16", "value_text"),
                                                             ("utf16", "word_boundaries")]
    assert offs[0]["converted"] == [] and offs[1]["converted"] == [[s + 1, s + 6, s, s + 5, "VICTIM"]]
    # Two spans, the second after both emoji: one reading for both (two code units off).
    both = read_ls([task([ann(1, [lab(s + 1, s + 6, "VICTIM", text="Amani"), lab(p + 2, p + 7, "NAME")])], text=text)])[0]
    assert both.entities == [(s, s + 5, "VICTIM"), (p, p + 5, "NAME")]
    # No emoji, or spans all before the first one: nothing to decide, nothing recorded.
    plain = read_ls([task([ann(1, [lab(0, 2, "NAME")])], text=text)])[0]
    assert "offsets" not in plain.meta["label_studio"] and plain.entities == [(0, 2, "NAME")]


def test_label_studio_offsets_undecided_is_quarantined():
    from ner_pipeline.config import ValidationSettings
    from ner_pipeline.validate.checks import check_record

    text = "😀 a,b"  # cp 3-4 is ",", read as UTF-16 it is "a": both whole words, no value.text
    (r,) = read_ls([task([ann(1, [lab(3, 4, "NAME")])], text=text)])
    assert r.meta["label_studio"]["offsets"]["convention"] is None
    assert check_record(r, ValidationSettings()).reasons == ["offsets_undecided"]


def test_truncated_list_export_keeps_complete_tasks():
    body = json.dumps([task([ann(1, [lab(0, 5, "NAME")])], tid=1), task([ann(2, [])], tid=2)])
    out = read(body[:-20], "export.json", "real")
    assert [(r.line, r.error) for r in out] == [(0, None), (1, "invalid_json")]


def test_garbage_between_list_elements_is_accounted_for():
    body = "[" + json.dumps(task([ann(1, [])])) + " oops " + json.dumps(task([ann(2, [])])) + "]"
    out = read(body, "export.json", "real")
    assert [r.error for r in out] == [None, "invalid_json"]


def test_non_utf8_bytes_inside_list_element():
    good, bad = json.dumps(task([ann(1, [])], tid=1)).encode(), json.dumps(task([ann(2, [])], tid=2, text="caf_")).encode()
    bad = bad.replace(b"caf_", b"caf\xe9")
    out = read(b"[" + good + b"," + bad + b"]", "export.json", "real")
    assert [r.error for r in out] == [None, "invalid_json"] and "\\xe9" in out[1].raw


def test_pretty_printed_single_task_file():
    out = read(json.dumps(task([ann(1, [lab(0, 5, "NAME")])]), indent=2), "one.json", "real")
    assert len(out) == 1 and out[0].ok and out[0].entities == [(0, 5, "NAME")]


def test_mixed_jsonl_of_tasks_and_canonical_records():
    data = json.dumps(task([ann(1, [])])) + "\n" + json.dumps(rec())
    assert [r.format for r in read(data)] == ["label_studio", "canonical"]

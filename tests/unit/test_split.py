from ner_pipeline.config import SplitSettings
from ner_pipeline.records import Record, Span, text_hash
from ner_pipeline.split import assign_split, parse_jsonl, split_records, to_jsonl


def _recs(n):
    return [Record(id=f"r{i}", text=f"Caller {i} reports case number {i * 7}.", entities=[Span(0, 6, "NAME")])
            for i in range(n)]


def test_split_is_stable_and_roughly_proportional():
    s = SplitSettings()
    recs = _recs(2000)
    a = split_records(recs, s)
    b = split_records(list(reversed(recs)), s)
    assert {k: [r.id for r in v] for k, v in a.items()} == {k: [r.id for r in v] for k, v in b.items()}
    assert 300 < len(a["test"]) < 500 and 120 < len(a["validation"]) < 290


def test_frozen_test_set_grows_but_never_loses_members():
    s = SplitSettings()
    first = split_records(_recs(500), s)
    later = split_records(_recs(1500), s)
    assert {r.id for r in first["test"]} <= {r.id for r in later["test"]}
    assert not {r.id for r in first["test"]} & {r.id for r in later["train"]}


def test_duplicates_cannot_straddle_splits():
    s = SplitSettings()
    a = Record(id="a", text="Hello   Amani", entities=[])
    b = Record(id="b", text="hello amani", entities=[])
    assert assign_split(text_hash(a.text), s) == assign_split(text_hash(b.text), s)
    out = split_records([a, b], s)
    assert sum(len(v) for v in out.values()) == 1


def test_jsonl_roundtrip():  # the manifest half moved to test_snapshots.py with manifest_for
    recs = _recs(10)
    data = to_jsonl(recs)
    assert [r.to_dict() for r in parse_jsonl(data)] == [r.to_dict() for r in recs]

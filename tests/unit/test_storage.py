def test_roundtrip(store):
    store.put_json("a/b.json", {"x": 1})
    assert store.get_json("a/b.json") == {"x": 1}
    import pytest
    from ner_pipeline.storage import PreconditionFailed
    store.put_bytes("p.json", b"1", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        store.put_bytes("p.json", b"2", if_none_match=True)

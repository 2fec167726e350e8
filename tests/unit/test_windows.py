"""Overlapping windows: coverage, merge by most context, and no entity lost beyond 512 tokens."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from ner_pipeline.records import ID2TAG, TAG2ID, Record, Span
from ner_pipeline.tokens.align import IGNORE
from ner_pipeline.tokens.windows import best_window_per_token, context, merge_window_predictions, window_bounds

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize("n,size,stride", [(1, 10, 2), (10, 10, 2), (11, 10, 2), (37, 10, 3), (1000, 510, 128), (513, 510, 0)])
def test_windows_cover_everything_with_overlap(n, size, stride):
    b = window_bounds(n, size, stride)
    assert b[0][0] == 0 and b[-1][1] == n
    assert all(0 < e - s <= size for s, e in b)
    assert all(e - s == size for s, e in b[:-1])  # only the last window may be shorter
    for (s1, e1), (s2, e2) in zip(b, b[1:]):
        assert s1 < s2 and e1 - s2 == stride  # consecutive windows overlap by exactly stride
        assert e2 - s2 > stride  # and the last one still adds tokens of its own
    # overlap costs at most one stride per extra window
    assert sum(e - s for s, e in b) == n + stride * (len(b) - 1)
    covered = set()
    for s, e in b:
        covered.update(range(s, e))
    assert covered == set(range(n))


def test_window_bounds_edge_cases():
    assert window_bounds(0, 10, 2) == []
    with pytest.raises(ValueError):
        window_bounds(5, 10, 10)
    with pytest.raises(ValueError):
        window_bounds(5, 0, 0)


def test_each_token_is_read_where_it_has_most_context():
    bounds = [(0, 10), (6, 16)]
    owner = best_window_per_token(16, bounds)
    # tokens 6..9 are in both; 6 and 7 are nearer the first window's centre, 8 and 9 the second's
    assert owner[:6] == [0] * 6 and owner[10:] == [1] * 6
    assert [context(p, *bounds[owner[p]]) for p in range(6, 10)] == [3, 2, 2, 3]
    assert owner[6:10] == [0, 0, 1, 1]
    merged = merge_window_predictions(16, bounds, [[1] * 10, [2] * 10])
    assert merged == [1] * 8 + [2] * 8


# -- end to end: a stub model that tags one word, so no training is needed ----------------------

class KeywordModel:
    """Predicts B-NAME on one token id and O elsewhere; refuses windows longer than allowed."""

    def __init__(self, token_id: int, max_len: int) -> None:
        import torch

        self.torch = torch
        self.token_id, self.max_len = token_id, max_len
        self.config = SimpleNamespace(id2label=dict(ID2TAG))
        self.seen_lengths: list[int] = []

    def to(self, *a, **k):
        return self

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask):
        assert input_ids.shape[1] <= self.max_len, "a window exceeded max_length"
        self.seen_lengths.append(int(input_ids.shape[1]))
        logits = self.torch.zeros(*input_ids.shape, len(ID2TAG))
        logits[..., TAG2ID["O"]] = 1.0
        logits[..., TAG2ID["B-NAME"]] = (input_ids == self.token_id).float() * 5
        return SimpleNamespace(logits=logits)


@pytest.fixture(scope="module")
def tokenizer():
    from ner_pipeline.train.model_loading import load_tokenizer, packaged_model_dir

    return load_tokenizer(str(packaged_model_dir()))


def long_text_with_late_name() -> tuple[str, Span]:
    head = "and " * 600  # one token each: the name sits beyond token 600
    text = head + "Paris went home and " + "and " * 40
    start = len(head)
    return text.strip(), Span(start, start + len("Paris"), "NAME")


def test_entity_beyond_token_512_is_found_by_prediction(tokenizer):
    from ner_pipeline.evaluate.predict import Predictor

    text, gold = long_text_with_late_name()
    n_tokens = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    assert n_tokens > 600 and tokenizer.convert_tokens_to_ids("paris") != tokenizer.unk_token_id
    model = KeywordModel(tokenizer.convert_tokens_to_ids("paris"), max_len=512)
    predictor = Predictor(model, tokenizer, max_length=512, stride=128, device="cpu")
    (spans,) = predictor.predict([text])
    assert spans == [gold]
    assert max(model.seen_lengths) <= 512 and predictor.last_stats["windows"] == 2


def test_entity_beyond_token_512_is_labelled_for_training(tokenizer):
    from ner_pipeline.tokens.encoding import SpecialTokens, WindowConfig, encode_texts, plan_windows, training_features

    text, gold = long_text_with_late_name()
    rec = Record(id="long", text=text, entities=[gold])
    specials = SpecialTokens.from_tokenizer(tokenizer)
    enc = encode_texts(tokenizer, [text])
    windows = plan_windows(enc, WindowConfig(256, 64), specials)
    feats = training_features([rec], enc, windows, specials, label_all_subtokens=False)
    assert len(windows) >= 3 and all(len(f["input_ids"]) <= 256 for f in feats)
    with_name = [w for w, f in zip(windows, feats) if TAG2ID["B-NAME"] in f["labels"]]
    assert with_name and all(w.start > 512 - 256 for w in with_name)
    for f in feats:  # specials carry no label; the label list matches the inputs
        assert f["labels"][0] == IGNORE and f["labels"][-1] == IGNORE
        assert len(f["labels"]) == len(f["input_ids"]) == len(f["attention_mask"])


def test_short_and_empty_texts_in_one_batch(tokenizer):
    from ner_pipeline.evaluate.predict import Predictor

    model = KeywordModel(tokenizer.convert_tokens_to_ids("paris"), max_len=64)
    predictor = Predictor(model, tokenizer, max_length=64, stride=16, batch_size=2, device="cpu")
    texts = ["", "Paris", "I saw Paris and paris again " * 10, "   "]
    out = predictor.predict(texts)
    assert out[0] == [] and out[3] == []
    assert out[1] == [Span(0, 5, "NAME")]
    assert len(out[2]) == 20 and all(texts[2][s.start : s.end].lower() == "paris" for s in out[2])

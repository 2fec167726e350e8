"""Strict entity-level scoring, checked against a plain exact-span-match count."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from ner_pipeline.evaluate.confusion import CONFUSION_LABELS, confusion
from ner_pipeline.evaluate.score import format_metrics_table
from ner_pipeline.metrics import score
from ner_pipeline.records import LABELS, Record, Span, words

TEXT = "Hello, I am Hassani calling from Kondoa, Dodoma. My neighbour's daughter Rehema is only thirteen."


def sp(text: str, mention: str, label: str) -> Span:
    i = text.index(mention)
    return Span(i, i + len(mention), label)


GOLD = Record("a", TEXT, [sp(TEXT, "Hassani", "NAME"), sp(TEXT, "Kondoa, Dodoma", "LOCATION"),
                         sp(TEXT, "daughter", "GENDER"), sp(TEXT, "Rehema", "VICTIM"),
                         sp(TEXT, "thirteen", "AGE")], source="synthetic")


def test_perfect_and_partial_predictions():
    perfect = score([GOLD], [list(GOLD.entities)])
    assert perfect["micro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 5, "tp": 5, "fp": 0, "fn": 0}
    assert set(perfect["per_label"]) == set(LABELS)
    assert perfect["per_label"]["PHONE_NUMBER"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0,
                                                    "tp": 0, "fp": 0, "fn": 0}
    assert perfect["n_records"] == 1 and perfect["by_source"]["synthetic"]["n_records"] == 1

    # "Kondoa" alone is a boundary error (strict: wrong), "Rehema" as NAME is a label error
    pred = [sp(TEXT, "Hassani", "NAME"), sp(TEXT, "Kondoa", "LOCATION"), sp(TEXT, "daughter", "GENDER"),
            sp(TEXT, "Rehema", "NAME"), sp(TEXT, "thirteen", "AGE")]
    m = score([GOLD], [pred])
    assert m["micro"]["precision"] == pytest.approx(3 / 5) and m["micro"]["recall"] == pytest.approx(3 / 5)
    assert m["per_label"]["LOCATION"]["f1"] == 0.0 and m["per_label"]["LOCATION"]["support"] == 1
    assert m["per_label"]["NAME"]["precision"] == pytest.approx(0.5) and m["per_label"]["NAME"]["recall"] == 1.0
    assert json.loads(json.dumps(m)) == m  # plain JSON types (no numpy)
    # issue 15 item 12: counts per label and in micro, a macro average, per_entity beside per_label
    assert {k: m["micro"][k] for k in ("tp", "fp", "fn")} == {"tp": 3, "fp": 2, "fn": 2}
    assert {k: m["per_label"]["NAME"][k] for k in ("tp", "fp", "fn")} == {"tp": 1, "fp": 1, "fn": 0}
    assert {k: m["per_label"]["LOCATION"][k] for k in ("tp", "fp", "fn")} == {"tp": 0, "fp": 1, "fn": 1}
    assert m["per_entity"] == m["per_label"]
    f1s = {"NAME": 2 / 3, "LOCATION": 0.0, "GENDER": 1.0, "VICTIM": 0.0, "AGE": 1.0}
    assert m["macro"]["f1"] == pytest.approx(sum(f1s.values()) / 5) and sorted(m["macro"]["labels"]) == sorted(f1s)


def test_by_source_and_empty_cases():
    real = Record("b", "Call 0712-345-678 now", [Span(5, 17, "PHONE_NUMBER")], source="real")
    m = score([GOLD, real], [list(GOLD.entities), []])
    assert m["by_source"]["real"]["micro"]["recall"] == 0.0 and m["by_source"]["real"]["n_records"] == 1
    assert m["by_source"]["synthetic"]["micro"]["f1"] == 1.0
    assert m["micro"]["support"] == 6 and m["micro"]["recall"] == pytest.approx(5 / 6)
    empty = score([Record("c", "nothing here", [])], [[]])
    assert empty["micro"]["support"] == 0 and empty["micro"]["f1"] == 0.0
    with pytest.raises(ValueError):
        score([GOLD], [])


# -- cross-check against exact span matching on random word-aligned spans ------------------------

def random_spans(rng: random.Random, n_words: int, offs: list[tuple[int, int]]) -> list[Span]:
    spans, i = [], 0
    while i < n_words:
        if rng.random() < 0.3:
            length = rng.randint(1, 3)
            j = min(n_words, i + length)
            spans.append(Span(offs[i][0], offs[j - 1][1], rng.choice(LABELS[:4])))
            i = j + rng.randint(0, 1)  # sometimes two entities touch
        else:
            i += 1
    return spans


def perturb(rng: random.Random, gold: list[Span], offs: list[tuple[int, int]]) -> list[Span]:
    """Keep most gold spans, relabel or drop some, add a few random ones (non-overlapping)."""
    out = []
    for s in gold:
        r = rng.random()
        if r < 0.6:
            out.append(s)
        elif r < 0.75:
            out.append(Span(s.start, s.end, rng.choice(LABELS[:4])))
    extra = random_spans(rng, len(offs), offs)
    taken = set()
    for s in out:
        taken.update(range(s.start, s.end))
    for s in extra:
        if not taken.intersection(range(s.start, s.end)) and rng.random() < 0.3:
            out.append(s)
            taken.update(range(s.start, s.end))
    return out


def exact_match(gold: list[list[Span]], pred: list[list[Span]]) -> dict[str, tuple[int, int, int]]:
    """label -> (true positives, predicted, gold) by exact (record, start, end, label) match."""
    g = Counter((i, s.start, s.end, s.label) for i, spans in enumerate(gold) for s in spans)
    p = Counter((i, s.start, s.end, s.label) for i, spans in enumerate(pred) for s in spans)
    out = {}
    for lab in LABELS + ("ALL",):
        sel = (lambda k: True) if lab == "ALL" else (lambda k, lab=lab: k[3] == lab)  # noqa: E731
        tp = sum(min(c, p[k]) for k, c in g.items() if sel(k))
        out[lab] = (tp, sum(c for k, c in p.items() if sel(k)), sum(c for k, c in g.items() if sel(k)))
    return out


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@pytest.mark.parametrize("seed", range(5))
def test_seqeval_agrees_with_exact_span_match(seed):
    rng = random.Random(seed)
    vocab = ["Amani", "went", "to", "Kondoa", ",", "Dodoma", "0712-345", "he", "said", "St.", "Joseph", "!"]
    records, preds = [], []
    for i in range(30):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 25)))
        offs = words(text)
        gold = random_spans(rng, len(offs), offs)
        records.append(Record(f"r{i}", text, gold, source=rng.choice(["synthetic", "real"])))
        preds.append(perturb(rng, gold, offs))
    m = score(records, preds)
    counts = exact_match([r.entities for r in records], preds)
    for lab in LABELS:
        p, r, f = prf(*counts[lab])
        got = m["per_label"][lab]
        assert (got["precision"], got["recall"], got["f1"]) == pytest.approx((p, r, f)), lab
        assert got["support"] == counts[lab][2]
    assert (m["micro"]["precision"], m["micro"]["recall"], m["micro"]["f1"]) == pytest.approx(prf(*counts["ALL"]))


def test_confusion_counts_words_with_o():
    pred = [sp(TEXT, "Hassani", "NAME"), sp(TEXT, "Kondoa", "LOCATION"), sp(TEXT, "Rehema", "NAME"),
            sp(TEXT, "only", "AGE")]
    c = confusion([GOLD], [pred])
    idx = {lab: i for i, lab in enumerate(c["labels"])}
    assert c["labels"] == list(CONFUSION_LABELS) and c["n_words"] == len(words(TEXT))
    mat = c["matrix"]
    assert mat[idx["NAME"]][idx["NAME"]] == 1
    assert mat[idx["VICTIM"]][idx["NAME"]] == 1
    assert mat[idx["LOCATION"]][idx["LOCATION"]] == 1 and mat[idx["LOCATION"]][idx["O"]] == 2  # ", Dodoma"
    assert mat[idx["GENDER"]][idx["O"]] == 1 and mat[idx["AGE"]][idx["O"]] == 1
    assert mat[idx["O"]][idx["AGE"]] == 1
    assert sum(map(sum, mat)) == c["n_words"]


def test_metrics_table_with_and_without_champion():
    m = score([GOLD], [list(GOLD.entities)])
    champ = score([GOLD], [[sp(TEXT, "Hassani", "NAME")]])
    plain = format_metrics_table(m)
    lines = plain.splitlines()
    assert lines[0].split() == ["label", "precision", "recall", "f1", "support"]
    assert [ln.split()[0] for ln in lines[2:11]] == list(LABELS) and lines[-1].split()[0] == "micro"
    both = format_metrics_table(m, champ)
    micro = both.splitlines()[-1].split()
    assert micro[0] == "micro" and micro[-2] == f"{champ['micro']['f1']:.4f}" and micro[-1].startswith("+")
    assert "Hassani" not in plain + both  # no text, ever


def test_score_cli(tmp_path, capsys):
    from ner_pipeline.cli import main

    gold = tmp_path / "test.jsonl"
    gold.write_text(json.dumps(GOLD.to_dict()) + "\n")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps({"id": "a", "entities": [s.to_dict() for s in GOLD.entities[:3]]}) + "\n")
    out = tmp_path / "metrics.json"
    assert main(["score", "--gold", str(gold), "--pred", str(pred), "--out", str(out)]) == 0
    m = json.loads(out.read_text())
    assert m["micro"]["recall"] == pytest.approx(3 / 5) and m["micro"]["precision"] == 1.0
    assert "micro" in capsys.readouterr().out
    pred.write_text(json.dumps({"id": "other", "entities": []}) + "\n")
    assert main(["score", "--gold", str(gold), "--pred", str(pred)]) == 2

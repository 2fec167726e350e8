"""What is served equals what was measured: the decode rule against the stock transformers
pipeline's own grouping, the agreement figure, the gate rule serving_agreement, the model card
section and the serving-check command (tests/integration/test_serving_venv.py runs the
consumer's pinned transformers 4.53.3)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from ner_pipeline.config import GateSettings
from ner_pipeline.tokens.decode import word_tags_to_spans
from ner_pipeline.evaluate.gate import decide, serving_agreement_rule
from ner_pipeline.evaluate.serving import agreement, served_faults
from ner_pipeline.records import LABELS, Record, Span

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CANARY = "Zawadi-Canary-7Q"
TEXTS = [
    "Hello, my name is Mwakamba Otieno and I call from Kondoa, Dodoma about Rehema, 13.",
    "The girl Neema Joseph is beaten by her stepfather near Mlimani bus stand. Call +255 712 345 678!",
    # No underscore or CJK here: inside such a run of word characters the tokenizer starts new
    # words that records.words does not (decode.py), and a random model tags them apart.
    f"Zoë Müller 😀 anaishi Mwanza; O'Brien's e-mail: a.b@c.org ({CANARY}) 0712-345-678",
    "",
]


# -- the decode rule (pure) -------------------------------------------------------------------------

W = [(0, 5), (6, 12), (13, 15), (16, 20)]  # four words


@pytest.mark.parametrize("tags,spans", [
    (["B-VICTIM", "I-NAME", "O", "O"], [Span(0, 5, "VICTIM"), Span(6, 12, "NAME")]),  # a type change opens
    (["B-NAME", "I-NAME", "O", "B-AGE"], [Span(0, 12, "NAME"), Span(16, 20, "AGE")]),
    (["O", "I-NAME", "I-NAME", "O"], [Span(6, 15, "NAME")]),                          # a stray I- opens
    (["B-NAME", "B-NAME", "O", "O"], [Span(0, 5, "NAME"), Span(6, 12, "NAME")]),      # B- always opens
    (["I-LOCATION", "B-LOCATION", "I-LOCATION", "I-AGE"],
     [Span(0, 5, "LOCATION"), Span(6, 15, "LOCATION"), Span(16, 20, "AGE")]),
])
def test_decode_rule(tags, spans):
    assert word_tags_to_spans(W, tags) == spans


@pytest.fixture(scope="module")
def stock(tiny_model):
    from ner_pipeline.evaluate import stock_pipeline

    return stock_pipeline.load(tiny_model)


TAG = st.sampled_from(["O", "O", "B-NAME", "I-NAME", "B-VICTIM", "I-VICTIM", "I-AGE"])


@hsettings(max_examples=300, deadline=None)
@given(tags=st.lists(TAG, min_size=0, max_size=12))
def test_decode_groups_words_exactly_as_the_stock_pipeline_groups_them(stock, tags):
    """transformers' own TokenClassificationPipeline.group_entities (then its O filter) on the
    same tag sequence: the spans must be the same, so no rule of ours differs from the served one."""
    offs = [(3 * i, 3 * i + 2) for i in range(len(tags))]
    ents = [{"entity": t, "score": 0.9, "word": "ab", "start": s, "end": e} for t, (s, e) in zip(tags, offs)]
    served = [Span(g["start"], g["end"], g["entity_group"]) for g in stock.group_entities(ents)
              if g["entity_group"] != "O"] if ents else []
    assert word_tags_to_spans(offs, tags) == served


def _window_512(tiny_model, tmp_path):
    """The tiny model with the stock pipeline's window (512 = tokenizer.model_max_length)."""
    from ner_pipeline.tokens.inference import INFERENCE_FILE

    folder = tmp_path / "m512"
    shutil.copytree(tiny_model, folder)
    (folder / INFERENCE_FILE).write_text(json.dumps({"max_length": 512, "stride": 128}))
    return folder


def test_predict_is_the_stock_pipelines_first_aggregation(tiny_model, tmp_path, stock):
    """A random model tags every piece at random: `first` (a word's tag is its first piece's, our
    rule 1) still returns exactly predict's spans, while `simple` serves fragments: the check sees
    what an untrained continuation does, which predict alone would hide."""
    from ner_pipeline.evaluate import stock_pipeline
    from ner_pipeline.evaluate.predict import Predictor

    folder = _window_512(tiny_model, tmp_path)
    ours = Predictor.load(folder, device="cpu", precision="fp32").predict(TEXTS)
    assert sum(map(len, ours)) > 5
    assert stock_pipeline.spans(stock, TEXTS, aggregation="first", stride=128) == ours
    simple = stock_pipeline.spans(stock, TEXTS, aggregation="simple", stride=128)
    assert agreement(ours, simple)["f1"] < 1.0 and served_faults(TEXTS, simple)["fragments"] > 0


def test_stock_stride_windows_are_predicts_windows(tiny_model):
    """With the folder's stride the stock pipeline cuts a long text into the windows predict
    cuts (same size, same overlap), so on long texts only the merge of overlaps can differ."""
    from transformers import AutoTokenizer

    from ner_pipeline.tokens.encoding import SpecialTokens, WindowConfig, encode_texts, plan_windows, window_input_ids

    tok = AutoTokenizer.from_pretrained(tiny_model)
    text = " ".join(["Amani Mwakamba lives in Kondoa, Dodoma."] * 120)
    specials = SpecialTokens.from_tokenizer(tok)
    enc = encode_texts(tok, [text])
    wins = plan_windows(enc, WindowConfig(512, 128), specials)
    ours = [window_input_ids(enc[0], w, specials) for w in wins]
    stock = tok(text, truncation=True, max_length=512, stride=128, return_overflowing_tokens=True)["input_ids"]
    assert len(ours) > 1 and [list(x) for x in stock] == ours


# -- the agreement figure (pure) ----------------------------------------------------------------------

def test_agreement_counts():
    scored = [[Span(0, 8, "NAME"), Span(10, 12, "AGE")], [Span(0, 3, "GENDER")], []]
    served = [[Span(0, 2, "NAME"), Span(2, 8, "NAME"), Span(10, 12, "AGE")], [Span(0, 3, "GENDER")], []]
    a = agreement(scored, served)
    assert (a["matched"], a["scored_spans"], a["served_spans"], a["records_identical"]) == (2, 3, 4, 2)
    assert a["precision"] == 0.5 and a["recall"] == pytest.approx(2 / 3) and a["f1"] == pytest.approx(4 / 7)
    assert agreement(scored, scored)["f1"] == 1.0
    assert agreement([[], []], [[], []])["f1"] == 1.0  # nothing served, nothing scored: nothing differs
    dup = agreement([[Span(0, 1, "AGE")]], [[Span(0, 1, "AGE"), Span(0, 1, "AGE")]])  # a multiset, not a set
    assert dup["matched"] == 1 and dup["f1"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        agreement([[]], [])


def test_served_faults():
    text = "Mwakamba told the teacher; she is 9"
    mw, the, she = text.index("Mwakamba"), text.index("the"), text.index("she")
    served = [[Span(mw, mw + 2, "NAME"), Span(mw + 2, mw + 8, "NAME"), Span(the, the + 3, "PERPETRATOR"),
               Span(she, she + 3, "GENDER"), Span(text.index("9"), len(text), "AGE")]]
    assert served_faults([text], served) == {"fragments": 2, "stopword_only": 1}  # "she" is a GENDER pronoun


# -- the gate rule ------------------------------------------------------------------------------------

def _metrics(serving=None):
    per = {lab: {"precision": 0.9, "recall": 0.9, "f1": 0.9, "support": 100} for lab in LABELS}
    m = {"micro": {"precision": 0.9, "recall": 0.9, "f1": 0.9, "support": 900}, "per_label": per,
         "by_source": {"synthetic": {"micro": {"f1": 0.9}, "n_records": 50}}, "n_records": 50}
    if serving is not None:
        m["serving"] = serving
    return m


def _serving(f1, **kw):
    return {"aggregation": "simple", "f1": f1, "served_spans": 100, "scored_spans": 100, "fragments": 0,
            "stopword_only": 0, **kw}


@pytest.mark.parametrize("f1,outcome", [(0.99, "pass"), (1.0, "pass"), (0.9899, "fail"), (0.64, "fail"),
                                        (None, "fail"), (float("nan"), "fail")])
def test_serving_agreement_blocks_below_the_threshold(f1, outcome):
    b = decide(_metrics(_serving(f1)), GateSettings())
    r = next(r for r in b["rules"] if r["rule"] == "serving_agreement")
    assert (r["outcome"], r["action"], r["threshold"], r["comparison"]) == (outcome, "block", 0.99, ">=")
    assert b["passed"] is (outcome == "pass")
    if outcome == "fail":
        assert any("stock pipeline (simple)" in reason for reason in b["reasons"])


def test_serving_agreement_threshold_is_configurable_and_a_failed_check_blocks():
    assert serving_agreement_rule(_metrics(_serving(0.9)), GateSettings(serving_agreement_min=0.85))["outcome"] == "pass"
    failed = serving_agreement_rule(_metrics({"aggregation": "simple", "f1": None, "error": "the stock pipeline "
                                              "could not run (OSError: no config)"}), GateSettings())
    assert failed["outcome"] == "fail" and "could not run" in failed["detail"]
    # metrics that never went through the evaluate task carry no figure: reported as skipped
    assert serving_agreement_rule(_metrics(), GateSettings())["outcome"] == "skipped"
    with pytest.raises(ValueError):
        GateSettings(serving_agreement_min=1.5)


def test_model_card_has_the_serving_figures():
    from ner_pipeline.modelcard import render

    sv = _serving(0.995, transformers="4.53.3", n_records=50, matched=99, records_identical=48,
                  by_aggregation={"simple": {"f1": 0.995, "fragments": 0}, "first": {"f1": 1.0, "fragments": 0}})
    m = _metrics(sv)
    card = render(metrics=m, blessing=decide(m, GateSettings()), lineage={})
    assert "## Serving check (stock transformers pipeline)" in card and "agreement F1 0.9950" in card
    assert "| first | 1.0000 | 0 |" in card
    row = next(ln for ln in card.splitlines() if ln.startswith("| serving_agreement"))
    assert "0.9950" in row and "pass" in row


# -- the real thing, in-process: the evaluate task's figure and the command -------------------------

def test_serving_figure_of_a_folder_the_pipeline_cannot_load(tmp_path):
    from ner_pipeline.evaluate.serving import serving_figure

    (tmp_path / "config.json").write_text("{}")
    fig = serving_figure(tmp_path, ["a text"], [[]])
    assert fig["f1"] is None and "could not run" in fig["error"]
    assert serving_agreement_rule(_metrics(fig), GateSettings())["outcome"] == "fail"


def test_serving_check_command_counts_only(tiny_model, tmp_path, capsys):
    from ner_pipeline.cli import main

    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(Record(f"r{i}", t, source="real" if i == 2 else "synthetic").to_dict())
                               + "\n" for i, t in enumerate(TEXTS)))
    out = tmp_path / "serving.json"
    rc = main(["serving-check", "--model", str(_window_512(tiny_model, tmp_path)), "--input", str(records),
               "--out", str(out)])
    printed = capsys.readouterr()
    result = json.loads(out.read_text())
    assert rc == 1 and result["f1"] < 0.99  # a random model serves fragments: below the gate
    assert set(result["by_aggregation"]) == {"simple", "first", "max"}
    assert result["by_aggregation"]["first"]["f1"] == 1.0 and result["n_records"] == len(TEXTS)
    assert result["multi_window_texts"] == 0 and result["stride"] == 128
    assert {k: v["n_records"] for k, v in result["by_source"].items()} == {"real": 1, "synthetic": len(TEXTS) - 1}
    for blob in (out.read_text(), printed.out, printed.err):
        assert CANARY not in blob and "Mwakamba" not in blob  # no transcript text, only counts


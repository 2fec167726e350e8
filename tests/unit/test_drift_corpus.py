"""The drift corpus with known truth and the dev-data salvage (validate/drift_corpus.py): the
figures the README states, fixed here. `ner-pipeline repair-check [--dev FILE]` prints them.

If a deliberate change to the generator or the repair rules moves them, rerun that command
and update README and this file together; a repaired span that differs from the original,
or a case with a visible defect accepted wrong, is a bug, never a figure to update."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ner_pipeline.config import load_settings
from ner_pipeline.validate.repair_commands import DEFAULT_SEED, DEFAULT_SYNTHETIC, compute

DEV = Path(os.environ.get("NER_DEV_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data" / "openchs_v1_dev.jsonl")


def settings():
    return load_settings("local", environ={}, overrides=["validation.quarantine_rate_limit=1.0"])


def _row(f):
    return (f["cases"], f["repaired"], f["repaired_exact"], f["repaired_spans"], f["repaired_spans_right"], f["accepted_wrong"])


@pytest.fixture(scope="module")
def result():
    """What `ner-pipeline repair-check [--dev DEV]` computes (the dev part when the data is here)."""
    return compute(settings(), synthetic=DEFAULT_SYNTHETIC, seed=DEFAULT_SEED, dev=DEV if DEV.is_file() else None)


@pytest.fixture(scope="module")
def synthetic(result):
    return {k: v for k, v in result["drift_corpus"].items() if k.startswith("synthetic/")}


KNOWN_WRONG = ("drift",)  # see test_drift_repairs_are_not_all_right_yet


def test_every_repaired_span_is_the_original(synthetic):
    for name, f in synthetic.items():
        if name.split("/")[-1] in KNOWN_WRONG:
            continue
        assert f["repaired_exact"] == f["repaired"] and f["repaired_spans_right"] == f["repaired_spans"], name
        assert f["accepted_wrong"] == 0, name
        assert f["repaired"] + f["quarantined"] + f["accepted_unchanged"] == f["cases"], name


@pytest.mark.xfail(strict=True, reason="a bug left open (issue 17): in a record repaired for drift, a drifted span "
                   "that landed on other whole words is kept, and drift_neighbours can move a span onto the "
                   "wrong word; the damage drawn since the corpus got one random stream per origin shows it")
def test_drift_repairs_are_not_all_right_yet(synthetic):
    for name, f in synthetic.items():
        assert f["repaired_exact"] == f["repaired"] and f["repaired_spans_right"] == f["repaired_spans"], name
        assert f["accepted_wrong"] == 0, name
        assert f["repaired"] + f["quarantined"] + f["accepted_unchanged"] == f["cases"], name


def test_synthetic_figures(synthetic):
    # (cases, repaired, repaired exactly, repaired spans, right, accepted wrong)
    assert _row(synthetic["synthetic/drift"]) == (274, 270, 268, 3290, 3289, 2)  # 98.5%; 2 wrong: the xfail above
    assert _row(synthetic["synthetic/stem"]) == (300, 300, 300, 300, 300, 0)
    assert _row(synthetic["synthetic/edge_space"]) == (300, 300, 300, 300, 300, 0)
    assert synthetic["synthetic/drift"]["rules"].keys() <= {"drift_surface", "drift_neighbours", "reanchor"}


@pytest.mark.skipif(not DEV.is_file(), reason="the dev data (../shared/data) is not here")
def test_dev_figures(result):
    res = result
    dc = res["drift_corpus"]
    for name, f in dc.items():
        if "/" not in name or name.split("/")[-1] in KNOWN_WRONG:
            continue
        assert f["repaired_spans_right"] == f["repaired_spans"], name
        assert f["accepted_wrong"] == f["accepted_wrong_all_aligned"], name
    # 90.9%; 7 accepted wrong, each with another span visibly drifted (the xfail above)
    assert _row(dc["dev_clean/drift"]) == (320, 291, 284, 1381, 1379, 7)
    assert dc["dev_clean/drift"]["accepted_wrong_all_aligned"] == 0
    assert _row(dc["dev_clean/stem"]) == (277, 277, 277, 277, 277, 0)
    assert _row(dc["dev_clean/edge_space"]) == (334, 334, 334, 334, 334, 0)
    s = res["salvage"]
    assert (s["records"], s["defective"], s["defective_unique_texts"], s["clean_accepted"]) == (656, 322, 273, 334)
    assert s["defective_accepted_after_repair"] == 65  # 20.2% of 322 (1 before issue 17)
    assert s["repaired_spans_cutting_a_word"] == 0 and s["repaired_spans_changing_a_label"] == 0
    assert s["defective_unique_texts_without_any_repair"] == 206  # of 273: at most 67 could be repaired

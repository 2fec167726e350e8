"""The promotion gate on hand-made metric sets: every rule, its boundaries, and the table."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from ner_pipeline.config import GateSettings, LabelThreshold
from ner_pipeline.evaluate.gate import decide, decision_entry, format_gate_table
from ner_pipeline.records import LABELS


def metrics(micro: float = 0.85, *, label_f1: float = 0.9, support: int = 100, n_records: int = 200,
            real: float | None = None, **per_label: dict) -> dict:
    """An evaluate/score.py-shaped metric set; per_label overrides one label's entry."""
    labels = {lab: {"precision": label_f1, "recall": label_f1, "f1": label_f1, "support": support} for lab in LABELS}
    for lab, over in per_label.items():
        labels[lab] = {**labels[lab], **over}
    out = {"micro": {"precision": micro, "recall": micro, "f1": micro, "support": 9 * support},
           "per_label": labels, "by_source": {"synthetic": {"micro": {"f1": micro}, "n_records": n_records}},
           "n_records": n_records}
    if real is not None:
        out["by_source"]["real"] = {"micro": {"f1": real}, "n_records": 12}
    return out


def rule(blessing: dict, name: str, label: str | None = None) -> dict:
    found = [r for r in blessing["rules"] if r["rule"] == name and r["label"] == label]
    assert len(found) == 1, (name, label, found)
    return found[0]


GATE = GateSettings()


def test_all_rules_pass_without_champion():
    b = decide(metrics(), GATE)
    assert b["passed"] and b["decision"] == "promote" and b["reasons"] == []
    assert rule(b, "micro_f1")["outcome"] == "pass"
    for lab in LABELS:
        assert rule(b, "support", lab)["outcome"] == "pass"
        assert rule(b, "label_f1", lab)["outcome"] == "pass"
    skipped = rule(b, "no_regression_micro")
    assert skipped["outcome"] == "skipped" and "no champion" in skipped["detail"]
    assert rule(b, "real_micro_f1")["outcome"] == "skipped"
    assert b["champion_version"] is None and b["thresholds"]["micro_f1_min"] == 0.75
    json.dumps(b)  # goes to XCom and blessing.json as is


@pytest.mark.parametrize("micro,passed", [(0.75, False), (0.7500001, True), (0.7499, False), (0.9, True)])
def test_micro_f1_is_strictly_greater(micro, passed):
    b = decide(metrics(micro), GATE)
    r = rule(b, "micro_f1")
    assert b["passed"] is passed
    assert (r["value"], r["threshold"], r["comparison"]) == (micro, 0.75, ">")
    assert r["outcome"] == ("pass" if passed else "fail")
    if not passed:
        assert b["reasons"] == [r["detail"]] and "is not > 0.75" in r["detail"]


@pytest.mark.parametrize("label,f1,passed", [
    ("NAME", 0.80, True), ("NAME", 0.7999, False), ("VICTIM", 0.79, False), ("PERPETRATOR", 0.80, True),
    ("AGE", 0.60, True), ("AGE", 0.5999, False), ("INCIDENT_TYPE", 0.61, True),
])
def test_label_thresholds(label, f1, passed):
    b = decide(metrics(**{label: {"f1": f1}}), GATE)
    r = rule(b, "label_f1", label)
    assert r["threshold"] == (0.80 if label in ("NAME", "VICTIM", "PERPETRATOR") else 0.60)
    assert r["outcome"] == ("pass" if passed else "fail") and b["passed"] is passed


def test_label_threshold_is_configurable_and_can_warn():
    gate = GateSettings(labels={**GATE.labels, "AGE": LabelThreshold(min_f1=0.9, action="warn")})
    b = decide(metrics(AGE={"f1": 0.7}), gate)
    r = rule(b, "label_f1", "AGE")
    assert (r["outcome"], r["action"], r["threshold"]) == ("warn", "warn", 0.9)
    assert b["passed"] and b["warnings"] == [r["detail"]]


@pytest.mark.parametrize("support,outcome", [(29, "insufficient_support"), (30, "pass"), (0, "insufficient_support")])
def test_low_support_blocks_even_with_a_perfect_score(support, outcome):
    b = decide(metrics(LANDMARK={"f1": 1.0, "support": support}), GATE)
    r = rule(b, "support", "LANDMARK")
    assert (r["value"], r["threshold"], r["outcome"]) == (support, 30, outcome)
    assert b["passed"] is (outcome == "pass")


def test_missing_label_counts_as_no_support():
    m = metrics()
    del m["per_label"]["PHONE_NUMBER"]
    b = decide(m, GATE)
    assert rule(b, "support", "PHONE_NUMBER")["outcome"] == "insufficient_support"
    assert rule(b, "label_f1", "PHONE_NUMBER")["outcome"] == "fail"
    assert not b["passed"]


def test_min_support_is_configurable_and_warn_labels_do_not_block_on_it():
    assert decide(metrics(AGE={"support": 5}), GateSettings(min_support=5))["passed"]
    gate = GateSettings(labels={**GATE.labels, "AGE": LabelThreshold(min_f1=0.6, action="warn")})
    b = decide(metrics(AGE={"support": 5}), gate)
    assert rule(b, "support", "AGE")["outcome"] == "insufficient_support" and b["passed"]


def test_no_regression_boundaries():
    champ = metrics(0.85, NAME={"f1": 0.92})
    # micro drops by exactly the allowed 0.005 (float noise included), NAME by exactly 0.02
    ok = decide(metrics(0.845, NAME={"f1": 0.90}), GATE, champ, champion_version="v1")
    assert ok["passed"], ok["reasons"]
    assert rule(ok, "no_regression_micro")["comparison"] == "<="
    assert rule(ok, "no_regression_label", "NAME")["value"] == pytest.approx(0.02)
    bad = decide(metrics(0.8449, NAME={"f1": 0.8999}), GATE, champ, champion_version="v1")
    assert not bad["passed"]
    assert rule(bad, "no_regression_micro")["outcome"] == "fail"
    assert rule(bad, "no_regression_label", "NAME")["outcome"] == "fail"
    assert "v1" in rule(bad, "no_regression_micro")["detail"] and bad["champion_version"] == "v1"


def test_better_and_worse_than_champion():
    champ = metrics(0.82)
    assert decide(metrics(0.88), GATE, champ, champion_version="v1")["passed"]
    worse = decide(metrics(0.80), GATE, champ, champion_version="v1")
    assert not worse["passed"] and len(worse["reasons"]) == 1  # only the regression rule blocks
    loose = GateSettings(max_micro_drop=0.05)
    assert decide(metrics(0.80), loose, champ)["passed"]


def test_champion_must_be_scored_on_the_same_records():
    with pytest.raises(ValueError, match="same test records"):
        decide(metrics(n_records=200), GATE, metrics(n_records=150))


def test_real_source_reported_and_optionally_gated():
    assert "no real records" in rule(decide(metrics(), GATE), "real_micro_f1")["detail"]
    reported = rule(decide(metrics(real=0.5), GATE), "real_micro_f1")
    assert (reported["value"], reported["outcome"], reported["threshold"]) == (0.5, "skipped", None)
    gate = GateSettings(real_micro_f1_min=0.6)
    b = decide(metrics(real=0.6), gate)
    assert rule(b, "real_micro_f1")["outcome"] == "fail" and not b["passed"]
    assert decide(metrics(real=0.61), gate)["passed"]


def test_nan_fails():
    b = decide(metrics(float("nan")), GATE)
    assert rule(b, "micro_f1")["value"] is None and not b["passed"]


def test_pure_and_reproducible_from_its_own_inputs():
    m, champ = metrics(0.86), metrics(0.84)
    before = copy.deepcopy((m, champ))
    b = decide(m, GATE, champ, champion_version="v7")
    assert (m, champ) == before
    again = decide(b["inputs"]["metrics"], GateSettings(**b["thresholds"]), b["inputs"]["champion_metrics"],
                   champion_version=b["champion_version"])
    assert again == b


def test_table_and_history_entry():
    b = decide(metrics(0.75, AGE={"support": 3}), GATE, metrics(0.8), champion_version="v1")
    table = format_gate_table(b)
    lines = table.splitlines()
    assert lines[0].split() == ["rule", "label", "value", "cmp", "threshold", "outcome", "action"]
    assert len([ln for ln in lines if ln.startswith(("micro_f1", "support", "label_f1", "no_regression", "real_"))]) \
        == len(b["rules"])
    assert "decision: REJECTED (champion: v1)" in table and "insufficient_support" in table
    # fixed width: the outcome column starts at the same offset on every rule row
    offset = lines[0].index("outcome")
    assert all(ln[offset:].split()[0] in ("pass", "fail", "warn", "skipped", "insufficient_support")
               for ln in lines[2:2 + len(b["rules"])])
    entry = decision_entry(b)
    assert entry["kind"] == "gate" and entry["decision"] == "rejected" and len(entry["rules"]) == len(b["rules"])
    assert "inputs" not in entry and json.dumps(entry)


@hsettings(max_examples=200, deadline=None)
@given(micro=st.floats(0, 1), f1s=st.lists(st.floats(0, 1), min_size=9, max_size=9),
       supports=st.lists(st.integers(0, 80), min_size=9, max_size=9), champ=st.none() | st.floats(0, 1))
def test_passes_exactly_when_no_blocking_rule_fails(micro, f1s, supports, champ):
    m = metrics(micro, **{lab: {"f1": f, "support": s} for lab, f, s in zip(LABELS, f1s, supports)})
    m["micro"]["support"] = 1
    c = None if champ is None else {**metrics(champ), "micro": {"f1": champ, "support": 1}}
    b = decide(m, GATE, c)
    expected = micro > 0.75 and all(s >= 30 for s in supports) and all(
        f >= (0.8 if lab in ("NAME", "VICTIM", "PERPETRATOR") else 0.6) - 1e-9 for lab, f in zip(LABELS, f1s))
    if c is not None:
        expected = expected and champ - micro <= 0.005 + 1e-9 and all(0.9 - f <= 0.02 + 1e-9 for f in f1s)
    assert b["passed"] is expected
    assert b["passed"] is (not b["reasons"])

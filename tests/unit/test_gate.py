"""The promotion gate on hand-made metric sets: every rule, its boundaries, and the table."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from ner_pipeline.config import GateSettings, LabelThreshold
from ner_pipeline.evaluate.formatting import format_gate_table
from ner_pipeline.evaluate.gate import decide, decision_entry
from ner_pipeline.records import LABELS


def metrics(micro: float = 0.85, *, label_f1: float = 0.9, support: int = 100, n_records: int = 200,
            real: float | None = None, real_labels: dict | None = None, **per_label: dict) -> dict:
    """An evaluate/score.py-shaped metric set; per_label overrides one label's entry. `real`: the
    real-source micro F1 (its labels as the overall ones, updated by real_labels)."""
    labels = {lab: {"precision": label_f1, "recall": label_f1, "f1": label_f1, "support": support} for lab in LABELS}
    for lab, over in per_label.items():
        labels[lab] = {**labels[lab], **over}
    out = {"micro": {"precision": micro, "recall": micro, "f1": micro, "support": 9 * support},
           "per_label": labels, "by_source": {"synthetic": {"micro": {"f1": micro}, "n_records": n_records}},
           "n_records": n_records}
    if real is not None:
        rl = copy.deepcopy(labels)
        for lab, over in (real_labels or {}).items():
            rl[lab] = {**rl[lab], **over}
        out["by_source"]["real"] = {"micro": {"f1": real}, "per_label": rl, "n_records": 40}
        out["by_source"]["synthetic"]["per_label"] = copy.deepcopy(labels)
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


def test_without_real_records_the_blessing_says_synthetic_only():
    b = decide(metrics(), GATE)
    assert b["test_data"] == {"records": {"synthetic": 200}, "decided_on": "all",
                              "statement": "evaluated on synthetic data only"}
    skipped = rule(b, "real_micro_f1")
    assert skipped["outcome"] == "skipped" and "evaluated on synthetic data only" in skipped["detail"]
    assert {r["source"] for r in b["rules"] if r["rule"] != "real_micro_f1"} == {"all"}
    assert "test data: evaluated on synthetic data only" in format_gate_table(b)
    assert decision_entry(b)["test_data"] == "evaluated on synthetic data only"


def test_real_records_decide_and_synthetic_ones_are_reported_beside():
    # synthetic 0.70 fails every overall threshold; the real records pass theirs: promoted
    m = metrics(0.70, label_f1=0.5, real=0.86, real_labels={lab: {"f1": 0.9} for lab in LABELS})
    b = decide(m, GATE)
    assert b["passed"], b["reasons"]
    assert b["test_data"]["decided_on"] == "real" and b["test_data"]["records"] == {"real": 40, "synthetic": 200}
    assert "40 real and 200 synthetic" in b["test_data"]["statement"]
    real = rule(b, "real_micro_f1")
    assert (real["value"], real["threshold"], real["outcome"], real["action"], real["source"]) == \
        (0.86, 0.75, "pass", "block", "real")
    syn = rule(b, "synthetic_micro_f1")
    assert (syn["value"], syn["outcome"], syn["action"], syn["source"]) == (0.70, "warn", "warn", "synthetic")
    assert rule(b, "synthetic_label_f1", "NAME")["outcome"] == "warn" and syn["detail"] in b["warnings"]
    assert not [r for r in b["rules"] if r["rule"] in ("micro_f1", "label_f1", "support")]  # no mixed-split rule
    # and the other way round: good on synthetic data, poor on real transcripts -> rejected
    bad = decide(metrics(0.95, real=0.60), GATE)
    assert not bad["passed"] and rule(bad, "real_micro_f1")["outcome"] == "fail"
    assert rule(bad, "synthetic_micro_f1")["outcome"] == "pass"
    assert bad["reasons"] == [rule(bad, "real_micro_f1")["detail"]] and "on 40 records" in bad["reasons"][0]
    assert decision_entry(bad)["micro_f1"] == 0.95  # the whole split's, from the inputs


def test_real_thresholds_inherit_and_override():
    # inherited: real NAME is held to gate.labels NAME 0.80
    assert rule(decide(metrics(real=0.9, real_labels={"NAME": {"f1": 0.79}}), GATE), "real_label_f1", "NAME")[
        "outcome"] == "fail"
    own = GateSettings(real={"micro_f1_min": 0.5, "labels": {"NAME": {"min_f1": 0.5}},
                             "default_label": {"min_f1": 0.4, "action": "block"}})
    b = decide(metrics(real=0.55, real_labels={"NAME": {"f1": 0.55}, "AGE": {"f1": 0.45}}), own)
    assert b["passed"], b["reasons"]
    assert rule(b, "real_label_f1", "VICTIM")["threshold"] == 0.4  # real.labels replaces gate.labels
    assert rule(b, "synthetic_label_f1", "VICTIM")["threshold"] == 0.8  # synthetic keeps the overall ones
    # the older name still sets the real micro threshold (strictly greater, as before)
    legacy = GateSettings(real_micro_f1_min=0.6)
    assert not decide(metrics(real=0.6), legacy)["passed"] and decide(metrics(real=0.61), legacy)["passed"]
    assert rule(decide(metrics(), legacy), "real_micro_f1")["threshold"] == 0.6
    with pytest.raises(ValueError, match="disagree"):
        GateSettings(real_micro_f1_min=0.6, real={"micro_f1_min": 0.7})


def test_support_floor_applies_per_source():
    # 5 real LANDMARK spans with a perfect score: insufficient_support on real data, not a pass
    m = metrics(real=0.9, real_labels={"LANDMARK": {"f1": 1.0, "support": 5}})
    b = decide(m, GATE)
    r = rule(b, "real_support", "LANDMARK")
    assert (r["value"], r["threshold"], r["outcome"], r["source"]) == (5, 30, "insufficient_support", "real")
    assert not b["passed"] and r["detail"] in b["reasons"]
    assert rule(b, "synthetic_support", "LANDMARK")["outcome"] == "pass"  # 100 synthetic spans
    assert decide(m, GateSettings(real={"min_support": 5}))["passed"]
    warn = GateSettings(real={"labels": {**GATE.labels, "LANDMARK": {"min_f1": 0.6, "action": "warn"}}})
    assert decide(m, warn)["passed"]


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
    assert lines[0].split() == ["rule", "label", "value", "cmp", "threshold", "outcome", "action", "interval"]
    assert len([ln for ln in lines if ln.startswith(("micro_f1", "support", "label_f1", "no_regression", "real_",
                                                        "serving_agreement"))]) \
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


# -- no-regression by a paired bootstrap over the test records -----------------------------------

def scored(misses: set[int], n: int = 300, real: int = 0) -> dict:
    """Metrics built from per-record counts, as evaluate/score.py gives them: every record has one
    span of every label, found, except NAME on the records in `misses` (a wrong span: fp + fn).
    The first `real` records are real-source."""
    rows = [{"id": f"r{i:03d}", "source": "real" if i < real else "synthetic",
             "counts": {lab: [0, 1, 1] if lab == "NAME" and i in misses else [1, 0, 0] for lab in LABELS}}
            for i in range(n)]

    def block(rs: list[dict]) -> dict:
        def row(tp, fp, fn):
            d = 2 * tp + fp + fn
            return {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
                    "f1": 2 * tp / d if d else 0.0, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}
        per = {lab: row(*(sum(r["counts"][lab][k] for r in rs) for k in range(3))) for lab in LABELS}
        return {"micro": row(*(sum(p[k] for p in per.values()) for k in ("tp", "fp", "fn"))), "per_label": per,
                "n_records": len(rs)}

    out = block(rows)
    out["by_source"] = {src: block([r for r in rows if r["source"] == src]) for src in sorted({r["source"] for r in rows})}
    out["per_record"] = rows
    return out


CHAMP = scored(set(range(10)))
NOISE = scored(set(range(10, 28)))  # NAME 0.967 -> 0.940: each model wrong where the other is right
WORSE = scored(set(range(10, 50)))  # NAME 0.967 -> 0.867: wrong on 40 records, right on none more


def test_a_noise_level_drop_passes_and_a_real_drop_blocks():
    ok = decide(NOISE, GATE, CHAMP, champion_version="v1")
    r = rule(ok, "no_regression_label", "NAME")
    assert r["value"] == pytest.approx(0.0267, abs=1e-4) and r["value"] > GATE.max_label_drop  # over the tolerance
    assert r["outcome"] == "pass" and r["significant"] is False and r["interval"][0] < 0 < r["interval"][1]
    assert "not significant: retraining noise" in r["detail"]
    assert ok["passed"], ok["reasons"]
    assert ok["bootstrap"] == [{"n_records": 300, "resamples": 1000, "significance": 0.05, "seed": 0, "source": "all"}]

    bad = decide(WORSE, GATE, CHAMP, champion_version="v1")
    r = rule(bad, "no_regression_label", "NAME")
    assert r["outcome"] == "fail" and r["significant"] is True and r["interval"][0] > 0
    assert not bad["passed"] and r["detail"] in bad["reasons"]
    # the interval is in the gate table, with the bootstrap it came from
    table = format_gate_table(bad)
    line = next(ln for ln in table.splitlines() if ln.startswith("no_regression_label") and " NAME " in ln)
    assert f"[{r['interval'][0]:.4f}, {r['interval'][1]:.4f}]*" in line
    assert "95% paired bootstrap of the F1 drop over 300 test records (1000 resamples, seed 0" in table


def test_a_significant_drop_within_the_tolerance_passes():
    loose = GateSettings(max_label_drop=0.15, max_micro_drop=0.05)
    b = decide(WORSE, loose, CHAMP)
    r = rule(b, "no_regression_label", "NAME")
    assert r["significant"] is True and r["outcome"] == "pass" and b["passed"]


def test_without_the_bootstrap_the_raw_drop_decides():
    off = GateSettings(bootstrap={"resamples": 0})
    r = rule(decide(NOISE, off, CHAMP), "no_regression_label", "NAME")
    assert r["outcome"] == "fail" and "interval" not in r and "raw difference" in r["detail"]
    no_counts = {k: v for k, v in NOISE.items() if k != "per_record"}  # e.g. an older metrics.json
    assert rule(decide(no_counts, GATE, CHAMP), "no_regression_label", "NAME")["outcome"] == "fail"


def test_bootstrap_settings_are_used_and_the_decision_is_reproducible():
    strict = GateSettings(bootstrap={"significance": 0.5, "resamples": 400, "seed": 3})
    b = decide(NOISE, strict, CHAMP, champion_version="v1")
    narrow = rule(b, "no_regression_label", "NAME")["interval"]
    wide = rule(decide(NOISE, GATE, CHAMP), "no_regression_label", "NAME")["interval"]
    assert wide[0] < narrow[0] and narrow[1] < wide[1]
    assert b["bootstrap"][0]["resamples"] == 400
    again = decide(b["inputs"]["metrics"], GateSettings(**b["thresholds"]), b["inputs"]["champion_metrics"],
                   champion_version="v1")
    assert again == b


def test_real_records_decide_the_regression_too():
    # the NAME misses fall on real records: the real-source rule blocks, the synthetic one is reported
    champ, worse = scored(set(range(5)), real=100), scored(set(range(5, 45)), real=100)
    b = decide(worse, GATE, champ, champion_version="v1")
    real = rule(b, "real_no_regression_label", "NAME")
    assert real["outcome"] == "fail" and real["significant"] and real["source"] == "real"
    assert rule(b, "synthetic_no_regression_label", "NAME")["outcome"] == "pass"
    assert {x["source"]: x["n_records"] for x in b["bootstrap"]} == {"real": 100, "synthetic": 200}
    assert not b["passed"] and real["detail"] in b["reasons"] and all(x.startswith("real ") for x in b["reasons"])
    # a regression on the synthetic records alone does not block once real records decide
    champ, worse = scored(set(range(100, 105)), real=100), scored(set(range(105, 145)), real=100)
    b = decide(worse, GATE, champ, champion_version="v1")
    syn = rule(b, "synthetic_no_regression_label", "NAME")
    assert (syn["outcome"], syn["action"]) == ("warn", "warn") and syn["significant"]
    assert rule(b, "real_no_regression_label", "NAME")["outcome"] == "pass"
    assert b["passed"] and syn["detail"] in b["warnings"]


def test_per_record_ids_must_match_the_champions():
    other = scored(set(range(10)))
    other["per_record"] = [{**r, "id": "x" + r["id"]} for r in other["per_record"]]
    with pytest.raises(ValueError, match="same test records"):
        decide(NOISE, GATE, other)

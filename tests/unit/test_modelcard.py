"""modelcard.render: every section from counts, metrics, the blessing and the lineage only."""

from __future__ import annotations

from ner_pipeline.config import GateSettings
from ner_pipeline.evaluate.gate import decide
from ner_pipeline.modelcard import render, sign_off
from ner_pipeline.records import LABELS

MANIFEST = {"snapshot_id": "snap-1", "counts": {"train": 8, "test": 4},
            "counts_by_source": {"train": {"synthetic": 6, "real": 2}, "test": {"synthetic": 4}},
            "label_counts": {"train": {"NAME": 5}, "test": {"NAME": 2}}}


def _metrics(f1: float, *, real: bool = False) -> dict:
    per = {lab: {"precision": f1, "recall": f1, "f1": f1, "support": 50} for lab in LABELS}
    m = {"micro": {"precision": f1, "recall": f1, "f1": f1, "support": 450}, "per_label": per, "n_records": 40,
         "by_source": {"synthetic": {"micro": {"f1": f1}, "n_records": 30, "per_label": per}}}
    if real:
        m["by_source"]["real"] = {"micro": {"f1": f1}, "n_records": 10, "per_label": per}
    return m


def test_sections_and_values():
    m = _metrics(0.85)
    card = render(metrics=m, blessing=decide(m, GateSettings()), manifest=MANIFEST, version="v1",
                  lineage={"run_id": "r1", "dag_id": "ner_retraining", "config_sha256": "abcd", "base_model": "tiny"})
    assert card.startswith("# Child-helpline NER model v1")
    for section in ("## Intended use", "## Data snapshot", "### Label counts", "## Per-entity metrics",
                    "### By source", "## Gate thresholds and outcomes", "## Sign-off", "## Known limits", "## Lineage"):
        assert section in card
    assert "- Gate: promoted by the gate" in card and "- Snapshot: snap-1" in card
    assert "| NAME | 0.8500 | 0.8500 | 0.8500 | 50 |" in card
    assert "| config_sha256 | abcd |" in card and "- Base model: tiny" in card
    assert "- Training records: 6 synthetic, 2 real (75% synthetic)." in card
    assert "### Real records" not in card  # no real test records: nothing decided on them


def test_champion_column_real_section_and_forced():
    m, champ = _metrics(0.7, real=True), _metrics(0.9, real=True)
    blessing = {**decide(m, GateSettings(), champ, champion_version="v0"), "force_promote": True,
                "triggered_by": "zawadi", "trigger_reason": "hotfix"}
    card = render(metrics=m, blessing=blessing, lineage={})
    assert "did NOT pass the gate (forced promotion)" in card
    assert "champion F1 (v0)" in card and "### Real records (10): these decided the gate" in card
    assert "## Lineage" not in card  # an empty lineage has no table
    assert "Forced promotion by zawadi: hotfix" in card


def test_sign_off_review_and_mode():
    assert sign_off({"approval_mode": "required"})[-1] == "Review: none recorded"
    review = {"decision": "approved", "by": "Amina", "at": "t", "comment": "ok"}
    assert sign_off({"approval": review, "triggered_by": "z"}) == ["Triggered by: z", "Review: approved by Amina at t: ok"]

"""The gate's and the promotion's settings sections (evaluate/gate.py, approval.py read them):
thresholds per label and on real records, the paired bootstrap, who may promote. Defaults live
in include/config/ner_retraining.yaml like every section's (config_section._Section)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .config_section import _Section


class LabelThreshold(_Section):
    defaults_at = "gate.default_label"  # a label's threshold leaves out what the default states
    min_f1: float
    action: Literal["block", "warn"]


class RealGateSettings(_Section):
    """Thresholds on the test split's real records, which decide the gate when there are any
    (evaluate/gate.py). Each null inherits the gate's own value of the same name; `labels`,
    when set, replaces gate.labels as a whole."""

    defaults_at = "gate.real"
    micro_f1_min: float | None
    default_label: LabelThreshold | None
    labels: dict[str, LabelThreshold] | None
    min_support: int | None


class BootstrapSettings(_Section):
    """No-regression by a paired bootstrap over test records (evaluate/bootstrap.py): a drop
    beyond the tolerance blocks only when its (1 - significance) interval lies above 0."""

    defaults_at = "gate.bootstrap"
    resamples: int = Field(ge=0)  # 0: no test, the raw drop decides (the old rule)
    significance: float = Field(gt=0, lt=1)
    seed: int


class GateSettings(_Section):
    defaults_at = "gate"
    micro_f1_min: float  # strictly greater than
    default_label: LabelThreshold
    labels: dict[str, LabelThreshold]
    min_support: int
    max_micro_drop: float
    max_label_drop: float
    # serving_agreement: span F1 of the stock pipeline's output vs the scored predictions.
    serving_agreement_min: float = Field(ge=0, le=1)
    # Older name of real.micro_f1_min, still read: it sets the real-source micro threshold when
    # real.micro_f1_min is null (setting both to different values is refused).
    real_micro_f1_min: float | None
    real: RealGateSettings
    bootstrap: BootstrapSettings

    @model_validator(mode="after")
    def _one_real_micro_threshold(self) -> "GateSettings":
        a, b = self.real_micro_f1_min, self.real.micro_f1_min
        if a is not None and b is not None and a != b:
            raise ValueError(f"gate.real_micro_f1_min ({a}) and gate.real.micro_f1_min ({b}) disagree: "
                             "set gate.real.micro_f1_min only")
        return self


class PromotionSettings(_Section):
    """Who may make a model the champion (approval.py). `auto`: a passing gate promotes; `required`:
    a named reviewer approves in Airflow (Required Actions) first, forced promotions included."""

    defaults_at = "promotion"
    approval: Literal["auto", "required"]
    # No answer within this many hours counts as a rejection (the HITL task's response_timeout).
    approval_timeout_hours: float = Field(gt=0)

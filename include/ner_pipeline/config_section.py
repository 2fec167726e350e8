"""The base of every settings section: unknown keys refused, and the keys a section is not given
filled from its place in include/config/ner_retraining.yaml (config_sources.defaults_at), so a
section built directly (`GateSettings()`) has the same defaults as a run."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from .config_sources import defaults_at

__all__ = ["_Section"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    defaults_at: ClassVar[str] = ""  # where this section's defaults sit in ner_retraining.yaml

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        # Shallow, like pydantic defaults: a mapping given for a field replaces the default one.
        if not isinstance(data, dict):
            return data
        return {**{k: v for k, v in defaults_at(cls.defaults_at).items() if k not in data}, **data}

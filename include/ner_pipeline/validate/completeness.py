"""Completeness hook: unlabelled repeats of a mention the record labels elsewhere.

LABELS.md says every mention is labelled. Detecting the gaps, and the per-source policy
(settings.validation.completeness_policy: warn | propagate | quarantine, with
completeness_quarantine_share) is a later issue. It plugs in here: given the record's final
spans it may return more (start, end, label) spans (propagate, with repair entries {rule, label, old: None, new})
or reasons (quarantine, as (code, detail) pairs). Until then it changes nothing.
"""

from __future__ import annotations

from typing import Any


def check_completeness(text: str, spans: list[tuple[int, int, str]], source: str, vs: Any
                       ) -> tuple[list[tuple[int, int, str]], list[dict[str, Any]], list[tuple[str, str]]]:
    return spans, [], []

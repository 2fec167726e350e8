"""The labelling conventions the generator writes: the label guide's by default, or measured ones.

`ner-pipeline conventions FILE...` measures a dataset (ner_pipeline.conventions, schema version 1);
`Conventions.from_measured(d)` turns that file into what the generator follows, so synthetic data
never teaches the opposite of what the real annotators do. A word real annotators leave
unlabelled (rate 0) is written as a plain word: a hard negative, not a span.

Decisions where the guide and a measurement are silent:
- A surface's labelling rate is applied per transcript (all its mentions in one call, or none),
  so "every mention of a labelled surface is labelled" (synth/checks.py) still holds.
- Labels marked at their first mention only (measured: single_span_share) are thinned after
  the call is written too, like GENDER pronouns.
- GENDER pronouns are decided after the call is written, from the whole transcript: under
  `first_when_no_noun` (the guide) they are dropped when a gender noun exists, else all but the
  first are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random
from typing import Any, Mapping

from ..records import Span

PRONOUN_RULES = ("first_when_no_noun", "all", "none")
# A label whose measured single_span_share reaches this is written at its first mention only.
SINGLE_SPAN_SHARE = 0.9
# Spans of such a label this close after the first one belong to the same mention
# ("Kiteto in Manyara": two LOCATION spans).
SAME_MENTION_CHARS = 30
GENDER_PRONOUNS = frozenset({"she", "he", "her", "him", "his", "hers"})

# LABELS.md "Conventions measured in real data": the distress words real annotators never label
# stay unlabelled; the rest follow the guide (INCIDENT_TYPE when they name the child's state).
GUIDE_SURFACE_RATES: dict[str, dict[str, float]] = {
    "INCIDENT_TYPE": {"scared": 0.0, "stress": 0.0, "upset": 0.0, "withdrawn": 0.0, "angry": 0.0},
}


@dataclass(frozen=True)
class Conventions:
    """What the generator follows. Defaults are the label guide's."""

    pronoun_rule: str = "first_when_no_noun"
    # label -> share of spans that start with "the" (the guide: never)
    determiner_share: Mapping[str, float] = field(default_factory=dict)
    # label -> lower-case surface -> probability a transcript labels it (absent: 1.0)
    surface_rates: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: GUIDE_SURFACE_RATES)
    # the label of a child caller's own name (the guide: VICTIM)
    child_caller_name: str = "VICTIM"
    # labels marked at their first mention only (the guide: every mention of every label)
    first_mention_only: frozenset[str] = frozenset()
    source: str = "guide"

    def __post_init__(self) -> None:
        if self.pronoun_rule not in PRONOUN_RULES:
            raise ValueError(f"pronoun_rule must be one of {PRONOUN_RULES}, not {self.pronoun_rule!r}")
        if self.child_caller_name not in ("VICTIM", "NAME"):
            raise ValueError("child_caller_name must be VICTIM or NAME")

    @classmethod
    def from_measured(cls, d: Mapping[str, Any], *, source: str = "measured") -> "Conventions":
        """From a `ner-pipeline conventions` file (version 1). A measured pronoun rule of `mixed`
        keeps the guide's; surface rates are taken as measured."""
        if int(d.get("version", 1)) != 1:
            raise ValueError(f"unsupported conventions version {d.get('version')!r}")
        rule = (d.get("gender_pronouns") or {}).get("rule") or "first_when_no_noun"
        det = {lab: float(v["determiner_start_share"]) for lab, v in (d.get("labels") or {}).items()
               if isinstance(v, Mapping) and v.get("determiner_start_share") is not None}
        rates = {lab: {w.lower(): float(c["rate"]) for w, c in words.items() if c.get("rate") is not None}
                 for lab, words in (d.get("surface_rates") or {}).items()}
        caller = (d.get("child_caller_name") or {}).get("label") or "VICTIM"
        single = frozenset(lab for lab, v in (d.get("labels") or {}).items()
                           if isinstance(v, Mapping) and float(v.get("single_span_share") or 0) >= SINGLE_SPAN_SHARE)
        return cls(pronoun_rule=rule if rule in PRONOUN_RULES else "first_when_no_noun",
                   determiner_share=det, surface_rates=rates,
                   child_caller_name=caller if caller in ("VICTIM", "NAME") else "VICTIM",
                   first_mention_only=single, source=source)

    def summary(self) -> dict[str, Any]:
        """What a run records about the conventions it generated under (no text, lexicon words only)."""
        return {"source": self.source, "pronoun_rule": self.pronoun_rule,
                "child_caller_name": self.child_caller_name,
                "determiner_share": dict(self.determiner_share),
                "first_mention_only": sorted(self.first_mention_only),
                "unlabelled_surfaces": sorted(w for r in self.surface_rates.values() for w, v in r.items() if v == 0)}


class SurfaceChoice:
    """Per transcript: is this surface labelled here? Decided once, at its first mention."""

    def __init__(self, rng: Random, conventions: Conventions):
        self.rng, self.conv = rng, conventions
        self.decided: dict[tuple[str, str], bool] = {}

    def labelled(self, label: str, surface: str) -> bool:
        rate = self.conv.surface_rates.get(label, {}).get(surface.lower())
        if rate is None or rate >= 1.0:
            return True
        key = (label, surface.lower())
        if key not in self.decided:
            self.decided[key] = rate > 0.0 and self.rng.random() < rate
        return self.decided[key]

    def determiner_inside(self, label: str) -> bool:
        share = self.conv.determiner_share.get(label, 0.0)
        return share > 0.0 and self.rng.random() < share


def apply_pronoun_rule(text: str, spans: list[Span], rule: str) -> list[int]:
    """Indexes of the spans to keep under the GENDER pronoun rule (a GENDER span is a pronoun
    when its surface is one)."""
    def is_pronoun(i: int) -> bool:
        sp = spans[i]
        return sp.label == "GENDER" and text[sp.start:sp.end].lower() in GENDER_PRONOUNS

    if rule == "all":
        return list(range(len(spans)))
    pronouns = [i for i in range(len(spans)) if is_pronoun(i)]
    has_noun = any(sp.label == "GENDER" and i not in pronouns for i, sp in enumerate(spans))
    if rule == "none" or has_noun:
        drop = set(pronouns)
    else:
        first = min(pronouns, key=lambda i: spans[i].start, default=None)
        drop = {i for i in pronouns if i != first}
    return [i for i in range(len(spans)) if i not in drop]


def apply_first_mention(spans: list[Span], labels: frozenset[str]) -> list[int]:
    """Indexes of the spans to keep when `labels` are marked at their first mention only: the
    first span of each such label, and those of it that follow within SAME_MENTION_CHARS."""
    first_end: dict[str, int] = {}
    keep = []
    for i in sorted(range(len(spans)), key=lambda k: spans[k].start):
        sp = spans[i]
        if sp.label in labels:
            if sp.label in first_end and sp.start - first_end[sp.label] > SAME_MENTION_CHARS:
                continue
            first_end[sp.label] = sp.end
        keep.append(i)
    return sorted(keep)

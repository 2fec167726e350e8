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
- Labels whose spans sit at the first occurrence of their surface (measured:
  first_occurrence_share) are placed there, and their surfaces are labelled at the measured
  per-record rate (record_rate: the share of records mentioning a word that label it), not the
  per-occurrence one, which understates a label marked once per record ("bullying": 0.94 of
  records, 0.39 of occurrences). The first mention of a lexicon word the generator wrote as a
  plain word is labelled too, drawn at that word's record rate: real annotators label the first
  "teacher" of a call in 43% of the calls that mention one, whatever the teacher does in it, so
  a helper role is not a hard negative for them.
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
# A label whose measured first_occurrence_share reaches this is placed at its surface's first occurrence.
FIRST_OCCURRENCE_SHARE = 0.9
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
    # labels placed at the first occurrence of their surface (a subset of first_mention_only)
    first_occurrence: frozenset[str] = frozenset()
    source: str = "guide"

    def __post_init__(self) -> None:
        if self.pronoun_rule not in PRONOUN_RULES:
            raise ValueError(f"pronoun_rule must be one of {PRONOUN_RULES}, not {self.pronoun_rule!r}")
        if self.child_caller_name not in ("VICTIM", "NAME"):
            raise ValueError("child_caller_name must be VICTIM or NAME")
        if not self.first_occurrence <= self.first_mention_only:
            raise ValueError("first_occurrence labels must be first_mention_only labels too")

    @classmethod
    def from_measured(cls, d: Mapping[str, Any], *, source: str = "measured") -> "Conventions":
        """From a `ner-pipeline conventions` file (version 1). A measured pronoun rule of `mixed`
        keeps the guide's; surface rates are taken as measured."""
        if int(d.get("version", 1)) != 1:
            raise ValueError(f"unsupported conventions version {d.get('version')!r}")
        rule = (d.get("gender_pronouns") or {}).get("rule") or "first_when_no_noun"
        det = {lab: float(v["determiner_start_share"]) for lab, v in (d.get("labels") or {}).items()
               if isinstance(v, Mapping) and v.get("determiner_start_share") is not None}
        labels = {lab: v for lab, v in (d.get("labels") or {}).items() if isinstance(v, Mapping)}
        single = frozenset(lab for lab, v in labels.items() if float(v.get("single_span_share") or 0) >= SINGLE_SPAN_SHARE)
        first = frozenset(lab for lab in single
                          if float(labels[lab].get("first_occurrence_share") or 0) >= FIRST_OCCURRENCE_SHARE)
        rates = {lab: {w.lower(): _rate(c, per_record=lab in single) for w, c in words.items()
                       if c.get("rate") is not None}
                 for lab, words in (d.get("surface_rates") or {}).items()}
        caller = (d.get("child_caller_name") or {}).get("label") or "VICTIM"
        return cls(pronoun_rule=rule if rule in PRONOUN_RULES else "first_when_no_noun",
                   determiner_share=det, surface_rates=rates,
                   child_caller_name=caller if caller in ("VICTIM", "NAME") else "VICTIM",
                   first_mention_only=single, first_occurrence=first, source=source)

    def summary(self) -> dict[str, Any]:
        """What a run records about the conventions it generated under (no text, lexicon words only)."""
        return {"source": self.source, "pronoun_rule": self.pronoun_rule,
                "child_caller_name": self.child_caller_name,
                "determiner_share": dict(self.determiner_share),
                "first_mention_only": sorted(self.first_mention_only),
                "first_occurrence": sorted(self.first_occurrence),
                "unlabelled_surfaces": sorted(w for r in self.surface_rates.values() for w, v in r.items() if v == 0)}


def _rate(row: Mapping[str, Any], *, per_record: bool) -> float:
    """A label marked once per record is decided once per transcript: its per-record rate
    (files measured before record_rate existed give the per-occurrence one)."""
    if per_record and row.get("record_rate") is not None:
        return float(row["record_rate"])
    return float(row["rate"])


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


def _first_whole_word(text: str, word: str, taken: list[tuple[int, int]], *, before: int | None = None,
                      ignore_case: bool = True) -> tuple[int, int] | None:
    """The first whole-word occurrence of `word` (ending by `before`) that overlaps no taken range."""
    import re

    flags = re.IGNORECASE if ignore_case else 0
    for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text, flags):
        if before is not None and m.end() > before:
            return None
        if not any(m.start() < b and a < m.end() for a, b in taken):
            return m.span()
    return None


def apply_first_occurrence(text: str, spans: list[Span], conv: Conventions, rng: Random) -> list[tuple[Span, str]]:
    """Spans after the first-occurrence convention, each with why it is where it is ("" kept,
    "moved" to an earlier occurrence of its surface, "drawn" on a lexicon word at its record rate).

    Deterministic for a given rng state: candidates are taken in text order, ties by word."""
    out: list[tuple[Span, str]] = []
    taken = [(sp.start, sp.end) for sp in spans]
    for sp in spans:
        if sp.label not in conv.first_occurrence:
            out.append((sp, ""))
            continue
        others = [r for r in taken if r != (sp.start, sp.end)]
        # Case-sensitive, as measured: "Teachers" opening a sentence is another surface.
        hit = _first_whole_word(text, text[sp.start:sp.end], others, before=sp.start, ignore_case=False)
        if hit is not None:
            taken[taken.index((sp.start, sp.end))] = hit
            out.append((Span(hit[0], hit[1], sp.label), "moved"))
        else:
            out.append((sp, ""))
    for label in sorted(conv.first_occurrence):
        rates = conv.surface_rates.get(label, {})
        labelled = {text[sp.start:sp.end].lower() for sp, _ in out if sp.label == label}
        # A word's first occurrence only: inside a span already ("madrasa teacher"), it is not drawn.
        found = sorted((hit, word) for word, rate in rates.items() if rate > 0 and word not in labelled
                       for hit in [_first_whole_word(text, word, [])] if hit is not None)
        for (a, b), word in found:
            # Each word on its own draw: what a model learns is P(label | word), so the per-word
            # rates are kept even where that gives a record a second span of the label.
            if rng.random() < rates[word] and not any(a < y and x < b for x, y in taken):
                out.append((Span(a, b, label), "drawn"))
                taken.append((a, b))
    return sorted(out, key=lambda x: (x[0].start, x[0].end))

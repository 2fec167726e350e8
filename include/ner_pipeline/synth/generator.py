"""`generate(n, seed, ...)`: synthetic helpline transcripts as canonical Records.

Determinism: one random.Random(seed) drives everything, in a fixed order; no global random,
no clock, no iteration over sets. Same seed and options give byte-identical output.

Quotas are kept while generating: the running share of each label and of transcripts with
a LANDMARK / PHONE_NUMBER is compared with its floor before each call is planned, and a label
that lags gets a call planned to carry more of it. Length: each call gets a target length;
a fixed, seeded set of round(n * long_share) calls aims above LONG_FROM_CHARS (over 512 word
pieces for the packaged uncased WordPiece tokenizer), the rest stay under SHORT_UPTO_CHARS.
"""

from __future__ import annotations

import logging
from collections import Counter
from random import Random
from typing import Any

from ..records import LABELS, Record, Span, text_hash
from .call import Call
from .cast import Plan, make_cast
from .checks import completeness_findings, structural_problems
from .conventions import Conventions, apply_first_mention, apply_first_occurrence, apply_pronoun_rule
from .script import Retry, write_call

log = logging.getLogger(__name__)

GENERATOR_VERSION = "synth-3"  # 2: the label guide's span starts, GENDER pronoun rule, conventions; 3: first occurrences
LONG_FROM_CHARS = 2350  # measured: ~4.3 chars per word piece here, so > 540 pieces
SHORT_UPTO_CHARS = 1950  # final texts stay under ~1900 chars: < ~490 pieces
DEFAULT_LABEL_MIN_SHARE = 0.03
DEFAULT_LOCALE_MIX = {"tz": 0.5, "ke": 0.3, "ug": 0.2}
MAX_ATTEMPTS = 200


def _check_options(n: int, long_share: float, min_chars: int, max_chars: int,
                   label_min_share: dict[str, float], landmark_phone_doc_share: float,
                   locale_mix: dict[str, float]) -> None:
    if n < 0:
        raise ValueError("n must be >= 0")
    if not 0.0 <= long_share <= 1.0:
        raise ValueError("long_share must be within [0, 1]")
    if min_chars < 0 or max_chars < min_chars + 200 or max_chars < 900:
        raise ValueError("need max_chars >= 900 and max_chars >= min_chars + 200")
    unknown = set(label_min_share) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown labels in label_min_share: {sorted(unknown)}")
    if sum(label_min_share.values()) > 1.0 or any(not 0 <= v <= 1 for v in label_min_share.values()):
        raise ValueError("label shares must be within [0, 1] and sum to at most 1")
    if not 0.0 <= landmark_phone_doc_share <= 1.0:
        raise ValueError("landmark_phone_doc_share must be within [0, 1]")
    bad = set(locale_mix) - set(DEFAULT_LOCALE_MIX)
    if bad or not locale_mix or any(v < 0 for v in locale_mix.values()) or sum(locale_mix.values()) <= 0:
        raise ValueError(f"locale_mix takes non-negative weights for {sorted(DEFAULT_LOCALE_MIX)}")


class _Quota:
    """Running label and document counts, and what the next call should make up for."""

    def __init__(self, label_min_share: dict[str, float], doc_share: float):
        self.floor = label_min_share
        self.doc_share = doc_share
        self.spans: Counter = Counter()
        self.docs_with: Counter = Counter()
        self.docs = 0

    def plan(self, locale: str, long: bool) -> Plan:
        total = sum(self.spans.values())
        boost = frozenset(lab for lab in LABELS
                          if self.docs >= 10 and self.spans[lab] < (self.floor.get(lab, 0) + 0.004) * total)
        lag = (lambda lab: self.docs >= 4 and self.docs_with[lab] < (self.doc_share + 0.02) * self.docs)
        return Plan(locale=locale, long=long, force_landmark=lag("LANDMARK"), force_phone=lag("PHONE_NUMBER"),
                    boost=boost)

    def add(self, spans: list[Span]) -> None:
        self.docs += 1
        self.spans.update(sp.label for sp in spans)
        for lab in sorted({sp.label for sp in spans}):
            self.docs_with[lab] += 1


def _target(rng: Random, long: bool, min_chars: int, max_chars: int) -> int:
    if long:
        lo = max(min_chars, min(LONG_FROM_CHARS, max_chars - 300))
        return rng.randint(lo + 60, max(lo + 60, max_chars - 120))
    hi = max(min_chars + 150, min(SHORT_UPTO_CHARS, max_chars) - 150)
    return int(rng.triangular(min_chars + 80, hi, min(max(1450, min_chars + 100), hi)))


def _one(rng: Random, plan: Plan, target: int,
         conventions: Conventions) -> tuple[str, list[Span], dict[str, Any], list[tuple]] | None:
    cast = make_cast(rng, plan)
    call = Call(rng, cast, conventions)
    try:
        write_call(call, plan, target)
    except Retry:
        return None
    text = call.b.text()
    spans = [Span(s, e, lab) for s, e, lab, _, _ in call.b.spans]
    meta = {"generator": GENERATOR_VERSION, "locale": cast.locale, "frame": cast.frame.name,
            "incident": cast.incident.key}
    return text, spans, meta, call.b.spans


def _first_occurrence(text: str, spans: list[Span], raw: list[tuple], conventions: Conventions,
                      rng: Random) -> tuple[list[Span], list[tuple]]:
    """apply_first_occurrence, with the trace entries following their spans."""
    by_span = {(sp.start, sp.end, sp.label): r for sp, r in zip(spans, raw)}
    placed = apply_first_occurrence(text, spans, conventions, rng)
    new_raw = []
    for sp, why in placed:
        old = by_span.get((sp.start, sp.end, sp.label))
        if old is None:  # moved or drawn: (start, end, label, surface, kind)
            old = (sp.start, sp.end, sp.label, text[sp.start:sp.end], f"convention-{why}")
        new_raw.append(old)
    return [sp for sp, _ in placed], new_raw


def generate(n: int, seed: int, *, long_share: float = 0.15, min_chars: int = 800, max_chars: int = 3000,
             label_min_share: dict[str, float] | None = None, landmark_phone_doc_share: float = 0.25,
             locale_mix: dict[str, float] | None = None, trace: list | None = None,
             conventions: Conventions | dict[str, Any] | None = None) -> list[Record]:
    """n synthetic transcripts (source "synthetic", ids f"syn-{seed}-{i:06d}").

    label_min_share: floor on each label's share of all spans (default 3% for every label; the
    given entries override those defaults). landmark_phone_doc_share: floor on the share of
    transcripts with a LANDMARK and, separately, with a PHONE_NUMBER. locale_mix: weights
    for tz/ke/ug names, places and phone numbers. trace: if a list is given, one list per record
    of (start, end, label, intended surface, kind) is appended to it (tests use it).
    conventions: the labelling conventions to follow (synth/conventions.py): a Conventions, a
    measured conventions dict (`ner-pipeline conventions`), or None for the label guide's.
    """
    if not isinstance(conventions, Conventions):
        conventions = Conventions() if conventions is None else Conventions.from_measured(conventions)
    floors = {lab: DEFAULT_LABEL_MIN_SHARE for lab in LABELS}
    floors.update(label_min_share or {})
    mix = dict(locale_mix or DEFAULT_LOCALE_MIX)
    _check_options(n, long_share, min_chars, max_chars, floors, landmark_phone_doc_share, mix)
    locales = [k for k in DEFAULT_LOCALE_MIX if mix.get(k, 0) > 0]
    weights = [mix[k] for k in locales]

    rng = Random(seed)
    long_ids = set(rng.sample(range(n), round(n * long_share))) if n else set()
    draw = _Draw(rng, _Quota(floors, landmark_phone_doc_share), locales, weights, min_chars, max_chars,
                 conventions)
    records: list[Record] = []
    for i in range(n):
        text, spans, meta, raw = draw.transcript(i, i in long_ids)
        draw.quota.add(spans)
        records.append(Record(id=f"syn-{seed}-{i:06d}", text=text, entities=spans, source="synthetic",
                              meta=meta))
        if trace is not None:
            trace.append(list(raw))
    if draw.rejected:
        log.debug("synth: redrew %s", dict(draw.rejected))
    _warn_unmet(draw.quota, floors, landmark_phone_doc_share)
    return records


class _Draw:
    """Draws one transcript after another: redraws those that miss the length, the label checks
    or a distinct text (counted in `rejected`), and applies the conventions to the rest."""

    def __init__(self, rng: Random, quota: _Quota, locales: list[str], weights: list[float], min_chars: int,
                 max_chars: int, conventions: Conventions):
        self.rng, self.quota, self.locales, self.weights = rng, quota, locales, weights
        self.min_chars, self.max_chars, self.conventions = min_chars, max_chars, conventions
        self.seen: set[str] = set()
        self.rejected: Counter = Counter()

    def transcript(self, i: int, long: bool) -> tuple[str, list[Span], dict[str, Any], list[tuple]]:
        """(text, spans, meta, trace entries) of transcript i, within MAX_ATTEMPTS draws."""
        rng, rejected = self.rng, self.rejected
        for _ in range(MAX_ATTEMPTS):
            plan = self.quota.plan(rng.choices(self.locales, weights=self.weights)[0], long)
            out = _one(rng, plan, _target(rng, long, self.min_chars, self.max_chars), self.conventions)
            if out is None:
                rejected["no_template"] += 1
                continue
            text, spans, meta, raw = out
            if not self.min_chars <= len(text) <= self.max_chars:
                rejected["length"] += 1
                continue
            if structural_problems(text, spans) or completeness_findings(text, spans):
                rejected["labels"] += 1
                continue
            spans, raw = self._follow_conventions(text, spans, raw)
            h = text_hash(text)
            if h in self.seen:
                rejected["duplicate"] += 1
                continue
            self.seen.add(h)
            return text, spans, meta, raw
        raise RuntimeError(f"could not generate transcript {i} within {MAX_ATTEMPTS} attempts "
                           f"(min_chars={self.min_chars}, max_chars={self.max_chars}): {dict(rejected)}")

    def _follow_conventions(self, text: str, spans: list[Span],
                            raw: list[tuple]) -> tuple[list[Span], list[tuple]]:
        conventions = self.conventions
        # After the completeness check: the pronoun rule leaves repeat pronouns unlabelled on purpose.
        keep = apply_pronoun_rule(text, spans, conventions.pronoun_rule)
        spans, raw = [spans[k] for k in keep], [raw[k] for k in keep]
        if conventions.first_mention_only:
            keep = apply_first_mention(spans, conventions.first_mention_only)
            spans, raw = [spans[k] for k in keep], [raw[k] for k in keep]
        if conventions.first_occurrence:
            spans, raw = _first_occurrence(text, spans, raw, conventions, self.rng)
        return spans, raw


def _warn_unmet(quota: _Quota, floors: dict[str, float], doc_share: float) -> None:
    total = sum(quota.spans.values())
    if not quota.docs or not total:
        return
    for lab in LABELS:
        if quota.spans[lab] < floors.get(lab, 0) * total:
            log.warning("synth: %s is %.3f of spans, below its floor %.3f", lab, quota.spans[lab] / total, floors[lab])
    for lab in ("LANDMARK", "PHONE_NUMBER"):
        if quota.docs_with[lab] < doc_share * quota.docs:
            log.warning("synth: %s in %.3f of transcripts, below %.3f", lab, quota.docs_with[lab] / quota.docs,
                        doc_share)

"""ConventionTally: the counts behind measure(), one record at a time, and the rules read from them.

The definitions of every count and the thresholds of the rules are in the package docstring
(conventions/__init__.py), which documents the conventions file.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from typing import Any, Iterable

from ..records import LABELS
from .lexicon import _DETERMINER_ONLY, _WORD_RE, DETERMINERS, GENDER_PRONOUNS, _scanner, lexicon

VERSION = 1

# Pronoun rule thresholds (see the package docstring).
RULE_ALL_SHARE = 0.9  # this share of pronouns labelled: every pronoun is GENDER
RULE_FIRST_SHARE = 0.9  # labelled ones first in their record and in records with no gender noun
RULE_NONE_SHARE = 0.02  # under this share labelled, not matching the rule above: stray labels

# A child caller's self-introduction and own age (child_caller_name); the name must come within
# CALLER_NAME_WINDOW characters before the age.
_SELF_INTRO = re.compile(r"(?:\bI'm|\bI am|\b[Mm]y name is|\b[Ii]t's|\b[Tt]his is)\s+$")
_SELF_AGE = re.compile(r"(?:\bI'm|\bI am)\s+(?:only\s+|just\s+)?$")
CALLER_NAME_WINDOW = 160


def usable(text: str, spans: Iterable[tuple[int, int, str]]) -> bool:
    """True when every span is in range, covers whole words, and no two overlap."""
    from ..words import aligned  # records.is_word_aligned's verdict, 3x faster

    last_end = -1
    for s, e, _ in sorted(spans):
        if not aligned(text, s, e) or s < last_end:
            return False
        last_end = max(last_end, e)
    return True


def _spans_of(rec: Any) -> tuple[str, list[tuple[int, int, str]]]:
    """(text, [(start, end, label)]) of a Record, a canonical dict, or a (text, spans) pair."""
    if isinstance(rec, tuple):
        text, spans = rec
    elif isinstance(rec, dict):
        text, spans = rec["text"], rec.get("entities") or []
    else:
        text, spans = rec.text, rec.entities
    out = []
    for sp in spans:
        if isinstance(sp, dict):
            out.append((int(sp["start"]), int(sp["end"]), str(sp["label"])))
        elif isinstance(sp, tuple):
            out.append((int(sp[0]), int(sp[1]), str(sp[2])))
        else:
            out.append((sp.start, sp.end, sp.label))
    return text, out


class ConventionTally:
    """Counts behind measure(), one record at a time (the validator keeps one per source)."""

    def __init__(self) -> None:
        self.records = 0
        self.skipped = 0  # records that break the data contract
        self.spans: Counter = Counter()
        self.det_start: Counter = Counter()
        self.lengths: dict[str, Counter] = defaultdict(Counter)  # label -> words per span -> spans
        self.repeat_total: Counter = Counter()
        self.repeat_covered: Counter = Counter()
        self.pronouns = 0
        self.pron_labelled = 0
        self.pron_first = 0
        self.pron_no_noun = 0
        self.occurrences: dict[str, Counter] = defaultdict(Counter)  # label -> word -> count
        self.labelled: dict[str, Counter] = defaultdict(Counter)
        self.caller_name: Counter = Counter()  # label of a child caller's own name -> records
        self.records_with: Counter = Counter()  # label -> records with at least one span of it
        self.records_single: Counter = Counter()  # label -> records with exactly one
        self.first_occ: Counter = Counter()  # label -> spans at their surface's first occurrence
        self.word_records: dict[str, Counter] = defaultdict(Counter)  # label -> word -> records with it
        self.word_records_labelled: dict[str, Counter] = defaultdict(Counter)

    def add(self, text: str, spans: Iterable[tuple[int, int, str]], *, checked: bool = False) -> bool:
        """Count one record; False (and counted as skipped) when it breaks the data contract.
        checked: the caller has already verified that (the validator's accepted output)."""
        spans = sorted(set(spans))
        if not checked and not usable(text, spans):
            self.skipped += 1
            return False
        self.records += 1
        low = text.lower()
        if len(low) != len(text):  # a character whose lower case is longer ("İ"): offsets would move
            low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
        exact = {(s, e): lab for s, e, lab in spans}
        n_spans, det_start, lengths = self.spans, self.det_start, self.lengths
        for s, e, lab in spans:
            n_spans[lab] += 1
            toks = _WORD_RE.findall(low, s, e)
            lengths[lab][len(toks)] += 1
            if toks and toks[0] in DETERMINERS and (len(toks) > 1 or toks[0] in _DETERMINER_ONLY):
                det_start[lab] += 1
        per_record = Counter(lab for _, _, lab in spans)
        self.records_with.update(per_record.keys())
        self.records_single.update(lab for lab, k in per_record.items() if k == 1)
        self._repeats(text, spans)
        self._first_occurrences(text, spans)
        finder, index = _scanner()
        occurrences, labelled = self.occurrences, self.labelled
        pronouns: list[tuple[int, int]] = []
        present: set[tuple[str, str]] = set()
        hit_words: set[tuple[str, str]] = set()
        for m in finder.finditer(low):
            first = m.group()
            if first in GENDER_PRONOUNS:
                pronouns.append(m.span())
            for label, word, pattern in index.get(first, ()):
                hit = pattern.match(low, m.start())
                if hit is None:
                    continue
                occurrences[label][word] += 1
                present.add((label, word))
                if exact.get(hit.span()) == label:
                    labelled[label][word] += 1
                    hit_words.add((label, word))
        for label, word in present:
            self.word_records[label][word] += 1
        for label, word in hit_words:
            self.word_records_labelled[label][word] += 1
        self._pronouns(pronouns, spans, exact)
        self._child_caller(text, spans)
        return True

    def _first_occurrences(self, text: str, spans: list[tuple[int, int, str]]) -> None:
        from ..words import whole_word_occurrences

        first: dict[str, int | None] = {}
        for s, e, lab in spans:
            surface = text[s:e]
            if surface not in first:
                occ = whole_word_occurrences(text, surface)
                first[surface] = occ[0][0] if occ else None
            self.first_occ[lab] += first[surface] == s

    def _child_caller(self, text: str, spans: list[tuple[int, int, str]]) -> None:
        """A child calling for themselves says "I'm 10 years old" (an AGE span after I'm/I am)
        shortly after introducing themselves ("I'm Maria", "my name is Maria"): count the label of
        the nearest such name before the age statement."""
        age = next((s for s, e, lab in spans if lab == "AGE" and _SELF_AGE.search(text, max(0, s - 12), s)), None)
        if age is None:
            return
        names = [(s, e, lab) for s, e, lab in spans if lab in ("NAME", "VICTIM") and e <= age
                 and age - e <= CALLER_NAME_WINDOW and _SELF_INTRO.search(text, max(0, s - 14), s)]
        if names:
            self.caller_name[names[-1][2]] += 1

    def _repeats(self, text: str, spans: list[tuple[int, int, str]]) -> None:
        from ..words import CONTEXT_DEPENDENT, whole_word_occurrences

        surfaces = {(text[s:e], lab) for s, e, lab in spans}
        starts = [s for s, _, _ in spans]  # sorted, non-overlapping: one span can contain an occurrence
        for surface, lab in surfaces:
            if text.count(surface) < 2 or surface.casefold() in CONTEXT_DEPENDENT:
                continue
            occ = whole_word_occurrences(text, surface)
            if len(occ) < 2:
                continue
            self.repeat_total[lab] += len(occ)
            for a, b in occ:
                i = bisect.bisect_right(starts, a) - 1
                self.repeat_covered[lab] += i >= 0 and b <= spans[i][1]

    def _pronouns(self, found: list[tuple[int, int]], spans: list[tuple[int, int, str]],
                  exact: dict[tuple[int, int], str]) -> None:
        if not found:
            return
        self.pronouns += len(found)
        labelled = [x for x in found if exact.get(x) == "GENDER"]
        if not labelled:
            return
        pron = set(found)
        noun = any(lab == "GENDER" and (s, e) not in pron for s, e, lab in spans)
        self.pron_labelled += len(labelled)
        self.pron_first += sum(1 for x in labelled if x == found[0])
        self.pron_no_noun += 0 if noun else len(labelled)

    def merge(self, other: "ConventionTally") -> "ConventionTally":
        for name in ("records", "skipped", "pronouns", "pron_labelled", "pron_first", "pron_no_noun"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("spans", "det_start", "repeat_total", "repeat_covered", "caller_name", "records_with",
                     "records_single", "first_occ"):
            getattr(self, name).update(getattr(other, name))
        for name in ("lengths", "occurrences", "labelled", "word_records", "word_records_labelled"):
            mine = getattr(self, name)
            for k, c in getattr(other, name).items():
                mine[k].update(c)
        return self

    def result(self, *, all_surfaces: bool = False) -> dict[str, Any]:
        labels = {}
        for lab in LABELS:
            n = self.spans[lab]
            rt = self.repeat_total[lab]
            labels[lab] = {
                "spans": n,
                "determiner_start_share": _share(self.det_start[lab], n),
                "repeat_mention_coverage": _share(self.repeat_covered[lab], rt) if rt else None,
                "single_span_share": _share(self.records_single[lab], self.records_with[lab]),
                "first_occurrence_share": _share(self.first_occ[lab], n),
                "length_words": _percentiles(self.lengths.get(lab, Counter())),
            }
        surface_rates: dict[str, dict[str, dict[str, Any]]] = {}
        for lab, words in lexicon().items():
            rows = {}
            for w in words:
                occ = self.occurrences[lab][w] if lab in self.occurrences else 0
                got = self.labelled[lab][w] if lab in self.labelled else 0
                if occ and (all_surfaces or got < occ):
                    recs = self.word_records[lab][w]
                    recs_got = self.word_records_labelled[lab][w] if lab in self.word_records_labelled else 0
                    rows[w] = {"labelled": got, "occurrences": occ, "rate": _share(got, occ),
                               "records": recs, "records_labelled": recs_got, "record_rate": _share(recs_got, recs)}
            if rows:
                surface_rates[lab] = rows
        return {
            "version": VERSION,
            "n_records": self.records,
            "labels": labels,
            "gender_pronouns": {
                "rule": pronoun_rule(self.pronouns, self.pron_labelled, self.pron_first, self.pron_no_noun),
                "pronouns": self.pronouns,
                "labelled": self.pron_labelled,
                "labelled_first_share": _share(self.pron_first, self.pron_labelled),
                "labelled_without_noun_share": _share(self.pron_no_noun, self.pron_labelled),
            },
            "surface_rates": surface_rates,
            "child_caller_name": _caller_rule(self.caller_name),
        }


def _caller_rule(counts: Counter) -> dict[str, Any]:
    """The label of a child caller's own name: NAME or VICTIM when at least RULE_FIRST_SHARE of
    the records agree, else null (the generator keeps the guide's VICTIM)."""
    n = sum(counts.values())
    label = next((lab for lab in ("NAME", "VICTIM") if n and counts[lab] / n >= RULE_FIRST_SHARE), None)
    return {"label": label, "records": n, "NAME": counts["NAME"], "VICTIM": counts["VICTIM"]}


def pronoun_rule(pronouns: int, labelled: int, first: int, without_noun: int) -> str:
    """first_when_no_noun | all | none | mixed, from the counts (thresholds in the package docstring)."""
    if not pronouns or not labelled:
        return "none"
    if labelled / pronouns >= RULE_ALL_SHARE:
        return "all"
    if first / labelled >= RULE_FIRST_SHARE and without_noun / labelled >= RULE_FIRST_SHARE:
        return "first_when_no_noun"
    if labelled / pronouns < RULE_NONE_SHARE:
        return "none"
    return "mixed"


def _share(num: int, den: int) -> float:
    return round(num / den, 3) if den else 0.0


def _percentiles(hist: Counter) -> dict[str, int]:
    """Nearest-rank p50/p90 and max of a histogram of words per span (zeros when empty)."""
    n = sum(hist.values())
    if not n:
        return {"p50": 0, "p90": 0, "max": 0}
    values = sorted(hist.items())

    def rank(q: float) -> int:
        k, seen = max(1, math.ceil(q * n)), 0
        for v, c in values:
            seen += c
            if seen >= k:
                return int(v)
        return int(values[-1][0])

    return {"p50": rank(0.5), "p90": rank(0.9), "max": int(values[-1][0])}


def measure(records: Iterable[Any], *, all_surfaces: bool = False) -> dict[str, Any]:
    """The conventions of `records` (Records, canonical dicts, or (text, spans) pairs); records
    that break the data contract are skipped (ConventionTally.skipped counts them)."""
    tally = ConventionTally()
    for rec in records:
        tally.add(*_spans_of(rec))
    return tally.result(all_surfaces=all_surfaces)

"""Annotation conventions of a dataset, measured: counts and rates, never transcript text.

`measure(records)` says how a dataset's annotators label the hard cases of LABELS.md, in a
form the generator can follow (`synth --conventions FILE`) and validation can compare between
sources. The conventions file (version 1):

    version: 1
    n_records: int
    labels:            # every label
      LABEL: {spans, determiner_start_share, repeat_mention_coverage (null: no repeats),
              single_span_share, first_occurrence_share, length_words: {p50, p90, max}}
    gender_pronouns: {rule, pronouns, labelled, labelled_first_share, labelled_without_noun_share}
    child_caller_name: {label (NAME | VICTIM | null), records, NAME, VICTIM}
    surface_rates:     # label -> lexicon word -> {labelled, occurrences, rate, records, records_labelled, record_rate}
      INCIDENT_TYPE: {sad: {labelled: 13, occurrences: 32, rate: 0.406, records: 30, ...}, ...}

Definitions (words are runs of letters/digits, compared case-insensitively):
- determiner_start_share: spans whose first word is a determiner or possessive (DETERMINERS)
  and that go on past it, or that are only an article/demonstrative ("the" alone). A lone
  "her"/"his" is a pronoun (a GENDER span), not a determiner start.
- repeat_mention_coverage: per record, every surface the label marks (exact text) that occurs
  two or more times as whole words; the share of those occurrences that lie inside a span.
  Pronouns are left out (they are labelled only when they refer to the child). For names this
  measures annotation gaps; for roles, ages and places a repeat can be another referent ("12"
  the age and "12" days), so their coverage is lower by nature.
- single_span_share: of the records with a span of the label, the share with exactly one (the
  dev data: 1.0 for INCIDENT_TYPE, PERPETRATOR and GENDER, always the surface's first
  occurrence, 0.95 for LOCATION; NAME is labelled at every mention).
- first_occurrence_share: spans that lie at the first whole-word, case-sensitive occurrence of
  their own surface in the text. The dev data: 1.0 for every label but the names (NAME 0.5,
  VICTIM 0.2): its annotations were placed by searching for the first occurrence of a value, so
  a role word is labelled where it first appears, whatever it means there.
- gender_pronouns: he/she/him/her/his as whole words. `labelled`: covered exactly by a GENDER
  span; `labelled_first_share`: of those, the record's first pronoun; `labelled_without_noun_share`:
  of those, in a record with no GENDER span on a word other than a pronoun. The rule, in order:
  none when nothing is labelled; all when at least RULE_ALL_SHARE of pronouns are labelled;
  first_when_no_noun when both shares are at least RULE_FIRST_SHARE; none when fewer than
  RULE_NONE_SHARE of pronouns are labelled (stray labels); mixed otherwise. (Dev data: 90 of
  1,532 labelled, 88 of them first, all without a noun: first_when_no_noun.)
- surface_rates: only words of the fixed lexicon (lexicon()), never a word merely found in the data
  (that could be a child's name). `occurrences`: whole-word, case-insensitive; `labelled`: those
  covered exactly by a span of that label. `records`: records where the word occurs;
  `records_labelled`: those where one of its occurrences is labelled; `record_rate` their share,
  the rate that matters for a label marked once per record (dev data: "teacher" 0.43 of
  records, 0.19 of occurrences). The file keeps the words labelled sometimes or never
  (occurrences > labelled); comparisons between sources use every word (all_surfaces=True).

- child_caller_name: records where a child states their own age ("I'm 10 years old": an AGE
  span right after I'm/I am) within CALLER_NAME_WINDOW characters after introducing themselves
  ("I'm Maria", "my name is Maria": a NAME/VICTIM span); the label of that name, per record.
  `label` is the one at least RULE_FIRST_SHARE of them agree on, else null. The dev data: NAME in
  160 of 161, where the guide says VICTIM.

A record that breaks the data contract (a span out of range, cutting a word, or overlapping
another) is skipped and counted, never measured: its offsets say nothing about conventions.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .records import LABELS, text_hash

VERSION = 1

DETERMINERS = frozenset({"the", "a", "an", "my", "your", "his", "her", "its", "our", "their",
                         "this", "that", "these", "those"})
# A span made of one of these alone is a determiner span ("the" as a PERPETRATOR); a lone
# his/her/its is a pronoun.
_DETERMINER_ONLY = DETERMINERS - {"his", "her", "its"}
GENDER_PRONOUNS = ("he", "she", "him", "her", "his")  # LABELS.md's pronoun count uses these five

# Pronoun rule thresholds (see the module docstring).
RULE_ALL_SHARE = 0.9  # this share of pronouns labelled: every pronoun is GENDER
RULE_FIRST_SHARE = 0.9  # labelled ones first in their record and in records with no gender noun
RULE_NONE_SHARE = 0.02  # under this share labelled, not matching the rule above: stray labels

# The lexicon per label: LABELS.md's words and the generator's own vocabularies (synth/vocab_case.py,
# synth/call.py), plus the everyday emotion, role and place words helpline callers use.
_LEXICON_BASE: dict[str, tuple[str, ...]] = {
    "INCIDENT_TYPE": (
        # distress and emotion words
        "sad", "scared", "hurt", "worried", "anxious", "depression", "stress", "upset", "withdrawn",
        "angry", "afraid", "fear", "fearful", "frightened", "terrified", "nervous", "lonely", "loneliness",
        "hopeless", "hopelessness", "helpless", "depressed", "stressed", "traumatised", "traumatized",
        "trauma", "anxiety", "miserable", "unhappy", "distressed", "distress", "confused", "ashamed",
        "embarrassed", "shame", "guilt", "grief", "crying", "suicidal", "suicidal thoughts", "self-harm",
        "isolated", "frustrated", "panic", "panic attacks", "low mood", "mental health", "emotional distress",
        # what happens to the child
        "bullying", "bullied", "cyberbullying", "neglect", "neglected", "abuse", "abused", "violence",
        "harassment", "rape", "raped", "defilement", "defiled", "trafficking", "exploitation",
        "abandonment", "abandoned", "pregnancy", "early pregnancy", "teenage pregnancy", "child labour",
        "child labor", "early marriage", "child marriage", "forced marriage", "FGM", "domestic violence",
        "physical abuse", "sexual abuse", "emotional abuse", "verbal abuse", "corporal punishment",
        "beating", "beatings", "substance abuse", "drug abuse", "school dropout",
    ),
    "PERPETRATOR": (
        "mother", "father", "mom", "mum", "mama", "dad", "daddy", "parents", "parent", "stepfather",
        "stepmother", "stepdad", "stepmom", "uncle", "aunt", "aunty", "auntie", "grandmother", "grandfather",
        "grandparents", "cousin", "brother", "sister", "stepbrother", "stepsister", "husband", "wife",
        "boyfriend", "girlfriend", "guardian", "caretaker", "caregiver", "relative", "relatives", "family",
        "teacher", "teachers", "headteacher", "head teacher", "principal", "neighbour", "neighbours",
        "neighbor", "neighbors", "employer", "boss", "landlord", "shopkeeper", "stranger", "strangers",
        "man", "men", "woman", "women", "friend", "friends", "classmate", "classmates", "pupils",
        "students", "peers", "pastor", "priest", "imam", "police", "policeman", "officer", "coach",
        "driver", "watchman", "agent",
    ),
    "GENDER": (
        "girl", "boy", "girls", "boys", "daughter", "son", "daughters", "sons", "niece", "nephew",
        "granddaughter", "grandson", "stepdaughter", "stepson", "sister", "brother", "female", "male",
        "schoolgirl", "schoolboy", "lady", "young man", "young woman",
    ),
    "LANDMARK": (
        "police station", "police post", "school", "primary school", "secondary school", "hospital",
        "health centre", "health center", "clinic", "dispensary", "market", "church", "mosque",
        "bus stand", "bus stop", "bus station", "shop", "court", "office", "children's home",
    ),
}

# A child caller's self-introduction and own age (child_caller_name); the name must come within
# CALLER_NAME_WINDOW characters before the age.
_SELF_INTRO = re.compile(r"(?:\bI'm|\bI am|\b[Mm]y name is|\b[Ii]t's|\b[Tt]his is)\s+$")
_SELF_AGE = re.compile(r"(?:\bI'm|\bI am)\s+(?:only\s+|just\s+)?$")
CALLER_NAME_WINDOW = 160
_TOKEN_RE = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)  # a word, or one punctuation mark
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, ...]]:
    """label -> lexicon words (lower case, sorted): the base lists plus the generator's vocabularies,
    so a word the generator labels is always measured."""
    from .synth import vocab_case as VC
    from .synth.call import CHILD_NOUNS

    extra: dict[str, set[str]] = defaultdict(set)
    extra["GENDER"].update(w for nouns in CHILD_NOUNS.values() for w in nouns.values())
    extra["PERPETRATOR"].update(VC.ROLES)
    extra["PERPETRATOR"].update(VC.SPOUSE_WORD.values())
    for inc in VC.INCIDENTS.values():
        extra["INCIDENT_TYPE"].update(inc.phrases)
    extra["INCIDENT_TYPE"].update(VC.DISTRESS_ADJ + VC.DISTRESS_NOUN)
    out = {}
    for label, words in _LEXICON_BASE.items():
        out[label] = tuple(sorted({_norm(w) for w in (*words, *extra.get(label, ()))}))
    return out


def _norm(phrase: str) -> str:
    return " ".join(phrase.lower().split())


@lru_cache(maxsize=1)
def _scanner() -> tuple[re.Pattern, dict[str, list[tuple[str, str, re.Pattern]]]]:
    """A regex finding every word a lexicon phrase or a pronoun starts with (whole word, in the
    lower-cased text), and first word -> [(label, phrase, anchored regex of the whole phrase)]. Scanning for
    first words only keeps a record's cost at its few candidates, not its hundreds of words."""
    index: dict[str, list[tuple[str, str, re.Pattern]]] = defaultdict(list)
    for label, words in lexicon().items():
        for w in words:
            toks = list(_TOKEN_RE.finditer(w))
            pattern = re.escape(toks[0].group())
            for prev, tok in zip(toks, toks[1:]):  # a space in the phrase: any whitespace; none ("self-harm"): none
                pattern += (r"\s+" if tok.start() > prev.end() else "") + re.escape(tok.group())
            index[toks[0].group()].append((label, w, re.compile(pattern + r"(?!\w)")))
    firsts = set(index) | set(GENDER_PRONOUNS)
    return re.compile(r"\b" + _trie(firsts) + r"\b"), dict(index)


def _trie(words: Iterable[str]) -> str:
    """A regex matching exactly `words`, factored by prefix: Python's re tries alternatives one
    by one, so a flat alternation of a few hundred words costs 15x more per record."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def rx(node: dict) -> str:
        alts = [re.escape(ch) + rx(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return rx(root)


def usable(text: str, spans: Iterable[tuple[int, int, str]]) -> bool:
    """True when every span is in range, covers whole words, and no two overlap."""
    from .words import aligned  # records.is_word_aligned's verdict, 3x faster

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
        from .words import whole_word_occurrences

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
        from .words import CONTEXT_DEPENDENT, whole_word_occurrences

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
    """first_when_no_noun | all | none | mixed, from the counts (thresholds in the module docstring)."""
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


# -- conflicts between sources ---------------------------------------------------------------

def comparable(by_source: dict[str, dict[str, Any]], *, min_diff: float, min_support: int) -> list[dict[str, Any]]:
    """Every convention two sources both measure on at least `min_support` cases (spans,
    pronouns, or occurrences of a word), one row each, flat: {convention, label, word, <source>,
    n_<source>, diff, conflict}. `conflict`: the two rates differ by `min_diff` or more. Give
    measurements with all_surfaces=True, so a word one source always labels is compared too."""
    rows: list[dict[str, Any]] = []
    names = sorted(by_source)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            rows += _compare(a, by_source[a], b, by_source[b], min_diff, min_support)
    return sorted(rows, key=lambda r: (-r["diff"], r["convention"], r["label"], r["word"]))


def _facts(conv: dict[str, Any]) -> dict[tuple[str, str, str], tuple[float, int]]:
    """(convention, label, word) -> (rate, support) of one measurement."""
    out: dict[tuple[str, str, str], tuple[float, int]] = {}
    for lab, row in conv["labels"].items():
        if row["spans"]:
            out[("determiner_start_share", lab, "")] = (row["determiner_start_share"], row["spans"])
            if row["repeat_mention_coverage"] is not None:
                out[("repeat_mention_coverage", lab, "")] = (row["repeat_mention_coverage"], row["spans"])
    g = conv["gender_pronouns"]
    if g["pronouns"]:
        out[("pronoun_labelled_share", "GENDER", "")] = (_share(g["labelled"], g["pronouns"]), g["pronouns"])
    if g["labelled"]:
        out[("pronoun_labelled_first_share", "GENDER", "")] = (g["labelled_first_share"], g["labelled"])
    for lab, words in conv["surface_rates"].items():
        for word, row in words.items():
            out[("surface_rate", lab, word)] = (row["rate"], row["occurrences"])
    return out


def _compare(a: str, conv_a: dict[str, Any], b: str, conv_b: dict[str, Any], min_diff: float,
             min_support: int) -> list[dict[str, Any]]:
    fa, fb = _facts(conv_a), _facts(conv_b)
    rows = []
    for key in sorted(fa.keys() & fb.keys()):
        (ra, na), (rb, nb) = fa[key], fb[key]
        if min(na, nb) < min_support:
            continue
        diff = round(abs(ra - rb), 3)
        rows.append({"convention": key[0], "label": key[1], "word": key[2], a: ra, b: rb,
                     f"n_{a}": na, f"n_{b}": nb, "diff": diff, "conflict": diff >= min_diff})
    return rows


# -- files ----------------------------------------------------------------------------------

def load_records(paths: Iterable[str | Path], settings: Any = None) -> tuple[list[tuple[str, list]], dict[str, int]]:
    """Read canonical JSONL or Label Studio exports with the pipeline's reader. Returns the usable
    records as (text, spans) and counts of what was skipped: unreadable (not a record the reader
    could parse), misaligned (breaks the data contract), duplicate_text (same normalised text)."""
    from .ingest import read_records

    skipped: Counter = Counter()
    seen: set[str] = set()
    out: list[tuple[str, list]] = []
    for path in paths:
        p = Path(path)
        for rr in read_records(p.name, p.read_bytes(), "real", settings):
            if rr.error is not None or rr.text is None:
                skipped["unreadable"] += 1
                continue
            spans = [tuple(s) for s in rr.entities]
            if not usable(rr.text, spans):
                skipped["misaligned"] += 1
                continue
            h = text_hash(rr.text)
            if h in seen:
                skipped["duplicate_text"] += 1
                continue
            seen.add(h)
            out.append((rr.text, spans))
    return out, {k: skipped.get(k, 0) for k in ("unreadable", "misaligned", "duplicate_text")}


class SourceTallies(dict):
    """source -> ConventionTally of canonical record dicts added one by one; `sources` limits it
    to those sources, `max_records` to the first that many records of each."""

    def __init__(self, sources: Iterable[str] | None = None, max_records: int | None = None) -> None:
        super().__init__()
        self.want = None if sources is None else set(sources)
        self.max_records = max_records

    def add(self, d: dict[str, Any]) -> None:
        src = d.get("source") or "synthetic"
        if self.want is None or src in self.want:
            tally = self.setdefault(src, ConventionTally())
            if self.max_records is None or tally.records < self.max_records:
                tally.add(*_spans_of(d), checked=True)  # snapshot records passed validation


def tally_snapshot(store: Any, snapshot_uri: str, splits: Iterable[str], sources: Iterable[str] | None = None,
                   max_records: int | None = None) -> dict[str, ConventionTally]:
    """Per source, the tally of a dataset snapshot's records in `splits` (one split file in
    memory at a time; see SourceTallies for `sources` and `max_records`)."""
    from .snapshots import SnapshotStore

    out = SourceTallies(sources, max_records)
    for d in SnapshotStore(store).record_dicts(snapshot_uri, splits):
        out.add(d)
    return out


# Which splits' real records the DAG's generation follows: never the test split, so what the
# model is scored on never shapes what it is trained on.
GENERATION_SPLITS = ("train", "validation")


def for_generation(settings: Any, store: Any, latest: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(conventions for the DAG's synthetic generation or None, where they come from: counts and
    names only). The latest snapshot's real records (GENERATION_SPLITS) when it holds at least
    synth.conventions_min_real of them; else synth.conventions_file when set; else None (the
    generator's label-guide defaults)."""
    cfg = settings.synth
    real = 0
    if latest and latest.get("uri"):
        from .snapshots import SnapshotStore

        manifest = SnapshotStore(store).manifest(latest["uri"], required=False) or {}
        by_source = manifest.get("counts_by_source", {})
        real = sum(int(by_source.get(s, {}).get("real", 0)) for s in GENERATION_SPLITS)
    if real >= cfg.conventions_min_real:
        tally = tally_snapshot(store, latest["uri"], GENERATION_SPLITS, sources=["real"]).get("real", ConventionTally())
        return tally.result(), {"from": "snapshot", "snapshot_id": latest.get("snapshot_id"),
                                "splits": list(GENERATION_SPLITS), "real_records": tally.records,
                                "skipped_records": tally.skipped, "min_real": cfg.conventions_min_real}
    why = {"real_records": real, "min_real": cfg.conventions_min_real,
           "snapshot_id": (latest or {}).get("snapshot_id")}
    if cfg.conventions_file:
        f = cfg.conventions_file
        data = store.get_bytes(store.key_of(f)) if f.startswith("s3://") else Path(f).read_bytes()
        return loads(data), {"from": "file", "file": f, **why}
    return None, {"from": "label_guide", **why}


REQUIRED_KEYS = ("version", "n_records", "labels", "gender_pronouns", "surface_rates")


def check(conventions: Any) -> dict[str, Any]:
    """The conventions dict, or ValueError naming what is wrong with it."""
    if not isinstance(conventions, dict):
        raise ValueError("a conventions file holds one mapping")
    missing = [k for k in REQUIRED_KEYS if k not in conventions]
    if missing:
        raise ValueError(f"conventions file lacks {missing}")
    if conventions["version"] != VERSION:
        raise ValueError(f"conventions version {conventions['version']!r}, this code reads version {VERSION}")
    return conventions


def save(conventions: dict[str, Any], path: str | Path) -> Path:
    """Write as JSON for a .json path, YAML otherwise."""
    import yaml

    p = Path(path)
    if p.suffix.lower() == ".json":
        p.write_text(json.dumps(conventions, indent=2) + "\n")
    else:
        p.write_text(yaml.safe_dump(conventions, sort_keys=False, allow_unicode=True))
    return p


def loads(data: str | bytes) -> dict[str, Any]:
    import yaml

    try:
        return check(yaml.safe_load(data))  # YAML reads JSON too
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML/JSON ({type(exc).__name__})") from None


def load(path: str | Path) -> dict[str, Any]:
    return loads(Path(path).read_text())

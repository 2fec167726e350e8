"""The fixed lexicon a dataset's conventions are measured on, and the scanner that finds its words.

Only lexicon words (and the five gender pronouns) are ever counted, never a word merely found in
the data (that could be a child's name); see the package docstring (conventions/__init__.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Iterable

DETERMINERS = frozenset({"the", "a", "an", "my", "your", "his", "her", "its", "our", "their",
                         "this", "that", "these", "those"})
# A span made of one of these alone is a determiner span ("the" as a PERPETRATOR); a lone
# his/her/its is a pronoun.
_DETERMINER_ONLY = DETERMINERS - {"his", "her", "its"}
GENDER_PRONOUNS = ("he", "she", "him", "her", "his")  # LABELS.md's pronoun count uses these five

# The lexicon per label: LABELS.md's words and the generator's own vocabularies (synth/vocab_case.py,
# synth/people.py), plus the everyday emotion, role and place words helpline callers use.
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

_TOKEN_RE = re.compile(r"[^\W_]+|[^\w\s]", re.UNICODE)  # a word, or one punctuation mark
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[str, ...]]:
    """label -> lexicon words (lower case, sorted): the base lists plus the generator's vocabularies,
    so a word the generator labels is always measured."""
    from ..synth import vocab_case as VC
    from ..synth.people import CHILD_NOUNS

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

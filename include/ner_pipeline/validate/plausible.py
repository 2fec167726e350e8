"""Is a mention a plausible one for its label? A pure check on the mention's own characters.

Used on every span a repair produces (a repair that lands on something implausible is no
repair, and the record is not repaired) and, in a record with drift, on its aligned spans
too (a drifted span can land on whole words by chance: a NAME on "my best"). Never used to
judge the spans of a record whose spans are all aligned: the contract there is LABELS.md's.

The rules, each measured on the 334 clean records of the dev data (shared/data), whose
3,061 spans all pass (tests/unit/test_plausible.py holds that when the data is present):

- no span is a lone stopword or clitic ("I", "the", "'m", "s"), except the gender pronouns
  GENDER allows (LABELS.md);
- no span starts or ends on punctuation other than a phone number's "+" or a closing ")"
  (a leading determiner is not judged here: the generator labels "the teacher", the
  helpline's annotators "teacher");
- no span starts with a clitic word ("s near Layibi" after "it's": 0 of the 3,061 dev spans
  and 0 of 51,216 generated ones do);
- no span crosses a sentence end ("Joel. It"), none is only stopwords ("can be", "I'm"),
  and no NAME or VICTIM holds a stopword or an apostrophe ("It must", "We can");
- NAME, VICTIM and LOCATION start with a capital (every one of the 1,980 such clean spans
  does); AGE holds a digit or a number word; PHONE_NUMBER holds 6 or more digits and only
  digits, spaces and + - ( ) . separators; GENDER is one word of the gender vocabulary.

`implausible(mention, label)` returns None when plausible, else a short code saying why
(codes, not text, so it can go into audits and quarantine details).
"""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset("""
a an the and or but if so as at by for from in into of off on onto out over to up with
i me my mine myself we us our ours you your yours he him his she her hers it its they them their theirs
is am are was were be been being do does did have has had will would shall should can could may might must
this that these those there here then than not no yes oh ok okay
what who whom which when where why how all any some
""".split())
CLITICS = frozenset({"s", "m", "t", "d", "ll", "re", "ve", "'s", "'m", "'t", "'d", "'ll", "'re", "'ve",
                     "n't", "’s", "’m", "’t", "’d", "’ll", "’re", "’ve", "n’t"})
GENDER_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
GENDER_WORDS = GENDER_PRONOUNS | frozenset("""
girl girls boy boys son sons daughter daughters man men woman women male female lady ladies gentleman
sister sisters brother brothers niece nephew mother father mom dad aunt uncle granddaughter grandson
schoolgirl schoolboy stepdaughter stepson wife husband
""".split())
NUMBER_WORDS = frozenset("""
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
""".split())
CAPITALISED = frozenset({"NAME", "VICTIM", "LOCATION"})
PERSONAL = frozenset({"NAME", "VICTIM"})
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.?!]\s")
_ABBREV = re.compile(r"(?:^|\s)(?:St|Mt|Dr|Mr|Mrs|Ms|Rd|Ave|P|O|Jr|Sr|No)\.\s")
_PHONE = re.compile(r"^\+?[\d\s().\-]+$")


# Codes that no real mention of the label has, whatever the transcript's casing or vocabulary:
# checked on the aligned spans of every record (checks.py), the others only where drift is seen.
HARD = frozenset({"clitic", "stopword", "only_stopwords", "stopword_in_name", "no_number", "not_a_phone_number"})


@lru_cache(maxsize=1 << 16)  # runs on every aligned span of every record; mentions repeat
def implausible(mention: str, label: str) -> str | None:
    """None when `mention` is a plausible `label` mention, else why not (a code)."""
    m = mention
    if not m or m != m.strip():
        return "edge_whitespace"
    low = m.lower()
    words = _WORD.findall(m)
    # Codes in HARD first, so that a span with several faults reports a HARD one when it has one.
    if low in CLITICS:
        return "clitic"
    if low in STOPWORDS and not (label == "GENDER" and low in GENDER_PRONOUNS):
        return "stopword"
    if words and all(w.lower() in STOPWORDS or w.lower() in CLITICS for w in words) and not (
            label == "GENDER" and low in GENDER_PRONOUNS):
        return "only_stopwords"  # "can be", "I'm"
    if label in PERSONAL and any(w.lower() in STOPWORDS or "'" in w or "’" in w for w in words):
        return "stopword_in_name"  # "It must", "We can": no person's name holds one
    if label == "AGE" and not (any(c.isdigit() for c in m) or any(w.lower() in NUMBER_WORDS for w in words)
                               or any(w.lower().split("-")[0] in NUMBER_WORDS for w in m.split())):
        return "no_number"
    if label == "PHONE_NUMBER" and (sum(c.isdigit() for c in m) < 6 or not _PHONE.match(m)):
        return "not_a_phone_number"
    if len(words) > 1 and words[0].lower() in CLITICS:
        return "starts_with_clitic"  # the tail of "it's" or "I'm": drift put the span there
    if not (m[0].isalnum() or (label == "PHONE_NUMBER" and m[0] in "+(")):
        return "starts_with_punctuation"
    if not (m[-1].isalnum() or m[-1] == ")"):
        return "ends_with_punctuation"
    if _SENTENCE_END.search(_ABBREV.sub(" ", m)):
        return "crosses_sentence"
    if label in CAPITALISED and not m[0].isupper():
        return "not_capitalised"
    if label == "GENDER" and low not in GENDER_WORDS:
        return "not_a_gender_word"
    return None

"""Mentions of the case's facts in one call: age, school level, places, landmarks, phones,
numbers and incidents.

A mixin of Call (call.py): its methods read and update the call's state (self.rng, self.cast,
self.choice, self.facts, self.n_loc, self.phone_style, self.inc_phrase).
"""

from __future__ import annotations

from random import Random
from typing import Callable

from . import vocab_case as VC
from . import vocab_places as VL
from .draw import Place
from .render import Segment

MONEY = (500, 1000, 2000, 5000, 10000, 20000)

_PHONE_STYLES = (  # (weight, format) over the 9 national digits d and country code cc
    (5, "0{a} {b} {c}"), (3, "0{a}-{b}-{c}"), (3, "0{a} {bc}"), (2, "0{d}"), (4, "+{cc} {a} {b} {c}"),
    (2, "+{cc}{d}"), (1, "{cc} {a} {b} {c}"), (1, "+{cc}-{a}-{b}-{c}"), (1, "0{a2} {b2} {c2}"),
    (1, "+{cc} {a} {bc}"),
)


def format_phone(digits: str, cc: str, style: int) -> str:
    """The same 9 national digits as "0754 318 220", "+255754318220", "075 431 8220", ..."""
    d = digits
    return _PHONE_STYLES[style][1].format(d=d, cc=cc, a=d[:3], b=d[3:6], c=d[6:], bc=d[3:],
                                          a2=d[:2], b2=d[2:5], c2=d[5:])


class FactMentions:
    """The child's age and school level, the home and other places, landmarks, phone numbers,
    numbers that are not the age, and incident or distress words."""

    def _landmark_fn(self, kind: str, surface: str) -> Callable[[str], list[Segment]]:
        seg = [(surface, "LANDMARK", "landmark")]
        if surface.startswith("the ") and not self.choice.determiner_inside("LANDMARK"):
            seg = [("the ", None, None), (surface[4:], "LANDMARK", "landmark")]  # "the [police station]"

        def fn(sp: str) -> list[Segment]:
            self.facts.add("lm_" + kind)
            return seg
        return fn

    def age(self) -> list[Segment]:
        self.facts.add("age")
        digits = self.rng.random() < (0.85 if self.cast.age_digits else 0.15)
        return [(str(self.cast.age) if digits else VC.AGE_WORDS[self.cast.age], "AGE", "age")]

    def a_age(self) -> list[Segment]:
        """ "a 13-year-old", "an 11-year-old", "an eight-year-old"."""
        segs = self.age()
        article = "an " if segs[0][0][0] in "8e" or segs[0][0] in ("11", "18") else "a "
        return [(article, None, None)] + segs

    def school_level(self) -> str:
        c = self.cast
        levels = VC.SCHOOL_LEVEL[c.locale]
        if c.age <= 6:
            return self.rng.choice(("nursery school", "pre-primary", "baby class"))
        if c.age <= 13:
            n, stage = min(c.age - 6, 7), "primary"
        else:
            n, stage = min(c.age - 13, 4), "secondary"
            n = max(n, 1)
        pattern = self.rng.choice(levels[stage])
        return pattern.format(n=VC.NUMBER_WORDS[n] if self.rng.random() < 0.6 else n, d=n)

    def number(self) -> str:
        """A number that is not the child's age (a count, a distance)."""
        n = self.rng.choice([k for k in range(2, 31) if k != self.cast.age])
        words = VC.AGE_WORDS.get(n) or VC.NUMBER_WORDS.get(n)
        return words if words and self.rng.random() < 0.4 else str(n)

    def location(self) -> list[Segment]:
        self.facts.add("loc")
        first = self.n_loc == 0
        self.n_loc += 1
        return place_mention(self.rng, self.cast.place, first)

    def location_short(self) -> list[Segment]:
        p = self.cast.place
        return [(p.lower if self.rng.random() < 0.65 else p.higher, "LOCATION", "place")]

    def location_other(self) -> list[Segment]:
        p = self.cast.other_place
        return [(f"{p.lower}, {p.higher}" if self.rng.random() < 0.6 else p.lower, "LOCATION", "place")]

    def phone(self, digits: str, *, again: bool, first: bool = False) -> list[Segment]:
        self.facts.add("ph")
        rng = self.rng
        weights = [w for w, _ in _PHONE_STYLES]
        if first or self.phone_style is None:
            style = rng.choices(range(len(_PHONE_STYLES)), weights=weights)[0]
            if not first:
                self.phone_style = style
        elif again and rng.random() < 0.5:
            style = rng.choices(range(len(_PHONE_STYLES)), weights=weights)[0]
        else:
            style = self.phone_style
        return [(format_phone(digits, VC.PHONE[self.cast.locale]["cc"], style), "PHONE_NUMBER", "phone")]

    def incident(self) -> list[Segment]:
        phrases = self.cast.incident.phrases
        phrase = self.inc_phrase if self.rng.random() < 0.75 else self.rng.choice(phrases)
        return self.incident_word(phrase, "incident")

    def incident_word(self, phrase: str, kind: str) -> list[Segment]:
        """An incident or distress mention; plain text where the conventions leave it unlabelled."""
        if self.choice.labelled("INCIDENT_TYPE", phrase):
            return [(phrase, "INCIDENT_TYPE", kind)]
        return [(phrase, None, None)]


def place_mention(rng: Random, p: Place, first: bool) -> list[Segment]:
    """One mention of the home place; first mentions are fuller ("Kibaoni village in Kondoa,
    Dodoma"), later ones shorter ("Kondoa")."""
    hw, lw = VL.HIGHER_WORD[p.locale], VL.LOWER_WORD[p.locale]
    L = "LOCATION"
    forms = {
        "lower_higher": lambda: [(f"{p.lower}, {p.higher}", L, "place")],
        "lower": lambda: [(p.lower, L, "place")],
        "lower_word": lambda: [(p.lower, L, "place"), (f" {lw}", None, None)],
        "hood": lambda: [(p.hood, L, "place")],
        "hood_word": lambda: [(p.hood, L, "place"), (" " + rng.choice(("village", "ward", "area")), None, None)],
        "hood_lower": lambda: [(f"{p.hood}, {p.lower}", L, "place")],
        "hood_in": lambda: [(p.hood, L, "place"), (" in ", None, None), (f"{p.lower}, {p.higher}", L, "place")],
        "lower_in_higher": lambda: [(p.lower, L, "place"), (" in ", None, None), (p.higher, L, "place"),
                                    (f" {hw}", None, None)],
        "full_country": lambda: [(f"{p.lower}, {p.higher}, {VL.COUNTRIES[p.locale]}", L, "place")],
        "higher_word": lambda: [(p.higher, L, "place"), (f" {hw}", None, None)],
    }
    if first:
        weights = {"lower_higher": 30, "hood_lower": 10, "hood_in": 15, "lower_in_higher": 15, "hood_word": 10,
                   "lower_word": 10, "full_country": 5, "hood": 5}
    else:
        weights = {"lower_higher": 25, "lower": 30, "hood": 20, "lower_word": 10, "higher_word": 10, "hood_word": 5}
    keys = list(weights)
    return forms[rng.choices(keys, weights=[weights[k] for k in keys])[0]]()

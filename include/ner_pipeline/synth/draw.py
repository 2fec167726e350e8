"""Draws for one call's cast: people with names and places with words nobody else in the call
uses (see cast.py), landmarks, phone numbers and ages."""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from . import vocab_case as VC
from . import vocab_people as VP
from . import vocab_places as VL


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    gender: str
    title: str  # honorific, written outside the span

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Place:
    locale: str
    higher: str  # region / county / district
    lower: str  # district / sub-county or town
    hood: str  # village, ward or estate



def weighted(rng: Random, items: dict) -> str:
    keys = list(items)
    return rng.choices(keys, weights=[items[k] for k in keys])[0]


def name_tokens(*names: str) -> set[str]:
    return {w for n in names for w in n.replace(",", " ").replace("'s", "").split()}


class Names:
    """Draws names whose words no one else in the call uses."""

    def __init__(self, rng: Random, locale: str, used: set[str]):
        self.rng, self.locale, self.used = rng, locale, used
        self.female = getattr(VP, f"{locale.upper()}_FEMALE")
        self.male = getattr(VP, f"{locale.upper()}_MALE")
        self.surnames = getattr(VP, f"{locale.upper()}_SURNAMES")

    def person(self, gender: str) -> Person:
        rng = self.rng
        gender = gender if gender in ("f", "m") else rng.choice("fm")
        for _ in range(100):
            if rng.random() < 0.75:
                first = rng.choice(self.female if gender == "f" else self.male)
            else:
                first = rng.choice(VP.SHARED_FEMALE if gender == "f" else VP.SHARED_MALE)
            last = rng.choice(self.surnames)
            toks = name_tokens(first, last)
            if first != last and not toks & self.used:
                self.used |= toks
                return Person(first, last, gender, rng.choice(VP.HONORIFICS[gender]))
        raise RuntimeError("could not draw a distinct name")  # never with the list sizes here


def draw_place(rng: Random, locale: str, used: set[str], avoid_lower: str = "") -> Place:
    areas = VL.AREAS[locale]
    for _ in range(100):
        higher = rng.choice(list(areas))
        lower = rng.choice(areas[higher])
        hood = rng.choice(VL.NEIGHBOURHOODS[locale])
        toks = name_tokens(higher, lower, hood)
        n_words = len(name_tokens(higher)) + len(name_tokens(lower)) + len(name_tokens(hood))
        if lower != avoid_lower and len(toks) == n_words and not toks & used:
            used |= toks
            return Place(locale, higher, lower, hood)
    raise RuntimeError("could not draw a distinct place")


def draw_landmark(rng: Random, locale: str, kind: str, used: set[str], taken: set[str], age: int) -> str:
    patterns = VL.LANDMARKS[locale][kind]
    if kind == "school":  # a secondary school for teenagers, a primary school for the rest
        secondary = age >= 14
        patterns = tuple(p for p in patterns if (("Secondary" in p or "College" in p) == secondary))
    for _ in range(100):
        pattern = rng.choice(patterns)
        fill = {"P": rng.choice(VL.NEIGHBOURHOODS[locale]), "S": rng.choice(VL.SAINTS), "M": rng.choice(VL.MOSQUES)}
        surface = pattern.format(**fill)
        names = [fill[k] for k in "PSM" if "{" + k + "}" in pattern]
        toks = name_tokens(*names)
        if surface not in taken and not toks & used:
            used |= toks
            taken.add(surface)
            return surface
    raise RuntimeError("could not draw a distinct landmark")


def draw_phone(rng: Random, locale: str) -> str:
    return rng.choice(VC.PHONE[locale]["prefixes"]) + "".join(rng.choice("0123456789") for _ in range(7))


def draw_age(rng: Random, min_age: int) -> int:
    ages = {a: w for a, w in VC.AGE_WEIGHTS.items() if a >= min_age}
    return int(weighted(rng, ages))

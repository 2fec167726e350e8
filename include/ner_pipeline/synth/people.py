"""Mentions of people in one call: the child, the perpetrator, and everyone else who is named.

A mixin of Call (call.py): its methods read and update the call's state (self.rng, self.cast,
self.conv, self.choice, self.child, self.n_victim, self.n_perp, self.pname_known). The label
conventions they follow are in call.py's docstring.
"""

from __future__ import annotations

from . import vocab_case as VC
from .render import Segment

CHILD_PRONOUNS = {"f": {"she": "she", "her": "her", "her_o": "her", "hers": "hers"},
                  "m": {"she": "he", "her": "his", "her_o": "him", "hers": "his"}}
CHILD_NOUNS = {"f": {"child": "girl", "offspring": "daughter", "niece": "niece", "grandchild": "granddaughter",
                     "sibling": "sister"},
               "m": {"child": "boy", "offspring": "son", "niece": "nephew", "grandchild": "grandson",
                     "sibling": "brother"}}
PERP_PRONOUNS = {"m": ("he", "him", "his"), "f": ("she", "her", "her"), "p": ("they", "them", "their")}
GENDER_WORDS = frozenset(w for g in CHILD_PRONOUNS.values() for w in g.values()) | frozenset(
    w for g in CHILD_NOUNS.values() for w in g.values()) | {"he"}

# A pronoun for the unnamed other relative: only in the child's own call, where no pronoun is
# the child's (OTHER_KIN_K); adults' calls name the relative by role again.
KIN_PRONOUN = {"mother": "she", "grandmother": "she", "aunt": "she", "father": "he", "grandfather": "he",
                "uncle": "he"}
# People who help the child, named by role: never PERPETRATOR (hard negatives).
HELPER_ROLES = ("mother", "father", "parents", "teacher", "class teacher", "grandmother", "grandfather", "aunt",
                "uncle", "neighbour", "pastor", "imam", "headteacher")


class PeopleMentions:
    """The child's name, the perpetrator (role, name, pronouns) and other named people."""

    def victim(self, full: bool = False) -> list[Segment]:
        c, rng = self.cast.child, self.rng
        # As in real calls, the full name mostly comes with the introduction, first names after.
        if full or (self.n_victim == 0 and rng.random() < 0.45) or (self.n_victim and rng.random() < 0.1):
            surface = c.full
        else:
            surface = c.first
        self.n_victim += 1
        # Real annotators label a child caller's own name NAME (conventions: child_caller_name).
        label = "NAME" if self.child and self.conv.child_caller_name == "NAME" else "VICTIM"
        return [(surface, label, "name")]

    def _ctx(self, speaker: str) -> str:
        if self.child:
            return "child" if speaker == "K" else "c2child"
        return "adult" if speaker == "K" else "c2adult"

    def perp(self, speaker: str) -> list[Segment]:
        p, rng, ctx = self.cast.perp, self.rng, self._ctx(speaker)
        r, person = p.role, p.person
        first_mention = self.n_perp == 0
        self.n_perp += 1
        word = r.word
        spouse = VC.SPOUSE_WORD.get((self.cast.frame.name, r.word))
        if spouse and ctx in ("adult", "c2adult") and rng.random() < 0.4:
            return [("my " if ctx == "adult" else "your ", None, None), (spouse, "PERPETRATOR", "role")]
        det = self._perp_det(ctx)
        roll = rng.random()
        if person and r.prefix_name and (roll < 0.45 or (not first_mention and roll < 0.6)):
            self.pname_known = True
            if det == "the":
                det = ""
            return self._det_segs(det) + [(f"{word} {person.first}", "PERPETRATOR", "name")]
        if person and self.pname_known and not first_mention and roll < 0.55:
            if r.honorific and rng.random() < 0.25:
                return [(person.title + " ", None, None), (person.last, "PERPETRATOR", "name")]
            return [(person.first if rng.random() < 0.85 else person.full, "PERPETRATOR", "name")]
        if det == "the" and self.choice.determiner_inside("PERPETRATOR"):
            return [(f"the {word}", "PERPETRATOR", "role")]
        return self._det_segs(det) + [(word, "PERPETRATOR", "role")]

    def _perp_det(self, ctx: str) -> str:
        r, rng = self.cast.perp.role, self.rng
        if ctx == "child":
            return r.child_det
        if ctx == "c2child":
            return "your" if r.child_det in ("my", "our") else "the"
        if r.kin or r.word == "classmates":
            return "POSS" if rng.random() < 0.7 else "the"
        if r.child_det == "my":
            return "POSS" if rng.random() < 0.35 else "the"
        return "the"

    def _det_segs(self, det: str) -> list[Segment]:
        if not det:
            return []
        if det == "POSS":
            return [(CHILD_PRONOUNS[self.cast.child.gender]["her"], "GENDER", "pronoun"), (" ", None, None)]
        return [(det + " ", None, None)]

    def perp_pronoun(self, case: int, speaker: str) -> list[Segment]:
        p = self.cast.perp
        if p.pronoun_ok and self.n_perp > 0:
            return [(PERP_PRONOUNS[p.gender][case], None, None)]
        segs = self.perp(speaker)
        if case == 2:
            segs = segs + [("'" if segs[-1][0].endswith("s") and p.gender == "p" else "'s", None, None)]
        return segs

    def perp_name(self) -> list[Segment]:
        person = self.cast.perp.person
        self.pname_known = True
        return [(person.full if self.rng.random() < 0.4 else person.first, "PERPETRATOR", "name")]

    def person_mention(self, person) -> list[Segment]:
        # Mostly first names, full names about as often as the child's (so a surname's label is
        # no cue to who it is); honorific forms take the first name as often as the surname.
        roll = self.rng.random()
        if roll < 0.66:
            return [(person.first, "NAME", "name")]
        if roll < 0.92:
            return [(person.full, "NAME", "name")]
        name = person.last if roll < 0.96 else person.first
        return [(person.title + " ", None, None), (name, "NAME", "name")]

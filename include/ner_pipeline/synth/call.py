"""Render one call: resolve template slots into labelled mentions, with the per-call state.

Label conventions (LABELS.md, plus the decisions this generator makes where it is silent; the
ones real annotators vary on come from synth/conventions.py, the guide's by default):
- PERPETRATOR: the role word; determiners and possessives stay outside ("the teacher": span
  "teacher"; "her stepfather": "stepfather"; "my uncle Musa": "uncle Musa"). A kinship/role word directly before the name is part of the
  span ("uncle Musa"); honorifics are not ("Mr. Otieno" -> "Otieno").
- LOCATION: a comma-joined chain of place names is one span ("Kondoa, Dodoma",
  "Kibaoni, Kondoa"); the words district/region/county/village/ward stay outside.
- GENDER: the child's pronouns and gender nouns only (which pronouns stay labelled is decided
  on the whole transcript: conventions.apply_pronoun_rule). Other people get a pronoun only when it
  cannot be one of the child's (a male perpetrator of a girl, anyone in a child's own call,
  "they" for a group); otherwise they are named or described again.
"""

from __future__ import annotations

import re
from random import Random
from typing import Callable

from . import templates as T
from . import vocab_case as VC
from . import vocab_places as VL
from .cast import Cast, Place
from .conventions import Conventions, SurfaceChoice
from .render import Builder, Exchange, Segment, compile_pool, render_parts

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
_KIN_PRONOUN = {"mother": "she", "grandmother": "she", "aunt": "she", "father": "he", "grandfather": "he",
                "uncle": "he"}
# Incident phrase words that may stay in literal text (too generic to be a mention alone).
_GENERIC = frozenset({"school", "use", "child", "of", "out"})
_SPEAKER_LABELS = (("Counsellor", "Caller"), ("Counsellor", "Client"))
# People who help the child, named by role: never PERPETRATOR (hard negatives).
HELPER_ROLES = ("mother", "father", "parents", "teacher", "class teacher", "grandmother", "grandfather", "aunt",
                "uncle", "neighbour", "pastor", "imam", "headteacher")
MONEY = (500, 1000, 2000, 5000, 10000, 20000)
# Spoken register: most real transcripts contract ("I'm", "don't"); templates are written in full.
CONTRACTED_SHARE = 0.65
_CONTRACTIONS = {"I am": "I'm", "you are": "you're", "we are": "we're", "they are": "they're", "it is": "it's",
                 "that is": "that's", "what is": "what's", "there is": "there's", "I have": "I've",
                 "I will": "I'll", "we will": "we'll", "I would": "I'd", "do not": "don't", "does not": "doesn't",
                 "did not": "didn't", "is not": "isn't", "are not": "aren't", "was not": "wasn't",
                 "have not": "haven't", "has not": "hasn't", "cannot": "can't", "will not": "won't",
                 "let us": "let's", "would not": "wouldn't", "could not": "couldn't"}
_CONTRACT_RE = re.compile(r"\b(" + "|".join(sorted({k for k in _CONTRACTIONS} | {k[0].upper() + k[1:] for k in _CONTRACTIONS},
                                                     key=len, reverse=True)) + r")\b")


def contract(text: str) -> str:
    """Literal (unlabelled) text in the spoken register: "I am" -> "I'm", "Do not" -> "Don't"."""
    def sub(m: re.Match) -> str:
        w = m.group(1)
        out = _CONTRACTIONS.get(w) or _CONTRACTIONS[w[0].lower() + w[1:]]
        return out[0].upper() + out[1:] if w[0].isupper() else out
    return _CONTRACT_RE.sub(sub, text)


def _pool(entries) -> tuple[Exchange, ...]:
    return compile_pool(entries)


POOLS: dict[str, tuple[Exchange, ...]] = {
    name: _pool(getattr(T, name)) for name in (
        "OPENING_NAMED", "OPENING_ANON", "A_GREET", "A_SELF_NAMED", "A_SELF_ANON", "K_GREET", "K_SELF",
        "K_ABOUT", "INC_NAME_ADULT", "INC_NAME_CHILD", "INC_NAME_C_ADULT", "INC_NAME_C_CHILD", "EMPATHY_C",
        "AGE_A", "AGE_K", "AGE_CONFIRM_A", "AGE_CONFIRM_K", "LOC_A", "LOC_K", "LOC_MORE", "LM_HOME_A",
        "LM_HOME_K", "SCHOOL_A", "SCHOOL_K", "CLINIC_A", "CLINIC_K", "WORK_A", "WORK_K", "POLICE_A",
        "POLICE_K", "PHONE_A", "PHONE_K", "READBACK", "PHONE2", "PERP_NAME_A", "PERP_NAME_K",
        "PERP_WHERE_A", "PERP_WHERE_K", "DISTRESS_A", "DISTRESS_K", "DISTRESS_C_A", "DISTRESS_C_K",
        "LIVING_A", "LIVING_K", "WITNESS_A", "WITNESS_K", "TIMELINE_A", "TIMELINE_K", "WORRY_A", "WORRY_K",
        "SAFETY_A", "SAFETY_K", "REASSURE_C_A", "REASSURE_C_K", "RECAP_A", "RECAP_K", "INC2",
        "REFERRAL_A", "REFERRAL_K", "CLOSING_A", "CLOSING_K", "ACK_A", "ACK_K", "ASK_NAME_A", "OFFICER_A",
        "OFFICER_K", "OTHER_KIN_A", "OTHER_KIN_K", "SUPPORT_A", "SUPPORT_K", "NUMBERS_A", "NUMBERS_K")
}
ABOUT_POOLS = {group: _pool(entries) for group, entries in T.A_ABOUT.items()}
PROBLEM_POOLS = {(cat, who): _pool(entries) for cat, d in T.PROBLEM.items() for who, entries in d.items()}

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


class Call:
    """State of one transcript while it is written."""

    def __init__(self, rng: Random, cast: Cast, conventions: Conventions | None = None):
        self.rng = rng
        self.cast = cast
        self.conv = conventions or Conventions()
        self.choice = SurfaceChoice(rng, self.conv)
        self.b = Builder()
        self.used: set[str] = set()
        self.last_speaker = ""
        self.labels = rng.choice(_SPEAKER_LABELS) if rng.random() < 0.25 else None
        self.contracted = rng.random() < CONTRACTED_SHARE
        self.child = cast.is_child_caller
        self.n_victim = self.n_perp = self.n_loc = 0
        self.pname_known = False
        self.caller_named = False
        self.phone_style: int | None = None
        self.facts: set[str] = set()  # facts already given: "age", "loc", "lm_home", ...
        self.inc_phrase = rng.choice(cast.incident.phrases)
        self.banned, self.banned_late = self._banned()
        self.helper = self._helper()
        self.available = self._available()
        self.plural = bool(cast.perp and cast.perp.gender == "p")
        self._fits: dict[tuple[int, bool], list[Exchange]] = {}
        table = self._slot_table()
        self._resolver = {sp: (lambda key, sp=sp: table[key](sp)) for sp in ("C", "K")}

    # -- what this call can say ----------------------------------------------------------------
    def _available(self) -> frozenset[str]:
        c = self.cast
        s = {"she", "her", "her_o", "hers", "child", "offspring", "niece", "grandchild", "sibling", "kin",
             "v", "v_full", "age", "a_age", "loc", "loc_short", "loc_other", "country", "inc", "std", "goods", "when",
             "dur", "caller_role", "officer", "officer_role", "a_child"}
        if c.perp:
            s |= {"perp", "p_he", "p_him", "p_his"}
            if c.perp.person:
                s.add("pname")
            # Pseudo-slots (render nothing) that restrict a template to fitting perpetrators.
            if c.perp.role.kin or c.perp.role.word == "employer":
                s.add("if_perp_home")
            if c.perp.role.word not in ("classmates", "older pupils"):
                s.add("if_perp_adult")
        if c.incident.key not in ("distress", "dropout", "substance"):
            s.add("if_abuse")
        if c.incident.key in ("physical", "sexual"):
            s.add("if_violent")
        if c.child.gender == "f":
            s.add("if_girl")
        if c.caller:
            s.add("caller")
        if c.counsellor:
            s.add("couns")
        if c.relative:
            s |= {"rel", "rel_role"}
        if c.other_kin:
            s |= {"other_kin", "other_kin_pron"}
        if c.witness:
            s |= {"wit", "wit_role"}
        if c.incident.key == "trafficking" or (c.incident2 and c.incident2.key == "trafficking"):
            s.add("city")
        s |= {"lm_" + k for k in c.landmarks}
        if c.phone:
            s |= {"ph", "ph_again"}
        if c.phone2:
            s.add("ph2")
        if c.incident2:
            s.add("inc2")
        if c.distress_adj:
            s |= {"dis", "dis_n"}
        if self.helper:
            s.add("helper")
        s |= {"num", "money"}
        return frozenset(s)

    def _helper(self) -> str | None:
        """A role word for someone who helps: never the perpetrator's word, the caller's own
        relation, or a word banned in this call (a mention elsewhere)."""
        c = self.cast
        taken = {c.frame.relation} | ({c.perp.role.word} if c.perp else set())
        if c.perp and c.perp.role.word == "parents":
            taken |= {"mother", "father"}
        ok = [w for w in HELPER_ROLES if w not in taken and not set(w.split()) & self.banned_late]
        return self.rng.choice(ok) if ok else None

    def number(self) -> str:
        """A number that is not the child's age (a count, a distance)."""
        n = self.rng.choice([k for k in range(2, 31) if k != self.cast.age])
        words = VC.AGE_WORDS.get(n) or VC.NUMBER_WORDS.get(n)
        return words if words and self.rng.random() < 0.4 else str(n)

    def _banned(self) -> tuple[frozenset[str], frozenset[str]]:
        """Literal words a template may not contain: any word that is (or could be) a
        single-word mention in this call, so every occurrence of a mention is labelled."""
        c = self.cast
        words = {w.lower() for w in c.used_tokens}
        words |= {str(c.age), VC.AGE_WORDS[c.age]} | GENDER_WORDS
        words |= {w.lower() for w in VC.DISTRESS_ADJ} | {w.lower() for p in VC.DISTRESS_NOUN for w in p.split()}
        for inc in (c.incident, c.incident2):
            for phrase in inc.phrases if inc else ():
                last = phrase.split()[-1].lower()
                if last not in _GENERIC:
                    words.add(last)
        if c.perp:
            words.add(c.perp.role.word.split()[-1])
            if c.perp.role.word == "parents":
                words.add("parent")
        late = set(words)
        if c.frame.relation:
            late.add(c.frame.relation)
        return frozenset(words), frozenset(late)

    # -- template choice and output ------------------------------------------------------------
    def pick(self, pool: tuple[Exchange, ...], *, intro: bool = False, naming: bool = False) -> Exchange | None:
        key = (id(pool), intro)
        ok = self._fits.get(key)
        if ok is None:  # what fits this call is fixed once the cast is known: filter once
            banned = self.banned if intro else self.banned_late
            ok = self._fits[key] = [e for e in pool if e.slots <= self.available and not e.words & banned]
        # Nobody uses the caller's name before the caller has given it (naming: this gives it).
        known = naming or self.caller_named
        fresh = [e for e in ok if e.source not in self.used and (known or "caller" not in e.slots)]
        if not fresh:
            return None
        e = self.rng.choice(fresh)
        self.used.add(e.source)
        return e

    def say(self, pool: tuple[Exchange, ...], *, intro: bool = False, naming: bool = False) -> bool:
        e = self.pick(pool, intro=intro, naming=naming)
        if e is None:
            return False
        for turn in e.turns:
            self.turn(turn.speaker, turn.parts)
        return True

    def turn(self, speaker: str, parts: tuple) -> None:
        segs = render_parts(parts, self.rng, self.plural, self._resolver[speaker], [])
        add = self.b.add
        if self.b.length:
            add(" ")
        if self.labels and speaker != self.last_speaker:
            add(self.labels[0 if speaker == "C" else 1] + ": ")
        self.last_speaker = speaker
        for text, label, kind in segs:
            add(contract(text) if self.contracted and label is None else text, label, kind)

    # -- slots ---------------------------------------------------------------------------------
    def _slot_table(self) -> dict[str, Callable[[str], list[Segment]]]:
        """slot name -> fn(speaker) -> segments; built once per call."""
        c, rng = self.cast, self.rng
        g = c.child.gender
        table: dict[str, Callable[[str], list[Segment]]] = {}
        for key, word in CHILD_PRONOUNS[g].items():
            table[key] = lambda sp, seg=[(word, "GENDER", "pronoun")]: seg
        for key, word in CHILD_NOUNS[g].items():
            table[key] = lambda sp, seg=[(word, "GENDER", "noun")]: seg
        table["kin"] = table[c.frame.kin]
        table["a_child"] = lambda sp, seg=[("a ", None, None), (CHILD_NOUNS[g]["child"], "GENDER", "noun")]: seg

        def const(text: str | None, label: str | None = None, kind: str | None = None):
            seg = [(text, label, kind)]
            return lambda sp: seg

        table.update({
            "v": lambda sp: self.victim(), "v_full": lambda sp: self.victim(full=True),
            "age": lambda sp: self.age(), "a_age": lambda sp: self.a_age(),
            "if_perp_home": lambda sp: [], "if_perp_adult": lambda sp: [], "if_abuse": lambda sp: [],
            "if_violent": lambda sp: [], "if_girl": lambda sp: [],
            "perp": self.perp, "p_he": lambda sp: self.perp_pronoun(0, sp),
            "p_him": lambda sp: self.perp_pronoun(1, sp), "p_his": lambda sp: self.perp_pronoun(2, sp),
            "pname": lambda sp: self.perp_name(), "caller": lambda sp: self.person_mention(c.caller),
            "rel": lambda sp: self.person_mention(c.relative[0]),
            "wit": lambda sp: self.person_mention(c.witness[0]),
            "officer": lambda sp: self.person_mention(c.officer), "officer_role": const(c.officer_role),
            "caller_role": const(c.caller_role),
            "loc": lambda sp: self.location(), "loc_short": lambda sp: self.location_short(),
            "loc_other": lambda sp: self.location_other(),
            "country": const(VL.COUNTRIES[c.locale], "LOCATION", "place"),
            "city": const(c.city, "LOCATION", "place"),
            "ph": lambda sp: self.phone(c.phone, again=False), "ph_again": lambda sp: self.phone(c.phone, again=True),
            "ph2": lambda sp: self.phone(c.phone2, again=False, first=True),
            "inc": lambda sp: self.incident(),
            "inc2": lambda sp: self.incident_word(rng.choice(c.incident2.phrases), "incident"),
            "dis": lambda sp: self.incident_word(rng.choice(c.distress_adj), "distress"),
            "dis_n": lambda sp: self.incident_word(rng.choice(c.distress_noun), "distress"),
            "std": lambda sp: [(self.school_level(), None, None)],
            "goods": const(c.goods), "when": lambda sp: [(rng.choice(VC.WHEN), None, None)],
            "dur": lambda sp: [(rng.choice(VC.DURATION), None, None)],
            "num": lambda sp: [(self.number(), None, None)],
            "money": lambda sp: [(f"{rng.choice(MONEY):,} shillings", None, None)],
        })
        if self.helper:
            table["helper"] = const(self.helper)
        if c.counsellor:
            table["couns"] = const(c.counsellor.first, "NAME", "name")
        if c.relative:
            table["rel_role"] = const(c.relative[1])
        if c.witness:
            table["wit_role"] = const(c.witness[1])
        if c.other_kin:
            table["other_kin"] = const(c.other_kin)
            table["other_kin_pron"] = const(_KIN_PRONOUN.get(c.other_kin, "they"))
        for kind, surface in c.landmarks.items():
            table["lm_" + kind] = self._landmark_fn(kind, surface)
        return table

    def _landmark_fn(self, kind: str, surface: str) -> Callable[[str], list[Segment]]:
        seg = [(surface, "LANDMARK", "landmark")]
        if surface.startswith("the ") and not self.choice.determiner_inside("LANDMARK"):
            seg = [("the ", None, None), (surface[4:], "LANDMARK", "landmark")]  # "the [police station]"

        def fn(sp: str) -> list[Segment]:
            self.facts.add("lm_" + kind)
            return seg
        return fn

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

    # People ------------------------------------------------------------------------------------
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

    # Places, phones, incidents -------------------------------------------------------------------
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

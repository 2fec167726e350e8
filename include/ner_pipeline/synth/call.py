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

from random import Random
from typing import Callable

from . import vocab_case as VC
from . import vocab_places as VL
from .cast import Cast
from .conventions import Conventions, SurfaceChoice
from .facts import MONEY, FactMentions
from .people import CHILD_NOUNS, CHILD_PRONOUNS, GENDER_WORDS, HELPER_ROLES, KIN_PRONOUN, PeopleMentions
from .render import Builder, Exchange, Segment, render_parts
from .speech import CONTRACTED_SHARE, contract

# Incident phrase words that may stay in literal text (too generic to be a mention alone).
_GENERIC = frozenset({"school", "use", "child", "of", "out"})
_SPEAKER_LABELS = (("Counsellor", "Caller"), ("Counsellor", "Client"))


class Call(PeopleMentions, FactMentions):
    """State of one transcript while it is written; the mentions of people (people.py) and of the
    case's facts (facts.py) are its mixins."""

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
        if c.incident.key == "trafficking" or (c.incident2 and c.incident2.key == "trafficking"):
            s.add("city")
        s |= {"lm_" + k for k in c.landmarks}
        # Slots that exist when the cast has the person or thing.
        present = ((c.caller, ("caller",)), (c.counsellor, ("couns",)), (c.relative, ("rel", "rel_role")),
                   (c.other_kin, ("other_kin", "other_kin_pron")), (c.witness, ("wit", "wit_role")),
                   (c.phone, ("ph", "ph_again")), (c.phone2, ("ph2",)), (c.incident2, ("inc2",)),
                   (c.distress_adj, ("dis", "dis_n")), (self.helper, ("helper",)))
        for have, slots in present:
            if have:
                s.update(slots)
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
            table["other_kin_pron"] = const(KIN_PRONOUN.get(c.other_kin, "they"))
        for kind, surface in c.landmarks.items():
            table["lm_" + kind] = self._landmark_fn(kind, surface)
        return table


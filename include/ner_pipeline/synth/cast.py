"""Who and what one call is about: the cast, the place, the harm, the contact details.

Everything is drawn from the caller-supplied Random. Name tokens are kept disjoint across all
people, places and landmarks of one call: a word that is a VICTIM in one mention must never
appear unlabelled (or with another label) elsewhere in the same transcript, and the model
should not have to tell two people with the same first name apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from . import vocab_case as VC
from . import vocab_places as VL
from .draw import Names, Person, Place, draw_age, draw_landmark, draw_phone, draw_place, name_tokens, weighted


@dataclass(frozen=True)
class Frame:
    """Who is calling. `group` picks the intro pool; `kin` is how the caller names the child."""

    name: str
    group: str
    caller_gender: str  # "f", "m" or "x" (either); "" for the child calling
    kin: str  # slot for {kin}: offspring / niece / grandchild / sibling / child
    relation: str  # the caller's own role word, kept out of the rest of the call
    excludes: frozenset[str]  # perpetrator roles that make no sense with this caller
    weight: float
    min_age: int = 4


FRAMES: dict[str, Frame] = {f.name: f for f in (
    # Children call for themselves in about half of real helpline transcripts (the dev data).
    Frame("child", "child", "", "child", "", frozenset(), 0.40, min_age=8),
    Frame("mother", "parent", "f", "offspring", "mother", frozenset({"mother", "stepmother", "parents"}), 0.16),
    Frame("father", "parent", "m", "offspring", "father", frozenset({"father", "stepfather", "parents"}), 0.07),
    Frame("aunt", "relative", "f", "niece", "aunt", frozenset({"aunt"}), 0.06),
    Frame("uncle", "relative", "m", "niece", "uncle", frozenset({"uncle"}), 0.04),
    Frame("grandmother", "relative", "f", "grandchild", "grandmother", frozenset({"grandmother"}), 0.05),
    Frame("grandfather", "relative", "m", "grandchild", "grandfather", frozenset({"grandfather"}), 0.02),
    Frame("sibling", "relative", "x", "sibling", "",
          frozenset({"mother", "father", "parents", "stepmother", "stepfather"}), 0.03),
    Frame("neighbour", "neighbour", "x", "child", "neighbour", frozenset({"neighbour"}), 0.14),
    Frame("teacher", "teacher", "x", "child", "teacher",
          frozenset({"teacher", "class teacher", "headteacher", "madrasa teacher"}), 0.09, min_age=6),
    Frame("community", "community", "x", "child", "", frozenset(), 0.06),
    Frame("health", "health", "x", "child", "nurse", frozenset(), 0.06),
)}

COMMUNITY_ROLES = {
    "tz": ("village chairman", "street chairman", "church elder", "pastor", "community health volunteer",
           "village executive officer"),
    "ke": ("nyumba kumi leader", "church elder", "pastor", "community health volunteer", "village elder"),
    "ug": ("local council chairman", "church elder", "pastor", "community health volunteer", "parish chief"),
}
WITNESS_ROLES = {
    "tz": ("village chairman", "street chairman", "church elder", "pastor", "school matron",
           "ward executive officer"),
    "ke": ("chief", "nyumba kumi leader", "church elder", "pastor", "school matron", "village elder"),
    "ug": ("local council chairman", "church elder", "pastor", "school matron", "parish chief",
           "village elder"),
}
OFFICER_ROLES = {"tz": ("social welfare officer", "case officer", "social worker"),
                 "ke": ("children's officer", "case officer", "social worker"),
                 "ug": ("probation officer", "case officer", "social worker")}
RELATIVE_ROLES = {"grandmother": "f", "grandfather": "m", "aunt": "f", "uncle": "m", "mother": "f", "father": "m"}

# Youngest plausible age for each kind of call.
INCIDENT_MIN_AGE = {"marriage": 11, "fgm": 7, "online": 10, "substance": 11, "bullying": 6, "dropout": 8,
                    "labour": 6, "trafficking": 8, "sexual": 5, "distress": 7, "emotional": 5}
# A second harm named in the same call (with INC2 templates).
SECONDARY = {"physical": ("emotional", "neglect"), "sexual": ("emotional",), "labour": ("dropout", "trafficking"),
             "marriage": ("dropout",), "neglect": ("dropout", "labour"), "bullying": ("dropout", "emotional"),
             "substance": ("dropout",), "trafficking": ("labour", "sexual"), "fgm": ("marriage",),
             "emotional": ("neglect",)}



@dataclass
class Perp:
    role: VC.Role
    gender: str  # "m", "f" or "p" (plural)
    person: Person | None
    pronoun_ok: bool  # a pronoun for them can never be read as the child's


@dataclass
class Cast:
    locale: str
    frame: Frame
    child: Person
    age: int
    age_digits: bool
    incident: VC.Incident
    incident2: VC.Incident | None
    perp: Perp | None
    caller: Person | None
    caller_role: str
    counsellor: Person | None
    officer: Person
    officer_role: str
    relative: tuple[Person, str] | None
    other_kin: str
    witness: tuple[Person, str] | None
    place: Place
    other_place: Place
    city: str
    landmarks: dict[str, str]
    phone: str | None  # 9 national digits
    phone2: str | None
    distress_adj: tuple[str, ...]
    distress_noun: tuple[str, ...]
    goods: str
    used_tokens: set[str] = field(default_factory=set)

    @property
    def is_child_caller(self) -> bool:
        return self.frame.name == "child"



@dataclass
class Plan:
    """What this call must contain (the quota logic in generator.py sets the `force_*`)."""

    locale: str
    long: bool
    force_landmark: bool = False
    force_phone: bool = False
    boost: frozenset[str] = frozenset()



def make_cast(rng: Random, plan: Plan) -> Cast:
    locale = plan.locale
    frame = FRAMES[weighted(rng, {k: f.weight for k, f in FRAMES.items()})]
    gender = "f" if rng.random() < 0.6 else "m"

    incidents = {k: i.weight for k, i in VC.INCIDENTS.items() if not (i.girls_only and gender == "m")}
    incident = VC.INCIDENTS[weighted(rng, incidents)]
    age = draw_age(rng, max(frame.min_age, INCIDENT_MIN_AGE.get(incident.key, 4)))

    used: set[str] = set()
    names = Names(rng, locale, used)
    child = names.person(gender)
    perp = _perp(rng, plan, frame, incident, gender, names)

    caller = None
    if frame.name != "child" and rng.random() < (0.95 if "NAME" in plan.boost else 0.8):
        caller = names.person(frame.caller_gender)
    counsellor = names.person("x") if rng.random() < 0.85 else None
    caller_role = rng.choice(COMMUNITY_ROLES[locale])
    officer = names.person("x")
    relative, other_kin = _relatives(rng, plan, frame, perp, names)
    witness = None
    if rng.random() < 0.35 or "NAME" in plan.boost:
        options = [r for r in WITNESS_ROLES[locale] if r != caller_role or frame.name != "community"]
        witness = (names.person("x"), rng.choice(options))

    place = draw_place(rng, locale, used)
    other_place = draw_place(rng, locale, used, avoid_lower=place.lower)
    cities = [c for c in VL.CITIES[locale] if not name_tokens(c) & used]
    city = rng.choice(cities)
    used |= name_tokens(city)
    landmarks = _landmarks(rng, plan, frame, incident, age, used)

    phone = draw_phone(rng, locale) if (rng.random() < 0.68 or plan.force_phone
                                     or "PHONE_NUMBER" in plan.boost) else None
    phone2 = draw_phone(rng, locale) if phone and relative and rng.random() < 0.3 else None
    incident2 = _second_incident(rng, incident, gender)
    distress = incident.key == "distress" or rng.random() < 0.45
    dis_adj = tuple(rng.sample(VC.DISTRESS_ADJ, 2)) if distress else ()
    dis_noun = tuple(rng.sample(VC.DISTRESS_NOUN, 1)) if distress else ()

    return Cast(locale=locale, frame=frame, child=child, age=age, age_digits=rng.random() < 0.6,
                incident=incident, incident2=incident2, perp=perp, caller=caller, caller_role=caller_role,
                counsellor=counsellor, officer=officer, officer_role=rng.choice(OFFICER_ROLES[locale]),
                relative=relative, other_kin=other_kin, witness=witness, place=place,
                other_place=other_place, city=city, landmarks=landmarks, phone=phone, phone2=phone2,
                distress_adj=dis_adj, distress_noun=dis_noun, goods=rng.choice(VC.GOODS), used_tokens=used)


def _perp(rng: Random, plan: Plan, frame: Frame, incident: VC.Incident, gender: str, names: Names) -> Perp | None:
    """The perpetrator, or None (by the incident's perp_share, or to make up for PERPETRATOR spans)."""
    perp = None
    roles = [r for r in incident.roles if r not in frame.excludes]
    want_perp = rng.random() < incident.perp_share or ("PERPETRATOR" in plan.boost and incident.roles)
    if roles and want_perp:
        role = VC.ROLES[rng.choice(roles)]
        pg = "p" if role.plural else (role.gender if role.gender in ("f", "m") else rng.choice("fm"))
        named_p = 0.0 if role.plural else (0.55 if role.prefix_name else 0.45 if role.honorific else 0.35)
        person = names.person(pg) if rng.random() < named_p else None
        # A perpetrator pronoun must not be one the child's mentions use (he/she/her/...).
        if pg == "p":
            pron = True
        elif frame.name == "child":
            pron = rng.random() < 0.7
        else:
            pron = pg != gender and rng.random() < 0.6
        perp = Perp(role, pg, person, pron)
    return perp


def _relatives(rng: Random, plan: Plan, frame: Frame, perp: Perp | None,
               names: Names) -> tuple[tuple[Person, str] | None, str]:
    """A named relative (with their role) or None, and a relative mentioned by role only or ""."""
    blocked = {frame.relation} | set(frame.excludes) | ({perp.role.word} if perp else set())
    if perp and perp.role.word == "parents":
        blocked |= {"mother", "father"}
    relative = None
    if rng.random() < (0.55 if frame.name == "child" else 0.45) or "NAME" in plan.boost:
        options = [r for r in RELATIVE_ROLES if r not in blocked]
        if options:
            role = rng.choice(options)
            relative = (names.person(RELATIVE_ROLES[role]), role)
    # A relative who does no harm, mentioned without a name (unlabelled kinship word).
    kin_options = [r for r in ("mother", "father", "grandmother", "grandfather", "aunt", "uncle", "cousin")
                   if r not in blocked and not (relative and relative[1] == r)]
    other_kin = rng.choice(kin_options) if kin_options and rng.random() < 0.5 else ""
    return relative, other_kin


def _landmarks(rng: Random, plan: Plan, frame: Frame, incident: VC.Incident, age: int,
               used: set[str]) -> dict[str, str]:
    """kind -> surface of the landmarks the call mentions."""
    locale = plan.locale
    kinds: list[str] = []
    if frame.name == "teacher" and rng.random() < 0.7 or (age >= 6 and rng.random() < 0.25):
        kinds.append("school")
    if frame.name == "health" or rng.random() < (0.4 if incident.key in ("sexual", "physical") else 0.15):
        kinds.append("clinic")
    if incident.key == "labour" and rng.random() < 0.85:
        kinds.append("work")
    if rng.random() < 0.2:
        kinds.append("police")
    if rng.random() < 0.55 or plan.force_landmark or "LANDMARK" in plan.boost:
        kinds.append("home")
    taken: set[str] = set()
    landmarks = {k: draw_landmark(rng, locale, k, used, taken, age) for k in kinds}
    return landmarks


def _second_incident(rng: Random, incident: VC.Incident, gender: str) -> VC.Incident | None:
    """A second harm named in the same call (SECONDARY), or None."""
    incident2 = None
    if incident.key in SECONDARY and rng.random() < 0.3:
        options = [k for k in SECONDARY[incident.key]
                   if not (VC.INCIDENTS[k].girls_only and gender == "m")]
        if options:
            incident2 = VC.INCIDENTS[rng.choice(options)]
    return incident2

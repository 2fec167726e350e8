"""What a call is about: incident categories and their phrases, perpetrator roles, ages,
phone numbering, and small unlabelled fillers (goods, times).

Incident phrases are the nominal names of the harm or distress (LABELS.md: "child labour",
"early marriage", "sad"). Descriptive verbs ("beats", "touched") stay unlabelled, and the
templates never use an incident word outside an INCIDENT_TYPE span.
"""

from __future__ import annotations

from dataclasses import dataclass

AGE_WORDS = {
    4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven",
    12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen", 17: "seventeen",
}
# Helpline callers are mostly about school-age children and adolescents.
AGE_WEIGHTS = {4: 1, 5: 2, 6: 3, 7: 4, 8: 5, 9: 6, 10: 7, 11: 8, 12: 9, 13: 10, 14: 10, 15: 9, 16: 7, 17: 5}

# School level words per locale and stage; the number is filled in (never equal to the age).
SCHOOL_LEVEL = {
    "tz": {"primary": ("standard {n}", "class {n}"), "secondary": ("form {n}",)},
    "ke": {"primary": ("class {n}", "grade {n}"), "secondary": ("form {n}",)},
    "ug": {"primary": ("primary {n}", "P{d}"), "secondary": ("senior {n}", "S{d}")},
}
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}


@dataclass(frozen=True)
class Role:
    """A perpetrator role. `word` is the role noun; `the` adds the article to the span."""

    word: str
    gender: str  # "m", "f" or "x" (either)
    kin: bool = False
    plural: bool = False
    prefix_name: bool = False  # "uncle Musa": role word and name form one span
    honorific: bool = False  # "Mr. Otieno" (title outside the span)
    child_det: str = "my"  # how a child caller says it: "my stepfather", "our neighbour"


ROLES: dict[str, Role] = {r.word: r for r in (
    Role("stepfather", "m", kin=True),
    Role("stepmother", "f", kin=True),
    Role("father", "m", kin=True),
    Role("mother", "f", kin=True),
    Role("uncle", "m", kin=True, prefix_name=True),
    Role("aunt", "f", kin=True, prefix_name=True),
    Role("grandmother", "f", kin=True),
    Role("grandfather", "m", kin=True),
    Role("cousin", "x", kin=True, prefix_name=True),
    Role("parents", "x", kin=True, plural=True),
    Role("teacher", "x", prefix_name=True, honorific=True),
    Role("class teacher", "x", honorific=True),
    Role("headteacher", "x", honorific=True),
    Role("madrasa teacher", "m", honorific=True),
    Role("neighbour", "x", honorific=True, child_det="our"),
    Role("shopkeeper", "m", honorific=True, child_det="the"),
    Role("employer", "x", honorific=True),
    Role("boda boda rider", "m", child_det="the"),
    Role("watchman", "m", child_det="the"),
    Role("landlord", "m", honorific=True, child_det="our"),
    Role("stranger", "m", child_det="the"),
    Role("agent", "x", child_det="the"),
    Role("bar owner", "x", honorific=True, child_det="the"),
    Role("traditional cutter", "f", child_det="the"),
    Role("classmates", "x", plural=True),
    Role("older pupils", "x", plural=True, child_det="the"),
)}

# When the caller is the child's parent, the other parent is "my husband"/"my wife".
SPOUSE_WORD = {("mother", "father"): "husband", ("mother", "stepfather"): "husband",
               ("father", "mother"): "wife", ("father", "stepmother"): "wife"}


@dataclass(frozen=True)
class Incident:
    key: str
    phrases: tuple[str, ...]  # INCIDENT_TYPE surfaces, lower case as written mid-sentence
    roles: tuple[str, ...]  # perpetrator roles that fit; empty: no perpetrator
    perp_share: float = 1.0  # share of calls of this kind that name a perpetrator
    girls_only: bool = False
    weight: float = 1.0


INCIDENTS: dict[str, Incident] = {i.key: i for i in (
    Incident("physical", ("physical abuse", "physical violence", "corporal punishment", "beatings",
                          "violence", "physical assault", "domestic violence", "gender-based violence"),
             ("stepfather", "stepmother", "father", "mother", "uncle", "aunt", "teacher", "headteacher",
              "employer", "grandfather", "class teacher", "madrasa teacher"), weight=3.0),
    Incident("sexual", ("sexual abuse", "defilement", "rape", "sexual harassment", "sexual violence",
                        "sexual exploitation", "sexual assault"),
             ("stepfather", "father", "uncle", "cousin", "teacher", "neighbour", "shopkeeper",
              "boda boda rider", "watchman", "landlord", "madrasa teacher"), weight=3.0),
    Incident("emotional", ("emotional abuse", "verbal abuse", "psychological abuse", "emotional violence"),
             ("stepmother", "stepfather", "mother", "father", "aunt", "teacher", "grandmother", "uncle"),
             weight=1.5),
    Incident("neglect", ("neglect", "child neglect", "abandonment"),
             ("mother", "father", "parents", "stepmother", "aunt", "grandmother"), weight=2.0),
    Incident("labour", ("child labour", "child labor", "forced labour", "domestic servitude",
                        "exploitative labour"),
             ("employer", "aunt", "uncle", "stepmother", "stepfather", "father", "parents", "shopkeeper"),
             weight=2.0),
    Incident("marriage", ("early marriage", "child marriage", "forced marriage"),
             ("father", "parents", "uncle", "stepfather", "grandmother", "mother"), girls_only=True,
             weight=2.0),
    Incident("trafficking", ("trafficking", "child trafficking", "human trafficking"),
             ("agent", "uncle", "aunt", "neighbour", "employer"), weight=1.0),
    Incident("fgm", ("FGM", "female genital mutilation", "female circumcision"),
             ("grandmother", "mother", "father", "parents", "aunt", "traditional cutter"), girls_only=True,
             weight=1.0),
    Incident("online", ("online exploitation", "online sexual exploitation", "sextortion", "online abuse",
                        "online grooming"),
             ("stranger", "cousin", "teacher", "neighbour"), weight=1.0),
    Incident("bullying", ("bullying", "cyberbullying"), ("classmates", "older pupils"), perp_share=0.85,
             weight=1.5),
    Incident("dropout", ("school dropout",), ("parents", "father", "stepmother"),
             perp_share=0.4, weight=1.0),
    Incident("substance", ("substance abuse", "drug abuse", "alcohol abuse", "drug use", "substance use",
                           "alcoholism"), ("bar owner", "shopkeeper"), perp_share=0.3, weight=1.0),
    # School, friendship and family pressure: helplines' own case categories, no perpetrator.
    Incident("pressure", ("academic pressure", "peer pressure", "learning difficulties", "friendship issues",
                          "parental conflicts", "family conflicts"), (), perp_share=0.0, weight=1.2),
    Incident("distress", ("depression", "anxiety", "trauma", "suicidal thoughts", "self-harm", "hopelessness",
                          "stress"), (), perp_share=0.0, weight=1.5),
)}

# Distress is named with adjectives about the child ("she looks very sad") and nouns.
DISTRESS_ADJ = ("sad", "hopeless", "depressed", "stressed", "lonely", "anxious", "traumatised",
                "miserable", "withdrawn", "unhappy", "distressed", "frightened", "scared", "upset", "angry")
DISTRESS_NOUN = ("depression", "stress", "anxiety", "trauma", "suicidal thoughts", "self-harm",
                 "hopelessness", "loneliness", "low mood", "panic attacks")

# Unlabelled fillers.
GOODS = ("charcoal", "vegetables", "groundnuts", "mandazi", "bananas", "tomatoes", "firewood",
         "water", "fish", "maize", "sugarcane", "sweets", "boiled eggs", "chapati", "second-hand clothes")
WHEN = ("last week", "two weeks ago", "last month", "three days ago", "yesterday evening",
        "during the school holidays", "at the beginning of this year", "on Sunday", "last night",
        "a few months ago", "at the beginning of the term", "two months ago", "this morning")
DURATION = ("two weeks", "three months", "almost a year", "a few months", "two years", "several weeks",
            "a long time", "three weeks", "many months")

# Mobile prefixes (the two digits after the trunk 0) by locale; a number is 9 national digits.
PHONE = {
    "tz": {"cc": "255", "prefixes": ("71", "65", "67", "68", "69", "74", "75", "76", "77", "78", "62", "61")},
    "ke": {"cc": "254", "prefixes": ("70", "71", "72", "74", "79", "11", "10", "75", "76")},
    "ug": {"cc": "256", "prefixes": ("70", "71", "74", "75", "76", "77", "78", "79", "72")},
}

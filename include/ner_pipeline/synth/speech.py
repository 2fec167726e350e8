"""What a call's turns are made of: the compiled template pools, and the spoken register."""

from __future__ import annotations

import re

from . import templates as T
from .render import Exchange, compile_pool

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

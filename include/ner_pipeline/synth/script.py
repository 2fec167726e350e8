"""The shape of a call: opening, introductions, the facts in a random order, extra detail
until the planned length, referral and goodbye."""

from __future__ import annotations

from typing import Callable

from .call import Call
from .cast import Plan
from .speech import ABOUT_POOLS, POOLS, PROBLEM_POOLS

# Rough size of referral + closing, so extras stop in time to land near the target length.
CLOSING_ESTIMATE = 260


def _p(call: Call, adult: str, child: str):
    return POOLS[child if call.child else adult]


def opening(call: Call) -> None:
    call.say(POOLS["OPENING_NAMED" if call.cast.counsellor else "OPENING_ANON"], intro=True)


def intro(call: Call) -> None:
    rng, c = call.rng, call.cast
    if call.child:
        if rng.random() < 0.8:
            call.say(POOLS["K_GREET"], intro=True)
        call.say(POOLS["K_SELF"], intro=True)
        if rng.random() < 0.6:
            call.say(POOLS["K_ABOUT"], intro=True)
        return
    if rng.random() < 0.8:
        call.say(POOLS["A_GREET"], intro=True)
    if c.caller and rng.random() < 0.75:
        call.caller_named = call.say(POOLS["A_SELF_NAMED"], intro=True, naming=True)
    elif rng.random() < 0.5:
        call.say(POOLS["A_SELF_ANON"], intro=True)
    if not call.say(ABOUT_POOLS[c.frame.group], intro=True):
        raise _Retry("no intro fits")


def problem(call: Call, *, more: bool = False) -> bool:
    rng, c = call.rng, call.cast
    who = "child" if call.child else "adult"
    pool = PROBLEM_POOLS.get((c.incident.key, who) if c.perp else (c.incident.key, "noperp_" + who), ())
    k = 1 if more else rng.choices((1, 2, 3), weights=(3, 5, 2))[0]
    said = 0
    for i in range(k):
        if call.say(pool):
            said += 1
            if i < k - 1 and rng.random() < 0.5:
                call.say(POOLS["ACK_A"] if c.caller and call.caller_named and rng.random() < 0.6
                         else POOLS["EMPATHY_C"])
    if more:
        return said > 0
    if said == 0 and c.incident.key != "distress":
        raise _Retry("no problem template fits")
    caller_names = rng.random() < 0.5
    if caller_names:
        call.say(_p(call, "INC_NAME_ADULT", "INC_NAME_CHILD"))
    if not caller_names or rng.random() < 0.5:
        call.say(_p(call, "INC_NAME_C_ADULT", "INC_NAME_C_CHILD"))
    elif rng.random() < 0.5:
        call.say(POOLS["EMPATHY_C"])
    return True


_LANDMARK_POOLS = {"home": ("LM_HOME_A", "LM_HOME_K"), "school": ("SCHOOL_A", "SCHOOL_K"),
                   "clinic": ("CLINIC_A", "CLINIC_K"), "work": ("WORK_A", "WORK_K"),
                   "police": ("POLICE_A", "POLICE_K")}


def _fact_beats(call: Call, plan: Plan) -> tuple[list[Callable[[], object]], list[Callable[[], object]]]:
    """(beats in any order, beats that need the perpetrator introduced first)."""
    rng, c, boost = call.rng, call.cast, plan.boost
    beats: list[Callable[[], object]] = []
    late: list[Callable[[], object]] = []

    def age() -> None:
        if "age" not in call.facts:
            call.say(_p(call, "AGE_A", "AGE_K"))
        if "AGE" in boost or rng.random() < 0.3:
            call.say(_p(call, "AGE_CONFIRM_A", "AGE_CONFIRM_K"))

    def loc() -> None:
        if "loc" not in call.facts:
            call.say(_p(call, "LOC_A", "LOC_K"))
        if "LOCATION" in boost:
            call.say(POOLS["LOC_MORE"])

    beats += [age, loc]
    for kind in c.landmarks:
        pools = _LANDMARK_POOLS[kind]
        beats.append(lambda pools=pools, kind=kind: ("lm_" + kind in call.facts) or call.say(_p(call, *pools)))

    if c.phone:
        def phone() -> None:
            call.say(_p(call, "PHONE_A", "PHONE_K"))
            if "PHONE_NUMBER" in boost or rng.random() < 0.5:
                call.say(POOLS["READBACK"])
            if c.phone2:
                call.say(POOLS["PHONE2"])
        beats.append(phone)
    if c.distress_adj:
        def distress() -> None:
            call.say(_p(call, "DISTRESS_A", "DISTRESS_K"))
            if rng.random() < 0.5:
                call.say(_p(call, "DISTRESS_C_A", "DISTRESS_C_K"))
        beats.append(distress)
    if c.incident2:
        beats.append(lambda: call.say(POOLS["INC2"]))
    if c.caller and not call.caller_named:
        def ask_name() -> None:
            call.caller_named = call.say(POOLS["ASK_NAME_A"], naming=True)
        beats.append(ask_name)
    if c.perp:
        if c.perp.person and rng.random() < 0.75:
            late.append(lambda: call.pname_known or call.say(_p(call, "PERP_NAME_A", "PERP_NAME_K")))
        if "PERPETRATOR" in boost or rng.random() < 0.4:
            late.append(lambda: call.say(_p(call, "PERP_WHERE_A", "PERP_WHERE_K")))
    return beats, late


def _extras(call: Call, plan: Plan) -> list[Callable[[], bool]]:
    c = call.cast
    ex: list[Callable[[], bool]] = [
        lambda: call.say(_p(call, "TIMELINE_A", "TIMELINE_K")),
        lambda: call.say(_p(call, "SAFETY_A", "SAFETY_K")),
        lambda: call.say(_p(call, "REASSURE_C_A", "REASSURE_C_K")),
        lambda: call.say(_p(call, "RECAP_A", "RECAP_K")),
        lambda: call.say(_p(call, "WORRY_A", "WORRY_K")),
        lambda: problem(call, more=True),
        lambda: call.say(_p(call, "INC_NAME_C_ADULT", "INC_NAME_C_CHILD")),
        lambda: call.say(POOLS["LOC_MORE"]),
        lambda: call.say(_p(call, "AGE_CONFIRM_A", "AGE_CONFIRM_K")),
        lambda: call.say(POOLS["EMPATHY_C"]),
        lambda: call.say(POOLS["ACK_K"]),
    ]
    ex += [lambda: call.say(_p(call, "SUPPORT_A", "SUPPORT_K")), lambda: call.say(_p(call, "NUMBERS_A", "NUMBERS_K"))]
    if c.caller:
        ex += [lambda: call.caller_named and call.say(POOLS["ACK_A"])] * 2
    if c.relative:
        ex.append(lambda: call.say(_p(call, "LIVING_A", "LIVING_K")))
    if c.witness:
        ex.append(lambda: call.say(_p(call, "WITNESS_A", "WITNESS_K")))
    if c.other_kin:
        ex += [lambda: call.say(_p(call, "OTHER_KIN_A", "OTHER_KIN_K"))] * 2
    if c.perp:
        ex.append(lambda: call.say(_p(call, "PERP_WHERE_A", "PERP_WHERE_K")))
    if c.distress_adj:
        ex.append(lambda: call.say(_p(call, "DISTRESS_A", "DISTRESS_K")))
        ex.append(lambda: call.say(_p(call, "DISTRESS_C_A", "DISTRESS_C_K")))
    if c.phone:
        ex.append(lambda: call.say(POOLS["READBACK"]))
    for kind in c.landmarks:
        ex.append(lambda pools=_LANDMARK_POOLS[kind]: call.say(_p(call, *pools)))
    return ex


class _Retry(Exception):
    """This draw cannot be written (no template fits); the generator draws again."""


def write_call(call: Call, plan: Plan, target_chars: int) -> None:
    rng = call.rng
    opening(call)
    intro(call)
    beats, late = _fact_beats(call, plan)
    rng.shuffle(beats)
    # The problem comes early (the caller's reason for calling); the facts around it in any
    # order; questions about the perpetrator only after the problem introduced them.
    start = min(rng.choice((0, 0, 1, 2)), len(beats))
    beats.insert(start, lambda: problem(call))
    for b in late:
        beats.insert(rng.randint(start + 1, len(beats)), b)
    for b in beats:
        b()
    extras = _extras(call, plan)
    live = list(range(len(extras)))
    while live and call.b.length + CLOSING_ESTIMATE < target_chars:
        i = rng.choice(live)
        if not extras[i]():
            live.remove(i)
    for _ in range(rng.choice((1, 1, 2))):
        call.say(_p(call, "REFERRAL_A", "REFERRAL_K"))
    if rng.random() < 0.2:  # a named colleague now and then (rare in real calls)
        call.say(_p(call, "OFFICER_A", "OFFICER_K"))
    if not call.say(_p(call, "CLOSING_A", "CLOSING_K")):
        raise _Retry("no closing fits")


Retry = _Retry

"""The stem rule (validate/stem.py), drift repair (validate/drift.py), the order of the
rules (validate/choose_repair.py) and where a drifted record's anchors belong
(validate/drift_runs.py), as pure functions."""

from __future__ import annotations

import re

import pytest

from ner_pipeline.config import ValidationSettings
from ner_pipeline.ingest.raw import RawRecord
from ner_pipeline.validate.checks import check_record
from ner_pipeline.validate.choose_repair import choose_repairs
from ner_pipeline.validate.drift import DRIFT_NEIGHBOURS, DRIFT_SURFACE, candidate_shifts, realign
from ner_pipeline.validate.drift_runs import UNDECIDED_SPLIT, settle_anchors
from ner_pipeline.validate.plausible import implausible
from ner_pipeline.words import aligned
from ner_pipeline.validate.stem import extend_stem


def at(text, word, nth=0):
    m = [m for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)][nth]
    return m.start(), m.end()


@pytest.mark.parametrize("text,cut,want", [
    ("she shows sadness daily", "sad", "sadness"),
    ("he was neglected.", "neglect", "neglected"),
    ("it hurts a lot", "hurt", "hurts"),
    ("making prank calls now", "prank call", "prank calls"),
])
def test_stem_extends_to_the_end_of_the_cut_word(text, cut, want):
    s = text.index(cut)
    assert extend_stem(text, s, s + len(cut)) == (s, s + len(want))


@pytest.mark.parametrize("text,s,e", [
    ("she shows sadness", 10, 17),  # already whole
    ("a bit distressed", 9, 17),  # "stressed": starts inside a word (a suffix, not a stem)
    ("going home", 0, 2),  # "go": fewer than MIN_STEM characters of the word
    ("sadness ", 0, 8),  # ends on whitespace
])
def test_stem_refuses(text, s, e):
    assert extend_stem(text, s, e) is None


T = "Hello, I am Grace. Amani is nine and Amani cries. Grace says Amani is hurt by Musa."


def test_drift_surface_and_neighbours():
    grace, amani0 = at(T, "Grace"), at(T, "Amani")
    anchors = [(*grace, "NAME"), (*amani0, "VICTIM")]
    d = 2  # everything after the second span moved by +2
    suspects = [(at(T, "nine")[0] + d, at(T, "nine")[1] + d, "AGE"), (at(T, "Amani", 1)[0] + d, at(T, "Amani", 1)[1] + d, "VICTIM"),
                (at(T, "Grace", 1)[0] + d, at(T, "Grace", 1)[1] + d, "NAME")]
    got = realign(T, suspects, anchors, 24)
    assert [g[1] for g in got] == [-d, -d, -d]
    # Repeats of labelled surfaces; where two repeats are in reach, the neighbours break the tie.
    assert got[2][0] == DRIFT_SURFACE and got[1][0] in (DRIFT_SURFACE, DRIFT_NEIGHBOURS)
    assert got[0][0] == DRIFT_NEIGHBOURS  # "nine" labelled nowhere else: its neighbours' shift


def test_drift_refuses_when_nothing_decides():
    # A lone drifted span with no surface and no neighbour stays undecided.
    s, e = at(T, "Musa")
    assert realign(T, [(s + 1, e + 1, "PERPETRATOR")], [], 24) == [None]


def test_candidates_are_whole_words_plausible_and_free():
    s, e = at(T, "nine")
    free = lambda a, b: True
    cands = candidate_shifts(T, (s + 1, e + 1, "AGE"), 24, free)
    assert -1 in cands and all(any(c.isdigit() for c in T[s + 1 + d:e + 1 + d]) or "nine" in T[s + 1 + d:e + 1 + d]
                               for d in cands)
    assert candidate_shifts(T, (s + 1, e + 1, "AGE"), 24, lambda a, b: False) == []


def test_trim_comes_after_drift_unless_a_surface_backs_it():
    # " Amani" drifted: trimming gives "Amani", a labelled surface: trim.
    a = at(T, "Amani", 1)
    anchors = [(*at(T, "Amani"), "VICTIM")]
    (dec,) = choose_repairs(T, [(a[0] - 1, a[1], "VICTIM")], anchors, window=24, reanchor_window=40, stem_labels=())
    assert (dec.rule, dec.new) == ("trim_whitespace", (*a, "VICTIM"))
    # An AGE drifted onto " I" is not "I": implausible, not repaired.
    i = T.index(" I ")
    (dec,) = choose_repairs(T, [(i, i + 2, "AGE")], anchors, window=24, reanchor_window=40, stem_labels=())
    assert dec.rule is None and dec.new is None


def test_stem_only_for_the_configured_labels():
    text = "Rehema has sadness and Rehema cries"
    s = text.index("sad")
    sp = (s, s + 3, "INCIDENT_TYPE")
    anchors = [(*at(text, "Rehema"), "VICTIM")]
    (on,) = choose_repairs(text, [sp], anchors, window=24, reanchor_window=40, stem_labels=("INCIDENT_TYPE",))
    (off,) = choose_repairs(text, [sp], anchors, window=24, reanchor_window=40, stem_labels=("GENDER",))
    assert (on.rule, on.new) == ("stem_extend", (s, s + 7, "INCIDENT_TYPE")) and off.rule is None


def _repair(text, suspects, anchors):
    """choose_repairs, then settle_anchors: ({span as read: after repair, None if undecided}, decisions)."""
    decisions = choose_repairs(text, suspects, anchors, window=24, reanchor_window=40, stem_labels=())
    moves, undecided = settle_anchors(text, suspects, [(d.rule, d.new) for d in decisions], anchors)
    fixed = {d.span: d.new for d in decisions}
    fixed.update({a: moves.get(a, None if a in undecided else a) for a in anchors})
    return fixed, decisions


def test_an_anchor_inside_a_drifted_stretch_moves_with_it():
    text = "Amani is here. Please tell Amani that Juma said Amani can come. Amani and Juma wait."
    d = -5
    amani = [at(text, "Amani", i) for i in range(4)]
    juma = [at(text, "Juma", i) for i in range(2)]
    truth = sorted([(*amani[0], "VICTIM"), (*amani[1], "VICTIM"), (*juma[0], "NAME"), (*amani[2], "VICTIM"),
                    (*amani[3], "VICTIM"), (*juma[1], "NAME")])
    moved = [truth[0]] + [(s + d, e + d, lab) for s, e, lab in truth[1:]]
    anchors = [sp for sp in moved if aligned(text, sp[0], sp[1])]
    suspects = [sp for sp in moved if sp not in anchors]
    fixed, _ = _repair(text, suspects, anchors)
    assert sorted(fixed[sp] for sp in moved) == truth


def _record(text, spans):
    return check_record(RawRecord("f.jsonl", 1, "{}", "real", "canonical", id="r", text=text, entities=spans),
                        ValidationSettings())


def _drift_after_first(text, truth, d):
    bad = truth[:1] + [(s + d, e + d, lab) for s, e, lab in truth[1:]]
    ok = lambda s, e, lab: aligned(text, s, e) and implausible(text[s:e], lab) is None  # noqa: E731
    return bad, [sp for sp in bad if ok(*sp)], [sp for sp in bad if not ok(*sp)]


TA = "Grace called about Amani. Amani is nine and she faces abuse at home, her mother says the abuse is daily."


def test_the_last_span_drifted_onto_other_words_moves_with_the_drift():
    # Every span after the first moved by -6: the last, "abuse", landed on "faces" (whole words, a
    # plausible INCIDENT_TYPE). Kept there before; drift persists, so it moves with the others.
    truth = [(*at(TA, "Grace"), "NAME"), (*at(TA, "Amani"), "VICTIM"), (*at(TA, "Amani", 1), "VICTIM"),
             (*at(TA, "nine"), "AGE"), (*at(TA, "abuse"), "INCIDENT_TYPE")]
    bad, anchors, suspects = _drift_after_first(TA, truth, -6)
    assert anchors == [bad[0], bad[-1]] and TA[bad[-1][0]:bad[-1][1]] == "faces"
    c = _record(TA, bad)
    assert c.reasons == [] and c.spans == sorted(truth)


T2 = "Juma called. Neema and Zuhra came, and Amani cries."


def _split_case(text):
    neema, zuhra, amani = at(text, "Neema"), at(text, "Zuhra"), at(text, "Amani")
    d = zuhra[0] - neema[0]
    suspect = (amani[0] - d, amani[1] - d, "VICTIM")  # drifted by -d, repaired by drift to Amani
    return d, [suspect], [("drift_neighbours", (*amani, "VICTIM"))], [(*at(text, "Juma"), "NAME"), (*neema, "VICTIM")]


def test_where_the_drift_starts_is_not_guessed():
    # "Neema" before the first drifted span: it is right where it stands, or it drifted from
    # "Zuhra" like the span after it. Nothing tells: undecided, the record goes to a person.
    _, suspects, repaired, anchors = _split_case(T2)
    assert settle_anchors(T2, suspects, repaired, anchors) == ({}, {anchors[1]: UNDECIDED_SPLIT})
    # A surface the record labels elsewhere under the same label decides, either way.
    for word, want in (("Zuhra", {anchors[1]: (*at(T2, "Zuhra"), "VICTIM")}), ("Neema", {})):
        more = T2 + f" {word} stays."
        _, suspects, repaired, anchors = _split_case(more)
        extra = (*at(more, word, 1), "VICTIM")
        assert settle_anchors(more, suspects, repaired, anchors + [extra]) == (want, {})


def test_a_drifted_anchor_is_no_evidence_for_another():
    # Every span after the first moved by -8: the second "Langat" landed on the second "Please",
    # a NAME there by chance. The first "Langat" moved by +8 would be on the first "Please": the
    # old rule took that drifted anchor as evidence and moved it. Settled spans only count now.
    text = ("Hello, I am Langat, Please help me. My niece Amani is only nine and she is sad at school. "
            "Please, Langat is worried about Amani.")
    truth = [(*at(text, "Langat"), "NAME"), (*at(text, "Amani"), "VICTIM"), (*at(text, "nine"), "AGE"),
             (*at(text, "sad"), "INCIDENT_TYPE"), (*at(text, "Langat", 1), "NAME"), (*at(text, "Amani", 1), "VICTIM")]
    bad, anchors, _ = _drift_after_first(text, truth, -8)
    assert [text[s:e] for s, e, _ in anchors] == ["Langat", "Please"]
    c = _record(text, bad)
    assert c.reasons == [] and c.spans == sorted(truth)


def test_a_span_shifted_past_its_neighbour_changes_sides():
    # "Amani" is right; the LOCATION after it drifted by -12 and now starts before it, the AGE by
    # -12 too. Read against where the LOCATION came, "Amani" sits inside the drifted stretch and
    # would move; against where it was moved, before it. Amani cannot sit 12 further on, so
    # the first reading fits no shift and is ruled out: Amani stays.
    text = "A call from Amani in Kondoa today, she is nine."
    amani, kondoa, nine = at(text, "Amani"), at(text, "Kondoa"), at(text, "nine")
    d = 12
    suspects = [(kondoa[0] - d, kondoa[1] - d, "LOCATION"), (nine[0] - d, nine[1] - d, "AGE")]
    assert suspects[0][0] < amani[0]
    repaired = [("drift_neighbours", (*kondoa, "LOCATION")), ("drift_neighbours", (*nine, "AGE"))]
    assert settle_anchors(text, suspects, repaired, [(*amani, "VICTIM")]) == ({}, {})


def test_after_the_last_drifted_span_an_anchor_that_cannot_follow_stays():
    # The second "Amani" drifted by -1; "twelve" after it is aligned and an AGE where it is, and
    # one character on it would be "welve.": the drift ended before it (it is kept as it came).
    text = "Amani told us Amani is twelve."
    a1 = at(text, "Amani", 1)
    spans = [(*at(text, "Amani"), "VICTIM"), (a1[0] - 1, a1[1] - 1, "VICTIM"), (*at(text, "twelve"), "AGE")]
    c = _record(text, spans)
    assert c.reasons == [] and c.spans == sorted([spans[0], (*a1, "VICTIM"), spans[2]])


def test_a_last_span_that_drift_explains_as_well_is_not_trimmed():
    # " sad" at the end: an edge space on "sad", or "cold" drifted by -9. Nothing after it tells.
    text = "Amani is sad and cold"
    s = text.index(" sad")
    anchors = [(*at(text, "Amani"), "VICTIM")]
    (dec,) = choose_repairs(text, [(s, s + 4, "INCIDENT_TYPE")], anchors, window=16, reanchor_window=40, stem_labels=())
    assert dec.new is None and dec.why == "trim_whitespace_or_drift"
    # An anchor after it that cannot sit 9 further on says the span did not drift by 9.
    text = "Amani is sad and cold, Neema says."
    anchors.append((*at(text, "Neema"), "NAME"))
    (dec,) = choose_repairs(text, [(s, s + 4, "INCIDENT_TYPE")], anchors, window=16, reanchor_window=40, stem_labels=())
    assert (dec.rule, dec.new) == ("trim_whitespace", (s + 1, s + 4, "INCIDENT_TYPE"))

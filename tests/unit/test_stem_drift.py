"""The stem rule (validate/stem.py), drift repair (validate/drift.py) and the order of the
rules (validate/choose_repair.py), as pure functions."""

from __future__ import annotations

import re

import pytest

from ner_pipeline.validate.choose_repair import choose_repairs, drifted_anchors
from ner_pipeline.validate.drift import DRIFT_NEIGHBOURS, DRIFT_SURFACE, candidate_shifts, realign
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


def test_an_anchor_inside_a_drifted_stretch_moves_with_it():
    text = "Amani is here. Please tell Amani that Juma said Amani can come. Amani and Juma wait."
    d = -5
    amani = [at(text, "Amani", i) for i in range(4)]
    juma = [at(text, "Juma", i) for i in range(2)]
    # Drift of -5 after the first span; the second Juma landed on whole words by chance? Build it.
    truth = sorted([(*amani[0], "VICTIM"), (*amani[1], "VICTIM"), (*juma[0], "NAME"), (*amani[2], "VICTIM"),
                    (*amani[3], "VICTIM"), (*juma[1], "NAME")])
    moved = [truth[0]] + [(s + d, e + d, lab) for s, e, lab in truth[1:]]
    from ner_pipeline.validate.spans import aligned

    anchors = [sp for sp in moved if aligned(text, sp[0], sp[1])]
    suspects = [sp for sp in moved if sp not in anchors]
    decisions = choose_repairs(text, suspects, anchors, window=24, reanchor_window=40, stem_labels=())
    fixed = {d_.span: d_.new for d_ in decisions if d_.new}
    for m in drifted_anchors(text, suspects, decisions, anchors):
        fixed[m.span] = m.new
    assert all(fixed.get(sp, sp) in truth for sp in moved)

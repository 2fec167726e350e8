"""Property tests for the repair rules: a repaired span always covers whole words, is a
plausible mention of its label, and keeps the surface string (trim), moves whole within the
drift window (drift), extends its own last word (stem) or takes a surface the record already
labels under the same label (re-anchor, drift_surface); the label never changes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ner_pipeline.config import ValidationSettings
from ner_pipeline.ingest.raw import RawRecord
from ner_pipeline.records import LABELS, is_word_aligned
from ner_pipeline.validate.checks import check_record
from ner_pipeline.validate.plausible import implausible
from ner_pipeline.validate.repair import reanchor, trim_whitespace
from ner_pipeline.words import aligned

WORDS = ["Amani", "Neema", "she", "her", "Kondoa", "Dodoma", "nine", "14", "bus", "stand", "Müller", "李", "a_b", "x"]
SEPS = [" ", "  ", ", ", ". ", "\n", " - ", "'", "\t"]
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def texts(draw) -> str:
    n = draw(st.integers(1, 25))
    parts = []
    for _ in range(n):
        parts.append(draw(st.sampled_from(WORDS)))
        parts.append(draw(st.sampled_from(SEPS)))
    return draw(st.sampled_from(["", " ", "\n"])) + "".join(parts)


@PROFILE
@given(st.text(alphabet=st.sampled_from(list("ab_1 \t\n.,é李")), max_size=12), st.integers(-2, 14), st.integers(-2, 14))
def test_fast_alignment_matches_records(text, s, e):
    assert aligned(text, s, e) == is_word_aligned(text, s, e)


@PROFILE
@given(texts(), st.data())
def test_trim_keeps_the_surface_and_covers_whole_words(text, data):
    s = data.draw(st.integers(0, len(text) - 1))
    e = data.draw(st.integers(s + 1, len(text)))
    new = trim_whitespace(text, s, e)
    if new is not None:
        ns, ne = new
        assert s <= ns < ne <= e
        assert is_word_aligned(text, ns, ne)
        assert text[ns:ne] == text[s:e].strip()


@PROFILE
@given(texts(), st.data())
def test_reanchor_lands_on_a_known_surface_within_the_window(text, data):
    s = data.draw(st.integers(0, len(text) - 1))
    e = data.draw(st.integers(s + 1, min(len(text), s + 12)))
    surfaces = data.draw(st.lists(st.sampled_from(WORDS + ["Kondoa, Dodoma", "bus stand"]), max_size=3))
    occupied = data.draw(st.lists(st.tuples(st.integers(0, len(text)), st.integers(1, 8)).map(lambda t: (t[0], t[0] + t[1])),
                                  max_size=3))
    window = data.draw(st.integers(0, 40))
    new = reanchor(text, s, e, surfaces, occupied, window)
    if new is not None:
        ns, ne = new
        assert is_word_aligned(text, ns, ne)
        assert text[ns:ne] in surfaces
        assert abs(ns - s) <= window
        assert not any(ns < oe and os_ < ne for os_, oe in occupied)


@st.composite
def damaged_records(draw):
    """A correctly annotated text, then the defects LABELS.md lists: shifted offsets, edge
    whitespace, exact duplicates."""
    text = draw(texts())
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    chosen = sorted(draw(st.sets(st.sampled_from(words), max_size=8)) if words else [])
    spans = [(s, e, draw(st.sampled_from(LABELS[:3]))) for s, e in chosen]
    out = []
    for s, e, lab in spans:
        kind = draw(st.sampled_from(["keep", "keep", "shift", "pad", "dup"]))
        if kind == "shift":
            d = draw(st.sampled_from([-2, -1, 1, 2]))
            out.append((max(0, s + d), min(len(text), e + d), lab))
        elif kind == "pad":
            out.append((max(0, s - draw(st.integers(0, 1))), min(len(text), e + draw(st.integers(0, 1))), lab))
        elif kind == "dup":
            out += [(s, e, lab), (s, e, lab)]
        else:
            out.append((s, e, lab))
    return text, out


@PROFILE
@given(damaged_records())
def test_repaired_records_hold_the_contract(case):
    text, ents = case
    c = check_record(RawRecord("f", 1, "{}", "real", "canonical", id="r", text=text, entities=ents), ValidationSettings())
    if not text.strip():
        return
    evidence = {(text[s:e], lab) for s, e, lab in set(ents) if 0 <= s < e <= len(text) and is_word_aligned(text, s, e)}
    if c.reasons:
        return  # quarantined: nothing repaired counts
    final = c.spans
    assert all(is_word_aligned(text, s, e) for s, e, _ in final)
    assert all(a[1] <= b[0] for a, b in zip(final, final[1:]))  # sorted, no overlap
    moved = {(*rep["old"], rep["label"]) for rep in c.repairs if rep["old"] and rep["new"]}
    for rep in c.repairs:
        if rep["rule"] == "drop_duplicate_span":  # its twin is kept (where it was, or repaired)
            assert rep["new"] is None and (*rep["old"], rep["label"]) in set(final) | moved
            continue
        (os_, oe), (ns, ne) = rep["old"], rep["new"]
        assert (ns, ne, rep["label"]) in final  # same label as the span it repaired
        assert is_word_aligned(text, ns, ne) and implausible(text[ns:ne], rep["label"]) is None
        assert rep["shift"] == ns - os_
        if rep["rule"] == "trim_whitespace":
            assert text[ns:ne] == text[os_:oe].strip()
        elif rep["rule"] in ("drift_surface", "drift_neighbours"):  # moved whole, within the window
            assert ne - ns == oe - os_ and 0 < abs(ns - os_) <= ValidationSettings().drift_window
            if rep["rule"] == "drift_surface":
                assert (text[ns:ne], rep["label"]) in evidence
        elif rep["rule"] == "stem_extend":
            assert ns == os_ and ne > oe and rep["label"] in ValidationSettings().stem_labels
        else:
            assert rep["rule"] == "reanchor" and (text[ns:ne], rep["label"]) in evidence

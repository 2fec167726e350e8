"""Conflicts between sources: every convention two measurements both support, and how far apart."""

from __future__ import annotations

from typing import Any

from .tally import _share

def comparable(by_source: dict[str, dict[str, Any]], *, min_diff: float, min_support: int) -> list[dict[str, Any]]:
    """Every convention two sources both measure on at least `min_support` cases (spans,
    pronouns, or occurrences of a word), one row each, flat: {convention, label, word, <source>,
    n_<source>, diff, conflict}. `conflict`: the two rates differ by `min_diff` or more. Give
    measurements with all_surfaces=True, so a word one source always labels is compared too."""
    rows: list[dict[str, Any]] = []
    names = sorted(by_source)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            rows += _compare(a, by_source[a], b, by_source[b], min_diff, min_support)
    return sorted(rows, key=lambda r: (-r["diff"], r["convention"], r["label"], r["word"]))


def _facts(conv: dict[str, Any]) -> dict[tuple[str, str, str], tuple[float, int]]:
    """(convention, label, word) -> (rate, support) of one measurement."""
    out: dict[tuple[str, str, str], tuple[float, int]] = {}
    for lab, row in conv["labels"].items():
        if row["spans"]:
            out[("determiner_start_share", lab, "")] = (row["determiner_start_share"], row["spans"])
            if row["repeat_mention_coverage"] is not None:
                out[("repeat_mention_coverage", lab, "")] = (row["repeat_mention_coverage"], row["spans"])
    g = conv["gender_pronouns"]
    if g["pronouns"]:
        out[("pronoun_labelled_share", "GENDER", "")] = (_share(g["labelled"], g["pronouns"]), g["pronouns"])
    if g["labelled"]:
        out[("pronoun_labelled_first_share", "GENDER", "")] = (g["labelled_first_share"], g["labelled"])
    for lab, words in conv["surface_rates"].items():
        for word, row in words.items():
            out[("surface_rate", lab, word)] = (row["rate"], row["occurrences"])
    return out


def _compare(a: str, conv_a: dict[str, Any], b: str, conv_b: dict[str, Any], min_diff: float,
             min_support: int) -> list[dict[str, Any]]:
    fa, fb = _facts(conv_a), _facts(conv_b)
    rows = []
    for key in sorted(fa.keys() & fb.keys()):
        (ra, na), (rb, nb) = fa[key], fb[key]
        if min(na, nb) < min_support:
            continue
        diff = round(abs(ra - rb), 3)
        rows.append({"convention": key[0], "label": key[1], "word": key[2], a: ra, b: rb,
                     f"n_{a}": na, f"n_{b}": nb, "diff": diff, "conflict": diff >= min_diff})
    return rows

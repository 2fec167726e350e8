"""Convention conflicts between sources: do synthetic and real annotators label alike?

LABELS.md ("Conventions measured in real data") lists where real annotators differ from what a
generator might do (a span starting with "the", pronouns as GENDER, distress words). Each source's
accepted records are measured (conventions/tally.py) and every convention both sources measure on
enough cases is compared; two rates that differ by validation.convention_conflict_min_diff or
more are a conflict. Conflicts are reported (the report's `conventions` section, a GX warning
on the per-source conventions table, the UI run page), never blocking: which convention is right
is the label guide's call, not the validator's.

Two scopes: `batch` (this run's accepted records) and `snapshot` (the snapshot this run builds:
its base snapshot's records plus the batch), so a real-only batch is still compared with the
synthetic data it will be trained beside. Each source is measured on its first
validation.convention_max_records records per part (batch, base snapshot): rates need no more.
Rows name labels and lexicon words only, never text.
"""

from __future__ import annotations

from typing import Any

from ..conventions import ConventionTally, comparable

SCOPES = ("batch", "snapshot")


def merged(*parts: dict[str, ConventionTally] | None) -> dict[str, ConventionTally]:
    """Per source, the sum of the given tallies (fresh objects: the inputs are not changed)."""
    out: dict[str, ConventionTally] = {}
    for part in parts:
        for src, tally in (part or {}).items():
            out.setdefault(src, ConventionTally()).merge(tally)
    return out


def check(batch: dict[str, ConventionTally], base: dict[str, ConventionTally] | None,
          vs: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the report's `conventions` section, every compared row). The section holds what was
    measured per scope and source (counts) and the conflicting rows, largest difference first;
    the rows go to GX. `base` None: no base snapshot (batch scope only)."""
    scopes = {"batch": batch}
    if base is not None:
        scopes["snapshot"] = merged(base, batch)
    measured: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for scope, tallies in scopes.items():
        results = {src: t.result(all_surfaces=True) for src, t in sorted(tallies.items()) if t.records}
        for src, r in results.items():
            g = r["gender_pronouns"]
            measured[f"{scope}:{src}"] = {"records": r["n_records"],
                                          "spans": sum(lab["spans"] for lab in r["labels"].values()),
                                          "pronouns": g["pronouns"], "pronouns_labelled": g["labelled"],
                                          "pronoun_rule": g["rule"]}
        rows += [{"scope": scope, **row} for row in comparable(
            results, min_diff=vs.convention_conflict_min_diff, min_support=vs.convention_conflict_min_support)]
    conflicts = [r for r in rows if r["conflict"]]
    two_sources = any(len([t for t in ts.values() if t.records]) > 1 for ts in scopes.values())
    status = "conflicts" if conflicts else "ok" if rows else "compared_nothing" if two_sources else "single_source"
    return {
        "status": status,
        "conflicts_found": len(conflicts),
        "compared": len(rows),
        "min_diff": vs.convention_conflict_min_diff,
        "min_support": vs.convention_conflict_min_support,
        "max_records": vs.convention_max_records,
        "measured": measured,
        "conflicts": conflicts,
    }, rows


def key(row: dict[str, Any]) -> str:
    """The row's name in GX results: scope/convention/label[/word] (labels and lexicon words only)."""
    return "/".join(p for p in (row["scope"], row["convention"], row["label"], row["word"]) if p)


def frame(rows: list[dict[str, Any]]) -> Any:
    """The per-source conventions table GX checks: one row per compared convention."""
    import pandas as pd

    return pd.DataFrame({"convention_key": pd.array([key(r) for r in rows], dtype="string"),
                         "convention_diff": [float(r["diff"]) for r in rows]})

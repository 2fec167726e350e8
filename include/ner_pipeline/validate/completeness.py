"""Annotation completeness: unlabelled repeats of a mention the record labels elsewhere.

LABELS.md says every mention is labelled. A record that labels "Rehema" as VICTIM twice and
leaves four more whole-word "Rehema" unlabelled teaches the model that the same name is both
an entity and not one. Per record, for every surface string the record labels (the exact,
case-sensitive text of a span), each other whole-word occurrence of it is classified:

- inside an existing span (the span itself, or "Kondoa" inside the LANDMARK "Kondoa bus
  stand"): labelled or covered, fine;
- free (touches no span): an unlabelled repeat, a finding with the surface's label;
- crossing or containing an existing span: a finding of kind "overlap" (never propagated);
- the surface carries two different labels in the record ("Hassani" NAME once, VICTIM once):
  its unlabelled repeats are findings of kind "conflict", counted under the label AMBIGUOUS.

A finding nested inside another finding (the "Neema" of an unlabelled "Neema Joseph") is
counted once, as the longer one. Context-dependent pronouns (he/she/him/her/...) are not
checked: LABELS.md labels them GENDER only when they refer to the child, so an unlabelled
"she" is usually someone else, not a gap.

Policy per source (settings.validation.completeness_policy; warn when a source is not named):
- warn: nothing changes; findings are counted in the report and the GX results.
- propagate: free findings get the surface's label, as audited repairs
  {rule: propagate_label, label, old: None, new: [start, end]}, longest first and never
  overlapping an existing or an already propagated span; overlap/conflict findings stay.
- quarantine: reason incomplete_annotation when the record's share of unlabelled repeats is
  above completeness_quarantine_share. The share is unlabelled / all mentions of the surfaces
  the record labels that occur more than once (labelled spans + unlabelled repeats).

Everything reported is counts, labels and offsets, never text.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..words import CONTEXT_DEPENDENT, whole_word_occurrences

INCOMPLETE_ANNOTATION = "incomplete_annotation"  # reason code (quarantine policy)
PROPAGATE_LABEL = "propagate_label"  # repair rule (propagate policy)
AMBIGUOUS = "AMBIGUOUS"  # the label findings of a surface with two labels are counted under
POLICIES = ("warn", "propagate", "quarantine")
DEFAULT_POLICY = "warn"

SpanT = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Finding:
    start: int
    end: int
    label: str  # the surface's label, or AMBIGUOUS
    kind: str  # "free" | "overlap" | "conflict"


@dataclass(slots=True)
class Scan:
    findings: list[Finding] = field(default_factory=list)
    repeated_mentions: int = 0  # denominator of the share (see module docstring)

    @property
    def share(self) -> float:
        return len(self.findings) / self.repeated_mentions if self.repeated_mentions else 0.0


@dataclass(slots=True)
class Completeness:
    """What the hook decided for one record (checks.py reads spans/repairs/reasons)."""

    spans: list[SpanT]
    repairs: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[tuple[str, str]] = field(default_factory=list)
    policy: str = DEFAULT_POLICY
    found: Counter = field(default_factory=Counter)  # findings by label, before the policy acted
    remaining: list[str] = field(default_factory=list)  # labels of findings left in the output record
    propagated: Counter = field(default_factory=Counter)  # propagated spans by label
    not_propagated: Counter = field(default_factory=Counter)  # by kind, under the propagate policy
    share: float = 0.0


def scan(text: str, spans: Iterable[SpanT]) -> Scan:
    """Find the unlabelled repeats of one record (pure; see the module docstring)."""
    spans = sorted(set(spans))
    out = Scan()
    n = len(text)
    surfaces: dict[str, list] = {}  # surface -> [labelled count, labels]
    for s, e, lab in spans:
        if 0 <= s < e <= n:
            entry = surfaces.get(text[s:e])
            if entry is None:
                surfaces[text[s:e]] = [1, {lab}]
            else:
                entry[0] += 1
                entry[1].add(lab)

    starts: list[int] = []
    pmax: list[int] = []  # running max of span ends, in start order (built on first need)
    raw: list[Finding] = []
    for surface, (labelled, labs) in surfaces.items():
        if surface.casefold() in CONTEXT_DEPENDENT:
            continue
        if text.count(surface) <= labelled:  # the common case: every occurrence is one of its spans
            if labelled > 1:
                out.repeated_mentions += labelled
            continue
        occ = whole_word_occurrences(text, surface)
        if len(occ) < 2:
            continue
        if not starts:
            m = -1
            for s, e, _ in spans:
                starts.append(s)
                m = e if e > m else m
                pmax.append(m)
        label = next(iter(labs)) if len(labs) == 1 else AMBIGUOUS
        n_found = 0
        for a, b in occ:
            i = bisect.bisect_right(starts, a)
            if i and pmax[i - 1] >= b:
                continue  # inside a span (this surface's own span, or a longer mention)
            j = bisect.bisect_left(starts, b)
            touches = j > 0 and pmax[j - 1] > a
            kind = "conflict" if label == AMBIGUOUS else ("overlap" if touches else "free")
            raw.append(Finding(a, b, label, kind))
            n_found += 1
        out.repeated_mentions += labelled + n_found

    # A finding inside a longer finding is one gap, not two.
    raw.sort(key=lambda f: (f.start, f.start - f.end))
    reach = -1
    for f in raw:
        if f.end <= reach:
            out.repeated_mentions -= 1
            continue
        out.findings.append(f)
        reach = f.end
    return out


def check_completeness(text: str, spans: list[SpanT], source: str, vs: Any) -> Completeness:
    """The hook checks.py calls with a record's final spans (after repairs, before overlap)."""
    policy = (vs.completeness_policy or {}).get(source, DEFAULT_POLICY)
    out = Completeness(spans, policy=policy)
    if len(spans) < 1:
        return out
    found = scan(text, spans)
    if not found.findings:
        return out
    out.found.update(f.label for f in found.findings)
    out.share = round(found.share, 4)
    remaining = found.findings
    if policy == "propagate":
        remaining, added = _propagate(spans, found.findings)
        if added:
            out.spans = spans + [(f.start, f.end, f.label) for f in added]
            out.propagated.update(f.label for f in added)
            out.repairs = [{"rule": PROPAGATE_LABEL, "label": f.label, "old": None, "new": [f.start, f.end],
                            "shift": None}
                           for f in added]
        out.not_propagated.update(f.kind if f.kind != "free" else "overlap" for f in remaining)
    elif policy == "quarantine" and found.share > vs.completeness_quarantine_share:
        by_label = ", ".join(f"{lab} {n}" for lab, n in sorted(out.found.items()))
        out.reasons.append((INCOMPLETE_ANNOTATION,
                            f"{len(found.findings)} of {found.repeated_mentions} mentions of repeated labelled surfaces "
                            f"are unlabelled (share {found.share:.2f} > {vs.completeness_quarantine_share:.2f}): {by_label}"))
    out.remaining = [f.label for f in remaining]
    return out


def _propagate(spans: list[SpanT], findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(left, added): free findings, longest first, that overlap nothing already there."""
    occupied = sorted((s, e) for s, e, _ in spans)
    added: list[Finding] = []
    for f in sorted((f for f in findings if f.kind == "free"), key=lambda f: (f.start - f.end, f.start)):
        if any(s < f.end and f.start < e for s, e in occupied):
            continue  # only against another propagated span: free findings touch no original span
        added.append(f)
        bisect.insort(occupied, (f.start, f.end))
    taken = set(added)
    return [f for f in findings if f not in taken], sorted(added, key=lambda f: f.start)


class CompletenessTally:
    """Counts for the report: totals, by label, by source and by file (no text)."""

    def __init__(self) -> None:
        self.records_checked = 0
        self.records_with_findings = 0
        self.by_label: Counter = Counter()  # unlabelled repeats found, before any policy action
        self.by_source: dict[str, Counter] = {}
        self.propagated_records = 0
        self.propagated: Counter = Counter()  # spans added, by label (accepted records only)
        self.not_propagated: Counter = Counter()
        self.quarantined = 0  # records with reason incomplete_annotation
        self.remaining: Counter = Counter()  # unlabelled repeats left in the accepted output, by label

    def add(self, cc: Completeness | None, source: str, *, accepted: bool, reasons: Iterable[str] = ()) -> None:
        if cc is None:
            return
        self.records_checked += 1
        if not cc.found:
            return
        n = sum(cc.found.values())
        self.records_with_findings += 1
        self.by_label.update(cc.found)
        src = self.by_source.setdefault(source, Counter())
        src["records_with_findings"] += 1
        src["unlabelled_repeats"] += n
        if INCOMPLETE_ANNOTATION in reasons:
            self.quarantined += 1
        if accepted:
            if cc.propagated:
                self.propagated_records += 1
                self.propagated.update(cc.propagated)
            self.not_propagated.update(cc.not_propagated)
            self.remaining.update(cc.remaining)

    def merge(self, other: "CompletenessTally") -> None:
        for name in ("records_checked", "records_with_findings", "propagated_records", "quarantined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("by_label", "propagated", "not_propagated", "remaining"):
            getattr(self, name).update(getattr(other, name))
        for src, c in other.by_source.items():
            self.by_source.setdefault(src, Counter()).update(c)

    @property
    def unlabelled_repeats(self) -> int:
        return sum(self.by_label.values())

    def file_summary(self) -> dict[str, Any]:
        return {"records_checked": self.records_checked, "records_with_findings": self.records_with_findings,
                "unlabelled_repeats": self.unlabelled_repeats, "by_label": dict(sorted(self.by_label.items())),
                "propagated": sum(self.propagated.values()), "quarantined": self.quarantined}

    def report(self, vs: Any, by_file: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "status": "findings" if self.records_with_findings else "ok",
            "policy": dict(vs.completeness_policy),
            "quarantine_share": vs.completeness_quarantine_share,
            "records_checked": self.records_checked,
            "records_with_findings": self.records_with_findings,
            "unlabelled_repeats": self.unlabelled_repeats,
            "by_label": dict(sorted(self.by_label.items())),
            "by_source": {s: dict(sorted(c.items())) for s, c in sorted(self.by_source.items())},
            "propagated": {"records": self.propagated_records, "spans": sum(self.propagated.values()),
                           "by_label": dict(sorted(self.propagated.items())),
                           "not_propagated": dict(sorted(self.not_propagated.items()))},
            "quarantined_records": self.quarantined,
            "remaining_in_output": {"unlabelled_repeats": sum(self.remaining.values()),
                                    "by_label": dict(sorted(self.remaining.items()))},
            "by_file": {path: s for path, s in by_file.items() if s["records_with_findings"]},
        }

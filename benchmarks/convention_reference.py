"""What a model that follows the annotators' majority conventions consistently would score.

A reference for benchmarks/bench_real.py (benchmark, not a test; issue 14): several conventions of
the real-style dev data are choices the annotators made per record, which the text does not show
(README "Quality on real transcripts"): a "District, Region" is one LOCATION span in some records
and stops before ", Region" in others; a child caller's name is NAME at every mention in some and
NAME, then VICTIM, then unlabelled in others; "teacher" is PERPETRATOR in 43% of the records that
mention one. A model reads only the text, so at best it makes each such choice the same way every
time. This reference does exactly that, knowing every entity surface from the gold:

- names (NAME, VICTIM): every whole-word mention of a surface the record labels gets the label of
  that surface's first gold span;
- LOCATION: a span followed by ", Region" is joined with it, or never, whichever the rate records
  do more often;
- every other label (marked once per record, at its surface's first occurrence): the first
  occurrence of each surface that the rate records label in at least half of the records that
  contain it, with its most frequent label; longer surfaces first, no overlaps.

It is not an upper bound (context can beat a context-free rule: "teacher" as the one who harms),
and it knows what a model must find (every name, every surface); it shows how far each label's
score is capped by choices only the annotators could see. Prints figures only, no text.

  .venv/bin/python benchmarks/convention_reference.py [--data FILE]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "include"))
sys.path.insert(0, str(REPO / "benchmarks"))

from ner_pipeline.records import Span  # noqa: E402
from ner_pipeline.words import whole_word_occurrences  # noqa: E402

NAME_LABELS = ("NAME", "VICTIM")
# ", Mwanza" or ", Mjini Magharibi" right after a LOCATION span: the region it may be joined with.
_REGION_AFTER = re.compile(r", (?:[A-Z][a-z]+)(?: [A-Z][a-z]+)*")


def _region_after(text: str, end: int) -> int | None:
    m = _REGION_AFTER.match(text, end)
    return m.end() if m else None


class ConventionReference:
    """The majority conventions of `rate_records`, applied consistently to any record."""

    def __init__(self, rate_records: list):
        joined = split = 0
        labels_of: dict[str, Counter] = defaultdict(Counter)
        for r in rate_records:
            for sp in r.entities:
                surface = r.text[sp.start:sp.end]
                if sp.label == "LOCATION":
                    if ", " in surface:
                        joined += 1
                    elif _region_after(r.text, sp.end):
                        split += 1
                elif sp.label not in NAME_LABELS:
                    labels_of[surface][sp.label] += 1
        self.join_regions = joined >= split
        # Per surface: its most frequent label, kept when the records containing it label it there
        # at least half the time (a per-record rate: these labels are marked once per record).
        with_surface: Counter = Counter()
        labelled: Counter = Counter()
        best = {s: c.most_common(1)[0][0] for s, c in labels_of.items()}
        for r in rate_records:
            marked = {(r.text[sp.start:sp.end], sp.label) for sp in r.entities}
            for surface, label in best.items():
                if whole_word_occurrences(r.text, surface):
                    with_surface[surface] += 1
                    labelled[surface] += (surface, label) in marked
        self.surfaces = {s: best[s] for s in best if with_surface[s] and labelled[s] / with_surface[s] >= 0.5}
        self.counts = {"location_joined": joined, "location_split": split,
                       "surfaces": len(best), "surfaces_kept": len(self.surfaces)}

    def predict(self, record) -> list[Span]:
        text, out = record.text, []
        first_label: dict[str, str] = {}
        for sp in sorted(record.entities, key=lambda s: s.start):
            if sp.label in NAME_LABELS:
                first_label.setdefault(text[sp.start:sp.end], sp.label)
            elif sp.label == "LOCATION":
                end = _region_after(text, sp.end) if self.join_regions else None
                out.append(Span(sp.start, end or sp.end, "LOCATION"))
        for surface, label in first_label.items():
            out += [Span(a, b, label) for a, b in whole_word_occurrences(text, surface)]
        for surface in sorted(self.surfaces, key=len, reverse=True):
            occ = whole_word_occurrences(text, surface)
            if occ:
                out.append(Span(occ[0][0], occ[0][1], self.surfaces[surface]))
        kept, last_end = [], -1
        for sp in sorted(out, key=lambda s: (s.start, -s.end)):
            if sp.start >= last_end:
                kept.append(sp)
                last_end = sp.end
        return kept


def main() -> int:
    import bench_real

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=bench_real.DEFAULT_DATA)
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"no dev data at {args.data}: nothing to measure")
        return 0
    from ner_pipeline.config import load_settings
    from ner_pipeline.metrics import score

    clean = bench_real.clean_records(args.data, load_settings("local", ["validation.quarantine_rate_limit=1.0"]))
    _, second = bench_real.halves(clean)
    ref = ConventionReference(clean)
    print(f"conventions of {len(clean)} clean records: {ref.counts}")
    print(bench_real.table({"(r) reference": score(second, [ref.predict(r) for r in second])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

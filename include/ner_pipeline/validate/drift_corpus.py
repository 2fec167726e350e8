"""A corpus of defects with known truth, and what the validator makes of it.

Clean records (generated ones, and the dev data's clean ones when given) get the defects real
annotations have (issue 17), one pattern per case, seeded:

- `drift`: every span after the k-th shifted by d (k uniform over the record's spans but the
  last, d uniform over +-1..+-12, the shifts seen in the dev data; a case whose shift would
  push a span out of the text is skipped);
- `stem`: one INCIDENT_TYPE or GENDER span cut inside its last word ("sad" of "sadness"),
  from a clean span that is a whole word, keeping at least stem.MIN_STEM characters;
- `edge_space`: one span widened by the whitespace beside it.

Each case goes through the real validator (validate_batch: reader, checks, repairs; GX off)
and is scored against the clean original: a repaired span is right when it is exactly the
original span (offsets and label). Figures are counts only: `figures()` returns them,
`ner-pipeline repair-check` prints them, tests/unit/test_drift_corpus.py fixes them.

`salvage()` measures the other side on a real-style file: of its defective records (a span
misaligned, out of bounds or overlapping, or a repeated text), how many are accepted after
repair, and whether any repaired span cuts a word (records.is_word_aligned, independent of
the validator's own check) or changes a label (its surface is labelled under another label
elsewhere in the record), and whether it keeps the annotators' first-mention convention: in
the dev data's 334 clean records, the first whole-word occurrence of every labelled surface
is labelled with that label (642/642 NAME, 281/281 INCIDENT_TYPE, ..., AGE 335/336), except
VICTIM (70/155: a child's first mention is often NAME). A repair that puts a span where the
same surface occurs earlier unlabelled is no mention those annotators would have made.
It also counts the defective texts whose annotations do not share the text at all: no single
shift puts more than half of their spans on plausible mentions (best_common_shift), which
drift after the first mentions would (those first mentions stay at 0).
"""

from __future__ import annotations

from collections import Counter
from random import Random
from typing import Any, Iterable, Sequence

from ..records import is_word_aligned
from ..words import aligned
from .stem import MIN_STEM

PATTERNS = ("drift", "stem", "edge_space")
STEM_LABELS = ("INCIDENT_TYPE", "GENDER")
MAX_SHIFT = 12
SpanT = tuple[int, int, str]


def shift_after(spans: Sequence[SpanT], k: int, d: int) -> list[SpanT]:
    """Every span after the k-th (0-based, in text order) moved by d."""
    order = sorted(spans)
    return order[: k + 1] + [(s + d, e + d, lab) for s, e, lab in order[k + 1:]]


def cut_stem(text: str, spans: Sequence[SpanT], rng: Random) -> list[SpanT] | None:
    """One stem-label span whose last word is long enough, cut inside that word."""
    order = sorted(spans)
    options = []
    for i, (s, e, lab) in enumerate(order):
        w = e
        while w > s and text[w - 1].isalnum():
            w -= 1
        if lab in STEM_LABELS and e - w >= MIN_STEM + 1:
            options.append((i, e - w))
    if not options:
        return None
    i, word_len = options[rng.randrange(len(options))]
    s, e, lab = order[i]
    cut = rng.randint(1, word_len - MIN_STEM)
    return order[:i] + [(s, e - cut, lab)] + order[i + 1:]


def widen(text: str, spans: Sequence[SpanT], rng: Random) -> list[SpanT] | None:
    """One span widened by one whitespace character beside it."""
    order = sorted(spans)
    options = [(i, side) for i, (s, e, _) in enumerate(order) for side in (-1, 1)
               if (side < 0 and s > 0 and text[s - 1].isspace()) or (side > 0 and e < len(text) and text[e].isspace())]
    if not options:
        return None
    i, side = options[rng.randrange(len(options))]
    s, e, lab = order[i]
    return order[:i] + [((s - 1, e, lab) if side < 0 else (s, e + 1, lab))] + order[i + 1:]


def make_cases(records: Iterable[tuple[str, str, Sequence[SpanT]]], seed: int) -> list[dict[str, Any]]:
    """(origin, text, clean spans) -> cases {origin, pattern, text, truth, spans}; a case whose
    defect left every span aligned and inside the text (a drift onto whole words) is kept:
    it counts as undetected."""
    # One random stream per origin: a change to the generator (the synthetic origin) must not
    # move the damage done to the dev records.
    rngs: dict[str, Random] = {}
    cases = []
    for origin, text, spans in records:
        rng = rngs.setdefault(origin, Random(f"{seed}/{origin}"))
        spans = sorted(spans)
        if len(spans) < 2:
            continue
        for pattern in PATTERNS:
            if pattern == "drift":
                k = rng.randrange(len(spans) - 1)
                d = rng.choice([x for x in range(-MAX_SHIFT, MAX_SHIFT + 1) if x])
                bad = shift_after(spans, k, d)
                if any(s < 0 or e > len(text) for s, e, _ in bad):
                    continue
            elif pattern == "stem":
                bad = cut_stem(text, spans, rng)
            else:
                bad = widen(text, spans, rng)
            if bad is not None:
                cases.append({"origin": origin, "pattern": pattern, "text": text, "truth": spans, "spans": bad})
    return cases


def run_cases(cases: Sequence[dict[str, Any]], settings: Any) -> list[dict[str, Any]]:
    """Validate the cases (source real), one batch per pattern (the patterns share texts, which
    in one batch would be duplicates of each other), and score each against its truth."""
    from ..jsonl import dump_lines
    from .batch import validate_batch

    accepted: dict[str, list[SpanT]] = {}
    audit: dict[str, list[dict[str, Any]]] = {}
    for pattern in PATTERNS:
        rows = [{"id": f"case-{i}", "text": c["text"], "source": "real",
                 "entities": [{"start": s, "end": e, "label": lab} for s, e, lab in c["spans"]]}
                for i, c in enumerate(cases) if c["pattern"] == pattern]
        if not rows:
            continue
        out = validate_batch([(f"drift_corpus_{pattern}.jsonl", "real", dump_lines(rows))], settings, run_gx=False)
        accepted.update({r.id: sorted((sp.start, sp.end, sp.label) for sp in r.entities) for r in out.accepted})
        for a in out.audit:
            audit.setdefault(a["id"], []).append(a)
    scored = []
    for i, c in enumerate(cases):
        rid = f"case-{i}"
        truth = set(c["truth"])
        got = accepted.get(rid)
        reps = [a for a in audit.get(rid, []) if a["new"] is not None]
        right = sum((a["new"][0], a["new"][1], a["label"]) in truth for a in reps)
        defective = any(not aligned(c["text"], s, e) for s, e, _ in c["spans"])
        scored.append({"origin": c["origin"], "pattern": c["pattern"], "defective": defective,
                       "outcome": "quarantined" if got is None else ("repaired" if reps else "accepted"),
                       "exact": got is not None and got == sorted(truth),
                       "repaired_spans": len(reps), "right_spans": right,
                       "rules": sorted({a["rule"] for a in reps})})
    return scored


def figures(scored: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per origin and pattern, and in total: cases, repaired (accepted after repair), share,
    repaired spans and how many equal the original, records accepted with spans that differ
    from the original (wrong), and of those the ones whose every span was aligned after the
    defect (drift onto plausible whole words: nothing marks them)."""
    groups: dict[str, list[dict[str, Any]]] = {"total": list(scored)}
    for s in scored:
        groups.setdefault(f"{s['origin']}/{s['pattern']}", []).append(s)
        groups.setdefault(s["pattern"], []).append(s)
    out = {}
    for name, rows in sorted(groups.items()):
        n = len(rows)
        rep = [r for r in rows if r["outcome"] == "repaired"]
        out[name] = {
            "cases": n,
            "repaired": len(rep),
            "repaired_share": round(len(rep) / n, 4) if n else 0.0,
            "repaired_exact": sum(r["exact"] for r in rep),
            "quarantined": sum(r["outcome"] == "quarantined" for r in rows),
            "accepted_unchanged": sum(r["outcome"] == "accepted" for r in rows),
            "accepted_wrong": sum(r["outcome"] != "quarantined" and not r["exact"] for r in rows),
            # of those, drift that left every span on whole words: nothing marks them defective
            "accepted_wrong_all_aligned": sum(r["outcome"] != "quarantined" and not r["exact"] and not r["defective"]
                                              for r in rows),
            "repaired_spans": sum(r["repaired_spans"] for r in rep),
            "repaired_spans_right": sum(r["right_spans"] for r in rep),
            "rules": dict(sorted(Counter(rule for r in rep for rule in r["rules"]).items())),
        }
    return out


def _repair_exists(rec: dict[str, Any], window: int) -> bool:
    """Whether every faulty span of the record has some place that is a plausible mention of its
    label: a shift within the window, its trim or its stem (uniqueness and overlaps aside)."""
    from .drift import candidate_shifts
    from .plausible import HARD, implausible
    from .repair import trim_whitespace
    from .stem import extend_stem

    t = rec.get("text") or ""
    for e in rec.get("entities") or []:
        sp = (e["start"], e["end"], e["label"])
        inside = 0 <= sp[0] < sp[1] <= len(t)
        if inside and aligned(t, sp[0], sp[1]) and implausible(t[sp[0]:sp[1]], sp[2]) not in HARD:
            continue
        if candidate_shifts(t, sp, window, lambda a, b: True):
            continue
        fixes = [trim_whitespace(t, sp[0], sp[1]), extend_stem(t, sp[0], sp[1])] if inside else []
        if not any(f is not None and aligned(t, *f) and implausible(t[f[0]:f[1]], sp[2]) is None for f in fixes):
            return False
    return True


def best_common_shift(text: str, spans: Sequence[SpanT]) -> int:
    """The most spans one shift d (any d that keeps a span inside the text, 0 included) puts on
    a plausible mention of its label, all moved together: what a record's annotations share
    with its text. Drift after the first mentions leaves at least those first mentions at 0."""
    from .plausible import implausible

    n = len(text)
    word = [c.isalnum() or c == "_" for c in text]
    # where an aligned span may start or end (words.aligned): no whitespace there, no word cut
    starts = {i for i in range(n) if not text[i].isspace() and not (i and word[i - 1] and word[i])}
    ends = {i for i in range(1, n + 1) if not text[i - 1].isspace() and not (i < n and word[i - 1] and word[i])}
    hits: Counter = Counter()
    for s, e, lab in spans:
        for d in {w - s for w in starts} & {v - e for v in ends}:
            if s + d < e + d and implausible(text[s + d:e + d], lab) is None:
                hits[d] += 1
    return max(hits.values(), default=0)


def _shares_text(rec: dict[str, Any]) -> bool:
    """More than half of the record's spans fit its text under one shift (every clean record's
    fit all of them, at 0)."""
    t = rec.get("text") or ""
    spans = [(e["start"], e["end"], e["label"]) for e in rec.get("entities") or []]
    return 2 * best_common_shift(t, spans) > len(spans)


def is_clean(rec: dict[str, Any], text_counts: Counter) -> bool:
    """Every span inside the text, aligned, none overlapping, and the text the file's only copy."""
    t = rec.get("text") or ""
    sp = sorted((e["start"], e["end"]) for e in rec.get("entities") or [])
    return (text_counts[t] == 1 and all(0 <= s < e <= len(t) and aligned(t, s, e) for s, e in sp)
            and all(b[0] >= a[1] for a, b in zip(sp, sp[1:])))


def clean_records(recs: Sequence[dict[str, Any]]) -> list[tuple[str, list[SpanT]]]:
    """(text, spans) of the clean records (is_clean) of a canonical file: the corpus's raw material."""
    texts = Counter(r.get("text") for r in recs)
    return [(r["text"], sorted((e["start"], e["end"], e["label"]) for e in r.get("entities") or []))
            for r in recs if is_clean(r, texts)]


def salvage(recs: Sequence[dict[str, Any]], settings: Any) -> dict[str, Any]:
    """Defective records of a canonical file (its parsed records) before and after repair (see
    the module docstring)."""
    from ..jsonl import dump_lines
    from .batch import validate_batch

    texts = Counter(r.get("text") for r in recs)
    defective = {i + 1 for i, r in enumerate(recs) if not is_clean(r, texts)}  # 1-based lines, as the reader's
    # Each record gets the id line-<n> (the file's own ids are kept apart), so outcomes map back.
    body = dump_lines({**r, "id": f"line-{i + 1}"} for i, r in enumerate(recs))
    out = validate_batch([("salvage.jsonl", "real", body)], settings, run_gx=False)
    by_line = {int(r.id.split("-")[1]): r for r in out.accepted}
    quarantined = Counter(code for q in out.quarantined if q["line"] in defective for code in q["reasons"])
    cut = changed = off_first = 0
    repaired_spans = 0
    for a in out.audit:
        if a["new"] is None or a["line"] not in by_line:
            continue
        repaired_spans += 1
        rec = by_line[a["line"]]
        s, e = a["new"]
        if not is_word_aligned(rec.text, s, e):
            cut += 1
        others = {sp.label for sp in rec.entities if rec.text[sp.start:sp.end] == rec.text[s:e]}
        if others - {a["label"]}:
            changed += 1
        off_first += not first_mention_labelled(rec.text, [(sp.start, sp.end, sp.label) for sp in rec.entities],
                                                (s, e, a["label"]))
    accepted_defective = sum(ln in by_line for ln in defective)
    window = settings.validation.drift_window
    no_repair_texts = {recs[ln - 1].get("text") for ln in defective if not _repair_exists(recs[ln - 1], window)}
    unshared = {recs[ln - 1].get("text") for ln in defective if not _shares_text(recs[ln - 1])}
    unique_defective = len({recs[ln - 1].get("text") for ln in defective})
    return {
        "records": len(recs), "defective": len(defective), "defective_unique_texts": unique_defective,
        "clean_accepted": sum(ln in by_line for ln in range(1, len(recs) + 1) if ln not in defective),
        "defective_accepted_after_repair": accepted_defective,
        "salvaged_share": round(accepted_defective / len(defective), 4) if defective else 0.0,
        "salvaged_share_of_unique_texts": round(accepted_defective / unique_defective, 4) if unique_defective else 0.0,
        "defective_quarantined": len(defective) - accepted_defective,
        # distinct defective texts with a span that no shift within the window, trim or stem
        # puts on a plausible mention of its label: no repair exists that keeps words and labels
        "defective_unique_texts_without_any_repair": len(no_repair_texts),
        # distinct defective texts of which no single shift puts more than half the spans on
        # plausible mentions (best_common_shift): annotations of some other text, not drift
        "defective_unique_texts_not_sharing_their_text": len(unshared),
        "quarantined_by_reason": dict(sorted(quarantined.items())),
        "repairs_by_rule": out.report["repairs_by_rule"],
        "repaired_spans": repaired_spans, "repaired_spans_cutting_a_word": cut,
        "repaired_spans_changing_a_label": changed,
        # the surface occurs earlier, whole-word, without this label (not counted for VICTIM)
        "repaired_spans_off_first_mention": off_first,
    }


def first_mention_labelled(text: str, spans: Sequence[SpanT], span: SpanT) -> bool:
    """Is the first whole-word occurrence of the span's surface labelled with its label (or is
    the label VICTIM, which the convention does not cover)?"""
    from ..words import whole_word_occurrences

    s, e, label = span
    if label == "VICTIM":
        return True
    first = whole_word_occurrences(text, text[s:e])[:1]
    return bool(first) and (first[0][0], first[0][1], label) in set(spans)


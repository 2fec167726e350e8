"""`ner-pipeline repair-check`: the repair figures the README states (issue 17), counts only.

    repair-check [--synthetic N] [--seed S] [--dev PATH] [--json]

Builds the drift corpus (validate/drift_corpus.py) from N generated records and, with --dev,
the clean records of a real-style canonical JSONL file; validates it with the configured
settings and prints, per origin and pattern, how many cases were repaired and whether every
repaired span equals the original. With --dev it also prints the salvage of that file's
defective records (accepted after repair, spans that cut a word or change a label). No text
is printed. Exit 0 when every repaired span is right and no case with a visible defect was
accepted wrong (drift that left every span on plausible whole words cannot be seen), else 1.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

DEFAULT_SYNTHETIC = 300
DEFAULT_SEED = 17


def register(subparsers: Any) -> None:
    from ..cli_common import add_common

    p = subparsers.add_parser("repair-check", help="drift corpus with known truth, and the salvage of a real-style file",
                              description=__doc__.splitlines()[0])
    add_common(p)
    p.add_argument("--synthetic", type=int, default=DEFAULT_SYNTHETIC, help="generated records to damage")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--dev", type=Path, default=None,
                   help="a real-style canonical JSONL (e.g. ../shared/data/openchs_v1_dev.jsonl): its clean records "
                        "join the drift corpus and its defective ones are salvaged")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=run)


def compute(settings: Any, *, synthetic: int, seed: int, dev: Path | None) -> dict[str, Any]:
    from ..jsonl import read_file
    from ..synth.generator import generate
    from .drift_corpus import clean_records, figures, make_cases, run_cases, salvage

    sources = [("synthetic", r.text, [(s.start, s.end, s.label) for s in r.entities]) for r in generate(synthetic, seed)]
    recs: list[dict[str, Any]] = []
    if dev is not None:
        recs = read_file(dev)
        sources += [("dev_clean", t, sp) for t, sp in clean_records(recs)]
    result: dict[str, Any] = {"settings": {"synthetic": synthetic, "seed": seed, "dev": dev.name if dev else None,
                                           "drift_window": settings.validation.drift_window,
                                           "stem_labels": settings.validation.stem_labels},
                              "drift_corpus": figures(run_cases(make_cases(sources, seed), settings))}
    if dev is not None:
        result["salvage"] = salvage(recs, settings)
    return result


def run(args: argparse.Namespace) -> int:
    from ..cli_common import settings_from

    settings = settings_from(args).model_copy(deep=True)
    settings.validation.quarantine_rate_limit = 1.0  # figures per record: no file is rejected as a whole
    if args.dev is not None and not args.dev.is_file():
        print(f"repair-check: cannot read {args.dev}")
        return 2
    res = compute(settings, synthetic=args.synthetic, seed=args.seed, dev=args.dev)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(format_figures(res))
    total = res["drift_corpus"]["total"]
    detected_wrong = total["accepted_wrong"] - total["accepted_wrong_all_aligned"]
    return 0 if total["repaired_spans_right"] == total["repaired_spans"] and detected_wrong == 0 else 1


def format_figures(res: dict[str, Any]) -> str:
    rows = [f"{'drift corpus':<22} {'cases':>6} {'repaired':>9} {'share':>7} {'exact':>6} {'spans':>6} {'right':>6} "
            f"{'wrong acc.':>10} {'all aligned':>11} {'quarant.':>8}"]
    for name, f in res["drift_corpus"].items():
        rows.append(f"{name:<22} {f['cases']:>6} {f['repaired']:>9} {f['repaired_share']:>7.1%} {f['repaired_exact']:>6} "
                    f"{f['repaired_spans']:>6} {f['repaired_spans_right']:>6} {f['accepted_wrong']:>10} "
                    f"{f['accepted_wrong_all_aligned']:>11} {f['quarantined']:>8}")
    if "salvage" in res:
        s = res["salvage"]
        rows += ["", f"salvage of {res['settings']['dev']}: {s['records']} records, {s['defective']} defective "
                     f"({s['defective_unique_texts']} distinct texts), {s['clean_accepted']} clean accepted",
                 f"  defective accepted after repair: {s['defective_accepted_after_repair']} "
                 f"({s['salvaged_share']:.1%} of defective, {s['salvaged_share_of_unique_texts']:.1%} of distinct texts)",
                 f"  repaired spans: {s['repaired_spans']}, cutting a word: {s['repaired_spans_cutting_a_word']}, "
                 f"changing a label: {s['repaired_spans_changing_a_label']}, off the first mention: "
                 f"{s['repaired_spans_off_first_mention']}",
                 f"  repairs by rule: {s['repairs_by_rule']}",
                 f"  defective quarantined: {s['defective_quarantined']}, by reason: {s['quarantined_by_reason']}",
                 f"  distinct defective texts with a span no repair can place (no plausible mention of its label "
                 f"within {res['settings']['drift_window']} characters, trimmed or extended): "
                 f"{s['defective_unique_texts_without_any_repair']} of {s['defective_unique_texts']}",
                 f"  distinct defective texts of which no single shift puts more than half the spans on plausible "
                 f"mentions (annotations of another text, not drift): "
                 f"{s['defective_unique_texts_not_sharing_their_text']} of {s['defective_unique_texts']}"]
    return "\n".join(rows)

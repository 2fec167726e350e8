"""Regenerate the bad-input corpus and expected.json: `python tests/data/validate/make_corpus.py`.

Every record's expected outcome is keyed "file:line" (line = 1-based for JSONL, task index
for a JSON list export). Texts are invented; CANARY is a made-up name that appears only in
real-source texts, so a test can prove no text reaches reports, Data Docs or logs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CANARY = "Kqzvbnmyta"

expected: dict[str, dict] = {}


def sp(text: str, word: str, label: str, nth: int = 0, shift: int = 0, grow: int = 0) -> dict:
    i = [m.start() for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text)][nth]  # whole words only
    return {"start": i + shift, "end": i + len(word) + shift + grow, "label": label}


def expect(file: str, line: int, outcome: str, reasons=(), rules=(), rid=None) -> None:
    expected[f"{file}:{line}"] = {"outcome": outcome, "reasons": sorted(reasons), "rules": sorted(rules), "id": rid}


def jl(objs) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objs)


T1 = f"Hello, my name is Grace. I am calling about {CANARY} who is nine and lives in Kondoa, Dodoma."
T2 = f"The caller says {CANARY} was beaten by her stepfather. {CANARY} is scared and {CANARY} cries."
T3 = "Peace called from Kisumu about a girl of fourteen forced into early marriage."
T4 = "A boy called Amani, age twelve, works in a mine near Geita."


def real_canonical() -> None:
    f = "real/canonical_defects.jsonl"
    rows = []

    def add(obj, outcome, reasons=(), rules=()):
        rows.append(obj)
        expect(f, len(rows), outcome, reasons, rules, obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None)

    t = T1
    ok = [sp(t, "Grace", "NAME"), sp(t, CANARY, "VICTIM"), sp(t, "nine", "AGE"), sp(t, "Kondoa, Dodoma", "LOCATION")]
    add({"id": "c-accept", "text": t, "entities": ok}, "accepted")
    t = T1 + " Again."
    add({"id": "c-trim", "text": t, "entities": [sp(t, "Grace", "NAME", grow=1), sp(t, "nine", "AGE", shift=-1, grow=1)]},
        "repaired", rules=["trim_whitespace"])
    t = T1 + " Twice."
    add({"id": "c-dedupe", "text": t, "entities": [sp(t, "Grace", "NAME"), sp(t, "Grace", "NAME"), sp(t, "nine", "AGE")]},
        "repaired", rules=["drop_duplicate_span"])
    t = T2
    add({"id": "c-reanchor", "text": t, "entities": [sp(t, CANARY, "VICTIM"), sp(t, CANARY, "VICTIM", 1, shift=1),
                                                      sp(t, CANARY, "VICTIM", 2, shift=2), sp(t, "stepfather", "PERPETRATOR")]},
        "repaired", rules=["drift_surface"])
    t = T2 + " Later."
    add({"id": "c-unknown", "text": t, "entities": [sp(t, CANARY, "VICTIM"), {**sp(t, "stepfather", "X"), "label": "ORG"}]},
        "quarantined", ["unknown_label"])
    t = T2 + " Past end."
    add({"id": "c-oob", "text": t, "entities": [sp(t, CANARY, "VICTIM"), {"start": len(t) - 2, "end": len(t) + 5, "label": "NAME"}]},
        "quarantined", ["span_out_of_bounds"])
    t = T2 + " Reversed."
    add({"id": "c-reversed", "text": t, "entities": [{"start": 20, "end": 16, "label": "VICTIM"}]},
        "quarantined", ["span_out_of_bounds"])
    t = T3
    add({"id": "c-cut", "text": t, "entities": [sp(t, "Kisumu", "LOCATION", shift=2)]},  # no aligned evidence
        "quarantined", ["span_misaligned"])
    t = T3 + " Overlap."
    add({"id": "c-overlap", "text": t, "entities": [sp(t, "early marriage", "INCIDENT_TYPE"), sp(t, "marriage", "INCIDENT_TYPE")]},
        "quarantined", ["span_overlap"])
    add({"id": "c-dup", "text": "  " + T1.upper() + "  ", "entities": []}, "quarantined", ["duplicate_text"])  # normalised same as line 1
    add({"id": "c-empty", "text": "   ", "entities": []}, "quarantined", ["empty_text"])
    long_text = (f"{CANARY} said hello. " * 1100)[:20050]
    add({"id": "c-long", "text": long_text, "entities": [sp(long_text, CANARY, "VICTIM")]}, "quarantined", ["text_too_long"])
    t = T3 + " Many."
    add({"id": "c-multi", "text": t, "entities": [{**sp(t, "Peace", "NAME"), "label": "CALLER"}, {"start": 0, "end": 999, "label": "NAME"},
                                                 sp(t, "Kisumu", "LOCATION", shift=1)]},
        "quarantined", ["unknown_label", "span_out_of_bounds", "span_misaligned"])
    add({"id": "c-noents", "text": T4}, "accepted")  # no entities: fine unless require_entities
    # Schema problems.
    add({"id": "s-textnull", "text": None, "entities": []}, "quarantined", ["invalid_schema"])
    add({"id": "s-textnum", "text": 42}, "quarantined", ["invalid_schema"])
    add({"id": "s-entstr", "text": T3, "entities": "Peace"}, "quarantined", ["invalid_schema"])
    add({"id": "s-startnull", "text": T3, "entities": [{"start": None, "end": 5, "label": "NAME"}]}, "quarantined", ["invalid_schema"])
    add({"id": "s-startstr", "text": T3, "entities": [{"start": "0", "end": 5, "label": "NAME"}]}, "quarantined", ["invalid_schema"])
    add({"id": "s-startfloat", "text": T3, "entities": [{"start": 0.0, "end": 5, "label": "NAME"}]}, "quarantined", ["invalid_schema"])
    add({"id": "s-startbool", "text": T3, "entities": [{"start": False, "end": 5, "label": "NAME"}]}, "quarantined", ["invalid_schema"])
    add({"id": "s-nolabel", "text": T3, "entities": [{"start": 0, "end": 5}]}, "quarantined", ["invalid_schema"])
    add({"id": "s-meta", "text": T3, "entities": [], "meta": ["x"]}, "quarantined", ["invalid_schema"])
    add({"id": "s-source", "text": T3, "entities": [], "source": "scraped"}, "quarantined", ["invalid_schema"])
    add({"id": {"nested": 1}, "text": T3, "entities": []}, "quarantined", ["invalid_schema"])
    rows.append([T3]); expect(f, len(rows), "quarantined", ["invalid_schema"])
    rows.append("null"); expect(f, len(rows), "quarantined", ["invalid_schema"])
    rows.append('"just a string"'); expect(f, len(rows), "quarantined", ["invalid_schema"])
    rows.append('{"id": "j-trunc", "text": "' + CANARY + ' was hurt", "entities": [{"start": 0, "en'); expect(f, len(rows), "quarantined", ["invalid_json"])
    rows.append("{'single': 'quotes'}"); expect(f, len(rows), "quarantined", ["invalid_json"])
    rows.append('{"id": "s-surrogate", "text": "bad \\ud800 char", "entities": []}'); expect(f, len(rows), "quarantined", ["invalid_schema"])
    rows.append("[" * 100000); expect(f, len(rows), "quarantined", ["invalid_json"])  # nesting too deep
    # Whole words, but no AGE: an AGE span on "of" (validate/plausible.py).
    t = T3 + " Of age."
    add({"id": "c-implausible", "text": t, "entities": [sp(t, "Peace", "NAME"), sp(t, "of", "AGE")]},
        "quarantined", ["span_implausible"])
    (HERE / f).parent.mkdir(parents=True, exist_ok=True)
    (HERE / f).write_text(jl(rows), encoding="utf-8")


def real_encoding() -> None:
    # BOM + Windows line endings + a blank line: all records fine.
    f = "real/windows_bom.jsonl"
    t1, t2 = T4 + " Windows.", T3 + " Windows."
    recs = [{"id": "w-1", "text": t1, "entities": [sp(t1, "Amani", "VICTIM")]},
            {"id": "w-2", "text": t2, "entities": [sp(t2, "Peace", "NAME")]}]
    body = "\ufeff" + json.dumps(recs[0]) + "\r\n\r\n" + json.dumps(recs[1]) + "\r\n"
    (HERE / f).write_bytes(body.encode("utf-8"))
    expect(f, 1, "accepted", rid="w-1")
    expect(f, 3, "accepted", rid="w-2")
    # Non-UTF-8 bytes on one line: that line only is invalid_json.
    f = "real/bad_bytes.jsonl"
    t = T4 + " Bytes."
    good = json.dumps({"id": "b-1", "text": t, "entities": [sp(t, "Geita", "LOCATION")]}).encode()
    bad = b'{"id": "b-2", "text": "caf\xe9 ' + CANARY.encode() + b'", "entities": []}'
    (HERE / f).write_bytes(good + b"\n" + bad + b"\n")
    expect(f, 1, "accepted", rid="b-1")
    expect(f, 2, "quarantined", ["invalid_json"])
    (HERE / "real/empty.jsonl").write_bytes(b"")


def ls_task(tid, text, anns, preds=None, **extra):
    task = {"id": tid, "data": {"text": text}, "annotations": anns, **extra}
    if preds is not None:
        task["predictions"] = preds
    return task


def ls_ann(aid, results, updated=None, created=None, cancelled=False):
    a = {"id": aid, "result": results, "was_cancelled": cancelled}
    if updated:
        a["updated_at"] = updated
    if created:
        a["created_at"] = created
    return a


def ls_res(text, word, label, nth=0, shift=0):
    s = sp(text, word, label, nth, shift)
    return {"type": "labels", "from_name": "label", "to_name": "text",
            "value": {"start": s["start"], "end": s["end"], "text": text[s["start"]:s["end"]], "labels": [label]}}


def real_label_studio() -> None:
    f = "real/ls_export.json"
    t = [f"Counsellor Peace spoke to {CANARY} from Mwanza.", f"{CANARY} said the teacher hit her at Mlimani bus stand.",
         "Neema, aged seven, was left alone by her mother in Dodoma.", "A caller reported bullying at St. Joseph Primary School.",
         f"Emoji 😀 test: {CANARY} lives in Arusha.", "Joseph reports neglect of a boy in Tanga.", "Data without text field.",
         "Halima, eleven, is sad.", "Old export from Moshi, with Baraka.", "😀 a,b and more."]
    tasks = [
        # 0: one annotation, lowercase label mapped case-insensitively.
        ls_task(1, t[0], [ls_ann(11, [ls_res(t[0], "Peace", "name"), ls_res(t[0], CANARY, "Victim"), ls_res(t[0], "Mwanza", "LOCATION")],
                                 updated="2024-03-01T10:00:00Z")]),
        # 1: two annotations, the most recently updated (bad one is older) wins; predictions ignored.
        ls_task(2, t[1], [ls_ann(21, [ls_res(t[1], "teacher", "PERPETRATOR", shift=3)], updated="2024-03-01T10:00:00Z"),
                          ls_ann(22, [ls_res(t[1], CANARY, "VICTIM"), ls_res(t[1], "teacher", "PERPETRATOR"),
                                      ls_res(t[1], "Mlimani bus stand", "LANDMARK"), ls_res(t[1], "her", "GENDER")],
                                 updated="2024-03-02T09:00:00+00:00")],
                preds=[{"result": [ls_res(t[1], "hit", "ORG")]}]),
        # 2: newest annotation is cancelled; the older valid one is used; a mapped label ("Child" -> VICTIM).
        ls_task(3, t[2], [ls_ann(31, [ls_res(t[2], "Neema", "Child"), ls_res(t[2], "seven", "AGE")], created="2024-01-01T00:00:00Z"),
                          ls_ann(32, [ls_res(t[2], "mother", "ORG")], updated="2024-05-01T00:00:00Z", cancelled=True)]),
        # 3: only cancelled annotations -> no_annotation.
        ls_task(4, t[3], [ls_ann(41, [], cancelled=True)]),
        # 4: UTF-16 offsets after an emoji, proven by value.text -> converted, accepted.
        ls_task(5, t[4], [ls_ann(51, [{"type": "labels", "value": {"start": t[4].index(CANARY) + 1, "end": t[4].index(CANARY) + 1 + len(CANARY),
                                                                    "text": CANARY, "labels": ["VICTIM"]}},
                                      {"type": "choices", "value": {"choices": ["urgent"]}}])]),
        # 5: predictions only, no annotations -> no_annotation (predictions are never used).
        ls_task(6, t[5], [], preds=[{"result": [ls_res(t[5], "Joseph", "NAME")]}]),
        # 6: no data.text -> invalid_schema.
        {"id": 7, "data": {"transcript": t[6]}, "annotations": [ls_ann(71, [])]},
        # 7: unknown label -> unknown_label; annotation chosen by created_at fallback, tie broken by id.
        ls_task(8, t[7], [ls_ann(81, [ls_res(t[7], "Halima", "VICTIM")], created="2024-02-01T00:00:00Z"),
                          ls_ann(82, [ls_res(t[7], "Halima", "ORG")], created="2024-02-01T00:00:00Z")]),
        # 8: old "completions" export with epoch created_at.
        {"id": 9, "data": {"text": t[8]}, "completions": [{"id": 91, "created_at": 1609789589,
                                                          "result": [ls_res(t[8], "Moshi", "LOCATION"), ls_res(t[8], "Baraka", "NAME")]}]},
        # 9: after an emoji, no value.text, and both readings land on whole words ("," as code
        # points, "a" as UTF-16 code units): neither decides -> offsets_undecided.
        ls_task(10, t[9], [ls_ann(101, [{"type": "labels", "value": {"start": 3, "end": 4, "labels": ["NAME"]}}])]),
    ]
    (HERE / f).write_text(json.dumps(tasks, indent=1, ensure_ascii=False), encoding="utf-8")
    # 4: the UTF-16 reading is an audited repair (rule utf16_offsets).
    outcomes = [("accepted", []), ("accepted", []), ("accepted", []), ("quarantined", ["no_annotation"]),
                ("repaired", [], ["utf16_offsets"]), ("quarantined", ["no_annotation"]), ("quarantined", ["invalid_schema"]),
                ("quarantined", ["unknown_label"]), ("accepted", []), ("quarantined", ["offsets_undecided"])]
    for i, (o, r, *rules) in enumerate(outcomes):
        expect(f, i, o, r, rules[0] if rules else (), rid=f"ls-{tasks[i]['id']}")

    # JSONL of tasks, with a shifted span re-anchored.
    f = "real/ls_tasks.jsonl"
    a = f"{CANARY} told us {CANARY} is twelve."
    b = "Musa, the uncle, beats Amani in Kigoma."
    rows = [ls_task(101, a, [ls_ann(1, [ls_res(a, CANARY, "VICTIM"), ls_res(a, CANARY, "VICTIM", 1, shift=-1), ls_res(a, "twelve", "AGE")])]),
            ls_task(102, b, [ls_ann(2, [ls_res(b, "uncle", "PERPETRATOR"), ls_res(b, "Amani", "VICTIM"), ls_res(b, "Kigoma", "LOCATION")])])]
    (HERE / f).write_text(jl(rows), encoding="utf-8")
    expect(f, 1, "repaired", rules=["drift_surface"], rid="ls-101")
    expect(f, 2, "accepted", rid="ls-102")

    # A truncated JSON list export: the complete tasks count, the rest is one invalid_json record.
    f = "real/ls_truncated.json"
    c = "Rehema is only thirteen."
    full = [ls_task(201, c, [ls_ann(1, [ls_res(c, "Rehema", "VICTIM"), ls_res(c, "thirteen", "AGE")])]),
            ls_task(202, T4, [ls_ann(2, [ls_res(T4, "Amani", "VICTIM")])])]
    body = json.dumps(full, indent=1)
    (HERE / f).write_text(body[: body.rindex('"Amani"') + 3], encoding="utf-8")
    expect(f, 0, "accepted", rid="ls-201")
    expect(f, 1, "quarantined", ["invalid_json"])


def synthetic() -> None:
    # Duplicate text across files: the first file's copy wins.
    shared = "Synthetic call: Zawadi, aged ten, from Mbeya reports child labour."
    ents = [sp(shared, "Zawadi", "VICTIM"), sp(shared, "ten", "AGE"), sp(shared, "Mbeya", "LOCATION"), sp(shared, "child labour", "INCIDENT_TYPE")]
    other = "Synthetic call: Juma from Iringa reports neglect."
    f1, f2 = "synthetic/batch_a.jsonl", "synthetic/batch_b.jsonl"
    (HERE / f1).parent.mkdir(parents=True, exist_ok=True)
    (HERE / f1).write_text(jl([{"id": "sa-1", "text": shared, "entities": ents, "source": "synthetic"}]), encoding="utf-8")
    (HERE / f2).write_text(jl([{"id": "sb-1", "text": shared, "entities": ents},
                               {"id": "sb-2", "text": other, "entities": [sp(other, "Juma", "NAME"), sp(other, "Iringa", "LOCATION")]}]),
                           encoding="utf-8")
    expect(f1, 1, "accepted", rid="sa-1")
    expect(f2, 1, "quarantined", ["duplicate_text"])
    expect(f2, 2, "accepted", rid="sb-2")


if __name__ == "__main__":
    real_canonical()
    real_encoding()
    real_label_studio()
    synthetic()
    (HERE / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(expected)} records")

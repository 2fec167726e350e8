"""Synthetic helpline conversation generator (plain Python: no torch/transformers import).

    from ner_pipeline.synth import generate, write_jsonl, stats
    records = generate(2000, seed=7)            # list[Record], source "synthetic"
    write_jsonl(records, "synthetic.jsonl")     # canonical JSONL, byte-identical per seed+options
    stats(records)                              # label shares, distinct surfaces, lengths, ...

    ner-pipeline synth --n 2000 --seed 7 --out synthetic.jsonl
    ner-pipeline synth --stats synthetic.jsonl --tokenizer packaged

Modules: vocab_people / vocab_places / vocab_case (curated names, real places of TZ/KE/UG,
landmarks, phones, incidents), templates (what people say, by beat), speech (the compiled
template pools, the spoken register), cast (who and what a call is about) and draw (distinct
names, places, landmarks, phones), call (one call's state: slot -> labelled mention) with
people and facts (its mentions of people and of the case's facts), script (order of beats,
length), render (template parsing, offset-tracking builder), generator (quotas, lengths,
dedupe), checks (completeness and span checks every record passes), stats, io, commands (CLI).

Label decisions beyond LABELS.md (see call.py): "the" is inside a PERPETRATOR role span
("the teacher"), other determiners outside ("her stepfather"); a role/kinship word before the
name joins the span ("uncle Musa"), honorifics never ("Mr. Otieno" -> "Otieno"); a
comma-joined chain of places is one LOCATION ("Kibaoni, Kondoa, Dodoma"), words like
district/region/village stay outside; incident spans are nominal ("child labour", "sad"),
descriptive verbs stay unlabelled; pronouns are used for other people only when they can
never be the child's, so every he/she/her/... that is left unlabelled is someone else.
"""

from .generator import generate
from .io import read_jsonl, write_jsonl
from .stats import stats

__all__ = ["generate", "read_jsonl", "stats", "write_jsonl"]

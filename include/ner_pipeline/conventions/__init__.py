"""Annotation conventions of a dataset, measured: counts and rates, never transcript text.

`measure(records)` says how a dataset's annotators label the hard cases of LABELS.md, in a
form the generator can follow (`synth --conventions FILE`) and validation can compare between
sources. The conventions file (version 1):

    version: 1
    n_records: int
    labels:            # every label
      LABEL: {spans, determiner_start_share, repeat_mention_coverage (null: no repeats),
              single_span_share, first_occurrence_share, length_words: {p50, p90, max}}
    gender_pronouns: {rule, pronouns, labelled, labelled_first_share, labelled_without_noun_share}
    child_caller_name: {label (NAME | VICTIM | null), records, NAME, VICTIM}
    surface_rates:     # label -> lexicon word -> {labelled, occurrences, rate, records, records_labelled, record_rate}
      INCIDENT_TYPE: {sad: {labelled: 13, occurrences: 32, rate: 0.406, records: 30, ...}, ...}

Definitions (words are runs of letters/digits, compared case-insensitively):
- determiner_start_share: spans whose first word is a determiner or possessive (DETERMINERS)
  and that go on past it, or that are only an article/demonstrative ("the" alone). A lone
  "her"/"his" is a pronoun (a GENDER span), not a determiner start.
- repeat_mention_coverage: per record, every surface the label marks (exact text) that occurs
  two or more times as whole words; the share of those occurrences that lie inside a span.
  Pronouns are left out (they are labelled only when they refer to the child). For names this
  measures annotation gaps; for roles, ages and places a repeat can be another referent ("12"
  the age and "12" days), so their coverage is lower by nature.
- single_span_share: of the records with a span of the label, the share with exactly one (the
  dev data: 1.0 for INCIDENT_TYPE, PERPETRATOR and GENDER, always the surface's first
  occurrence, 0.95 for LOCATION; NAME is labelled at every mention).
- first_occurrence_share: spans that lie at the first whole-word, case-sensitive occurrence of
  their own surface in the text. The dev data: 1.0 for every label but the names (NAME 0.5,
  VICTIM 0.2): its annotations were placed by searching for the first occurrence of a value, so
  a role word is labelled where it first appears, whatever it means there.
- gender_pronouns: he/she/him/her/his as whole words. `labelled`: covered exactly by a GENDER
  span; `labelled_first_share`: of those, the record's first pronoun; `labelled_without_noun_share`:
  of those, in a record with no GENDER span on a word other than a pronoun. The rule, in order:
  none when nothing is labelled; all when at least RULE_ALL_SHARE of pronouns are labelled;
  first_when_no_noun when both shares are at least RULE_FIRST_SHARE; none when fewer than
  RULE_NONE_SHARE of pronouns are labelled (stray labels); mixed otherwise. (Dev data: 90 of
  1,532 labelled, 88 of them first, all without a noun: first_when_no_noun.)
- surface_rates: only words of the fixed lexicon (lexicon()), never a word merely found in the data
  (that could be a child's name). `occurrences`: whole-word, case-insensitive; `labelled`: those
  covered exactly by a span of that label. `records`: records where the word occurs;
  `records_labelled`: those where one of its occurrences is labelled; `record_rate` their share,
  the rate that matters for a label marked once per record (dev data: "teacher" 0.43 of
  records, 0.19 of occurrences). The file keeps the words labelled sometimes or never
  (occurrences > labelled); comparisons between sources use every word (all_surfaces=True).

- child_caller_name: records where a child states their own age ("I'm 10 years old": an AGE
  span right after I'm/I am) within CALLER_NAME_WINDOW characters after introducing themselves
  ("I'm Maria", "my name is Maria": a NAME/VICTIM span); the label of that name, per record.
  `label` is the one at least RULE_FIRST_SHARE of them agree on, else null. The dev data: NAME in
  160 of 161, where the guide says VICTIM.

A record that breaks the data contract (a span out of range, cutting a word, or overlapping
another) is skipped and counted, never measured: its offsets say nothing about conventions.
"""

from .compare import comparable
from .files import REQUIRED_KEYS, check, load, load_records, loads, save
from .lexicon import DETERMINERS, GENDER_PRONOUNS, lexicon
from .snapshot import GENERATION_SPLITS, SourceTallies, for_generation, tally_snapshot
from .tally import (CALLER_NAME_WINDOW, RULE_ALL_SHARE, RULE_FIRST_SHARE, RULE_NONE_SHARE, VERSION,
                    ConventionTally, measure, pronoun_rule, usable)

__all__ = [
    "CALLER_NAME_WINDOW", "DETERMINERS", "GENDER_PRONOUNS", "GENERATION_SPLITS", "REQUIRED_KEYS",
    "RULE_ALL_SHARE", "RULE_FIRST_SHARE", "RULE_NONE_SHARE", "VERSION", "ConventionTally", "SourceTallies",
    "check", "comparable", "for_generation", "lexicon", "load", "load_records", "loads", "measure",
    "pronoun_rule", "save", "tally_snapshot", "usable",
]

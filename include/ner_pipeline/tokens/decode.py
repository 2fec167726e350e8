"""The one decoding rule: per-token predicted tags -> character spans.

Used by everything that turns model output into spans: `ner-pipeline predict` and the
evaluate task's scored predictions (evaluate/predict.py), the trainer's validation scores, and
pre-annotation. It mirrors what the consumer's stock transformers pipeline does
(token_classification.py, the same grouping in 4.53.3 and 5.x), so what is scored is what is
served; the serving check (evaluate/serving.py) measures that it is:

1. A word's tag is the tag predicted on its first sub-token (align.py's ownership rule):
   the pipeline's `aggregation_strategy="first"`. Training labels every sub-token (B- on the
   first piece, I- of the same type on the rest: `training.label_all_subtokens`), so `simple`
   (token by token) and `max` (the surest piece) read the same tag off every piece and agree.
   Words are records.words; the pipeline's (a piece without "##" starts one) differ only inside
   a run of word characters that the tokenizer splits ("snake_case", CJK), where they agree as
   long as the model tags the pieces alike, which is what it was trained to do.
2. Words group into entities as the pipeline's `group_entities` groups them: B-X always opens
   a new X entity; I-X continues the open entity only when it is an X, otherwise it opens a new
   X entity (a stray I- after O, or B-VICTIM then I-NAME on a surname, gives a NAME span of its
   own); O closes. Continuing the open entity across a type change instead (estimated +0.07 F1
   on NAME/VICTIM) is a rule the stock pipeline cannot apply, so the consumer would not see it.
3. No span is dropped or trimmed after grouping, not even one that is only a stopword ("the"):
   the stock pipeline has no such filter, so a filter here would hide from the scores exactly
   what the consumer is served. Those spans are kept out by training (no gold span is a lone
   stopword: LABELS.md, validate/plausible.py) and counted by the serving check
   (`stopword_only`); as false positives they also cost precision in the scores.
"""

from __future__ import annotations

from typing import Sequence

from ..records import Span
from .align import word_tags_from_tokens
from .encoding import EncodedText, Window
from .windows import merge_window_predictions


def word_tags_to_spans(word_offsets: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[Span]:
    """IOB2 word tags -> character spans, grouped by rule 2 of the module docstring."""
    spans: list[Span] = []
    cur_label: str | None = None
    cur_start = cur_end = 0
    for (ws, we), tag in zip(word_offsets, tags):
        if tag == "O" or "-" not in tag:
            if cur_label is not None:
                spans.append(Span(cur_start, cur_end, cur_label))
            cur_label = None
            continue
        prefix, label = tag.split("-", 1)
        if prefix == "I" and cur_label == label:
            cur_end = we
            continue
        if cur_label is not None:
            spans.append(Span(cur_start, cur_end, cur_label))
        cur_label, cur_start, cur_end = label, ws, we
    if cur_label is not None:
        spans.append(Span(cur_start, cur_end, cur_label))
    return spans


def decode_spans(enc: EncodedText, token_tag_ids: Sequence[int], id2label: dict[int, str]) -> list[Span]:
    """A whole text's merged per-token predicted ids -> character spans (rules 1 and 2)."""
    token_tags = [id2label.get(int(t), "O") for t in token_tag_ids]
    return word_tags_to_spans(enc.word_offsets, word_tags_from_tokens(enc.owned, enc.word_offsets, token_tags))


def windows_of_texts(n_texts: int, windows: Sequence[Window]) -> list[list[int]]:
    """Per text, the indexes of its windows, in order."""
    per_text: list[list[int]] = [[] for _ in range(n_texts)]
    for w_i, win in enumerate(windows):
        per_text[win.text_index].append(w_i)
    return per_text


def decode_window_predictions(encoded: Sequence[EncodedText], windows: Sequence[Window],
                              window_preds: Sequence[Sequence[int]], id2label: dict[int, str]) -> list[list[Span]]:
    """Merge each text's window predictions (most context wins) and decode to spans."""
    spans = []
    for enc, ws in zip(encoded, windows_of_texts(len(encoded), windows)):
        merged = merge_window_predictions(len(enc), [(windows[w].start, windows[w].end) for w in ws],
                                          [window_preds[w] for w in ws])
        spans.append(decode_spans(enc, merged, id2label))
    return spans

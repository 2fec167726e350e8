"""Map between words (records.words) and sub-word tokens, through character offsets only.

Pure functions, no tokenizer import: the caller passes each token's (start, end) character
offsets (the fast tokenizer's offset_mapping). Offsets are the only thing two tokenizers have in
common, so labels and predictions both go through the words of `records.words`; that is what
makes metrics comparable across models.

Ownership rule, used the same way for training labels and for decoding predictions:
- a token belongs to the word that contains its first character;
- a word's *first token* is the first token overlapping it; the word *owns* that token when the
  token also belongs to it. Only owned first tokens carry the word's tag (B-/I- from
  spans_to_word_tags); later tokens of the word are continuations.
- a word with no owned token (a combining accent the tokenizer dropped, a zero-width character
  glued into a neighbour's token) continues the entity of the word it is glued to, or is O.
"""

from __future__ import annotations

import bisect
from typing import Mapping, Sequence

from ..records import TAG2ID

IGNORE = -100  # label id PyTorch's cross-entropy skips

Offsets = Sequence[tuple[int, int]]


def token_words(token_offsets: Offsets, word_offsets: Offsets) -> list[int]:
    """Word index of each token (the word holding its first character), -1 for none."""
    starts = [s for s, _ in word_offsets]
    out: list[int] = []
    for ts, te in token_offsets:
        if te <= ts:  # special or empty token
            out.append(-1)
            continue
        i = bisect.bisect_right(starts, ts) - 1
        if i >= 0 and ts < word_offsets[i][1]:
            out.append(i)
        elif i + 1 < len(word_offsets) and word_offsets[i + 1][0] < te:
            out.append(i + 1)  # token starts in whitespace (some BPE offsets) and reaches a word
        else:
            out.append(-1)
    return out


def word_first_tokens(token_offsets: Offsets, word_offsets: Offsets) -> list[int]:
    """Index of the first token overlapping each word, -1 for a word no token covers."""
    starts = [s for s, _ in word_offsets]
    first = [-1] * len(word_offsets)
    for t, (ts, te) in enumerate(token_offsets):
        if te <= ts:
            continue
        i = max(bisect.bisect_right(starts, ts) - 1, 0)
        while i < len(word_offsets) and word_offsets[i][0] < te:
            if word_offsets[i][1] > ts and first[i] < 0:
                first[i] = t
            i += 1
    return first


def owned_first_tokens(tok_words: Sequence[int], first_tokens: Sequence[int]) -> list[int]:
    """Per word: its first token when the word owns it, else -1 (see module docstring)."""
    return [t if t >= 0 and tok_words[t] == w else -1 for w, t in enumerate(first_tokens)]


def continuation_tag(tag: str) -> str:
    return "O" if tag == "O" else "I-" + tag.split("-", 1)[1]


def token_label_ids(
    tok_words: Sequence[int],
    owned: Sequence[int],
    word_tags: Sequence[str],
    *,
    label_all_subtokens: bool = False,
    tag2id: Mapping[str, int] = TAG2ID,
) -> list[int]:
    """Label id per token: the word's tag on its owned first token; continuation tokens get
    IGNORE (label_all_subtokens=False) or the word's I- tag (True); tokens in no word, IGNORE."""
    labels: list[int] = []
    for t, w in enumerate(tok_words):
        if w < 0:
            labels.append(IGNORE)
        elif owned[w] == t:
            labels.append(tag2id[word_tags[w]])
        elif label_all_subtokens:
            labels.append(tag2id[continuation_tag(word_tags[w])])
        else:
            labels.append(IGNORE)
    return labels


def word_tags_from_tokens(owned: Sequence[int], word_offsets: Offsets, token_tags: Sequence[str]) -> list[str]:
    """Decode: each word takes the tag predicted on its owned first token; a word without one
    continues the entity of the word it is glued to (no whitespace between), else O."""
    tags: list[str] = []
    for w, t in enumerate(owned):
        if t >= 0:
            tags.append(token_tags[t])
        elif w > 0 and word_offsets[w][0] == word_offsets[w - 1][1]:
            tags.append(continuation_tag(tags[-1]))
        else:
            tags.append("O")
    return tags

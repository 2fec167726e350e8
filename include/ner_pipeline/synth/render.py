"""Template parsing and offset-tracking text assembly.

Offsets are correct by construction: text is only ever appended through `Builder.add`, which
records a span for every labelled segment at the position it is written. Nothing searches the
finished text for mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from random import Random
from typing import Callable, Iterable

# One piece of output: (text, label or None, kind). `kind` says what the generator meant
# ("name", "role", "pronoun", ...); it travels to the optional trace for tests.
Segment = tuple[str, "str | None", "str | None"]

_SLOT_RE = re.compile(r"\{(\w+)\}")
_WORD_RE = re.compile(r"\w+")


def slot_key(name: str) -> str:
    """{She} and {she} resolve the same slot; the capital only asks for a sentence start."""
    return name[0].lower() + name[1:]


# A parsed turn: literal strings, ("s", slot name), ("a", options) for [a|b], ("g", sg, pl).
_TOKEN_RE = re.compile(r"\[([^\[\]]*)\]|<([^<>|]*)\|([^<>]*)>|\{(\w+)\}")


def parse_parts(text: str) -> tuple:
    items: list = []
    pos = 0
    for m in _TOKEN_RE.finditer(text):
        if m.start() > pos:
            items.append(text[pos:m.start()])
        if m.group(1) is not None:
            if "<" in m.group(1) or ">" in m.group(1):
                raise ValueError(f"agreement inside an alternative is not supported: {text!r}")
            items.append(("a", tuple(parse_parts(o) for o in m.group(1).split("|"))))
        elif m.group(2) is not None:
            items.append(("g", m.group(2), m.group(3)))
        else:
            items.append(("s", m.group(4)))
        pos = m.end()
    if pos < len(text):
        items.append(text[pos:])
    return tuple(items)


@dataclass(frozen=True)
class Turn:
    speaker: str  # "C" counsellor, "K" caller
    text: str
    parts: tuple


@dataclass(frozen=True)
class Exchange:
    """One pool entry: a few turns, the slots it needs, and its literal words (lower case)."""

    source: str
    turns: tuple[Turn, ...]
    slots: frozenset[str]
    words: frozenset[str]


def parse_exchange(source: str) -> Exchange:
    turns = []
    for part in source.split("||"):
        part = part.strip()
        speaker, sep, text = part.partition(":")
        if not sep or speaker not in ("C", "K") or not text:
            raise ValueError(f"bad turn {part!r} in template {source!r}")
        turns.append(Turn(speaker, text, parse_parts(text)))
    slots = frozenset(slot_key(m) for m in _SLOT_RE.findall(source))
    literal = _SLOT_RE.sub(" ", source)
    literal = re.sub(r"[\[\]<>|]", " ", literal)
    literal = re.sub(r"(^|\|\|)\s*[CK]:", " ", literal)
    words = frozenset(w.lower() for w in _WORD_RE.findall(literal) if w not in ("C", "K"))
    return Exchange(source, tuple(turns), slots, words)


def compile_pool(entries: Iterable[str]) -> tuple[Exchange, ...]:
    return tuple(parse_exchange(e) for e in entries)


def render_parts(parts: tuple, rng: Random, plural: bool, resolve: Callable[[str], list[Segment]],
                 out: list[Segment]) -> list[Segment]:
    """Literal text and resolved slots, in order. A capitalised slot name capitalises its
    first character (the label and offsets are unaffected: same length)."""
    for item in parts:
        if type(item) is str:
            out.append((item, None, None))
            continue
        tag = item[0]
        if tag == "s":
            name = item[1]
            segs = resolve(slot_key(name))
            if segs and name[0].isupper():
                t, lab, kind = segs[0]
                segs = [(t[:1].upper() + t[1:], lab, kind)] + segs[1:]
            out.extend(segs)
        elif tag == "a":
            render_parts(rng.choice(item[1]), rng, plural, resolve, out)
        else:
            out.append((item[2] if plural else item[1], None, None))
    return out


@dataclass
class Builder:
    """Appends text and records spans as (start, end, label, surface, kind)."""

    parts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str, str, str]] = field(default_factory=list)
    length: int = 0

    def add(self, text: str, label: str | None = None, kind: str | None = None) -> None:
        n = len(text)
        if label is not None:
            if not n or text[0].isspace() or text[-1].isspace():
                raise ValueError(f"span surface {text!r} is empty or has edge whitespace")
            self.spans.append((self.length, self.length + n, label, text, kind or ""))
        self.parts.append(text)
        self.length += n

    def text(self) -> str:
        return "".join(self.parts)

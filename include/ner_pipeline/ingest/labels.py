"""Configurable label-name mapping (Label Studio projects name labels their own way)."""

from __future__ import annotations

from ..records import LABELS


class LabelMapper:
    """Maps an input label to a canonical one; unknown names pass through unchanged so the
    validator reports them as unknown_label instead of them silently disappearing."""

    def __init__(self, mapping: dict[str, str] | None = None, case_insensitive: bool = True) -> None:
        self.case_insensitive = case_insensitive
        table = {lab: lab for lab in LABELS}  # canonical names always map to themselves
        table.update(mapping or {})
        self._table = {self._key(k): v for k, v in table.items()}
        self._seen: dict[str, str] = {}  # memo: a file repeats the same few label names

    def _key(self, name: str) -> str:
        name = name.strip()
        return name.casefold() if self.case_insensitive else name

    def __call__(self, label: str) -> str:
        out = self._seen.get(label)
        if out is None:
            out = self._seen[label] = self._table.get(self._key(label), label)
        return out

    @classmethod
    def from_settings(cls, settings) -> "LabelMapper":
        vs = settings.validation
        return cls(vs.label_mapping, vs.label_mapping_case_insensitive)

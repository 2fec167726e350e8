"""Counters with the accounting identity: accepted + repaired + quarantined == records_read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    records_read: int = 0
    accepted: int = 0  # accepted as is
    repaired: int = 0  # accepted after at least one audited repair
    quarantined: int = 0
    quarantined_by_reason: Counter = field(default_factory=Counter)  # records per code
    repaired_by_rule: Counter = field(default_factory=Counter)  # records per rule
    repairs_by_rule: Counter = field(default_factory=Counter)  # individual changes per rule

    def add_accepted(self, repairs: list[dict[str, Any]]) -> None:
        self.records_read += 1
        if repairs:
            self.repaired += 1
            rules = Counter(r["rule"] for r in repairs)
            self.repaired_by_rule.update(rules.keys())
            self.repairs_by_rule.update(rules)
        else:
            self.accepted += 1

    def add_quarantined(self, reasons: list[str]) -> None:
        self.records_read += 1
        self.quarantined += 1
        self.quarantined_by_reason.update(set(reasons))

    def merge(self, other: "Tally") -> None:
        for name in ("records_read", "accepted", "repaired", "quarantined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.quarantined_by_reason.update(other.quarantined_by_reason)
        self.repaired_by_rule.update(other.repaired_by_rule)
        self.repairs_by_rule.update(other.repairs_by_rule)

    @property
    def balanced(self) -> bool:
        return self.accepted + self.repaired + self.quarantined == self.records_read

    def counts(self) -> dict[str, int]:
        return {"records_read": self.records_read, "accepted": self.accepted,
                "repaired": self.repaired, "quarantined": self.quarantined}

    def as_dict(self) -> dict[str, Any]:
        return {**self.counts(),
                "quarantined_by_reason": dict(sorted(self.quarantined_by_reason.items())),
                "repaired_by_rule": dict(sorted(self.repaired_by_rule.items())),
                "repairs_by_rule": dict(sorted(self.repairs_by_rule.items()))}

"""Error types the owners below stages raise. This module imports nothing of the project, so
snapshots.py (and any other owner) can raise a stage's error without importing stages.py."""

from __future__ import annotations


class StageError(RuntimeError):
    """A stage could not do its job; the message names what and why (never record text)."""


class SnapshotError(StageError):
    """A dataset snapshot is incomplete, does not match its manifest, or its pointer moved."""


class RegistryError(RuntimeError):
    """The registry refused an operation (incomplete input, unknown version, unblessed model)."""


class ChampionChanged(RuntimeError):
    """The champion pointer moved between reading it and writing it: another writer won."""

    def __init__(self, expected: str | None, found: str | None) -> None:
        self.expected, self.found = expected, found
        super().__init__(f"champion changed under me: expected {expected or 'no champion'}, "
                         f"found {found or 'no champion'}")


class PreconditionFailed(RuntimeError):
    """A conditional write lost: the object changed (or appeared) under us."""


class ConditionalWritesIgnored(RuntimeError):
    """The S3 server accepts If-Match / If-None-Match and ignores them: every pointer there
    would be last-writer-wins, so the registry and the dataset pointer refuse to run on it."""

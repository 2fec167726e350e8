"""Error types the owners below stages raise. This module imports nothing of the project, so
snapshots.py (and any other owner) can raise a stage's error without importing stages.py."""

from __future__ import annotations


class StageError(RuntimeError):
    """A stage could not do its job; the message names what and why (never record text)."""


class SnapshotError(StageError):
    """A dataset snapshot is incomplete, does not match its manifest, or its pointer moved."""

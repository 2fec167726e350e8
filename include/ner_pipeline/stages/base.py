"""What every stage shares: the store it works against."""

from __future__ import annotations

from ..config import Settings
from ..storage import ObjectStore


def store_of(settings: Settings, store: ObjectStore | None) -> ObjectStore:
    """The store a stage was given (the DAG's task, a test's fake), else the configured one."""
    return store if store is not None else ObjectStore(settings)

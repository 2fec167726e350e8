"""The one timestamp format every stored record uses (UTC, seconds, "Z"): pointers, markers,
history lines, approval requests and run summaries."""

from __future__ import annotations

from datetime import datetime, timezone

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def iso(ts: datetime) -> str:
    """`ts` as stored (a UTC clock's reading; no conversion)."""
    return ts.strftime(ISO_FORMAT)

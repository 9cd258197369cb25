"""The one clock. Tests and test-mode journeys move it; everything else reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC) + self._offset

    def freeze(self, at: datetime) -> None:
        self._frozen = at

    def advance(self, delta: timedelta) -> None:
        if self._frozen is not None:
            self._frozen += delta
        else:
            self._offset += delta

    def reset(self) -> None:
        self._offset, self._frozen = timedelta(0), None


clock = Clock()


def utcnow() -> datetime:
    return clock.now()


def as_utc(moment: datetime) -> datetime:
    """A time without a zone is UTC, as everywhere in the database (never the server's zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

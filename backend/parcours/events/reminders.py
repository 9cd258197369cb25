"""Reminder offsets, ISO 8601 durations before the start ("P7D", "P1D", "PT1H"), and which
reminder a registrant is due (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

MAX_REMINDERS = 5
LONGEST = timedelta(days=365)
# Weeks, days, hours and minutes only: months and years have no fixed length.
_DURATION = re.compile(r"^P(?:(\d{1,4})W)?(?:(\d{1,4})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?)?$")


def offset(text: str) -> timedelta | None:
    found = _DURATION.match(text)
    if found is None or text.endswith("T"):
        return None
    weeks, days, hours, minutes = (int(part or 0) for part in found.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)


def problem(values: Sequence[str]) -> str | None:
    if len(values) > MAX_REMINDERS:
        return f"At most {MAX_REMINDERS} reminders."
    for value in values:
        delta = offset(value)
        if delta is None:
            return f'"{value}" is not a duration such as P7D, P1D or PT1H (weeks, days, hours, minutes).'
        if delta <= timedelta(0) or delta > LONGEST:
            return f'"{value}" must be more than nothing and at most {LONGEST.days} days.'
    return None


def normalized(values: Sequence[str]) -> list[str]:
    """Each offset once (P1D and PT24H are the same), the earliest reminder first."""
    by_delta = {offset(value): value for value in reversed(values)}
    return [by_delta[delta] for delta in sorted((d for d in by_delta if d is not None), reverse=True)]


def due(offsets: Sequence[str], starts_at: datetime, confirmed_at: datetime, now: datetime) -> str | None:
    """The reminder to send now, or None: the latest one whose moment has passed (after a pause of
    the worker, one reminder, not every one missed), only to someone who had their seat by then
    (the confirmation they just received says it all), never once the event has started."""
    if now >= starts_at:
        return None
    passed = [(delta, value) for value in offsets if (delta := offset(value)) is not None and starts_at - delta <= now]
    if not passed:
        return None
    delta, value = min(passed)
    return value if confirmed_at <= starts_at - delta else None

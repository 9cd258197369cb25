"""When a failed webhook delivery is tried again: exponential backoff for a day, then it fails."""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(hours=24)


def next_attempt(created_at: datetime, attempts: int, now: datetime) -> datetime | None:
    """The moment of the next try after `attempts` failed ones (1 min, 2, 4… at most 6 h apart),
    or None when it would fall more than a day after the delivery was created."""
    delay = min(FIRST_DELAY * 2 ** max(attempts - 1, 0), LONGEST_DELAY)
    due = now + delay
    return due if due <= created_at + GIVE_UP_AFTER else None

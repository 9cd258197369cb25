"""When a message that failed for a while (greylisting, a server down) is tried again. Pure."""

from __future__ import annotations

from datetime import timedelta

LONGEST_WAIT = timedelta(hours=6)


def next_wait(attempts: int, most: int, first: float) -> timedelta | None:
    """The wait before the next try after `attempts` tries (first, twice that, four times…, at
    most LONGEST_WAIT apart), or None when the `most` tries allowed were made."""
    if attempts >= most:
        return None
    return min(timedelta(seconds=first * 2 ** max(attempts - 1, 0)), LONGEST_WAIT)

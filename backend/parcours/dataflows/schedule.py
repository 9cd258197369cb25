"""When a flow runs next: its schedule in the organization's time zone, and the retry after a failure.

Pure: moments in, moments out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# A failing flow is tried again after 1, 2, 4... minutes, at most an hour apart.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


def next_run(after: datetime, frequency: str, time_of_day: str, zone: str) -> datetime:
    """The first scheduled moment strictly after `after`: the next full hour (hourly), or the next
    HH:MM on the organization's wall clock (daily)."""
    if frequency == "hourly":
        return after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    tz = ZoneInfo(zone)
    hour, minute = (int(part) for part in time_of_day.split(":"))
    local = after.astimezone(tz)
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    while candidate <= local:
        # Across a change of clocks, add a day of the wall clock, not 24 hours.
        candidate = (candidate.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=tz)
    return candidate.astimezone(after.tzinfo)


def retry_after(failures: int) -> timedelta:
    """How long a source that failed `failures` times in a row waits before the next try."""
    doubled: timedelta = FIRST_RETRY * 2 ** min(max(0, failures - 1), 12)
    return min(LONGEST_RETRY, doubled)

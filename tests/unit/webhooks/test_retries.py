"""A failed webhook delivery is tried again 1, 2, 4… minutes later, at most 6 hours apart, and
given up once the next try would fall more than a day after the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from parcours.webhooks.retries import next_attempt

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def schedule() -> list[datetime]:
    tries, now = [START], START
    while (due := next_attempt(START, len(tries), now)) is not None:
        tries.append(due)
        now = due
    return tries


def test_the_delays_double_up_to_six_hours() -> None:
    gaps = [b - a for a, b in pairwise(schedule())]
    assert gaps[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert all(later >= earlier for earlier, later in pairwise(gaps))
    assert max(gaps) == timedelta(hours=6)


def test_retries_stop_within_a_day() -> None:
    tries = schedule()
    assert tries[-1] <= START + timedelta(hours=24) < tries[-1] + timedelta(hours=6)
    assert len(tries) == 12


def test_a_late_failure_is_not_retried() -> None:
    assert next_attempt(START, 1, START + timedelta(hours=23, minutes=59, seconds=30)) is None
    assert next_attempt(START, 1, START + timedelta(hours=23, minutes=58)) == START + timedelta(hours=23, minutes=59)

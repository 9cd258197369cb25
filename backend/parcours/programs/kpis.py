"""The KPI catalogue of programs, and the arithmetic of a program's progress (pure: no I/O).

Every KPI is a sum over the program's period so far, sometimes divided by another: its value at
the end of a month is counted from the program's first day to that month's last day, which makes
the series a climb towards the target (a rate settles, a total grows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

Metric = Literal["conversion_rate", "segment_revenue", "repeat_purchase_rate", "open_rate", "new_leads", "exploration"]


@dataclass(frozen=True)
class Kpi:
    metric: Metric
    is_rate: bool
    # What is counted, and what it is divided by (rates), in words for the screen.
    counts: str
    divided_by: str | None = None
    needs_segment: bool = False
    needs_exploration: bool = False
    # Not computed yet: the feature it reads has not shipped.
    available: bool = True


CATALOGUE: dict[str, Kpi] = {
    k.metric: k
    for k in (
        Kpi("conversion_rate", True, "contacts who reached the goal of the program's journeys", "contacts who entered"),
        Kpi("segment_revenue", False, "purchases of the segment's members in the period", needs_segment=True),
        Kpi(
            "repeat_purchase_rate",
            True,
            "customers with two purchases or more in the period",
            "customers with a purchase (of the segment, or the whole base)",
        ),
        Kpi("open_rate", True, "unique opens of the program's emails", "emails delivered"),
        Kpi("new_leads", False, "contacts who became leads through the program's journeys or campaigns"),
        Kpi(
            "exploration",
            False,
            "a saved exploration's figure, asked over the program's period so far",
            needs_exploration=True,
        ),
    )
}

# A program spans three years at most: a longer one is a typing mistake, and its series would be long.
MAX_MONTHS = 36


def months(starts_on: date, ends_on: date) -> list[tuple[str, date]]:
    """The months a period touches, each with the first day after it: ("2026-11", 2026-12-01)."""
    out = []
    year, month = starts_on.year, starts_on.month
    while (year, month) <= (ends_on.year, ends_on.month):
        following = date(year + month // 12, month % 12 + 1, 1)
        out.append((f"{year:04d}-{month:02d}", following))
        year, month = following.year, following.month
    return out


def month_count(starts_on: date, ends_on: date) -> int:
    return (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1


def moment(day: date) -> datetime:
    """Midnight UTC at the start of a day."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def value_of(kpi: Kpi, counted: float | None, divided_by: float | None) -> float | None:
    """A total as it is; a rate as counted / divided_by, None when nothing was there to divide by
    (or to average: an exploration's average over no rows)."""
    if counted is None:
        return None
    if not kpi.is_rate:
        return round(counted, 2)
    if not divided_by:
        return None
    return round(counted / divided_by, 4)


def share_of_target(value: float | None, target: float | None) -> float | None:
    """How far along the target the value is (1.0 = reached); None without a target or value."""
    if value is None or not target:
        return None
    return round(value / target, 4)

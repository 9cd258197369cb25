"""An event's dashboard figures from its counts and money (pure)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import TypedDict
from zoneinfo import ZoneInfo


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


class Dashboard(TypedDict):
    registered: int
    confirmed: int
    waitlisted: int
    cancelled: int
    attended: int
    no_shows: int
    capacity: int | None
    capacity_used: float | None
    waitlist_length: int
    attendance_rate: float | None
    budget: float | None
    costs: float
    revenue: float
    budget_left: float | None
    cost_per_attendee: float | None


def dashboard(
    counts: dict[str, int],
    attendance: dict[str, int],
    capacity: int | None,
    budget: float | None,
    costs: float,
    revenue: float,
) -> Dashboard:
    """`counts`: registrations per status; `attendance`: confirmed ones per attendance mark."""
    confirmed, waitlisted, cancelled = (counts.get(s, 0) for s in ("confirmed", "waitlisted", "cancelled"))
    attended, no_shows = attendance.get("attended", 0), attendance.get("no_show", 0)
    return {
        "registered": confirmed + waitlisted,
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "cancelled": cancelled,
        "attended": attended,
        "no_shows": no_shows,
        "capacity": capacity,
        "capacity_used": None if not capacity else round(min(confirmed / capacity, 1.0), 4),
        "waitlist_length": waitlisted,
        # Of those who had a seat and whose presence is known (checked in or marked absent).
        "attendance_rate": _ratio(attended, attended + no_shows),
        "budget": budget,
        "costs": round(costs, 2),
        "revenue": round(revenue, 2),
        "budget_left": None if budget is None else round(budget - costs, 2),
        "cost_per_attendee": round(costs / attended, 2) if attended else None,
    }


def per_day(times: list[datetime], timezone: str) -> list[tuple[date, int]]:
    """Registrations per calendar day in the event's time zone, oldest first."""
    zone = ZoneInfo(timezone)
    days = Counter(t.astimezone(zone).date() for t in times)
    return sorted(days.items())

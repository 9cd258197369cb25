"""The answers of the marketing plan, journey reach and leaderboard reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from parcours.journeys.service import RunPath


class PlanMessage(msgspec.Struct, kw_only=True):
    """One email of a row, as sent in the period."""

    email_id: int
    name: str
    first_sent_at: datetime
    last_sent_at: datetime
    sent: int


class PlanRow(msgspec.Struct, kw_only=True):
    kind: Literal["journey", "campaign", "event"]
    id: int
    name: str
    status: str
    starts_at: datetime
    # None while it runs (a running journey, a campaign still sending): the plan draws it to today.
    ends_at: datetime | None
    running: bool
    messages: list[PlanMessage]


class PlanReport(msgspec.Struct, kw_only=True):
    as_of: datetime
    start: date
    end: date
    rows: list[PlanRow]


class ReachMessage(msgspec.Struct, kw_only=True):
    """How many of the journey's entrants one of its emails reached (contacts, not messages)."""

    email_id: int
    name: str
    delivered: int
    opened: int
    clicked: int
    unsubscribed: int


class ReachTotals(msgspec.Struct, kw_only=True):
    """Contacts who entered in the period, and how many of them each stage reached."""

    entered: int
    delivered: int
    opened: int
    clicked: int
    converted: int
    unsubscribed: int
    messages: list[ReachMessage]


class ReceivedMessage(msgspec.Struct, kw_only=True):
    email_id: int
    name: str
    sent_at: datetime | None
    delivered: bool
    opened: bool
    clicked: bool
    unsubscribed: bool


class ReachItem(msgspec.Struct, kw_only=True):
    """One contact who entered: how many of the journey's emails were delivered to, opened,
    clicked by them; whether they reached the goal."""

    contact_id: int
    name: str
    email: str
    delivered: int
    opened: int
    clicked: int
    converted: bool
    unsubscribed: int
    messages: list[ReceivedMessage]


class JourneyReach(msgspec.Struct, kw_only=True):
    as_of: datetime
    journey_id: int
    journey_name: str
    totals: ReachTotals
    items: list[ReachItem]
    next_cursor: str | None
    total: int


class ContactPath(msgspec.Struct, kw_only=True):
    """The ways one contact went through a journey: every run (one per entry), its steps in order."""

    as_of: datetime
    journey_id: int
    contact_id: int
    name: str
    email: str
    runs: list[RunPath]


LeaderboardMetric = Literal["unique_opens", "unique_clicks", "conversions", "submissions", "leads", "revenue"]


class LeaderRate(msgspec.Struct, frozen=True):
    """A rate and what it divides: `value` is None when the divisor is zero."""

    value: float | None
    numerator: str
    divisor: str


class LeaderItem(msgspec.Struct, kw_only=True):
    """A journey or an email with every metric of the period. Per email, conversions, submissions
    and leads are not counted (a goal or a form belongs to a journey, not to one of its emails):
    they are None."""

    rank: int
    kind: Literal["journey", "email"]
    id: int
    name: str
    entered: int | None
    sent: int
    delivered: int
    unique_opens: int
    unique_opens_human: int
    unique_clicks: int
    unique_clicks_human: int
    conversions: int | None
    submissions: int | None
    leads: int | None
    revenue: float
    open_rate: LeaderRate
    click_rate: LeaderRate
    conversion_rate: LeaderRate | None


class Leaderboard(msgspec.Struct, kw_only=True):
    as_of: datetime | None
    kind: Literal["journeys", "emails"]
    metric: LeaderboardMetric
    # The journeys whose emails are ranked (kind=emails), empty for every email.
    journey_ids: list[int]
    items: list[LeaderItem]

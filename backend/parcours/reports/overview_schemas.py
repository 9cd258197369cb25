"""The answer of /api/reports/overview: the Home's figures, what needs attention, what happened."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

FigureKey = Literal[
    "contacts",
    "new_contacts",
    "emails_sent",
    "unique_open_rate",
    "unique_open_rate_human",
    "unique_click_rate",
    "unique_click_rate_human",
    "journeys_running",
    "contacts_in_journeys",
    "journey_entries",
    "form_submissions",
    "new_leads",
    "opportunities_created",
    "revenue_won",
]
AttentionKind = Literal["journey_errors", "ab_decision", "bounce_spike", "event_capacity"]
RecentKind = Literal["campaign_started", "journey_published", "import_finished", "form_published", "event_created"]


class Figure(msgspec.Struct, kw_only=True):
    key: FigureKey
    # The period's value; a rate is a share (0.25 = 25%), null when its divisor is zero.
    value: float | None
    # The same over the previous period of the same length; null for a figure that is only "now".
    previous: float | None
    # (value - previous) / previous: 0.12 is +12%; null when there is nothing to compare with.
    change: float | None
    # What a rate divides by ("delivered"), null for counts and sums.
    divided_by: str | None = None
    # Whether the segment filter narrowed it (figures about emails and journeys running are not).
    segment_applies: bool = False
    # One value per day of the period (the sparkline), empty for a figure that is only "now".
    series: list[float | None] = msgspec.field(default_factory=list)


class AttentionItem(msgspec.Struct, kw_only=True):
    kind: AttentionKind
    title: str  # what it is about: the journey's, campaign's, email's or event's name
    detail: str  # why, in English (the SPA words it from `numbers` in the reader's language)
    numbers: dict[str, float]
    link: str  # where to look, a path of the SPA


class RecentItem(msgspec.Struct, kw_only=True):
    kind: RecentKind
    title: str
    at: datetime
    link: str


class OverviewReport(msgspec.Struct, kw_only=True):
    start: date
    end: date
    previous_start: date
    previous_end: date
    segment_id: int | None
    as_of: datetime
    days: list[date]
    figures: list[Figure]
    attention: list[AttentionItem]
    recent: list[RecentItem]

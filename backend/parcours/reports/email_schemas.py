"""What the email results report answers (GET /api/reports/emails and /emails/{email_id})."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec


class Rate(msgspec.Struct, frozen=True):
    """A rate and what it divides: `value` is None when the divisor is zero."""

    value: float | None
    numerator: str
    divisor: str


class EmailFigures(msgspec.Struct, frozen=True, kw_only=True):
    sent: int = 0
    # Sent and not bounced (what the rates divide by).
    delivered: int = 0
    bounced: int = 0
    bounced_hard: int = 0
    bounced_soft: int = 0
    opens: int = 0
    unique_opens: int = 0
    unique_opens_human: int = 0
    # Unique opens whose first open was a privacy proxy's or a scanner's, never a person's.
    unique_opens_machine: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    unique_clicks_human: int = 0
    unique_clicks_machine: int = 0
    unsubscribed: int = 0
    complaints: int = 0
    revenue: float = 0.0
    revenue_first_touch: float = 0.0
    rates: dict[str, Rate]


class VariantRow(msgspec.Struct, frozen=True):
    variant: str
    figures: EmailFigures


class EmailRow(msgspec.Struct, frozen=True):
    email_id: int
    name: str
    figures: EmailFigures
    variants: list[VariantRow]


class DayRow(msgspec.Struct, frozen=True):
    day: date
    figures: EmailFigures


# Where the figures come from: the daily rollups, or (limited to a segment's members) the raw
# interactions of those contacts, counted at request time.
Source = Literal["rollups", "raw"]


class EmailsReport(msgspec.Struct, frozen=True):
    items: list[EmailRow]
    totals: EmailFigures
    by_day: list[DayRow]
    as_of: datetime | None
    source: Source
    # Revenue is credited to a click at most this many days before the purchase.
    attribution_days: int


class LinkRow(msgspec.Struct, frozen=True):
    """A link's clicks; unique: the messages that clicked it (first human click: a person's)."""

    url: str
    clicks: int
    unique_clicks: int
    unique_clicks_human: int


class HourRow(msgspec.Struct, frozen=True):
    """Messages sent during this hour of the day (UTC), and how they did."""

    hour: int
    sent: int
    unique_opens: int
    unique_opens_human: int
    unique_clicks: int
    unique_clicks_human: int
    open_rate: Rate
    click_rate: Rate


class DomainRow(msgspec.Struct, frozen=True):
    domain: str
    sent: int
    delivered: int
    opened: int
    opened_human: int
    clicked: int
    clicked_human: int
    bounced: int
    open_rate: Rate


class EmailReport(msgspec.Struct, frozen=True):
    email_id: int
    name: str
    figures: EmailFigures
    variants: list[VariantRow]
    attribution: Literal["last", "first"]
    # The revenue credited under the attribution chosen (last or first click within the window).
    revenue: float
    attribution_days: int
    links: list[LinkRow]
    by_day: list[DayRow]
    by_hour: list[HourRow]
    by_domain: list[DomainRow]
    as_of: datetime | None
    source: Source

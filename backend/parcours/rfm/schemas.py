"""Shapes of /api/rfm: the last recompute and its ranges, and one contact's RFM."""

from __future__ import annotations

from datetime import datetime

import msgspec


class RfmRange(msgspec.Struct, kw_only=True):
    """The lowest and highest measure (days, orders or revenue) among customers with this score."""

    score: int
    low: float
    high: float


class RfmRunOut(msgspec.Struct, kw_only=True):
    computed_at: datetime
    period_days: int
    customers: int
    changed: int  # contacts whose RFM fields this run changed
    # "recency" (days since the last purchase), "frequency" (orders in the period), "monetary"
    # (revenue in the period): the range each score covered.
    ranges: dict[str, list[RfmRange]]


class RfmMeasures(msgspec.Struct, kw_only=True):
    """A contact's purchase history today: days since its last purchase, orders and revenue in the period."""

    days: int
    orders: int
    revenue: float


class RfmContactOut(msgspec.Struct, kw_only=True):
    contact_id: int
    # As of the last recompute; empty for a contact who had not bought then.
    recency: int | None
    frequency: int | None
    monetary: int | None
    score: str | None
    segment: str | None
    measures: RfmMeasures | None  # None: no purchase at all
    run: RfmRunOut | None  # None: RFM was never computed


class RfmOverview(msgspec.Struct, kw_only=True):
    last_run: RfmRunOut | None  # None: RFM was never computed
    period_days: int  # the next recompute's (the PARCOURS_RFM_PERIOD_DAYS setting)

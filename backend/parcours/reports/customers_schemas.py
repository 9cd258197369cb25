"""The answers of the customer reports: audience, RFM value, cohorts, products."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Bucket(msgspec.Struct, kw_only=True):
    key: str | None  # None: no value (shown as "Not known")
    label: str
    contacts: int
    share: float | None  # contacts / contacts of the audience


class Completeness(msgspec.Struct, kw_only=True):
    field: str
    label: str
    custom: bool
    filled: int
    share: float | None  # filled / contacts of the audience


class OptIn(msgspec.Struct, kw_only=True):
    key: str  # email, sms, emailable, topic:<key>
    label: str
    contacts: int
    share: float | None  # contacts / contacts of the audience


class GrowthMonth(msgspec.Struct, kw_only=True):
    month: str
    new: int
    unsubscribed: int
    erased: int


class AudienceReport(msgspec.Struct, kw_only=True):
    as_of: datetime
    segment_id: int | None
    contacts: int
    distributions: dict[str, list[Bucket]]
    completeness: list[Completeness]
    opt_in: list[OptIn]
    growth: list[GrowthMonth]
    definitions: dict[str, str]


class RfmGroup(msgspec.Struct, kw_only=True):
    group: str
    contacts: int
    revenue: float  # purchases of these customers over the RFM period, as of the last recompute
    share_of_revenue: float | None  # revenue / revenue of all customers in the period
    moved_in: int  # in this group now, in another (or none) last month
    moved_out: int  # in this group last month, in another (or none) now


class GridCell(msgspec.Struct, kw_only=True):
    recency: int
    frequency: int
    contacts: int


class ChurnBucket(msgspec.Struct, kw_only=True):
    bucket: str  # 0-30, 31-90, 91-180, 181-365, 365+
    customers: int
    revenue: float  # everything they bought (as of the last recompute)


class RfmReport(msgspec.Struct, kw_only=True):
    as_of: datetime
    computed_at: datetime | None  # the last recompute, which the groups come from
    compared_with: str | None  # the month the moves are counted from
    period_days: int | None  # the RFM period the groups' revenue covers (the last recompute's)
    customers: int
    groups: list[RfmGroup]
    grid: list[GridCell]
    churn: list[ChurnBucket]
    definitions: dict[str, str]


class CohortRow(msgspec.Struct, kw_only=True):
    month: str
    size: int
    customers: int
    revenue: float
    new_customers: int  # contacts whose first purchase is this month (what CAC divides by)
    spend: float  # marketing spend + event costs of the month
    cac: float | None
    ltv: list[float | None]  # cumulated revenue per customer, months 0..months-1; None: not yet
    ltv_cac: float | None  # the latest ltv / cac


class CohortsReport(msgspec.Struct, kw_only=True):
    as_of: datetime
    basis: str
    months: int
    rows: list[CohortRow]
    definitions: dict[str, str]


class ProductLine(msgspec.Struct, kw_only=True):
    name: str | None
    revenue: float
    orders: int
    buyers: int
    quantity: float
    average_basket: float | None  # revenue / orders
    repeat_rate: float | None  # buyers with two orders or more / buyers


class Starter(msgspec.Struct, kw_only=True):
    name: str | None
    customers: int  # first-time buyers in the period who started with it
    first_revenue: float  # their first orders
    revenue: float  # everything they bought since, first order included
    revenue_per_customer: float | None


class ProductsReport(msgspec.Struct, kw_only=True):
    as_of: datetime
    products: list[ProductLine]
    categories: list[ProductLine]
    starters: list[Starter]
    starter_categories: list[Starter]
    definitions: dict[str, str]

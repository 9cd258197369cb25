"""What the reports read instead of the raw interactions: daily rollups, purchase lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, false, text
from sqlmodel import Field, SQLModel

from parcours.db import BigId, UTCDateTime


class ReportDaily(SQLModel, table=True):
    """One metric of one subject (an email, a journey, a form...) on one UTC day: a sum of
    increments, each batch of the interaction stream adding its own (see reports.rollups)."""

    __tablename__ = "report_daily"
    # Reports read one subject over a period: the primary key (day first) would walk every
    # subject's rows of those days. With value included, PostgreSQL answers from the index alone.
    __table_args__ = (
        Index("ix_report_daily_subject_day", "subject", "day", "subject_id", "metric", postgresql_include=["value"]),
    )

    day: date = Field(primary_key=True)
    subject: str = Field(primary_key=True, max_length=16)
    subject_id: str = Field(primary_key=True, max_length=200)
    metric: str = Field(primary_key=True, max_length=32)
    value: float = 0.0


class AudienceSnapshot(SQLModel, table=True):
    """The audience report of the whole base as its last refresh computed it (one row, id 1).
    Counting every contact takes seconds at 1,000,000 contacts: the page reads this and says as of
    when; the worker refreshes it every few minutes, a marketer on demand. The audience of a
    segment is counted live over its members."""

    __tablename__ = "report_audience_snapshot"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    computed_at: datetime = Field(sa_type=UTCDateTime)
    figures: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # reports.audience.Figures


class OverviewSnapshot(SQLModel, table=True):
    """The Home's daily counts of the whole base for the days before `through` (one row, id 1):
    counting them live over a million contacts takes seconds. The overview reads these closed
    days from here and counts the days since live; the worker refreshes it every few minutes."""

    __tablename__ = "report_overview_snapshot"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    computed_at: datetime = Field(sa_type=UTCDateTime)
    through: date  # the UTC day it was computed on: the days before it are counted
    daily: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # figure -> "YYYY-MM-DD" -> count


# What the products report reads of each line, in one index on the day (reports.products): PostgreSQL
# keeps the rest as included columns, SQLite as further key columns (it has no INCLUDE).
_REPORTED = [
    "product",
    "category",
    "contact_id",
    "amount",
    "quantity",
    "order_shared",
    *(
        f"{key}_{marker}"
        for key in ("product", "category")
        for marker in ("bought_before", "order_before", "change_day", "change_before")
    ),
]


class PurchaseLine(SQLModel, table=True):
    """One purchase interaction, its properties read once (reports.purchases keeps it): what the
    cohort and product reports group, instead of the wide interactions and their JSON.

    The products report counts distinct buyers, orders and repeat buyers over any run of days in one
    pass, without grouping by buyer and order: each line says when (which day) its buyer last bought
    the same product before it, the same order of that product, and another order of it, so the
    report counts the lines that are a buyer's or an order's first in the period (the same for the
    category). Days are UTC days since 1970-01-01, the report's periods being whole UTC days."""

    __tablename__ = "purchase_lines"
    __table_args__ = (
        Index("ix_purchase_lines_contact_time", "contact_id", "occurred_at"),
        Index("ix_purchase_lines_order", "order_key"),
        Index("ix_purchase_lines_day", "day", postgresql_include=_REPORTED).ddl_if(dialect="postgresql"),
        Index("ix_purchase_lines_day", "day", *_REPORTED).ddl_if(dialect="sqlite"),
        Index(
            "ix_purchase_lines_shared_day",
            "day",
            "order_key",
            # As each database's queries write the condition (SQLite's booleans are 0 and 1).
            postgresql_where=text("order_shared"),
            sqlite_where=text("order_shared = 1"),
        ),
    )

    interaction_id: int = Field(sa_type=BigId, primary_key=True, sa_column_kwargs={"autoincrement": False})
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    month: int  # UTC year * 12 + month - 1: cohorts group by it without formatting dates
    day: int  # UTC days since 1970-01-01: the products report's periods
    product: str | None = None
    category: str | None = None
    amount: float = 0.0
    quantity: float = 0.0
    order_key: str  # the order_id, or the interaction id for a purchase without one
    # Another contact has a line of the same order: its orders are counted distinct (the few such
    # lines), not by the per-buyer markers below. Never wrong when set without need.
    order_shared: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The buyer's lines of the same product in time order (then by id): the day of the one before
    # (None: the first), of the one before of the same order, of the one just before when it was
    # another order (None otherwise), and the latest such change_day of the lines before.
    product_bought_before: int | None = None
    product_order_before: int | None = None
    product_change_day: int | None = None
    product_change_before: int | None = None
    # The same of the buyer's lines of the same category.
    category_bought_before: int | None = None
    category_order_before: int | None = None
    category_change_day: int | None = None
    category_change_before: int | None = None


class CustomerFirst(SQLModel, table=True):
    """A customer's first purchase (the lowest interaction id at the earliest moment names the
    product) and what the customer bought in all, kept with purchase_lines."""

    __tablename__ = "customer_firsts"
    __table_args__ = (Index("ix_customer_firsts_first_at", "first_at"),)

    contact_id: int = Field(
        foreign_key="contacts.id", ondelete="CASCADE", primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    first_at: datetime = Field(sa_type=UTCDateTime)
    first_month: int
    created_month: int  # the contact's creation month: its cohort by creation (a contact keeps it)
    first_product: str | None = None
    first_category: str | None = None
    first_revenue: float = 0.0  # everything bought at that first moment (the first order)
    revenue: float = 0.0  # everything bought, first order included


class CohortMonth(SQLModel, table=True):
    """Revenue of the customers whose first purchase is in month `cohort`, bought in month `month`
    (both UTC year * 12 + month - 1): the cohorts by first purchase of the whole base, kept with
    purchase_lines (a customer whose first purchase changes moves its revenue between cohorts)."""

    __tablename__ = "cohort_months"

    cohort: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    month: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    revenue: float = 0.0


class ReportEmailDaily(SQLModel, table=True):
    """One email's figures on one UTC day broken down by one dimension: the hour of sending
    ("hour", key "0".."23"), the recipient's domain ("domain") or the link clicked ("link", key
    its URL). Fed by the same stream consumer as report_daily; the email report reads only them."""

    __tablename__ = "report_email_daily"

    email_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    dimension: str = Field(primary_key=True, max_length=8)
    key: str = Field(primary_key=True, max_length=500)
    metric: str = Field(primary_key=True, max_length=32)
    value: float = 0.0


class CreatedCohortMonth(SQLModel, table=True):
    """Revenue of the customers created in month `cohort`, bought in month `month` (both UTC year *
    12 + month - 1): the cohorts by creation of the whole base, kept like cohort_months (a merge or
    an erasure moves a customer's revenue)."""

    __tablename__ = "created_cohort_months"

    cohort: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    month: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    revenue: float = 0.0

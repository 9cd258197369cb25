"""Each RFM recompute: when, over which period, how many customers, the ranges of each score, and
the whole base's report figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class RfmRun(SQLModel, table=True):
    __tablename__ = "rfm_runs"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str | None = Field(default=None, max_length=32)
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    period_days: int
    customers: int = 0
    changed: int = 0
    # {"recency"|"frequency"|"monetary": {"1": [lowest, highest], ...}}: the measures each score
    # covered, so that a contact's page can say what its scores mean in days, orders and money.
    ranges: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # The whole base's RFM report as this run left it (rfm.service.report_figures); None: a run
    # older than these figures.
    figures: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class RfmMonthly(SQLModel, table=True):
    """Each customer's RFM group as the month's recomputes left it: the report compares this month's
    groups with last month's (who moved in, who moved out). Only the last few months are kept."""

    __tablename__ = "rfm_monthly"

    month: str = Field(primary_key=True, max_length=7)
    contact_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    rfm_segment: str = Field(max_length=24)

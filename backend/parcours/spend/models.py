"""Marketing spend entered per month and channel: the cost side of ROI and of acquisition cost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class MarketingSpend(SQLModel, table=True):
    __tablename__ = "marketing_spend"
    __table_args__ = (Index("ix_marketing_spend_month", "month", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    # "2026-11": the month the money was spent in (sorted as text).
    month: str = Field(max_length=7)
    channel: str = Field(max_length=60)
    amount: float
    # The relationship-plan program it belongs to, when there is one.
    program_id: int | None = None
    note: str = Field(default="", max_length=300)
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

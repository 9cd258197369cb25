"""Opportunities: what sales pursue with a contact (and its account), for the ROI report."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import UTCDateTime


class Opportunity(SQLModel, table=True):
    __tablename__ = "opportunities"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    account_id: int | None = Field(default=None, foreign_key="accounts.id", ondelete="SET NULL")
    # The lead it came from, when another contact than the one it is with.
    lead_contact_id: int | None = Field(default=None, foreign_key="contacts.id", ondelete="SET NULL")
    budget: float | None = None
    estimated_revenue: float | None = None
    actual_revenue: float | None = None
    stage: str = Field(default="qualify", max_length=16)
    close_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

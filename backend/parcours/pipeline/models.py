"""Opportunities: what sales pursue with a contact (and its account), for the ROI report."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.contacts.origin import Origin, read
from parcours.db import UTCDateTime


class Opportunity(SQLModel, table=True):
    __tablename__ = "opportunities"
    # The Home counts opportunities created per day and sums won revenue per close date.
    __table_args__ = (
        Index("ix_opportunities_created", "created_at"),
        Index("ix_opportunities_stage_close", "stage", "close_date", postgresql_include=["actual_revenue"]),
    )

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
    # Its lead's origin when it was created (see contacts/origin.py), editable: the ROI report
    # groups opportunities by it. Ids without foreign keys: kept when the journey... is deleted.
    origin_kind: str | None = Field(default=None, max_length=16, index=True)
    origin_journey_id: int | None = None
    origin_campaign_id: int | None = None
    origin_form_id: int | None = None
    origin_page_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def origin(self) -> Origin | None:
        return read(self, ORIGIN_COLUMNS)


ORIGIN_COLUMNS = {
    "kind": "origin_kind",
    **{f: f"origin_{f}" for f in ("journey_id", "campaign_id", "form_id", "page_id")},
}

"""Website visitors: an anonymous id (from the tracking script's first-party cookie) and, once the
visitor is identified, the contact it points to; and the page views of visitors not yet known."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime
from parcours.partitions import MonthlyPartitions


class Visitor(SQLModel, table=True):
    __tablename__ = "visitors"
    # The purge reads anonymous profiles by age.
    __table_args__ = (Index("ix_visitors_contact_seen", "contact_id", "last_seen_at"),)

    anonymous_id: str = Field(primary_key=True, max_length=64)
    # Set once identified: later page views go straight to this contact's interactions.
    contact_id: int | None = Field(default=None, foreign_key="contacts.id", ondelete="CASCADE")
    # How the link was made: email_click, api, form_confirmed (checked) or form (a claim anyone
    # could make by typing an address: the profile endpoint reveals nothing on such a link).
    identified_by: str | None = Field(default=None, max_length=32)
    verified: bool = False
    identified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# On PostgreSQL: one table per month of occurred_at (parcours.partitions), the primary key
# (id, occurred_at); the retention drops whole months.
VISITOR_EVENTS = MonthlyPartitions("visitor_events", "occurred_at")


class VisitorEvent(SQLModel, table=True):
    """A page view or custom event of a visitor not identified yet. Copied into the contact's
    interactions (with its time) and deleted when the visitor is identified; purged with it."""

    __tablename__ = "visitor_events"
    __table_args__ = (Index("ix_visitor_events_visitor_time", "anonymous_id", "occurred_at"),)

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    anonymous_id: str = Field(max_length=64)
    type: str = Field(max_length=64)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    properties: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON().with_variant(JSONB(), "postgresql"), nullable=False)
    )


class WebsiteSegment(SQLModel, table=True):
    """A segment the marketer shares with the website (the profile endpoint names only these),
    with the content variant its members see; the first in order a visitor belongs to wins."""

    __tablename__ = "website_segments"

    segment_id: int = Field(primary_key=True, foreign_key="segments.id", ondelete="CASCADE")
    position: int = 0
    variant: str | None = Field(default=None, max_length=64)

"""Events, their registrations (with the waitlist order), cost lines and organizing team."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from parcours.clock import utcnow
from parcours.db import BigId, UTCDateTime


class Event(SQLModel, table=True):
    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=120, unique=True)
    description: str = Field(default="", sa_type=Text)
    type: str = Field(max_length=16)  # in_person | webinar | hybrid
    status: str = Field(default="draft", max_length=16)  # draft | published | cancelled | finished
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    timezone: str = Field(default="UTC", max_length=64)
    capacity: int | None = None  # None: no limit
    venue_name: str | None = Field(default=None, max_length=200)
    venue_address: str | None = Field(default=None, max_length=500)
    online_url: str | None = Field(default=None, max_length=2000)
    sessions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # Reminder emails, as ISO 8601 durations before the start ("P7D", "PT1H").
    reminders: list[str] = Field(default_factory=list, sa_type=JSON)
    budget: float | None = None
    registration_fee: float | None = None
    created_by: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Registration(SQLModel, table=True):
    """One contact's place at an event. The database keeps the order of the waitlist: a ticket
    number per event that only grows, unique, so that two registrants never share a place."""

    __tablename__ = "event_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id"),
        UniqueConstraint("event_id", "waitlist_position"),
        Index("ix_event_registrations_status", "event_id", "status"),
    )

    id: int | None = Field(default=None, sa_type=BigId, primary_key=True)
    event_id: int = Field(foreign_key="events.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    status: str = Field(max_length=16)  # confirmed | waitlisted | cancelled
    # Arrival order on the waitlist (kept after a promotion, so the order stays readable).
    waitlist_position: int | None = None
    attendance: str | None = Field(default=None, max_length=16)  # attended | no_show
    amount: float = 0.0  # the registration fee due when the seat was confirmed
    source: str = Field(default="api", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EventCost(SQLModel, table=True):
    __tablename__ = "event_costs"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", ondelete="CASCADE", index=True)
    category: str = Field(max_length=16)  # venue | catering | speakers | ads | other
    label: str = Field(max_length=200)
    amount: float
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EventTeamMember(SQLModel, table=True):
    __tablename__ = "event_team_members"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    role: str = Field(max_length=16)  # organizer | speaker | host | staff
    internal: bool = True
    responsibilities: str = Field(default="", sa_type=Text)

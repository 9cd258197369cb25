"""API shapes for events, registrations, costs and the organizing team."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Page, Strict
from parcours.contacts.vocabulary import ConsentLevel

EventType = Literal["in_person", "webinar", "hybrid"]
NewStatus = Literal["draft", "published"]
EventStatus = Literal["draft", "published", "cancelled", "finished"]
RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]
CostCategory = Literal["venue", "catering", "speakers", "ads", "other"]
TeamRole = Literal["organizer", "speaker", "host", "staff"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Text = Annotated[str, Meta(max_length=20_000)]
Amount = Annotated[float, Meta(ge=0, le=1e12)]
Capacity = Annotated[int, Meta(ge=0, le=1_000_000)]
Zone = Annotated[str, Meta(min_length=1, max_length=64)]
Url = Annotated[str, Meta(max_length=2000, pattern=r"^https?://")]
# ISO 8601 durations before the start; events.reminders checks them further.
Reminders = Annotated[list[Annotated[str, Meta(min_length=2, max_length=20)]], Meta(max_length=5)]
Slug = Annotated[str, Meta(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class Venue(Strict):
    name: Annotated[str, Meta(max_length=200)] | None = None
    address: Annotated[str, Meta(max_length=500)] | None = None


class Session(Strict):
    title: Name
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    speaker: Annotated[str, Meta(max_length=200)] | None = None


class EventIn(Strict):
    name: Name
    type: EventType
    starts_at: datetime
    ends_at: datetime
    timezone: Zone | None = None  # None: the organization's time zone
    capacity: Capacity | None = None
    status: NewStatus = "draft"
    description: Text = ""
    venue: Venue | None = None
    online_url: Url | None = None
    slug: Slug | None = None
    sessions: Annotated[list[Session], Meta(max_length=200)] = []
    reminders: Reminders = []
    budget: Amount | None = None
    registration_fee: Amount | None = None


class EventPatch(Strict):
    name: Name | UnsetType = UNSET
    type: EventType | UnsetType = UNSET
    starts_at: datetime | UnsetType = UNSET
    ends_at: datetime | UnsetType = UNSET
    timezone: Zone | UnsetType = UNSET
    capacity: Capacity | None | UnsetType = UNSET
    status: EventStatus | UnsetType = UNSET
    description: Text | UnsetType = UNSET
    venue: Venue | None | UnsetType = UNSET
    online_url: Url | None | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET
    sessions: Annotated[list[Session], Meta(max_length=200)] | UnsetType = UNSET
    reminders: Reminders | UnsetType = UNSET
    budget: Amount | None | UnsetType = UNSET
    registration_fee: Amount | None | UnsetType = UNSET


class VenueOut(msgspec.Struct, kw_only=True):
    name: str | None
    address: str | None


class SessionOut(msgspec.Struct, kw_only=True):
    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    speaker: str | None = None


class EventOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    slug: str
    type: str
    status: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    capacity: int | None
    description: str
    venue: VenueOut
    online_url: str | None
    sessions: list[SessionOut]
    reminders: list[str] = []
    budget: float | None
    registration_fee: float | None
    confirmed: int = 0
    waitlisted: int = 0
    created_by: str
    created_at: datetime
    updated_at: datetime


class EventPage(Page[EventOut]):
    items: list[EventOut]  # restated so the OpenAPI document names the item type


class _Registrant(Strict):
    """What a registration may say about the person, for their contact."""

    first_name: Annotated[str, Meta(max_length=100)] | None = None
    last_name: Annotated[str, Meta(max_length=100)] | None = None
    phone: Annotated[str, Meta(max_length=40)] | None = None
    company: Annotated[str, Meta(max_length=200)] | None = None
    job_title: Annotated[str, Meta(max_length=200)] | None = None
    country: Annotated[str, Meta(max_length=60)] | None = None
    language: Annotated[str, Meta(max_length=40)] | None = None
    consent_level: ConsentLevel | None = None
    email_opt_in: bool | None = None


class RegistrationIn(_Registrant, kw_only=True):
    """An existing contact by id, or a person by email (the contact is created or updated)."""

    contact_id: Id | None = None
    email: Annotated[str, Meta(max_length=320)] | None = None
    sms_opt_in: bool | None = None


class PublicRegistrationIn(_Registrant, kw_only=True):
    email: Annotated[str, Meta(min_length=3, max_length=320)]


class PublicRegistrationOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    status: str
    position: int | None = None


class PublicEventOut(msgspec.Struct, kw_only=True):
    name: str
    slug: str
    type: str
    status: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    description: str
    venue: VenueOut
    sessions: list[SessionOut]
    registration_fee: float | None
    # None: no limit; 0: the next registrants join the waitlist.
    seats_left: int | None


class RegistrationOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: int
    event_id: int
    contact_id: int
    status: str
    # The place in the waitlist now (1: the next to get a seat); only while waitlisted.
    position: int | None = None
    attendance: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    amount: float = 0.0
    source: str = ""
    created_at: datetime
    confirmed_at: datetime | None = None
    promoted_at: datetime | None = None
    cancelled_at: datetime | None = None
    checked_in_at: datetime | None = None
    cancel_url: str | None = None


class RegistrationPage(Page[RegistrationOut]):
    items: list[RegistrationOut]  # restated so the OpenAPI document names the item type


class DayCount(msgspec.Struct, kw_only=True):
    date: dt.date
    count: int


class EventStats(msgspec.Struct, kw_only=True):
    registered: int
    confirmed: int
    waitlisted: int
    cancelled: int
    attended: int
    no_shows: int
    capacity: int | None
    capacity_used: float | None
    waitlist_length: int
    attendance_rate: float | None
    budget: float | None
    costs: float
    revenue: float
    budget_left: float | None
    cost_per_attendee: float | None
    registrations_over_time: list[DayCount]


class CostIn(Strict):
    category: CostCategory
    label: Name
    amount: Amount


class CostOut(msgspec.Struct, kw_only=True):
    id: int
    event_id: int
    category: str
    label: str
    amount: float
    created_at: datetime


class TeamMemberIn(Strict):
    name: Name
    role: TeamRole
    email: Annotated[str, Meta(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    internal: bool = True
    responsibilities: Text = ""


class TeamMemberOut(msgspec.Struct, kw_only=True):
    id: int
    event_id: int
    name: str
    email: str | None
    role: str
    internal: bool
    responsibilities: str

"""API shapes of website tracking: the beacon, identification, the visitor's profile, and the
segments shared with the website."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from parcours.api import Id, Strict

# Made by the tracking script from 16 random bytes: long enough that nobody guesses another's.
AnonymousId = Annotated[
    str, Meta(pattern=r"^[A-Za-z0-9_-]{16,64}$", description="The visitor's random id from the tracking script")
]
EventType = Annotated[
    str,
    Meta(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="page_visited, or your own event in lower_snake_case"),
]
MAX_EVENTS = 50


class EventIn(Strict):
    type: EventType
    url: Annotated[str, Meta(min_length=1, max_length=2048)]
    title: Annotated[str, Meta(max_length=500)] | None = None
    referrer: Annotated[str, Meta(max_length=2048)] | None = None
    properties: dict[str, Any] = {}


class BeaconIn(Strict):
    """What the tracking script sends: a visitor's events, batched."""

    anonymous_id: AnonymousId
    events: Annotated[list[EventIn], Meta(min_length=1, max_length=MAX_EVENTS)]


class Collected(msgspec.Struct):
    accepted: int


class IdentifyIn(Strict):
    anonymous_id: AnonymousId
    email: Annotated[str, Meta(min_length=3, max_length=320)]


class Identified(msgspec.Struct, kw_only=True):
    contact_id: int
    # attach (history copied), same (already this contact's), repoint (was another contact's:
    # nothing merged, future visits go to this one), keep (another contact's by a checked link).
    outcome: str
    # Anonymous page views and events copied to the contact now.
    copied: int


class Profile(msgspec.Struct, kw_only=True):
    """What a website may know of its current visitor: nothing unless the visitor was identified
    by a checked link, then the ids of the shared segments they are in (never their names, which
    are the marketer's words) and the content variant to show."""

    segments: list[int]
    variant: str | None


class WebsiteSegmentIn(Strict):
    segment_id: Id
    variant: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None


class PersonalizationIn(Strict):
    """The segments the website may see, in order: the first a visitor is in gives the variant."""

    segments: Annotated[list[WebsiteSegmentIn], Meta(max_length=200)]


class WebsiteSegmentOut(msgspec.Struct, kw_only=True):
    segment_id: int
    name: str
    variant: str | None


class Personalization(msgspec.Struct):
    segments: list[WebsiteSegmentOut]

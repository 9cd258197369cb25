"""API shapes for tracked behaviour."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from parcours.api import Id, Page, Strict

InteractionType = Annotated[
    str,
    Meta(
        pattern=r"^[a-z][a-z0-9_]{1,63}$",
        description=(
            "email_sent, email_opened, email_clicked, page_visited, form_submitted, purchase, "
            "event_registered, ... or your own type in lower_snake_case"
        ),
    ),
]
MAX_BATCH = 1000


class InteractionIn(Strict):
    type: InteractionType
    # When it happened (default: now). Without a time zone, UTC.
    occurred_at: datetime | None = None
    contact_id: Id | None = None
    # Instead of contact_id: the contact's email.
    email: Annotated[str, Meta(max_length=320)] | None = None
    # With email: create the contact when there is none.
    create_contact: bool = False
    # e.g. {"amount": 49.9, "url": "...", "utm_source": "..."}; "amount" of a purchase feeds total_revenue.
    properties: dict[str, Any] = {}


class InteractionPost(Strict):
    """One interaction, or {"batch": [...]} with up to 1,000 of them."""

    batch: Annotated[list[InteractionIn], Meta(max_length=MAX_BATCH)] | None = None
    type: InteractionType | None = None
    occurred_at: datetime | None = None
    contact_id: Id | None = None
    email: Annotated[str, Meta(max_length=320)] | None = None
    create_contact: bool = False
    properties: dict[str, Any] = {}


class Accepted(msgspec.Struct):
    accepted: int


class InteractionOut(msgspec.Struct, kw_only=True):
    id: int
    contact_id: int
    type: str
    occurred_at: datetime
    value: float | None
    properties: dict[str, Any]
    received_at: datetime


class InteractionPage(Page[InteractionOut]):
    items: list[InteractionOut]  # restated so the OpenAPI document names the item type

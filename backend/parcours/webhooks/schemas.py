"""API shapes of outgoing webhooks: subscriptions and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Page, Strict

# What a subscription can listen to; the test event is sent only by "Send a test".
EventName = Literal[
    "contact.created",
    "contact.updated",
    "contact.unsubscribed",
    "contact.stage_changed",
    "form.submitted",
    "event.registered",
    "event.attended",
    "opportunity.won",
]
DeliveryStatus = Literal["pending", "delivered", "failed"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Url = Annotated[str, Meta(min_length=1, max_length=2000)]
Events = Annotated[list[EventName], Meta(min_length=1, max_length=20)]


class WebhookIn(Strict):
    name: Name
    url: Url
    events: Events
    active: bool = True


class WebhookPatch(Strict):
    name: Name | UnsetType = UNSET
    url: Url | UnsetType = UNSET
    events: Events | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class WebhookOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    url: str
    events: list[EventName]
    active: bool
    # Administrators only see webhooks at all; the receiver checks X-Parcours-Signature with it.
    secret: str
    created_by: str
    created_at: datetime
    updated_at: datetime


class WebhookPage(Page[WebhookOut]):
    items: list[WebhookOut]  # restated so the OpenAPI document names the item type


class DeliveryOut(msgspec.Struct, kw_only=True):
    id: int
    webhook_id: int
    event: str
    payload: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    status_code: int | None
    response_ms: int | None
    error: str
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    replay_of: int | None


class DeliveryPage(Page[DeliveryOut]):
    items: list[DeliveryOut]  # restated so the OpenAPI document names the item type

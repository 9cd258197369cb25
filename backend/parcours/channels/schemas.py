"""API shapes for the outbox and the mail system's reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from parcours.api import Id, Strict


class LeftOut(msgspec.Struct):
    """Contacts left out of an audience for one reason (a stable code, e.g. `unsubscribed`)."""

    reason: str
    count: int


class Someone(msgspec.Struct):
    """A contact as a sample of an audience shows it."""

    id: int
    name: str
    email: str


class MessageOut(msgspec.Struct, kw_only=True):
    id: int
    channel: str
    kind: str
    contact_id: int | None
    email_id: int | None
    campaign_id: int | None
    variant: str | None
    journey_id: int | None
    node_id: str | None
    to_address: str
    subject: str
    status: str
    reason: str
    reason_code: str
    attempts: int
    send_after: datetime
    sent_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    created_at: datetime


class MessageDetail(MessageOut, kw_only=True):
    message_id: str
    # The captured message as received: its headers, and its parts.
    headers: list[tuple[str, str]]
    html: str | None
    text: str | None


class MessagePage(msgspec.Struct, kw_only=True):
    items: list[MessageOut]
    next_cursor: str | None
    total: int


class EmailEvent(Strict):
    type: Literal["delivered", "bounce", "complaint"]
    # Which message: its outbox id, its Message-ID header, or at least the address.
    outbox_id: Id | None = None
    message_id: Annotated[str, Meta(max_length=300)] | None = None
    email: Annotated[str, Meta(max_length=320)] | None = None
    # A hard bounce (the address does not exist) suppresses the address; a soft one does not.
    hard: bool = True
    detail: Annotated[str, Meta(max_length=1000)] = ""


class EventRecorded(msgspec.Struct):
    recorded: list[str]

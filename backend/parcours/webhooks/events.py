"""Which webhook events an interaction of the stream is, and what a receiver is told of the
contact. No I/O: the stream consumer (service.stream_consumer) reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from parcours.interactions.batch import Stored

TEST_EVENT = "webhook.test"
# Interactions that are webhook events as they are.
BY_TYPE = {
    "contact_created": "contact.created",
    "contact_updated": "contact.updated",
    "lifecycle_stage_changed": "contact.stage_changed",
    "form_submitted": "form.submitted",
    "event_registered": "event.registered",
    "event_attended": "event.attended",
}
UNSUBSCRIBED = "contact.unsubscribed"
OPPORTUNITY_WON = "opportunity.won"
# What a receiver learns of the contact: who it is and what it agreed to, never its internal rows.
CONTACT_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "country",
    "city",
    "language",
    "lifecycle_stage",
    "lead_origin",
    "consent_level",
    "email_opt_in",
    "sms_opt_in",
    "unsubscribed",
    "bounced",
    "created_at",
)


def events_of(row: Stored, unsubscribed_now: bool) -> list[str]:
    """The events this interaction is. A change of `unsubscribed` that leaves the contact
    unsubscribed is also contact.unsubscribed, whatever made it (link, complaint, import, API)."""
    found = [BY_TYPE[row.type]] if row.type in BY_TYPE else []
    if row.type == "contact_updated" and "unsubscribed" in row.properties.get("fields", ()) and unsubscribed_now:
        found.append(UNSUBSCRIBED)
    return found


def contact_of(columns: dict[str, Any] | None, account: dict[str, Any] | None) -> dict[str, Any] | None:
    """The contact as a receiver sees it (None: erased since)."""
    if columns is None:
        return None
    shown = {field: columns.get(field) for field in CONTACT_FIELDS}
    shown["company"] = account.get("name") if account else None
    return plain(shown)


def payload(
    key: str, event: str, occurred_at: datetime, contact: dict[str, Any] | None, data: dict[str, Any]
) -> dict[str, Any]:
    """The JSON body of a call: `id` names the event, the same on every try and replay, so that a
    receiver can ignore what it already has."""
    return plain({"id": key, "event": event, "occurred_at": occurred_at, "contact": contact, "data": data})


def plain(value: Any) -> Any:
    """Dates and times as ISO 8601 text, as they are stored in the delivery's JSON."""
    return msgspec.to_builtins(value)

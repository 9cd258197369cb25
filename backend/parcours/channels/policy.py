"""Whether a message may be sent, decided at send time. Pure: facts in, a reason out.

`refusal` gives the reason as a stable code (what previews count and statistics group by, in the
order below: a contact is counted under the first reason that applies); `why_not` words it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

CONSENT_ORDER = ("none", "transactional", "marketing", "profiling")
# The codes of `refusal`, in the order they are checked.
REASONS = (
    "contact_deleted",
    "bounced",
    "unsubscribed",
    "no_email_opt_in",
    "consent_below_minimum",
    "topic_opt_out",
    "frequency_cap",
)


class Recipient(msgspec.Struct, frozen=True):
    exists: bool
    email_opt_in: bool = False
    unsubscribed: bool = False
    bounced: bool = False
    consent_level: str = "none"
    suppressed: str | None = None  # bounced | complained | unsubscribed (by address)
    opted_out_topics: frozenset[str] = frozenset()
    promotional_last_7_days: int = 0


def recipient(
    contact: Mapping[str, Any] | None, suppressed: str | None, opted_out: frozenset[str], promotional_last_7_days: int
) -> Recipient:
    """The facts of one contact (its row as a dict, None when deleted) the policy decides on."""
    found = contact or {}
    return Recipient(
        exists=contact is not None,
        email_opt_in=bool(found.get("email_opt_in")),
        unsubscribed=bool(found.get("unsubscribed")),
        bounced=bool(found.get("bounced")),
        consent_level=found.get("consent_level") or "none",
        suppressed=suppressed,
        opted_out_topics=opted_out,
        promotional_last_7_days=promotional_last_7_days,
    )


def refusal(
    recipient: Recipient, *, kind: str, topic: str | None, minimum_consent: str | None, frequency_cap: int
) -> str | None:
    """The code of the reason this message must not go out (one of REASONS), or None when it may."""
    if not recipient.exists:
        return "contact_deleted"
    if recipient.bounced or recipient.suppressed in ("bounced", "complained"):
        return "bounced"
    if kind == "transactional":
        return None
    if recipient.unsubscribed or recipient.suppressed == "unsubscribed":
        return "unsubscribed"
    if not recipient.email_opt_in:
        return "no_email_opt_in"
    required = minimum_consent or "marketing"
    if CONSENT_ORDER.index(recipient.consent_level) < CONSENT_ORDER.index(required):
        return "consent_below_minimum"
    if topic and topic in recipient.opted_out_topics:
        return "topic_opt_out"
    if frequency_cap and recipient.promotional_last_7_days >= frequency_cap:
        return "frequency_cap"
    return None


def why_not(
    recipient: Recipient, *, kind: str, topic: str | None, minimum_consent: str | None, frequency_cap: int
) -> str | None:
    """The reason this message must not go out, in words, or None when it may."""
    code = refusal(recipient, kind=kind, topic=topic, minimum_consent=minimum_consent, frequency_cap=frequency_cap)
    return None if code is None else explain(code, recipient, topic=topic, minimum_consent=minimum_consent)


def explain(code: str, recipient: Recipient, *, topic: str | None, minimum_consent: str | None) -> str:
    return {
        "contact_deleted": "The contact no longer exists.",
        "bounced": "The address is on the suppression list (" + (recipient.suppressed or "bounced") + ").",
        "unsubscribed": "The contact has unsubscribed.",
        "no_email_opt_in": "The contact has not opted in to email.",
        "consent_below_minimum": (
            f"The contact's consent ({recipient.consent_level}) is below {minimum_consent or 'marketing'}."
        ),
        "topic_opt_out": f"The contact opted out of the topic '{topic}'.",
        "frequency_cap": (
            f"Frequency cap: already {recipient.promotional_last_7_days} promotional messages in 7 days."
        ),
    }[code]

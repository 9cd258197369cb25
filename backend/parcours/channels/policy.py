"""Whether a message may be sent, decided at send time. Pure: facts in, a reason out."""

from __future__ import annotations

import msgspec

CONSENT_ORDER = ("none", "transactional", "marketing", "profiling")


class Recipient(msgspec.Struct, frozen=True):
    exists: bool
    email_opt_in: bool = False
    unsubscribed: bool = False
    bounced: bool = False
    consent_level: str = "none"
    suppressed: str | None = None  # bounced | complained | unsubscribed (by address)
    opted_out_topics: frozenset[str] = frozenset()
    promotional_last_7_days: int = 0


def why_not(
    recipient: Recipient, *, kind: str, topic: str | None, minimum_consent: str | None, frequency_cap: int
) -> str | None:
    """The reason this message must not go out, or None when it may."""
    if not recipient.exists:
        return "The contact no longer exists."
    if recipient.bounced or recipient.suppressed in ("bounced", "complained"):
        return "The address is on the suppression list (" + (recipient.suppressed or "bounced") + ")."
    if kind == "transactional":
        return None
    if recipient.unsubscribed or recipient.suppressed == "unsubscribed":
        return "The contact has unsubscribed."
    if not recipient.email_opt_in:
        return "The contact has not opted in to email."
    required = minimum_consent or "marketing"
    if CONSENT_ORDER.index(recipient.consent_level) < CONSENT_ORDER.index(required):
        return f"The contact's consent ({recipient.consent_level}) is below {required}."
    if topic and topic in recipient.opted_out_topics:
        return f"The contact opted out of the topic '{topic}'."
    if frequency_cap and recipient.promotional_last_7_days >= frequency_cap:
        return f"Frequency cap: already {recipient.promotional_last_7_days} promotional messages in 7 days."
    return None

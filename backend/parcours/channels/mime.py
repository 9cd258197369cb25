"""A valid multipart/alternative message, with the headers mailbox providers expect."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from datetime import datetime
from email.utils import format_datetime, formataddr

import msgspec


class Parts(msgspec.Struct, kw_only=True):
    from_name: str
    from_email: str
    to: str
    subject: str
    text: str
    html: str
    reply_to: str | None = None
    unsubscribe_url: str | None = None
    idempotency_key: str
    date: datetime


def message_id(idempotency_key: str, domain: str) -> str:
    """Deterministic: the same message sent again carries the same Message-ID (receivers dedupe)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def build(parts: Parts) -> EmailMessage:
    message = EmailMessage()
    domain = parts.from_email.rsplit("@", 1)[-1]
    message["From"] = formataddr((parts.from_name, parts.from_email)) if parts.from_name else parts.from_email
    message["To"] = parts.to
    message["Subject"] = parts.subject
    message["Date"] = format_datetime(parts.date)
    message["Message-ID"] = message_id(parts.idempotency_key, domain)
    if parts.reply_to:
        message["Reply-To"] = parts.reply_to
    if parts.unsubscribe_url:
        # RFC 8058: mailbox providers show an unsubscribe button that POSTs to this address.
        message["List-Unsubscribe"] = f"<{parts.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(parts.text)
    message.add_alternative(parts.html, subtype="html")
    return message


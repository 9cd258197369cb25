"""What recipients do with a message: opens, clicks, unsubscribes, preferences; bounces and
complaints reported by the mail system. Each is recorded on the message and as an interaction."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC
from email import message_from_bytes
from email.message import Message as MimeMessage
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import system_actor
from parcours.channels import service as outbox
from parcours.channels.service import SentMessage
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.emails import topics
from parcours.errors import InvalidInput, NotFound
from parcours.interactions import recording
from parcours.interactions import service as interactions
from parcours.tracking import machines
from parcours.tracking.tokens import contact_token, sign, verify

RECIPIENT = system_actor("the contact")


class Client(msgspec.Struct, frozen=True):
    """Who fetched a tracked link: what tells a reader from a proxy or a scanner."""

    user_agent: str | None = None
    address: str | None = None


UNKNOWN = Client()


def _about(message: SentMessage) -> dict[str, Any]:
    about: dict[str, Any] = {
        "email_id": message.email_id,
        "campaign_id": message.campaign_id,
        "journey_id": message.journey_id,
        "variant": message.variant,
        "message_id": message.id,
        # What the email report breaks the message's figures down by: domain and hour of sending.
        "domain": message.to_address.rsplit("@", 1)[-1].lower(),
        "sent_hour": message.sent_at.astimezone(UTC).hour if message.sent_at else None,
    }
    if message.journey_id is not None:
        about.update(journey_id=message.journey_id, node_id=message.node_id)
    return about


def _firsts(noted: set[str], machine: bool) -> dict[str, Any]:
    """What an open or click is for the reports: the message's first open / click (its unique
    figures), its first human one, and whether a machine made it."""
    flags: dict[str, Any] = {"machine": machine}
    for column, name in (
        ("opened_at", "first_open"),
        ("clicked_at", "first_click"),
        ("human_opened_at", "first_human_open"),
        ("human_clicked_at", "first_human_click"),
    ):
        if column in noted:
            flags[name] = True
    return flags


async def _message(session: AsyncSession, secret: str, purpose: str, token: str) -> tuple[SentMessage, dict[str, Any]]:
    payload = verify(secret, purpose, token)
    message = await outbox.message(session, int(payload.get("m", 0)))
    if message is None:
        raise NotFound("This message no longer exists.", "token")
    return message, payload


async def _event(session: AsyncSession, message: SentMessage, kind: str, **extra: Any) -> None:
    if message.contact_id is not None:
        await recording.record(
            session, [{"contact_id": message.contact_id, "type": kind, "properties": {**_about(message), **extra}}]
        )


async def opened(session: AsyncSession, secret: str, token: str, client: Client = UNKNOWN) -> None:
    message, _ = await _message(session, secret, "open", token)
    now = utcnow()
    machine = machines.machine_open(client.user_agent, client.address, message.sent_at, now)
    noted = await outbox.note(session, message.id, "opened", now, machine=machine)
    await _event(session, message, "email_opened", **_firsts(noted, machine))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def with_contact_token(url: str, token: str, sites: Sequence[str]) -> str:
    """The destination with `pc=<token>` when it is one of the organization's sites (never a
    third party's: the token names the contact)."""
    if _origin(url) not in {site.rstrip("/").lower() for site in sites}:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&pc={token}" if parts.query else f"pc={token}"
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


async def clicked(
    session: AsyncSession, secret: str, token: str, sites: Sequence[str] = (), client: Client = UNKNOWN
) -> str:
    """Record the click; returns where to send the browser: on one of `sites` (origins carrying
    the tracking script), with the contact token that identifies the visitor there."""
    message, payload = await _message(session, secret, "click", token)
    url = str(payload.get("u", ""))
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("This link is not valid.", "token")
    now = utcnow()
    # A scanner follows every link at once: a second link within the second of the first click.
    first_link = await _first_link(session, message) if message.clicked_at is not None else None
    machine = machines.scanner_click(
        client.user_agent, message.sent_at, now, message.clicked_at, same_link=first_link in (None, url)
    )
    # A click proves the message was opened, even when images (the open pixel) were blocked.
    noted = await outbox.note(session, message.id, "clicked", now, machine=machine)
    await _event(session, message, "email_clicked", url=url, link=payload.get("i"), **_firsts(noted, machine))
    if message.contact_id is not None and message.id is not None and sites:
        return with_contact_token(url, contact_token(secret, message.contact_id, message.id, time.time()), sites)
    return url


async def _first_link(session: AsyncSession, message: SentMessage) -> str | None:
    """The link of the message's first click, when that click was within the last second."""
    if message.contact_id is None or message.clicked_at is None:
        return None
    if (utcnow() - message.clicked_at).total_seconds() >= 1.0:
        return None
    found = await interactions.of_types(session, [message.contact_id], ["email_clicked"], message.clicked_at)
    for _kind, _at, properties in found.get(message.contact_id, []):
        if properties.get("message_id") == message.id and properties.get("first_click"):
            return str(properties.get("url"))
    return None


async def recipient(
    session: AsyncSession, secret: str, purpose: str, token: str
) -> tuple[SentMessage, dict[str, Any] | None]:
    """The message a link came from and its contact (None when erased since)."""
    message, _ = await _message(session, secret, purpose, token)
    if message.contact_id is None:
        return message, None
    rows = await contacts.rule_rows(session, [message.contact_id])
    return message, rows[message.contact_id][0] if message.contact_id in rows else None


async def unsubscribe(session: AsyncSession, secret: str, token: str) -> SentMessage:
    """One click, no login: the contact stops receiving promotional email. Doing it again is harmless."""
    message, contact = await recipient(session, secret, "unsubscribe", token)
    if contact is None:
        await outbox.suppress(session, message.to_address, "unsubscribed", "unsubscribe link")
        return message
    if not contact.get("unsubscribed") and message.contact_id is not None:
        await contacts.update_contact(
            session, message.contact_id, {"unsubscribed": True}, RECIPIENT, method="unsubscribe_link"
        )
        await outbox.note(session, message.id, "unsubscribed", utcnow())
        await _event(session, message, "email_unsubscribed")
    return message


async def preferences(
    session: AsyncSession, secret: str, token: str
) -> tuple[SentMessage, dict[str, Any] | None, set[str]]:
    message, contact = await recipient(session, secret, "preferences", token)
    opted_out = (
        (await topics.opted_out(session, [message.contact_id])).get(message.contact_id, frozenset())
        if message.contact_id is not None
        else frozenset()
    )
    return message, contact, set(opted_out)


async def save_preferences(session: AsyncSession, secret: str, token: str, keep: set[str], everything: bool) -> None:
    message, contact = await recipient(session, secret, "preferences", token)
    if contact is None or message.contact_id is None:
        raise NotFound("This contact no longer exists.", "token")
    all_topics = {t.key for t in await topics.list_topics(session)}
    await topics.set_opt_outs(session, message.contact_id, all_topics - keep)
    wanted = {"unsubscribed": everything}
    if bool(contact.get("unsubscribed")) != everything:
        await contacts.update_contact(session, message.contact_id, wanted, RECIPIENT, method="preference_center")
        if everything:
            await _event(session, message, "email_unsubscribed")


# ---- reports from the mail system ----------------------------------------------------------------


async def _by_reference(session: AsyncSession, message_id: str | None, outbox_id: int | None) -> SentMessage | None:
    if outbox_id is not None:
        return await outbox.message(session, outbox_id)
    if message_id:
        return await outbox.message_by_header(session, message_id)
    return None


async def report(
    session: AsyncSession,
    *,
    kind: str,
    address: str | None,
    message_id: str | None,
    outbox_id: int | None,
    hard: bool,
    detail: str,
) -> str:
    """A delivery, bounce or complaint. Hard bounces and complaints suppress the address."""
    message = await _by_reference(session, message_id, outbox_id)
    address = (address or (message.to_address if message else "")).strip().lower()
    if not address:
        raise InvalidInput("Say which message or address this is about.", "message_id")
    contact_ids = await contacts.ids_by_email(session, [address])
    contact_id = contact_ids.get(address) or (message.contact_id if message else None)
    about = _about(message) if message else {}
    now = utcnow()
    if kind == "delivered":
        if message:
            await outbox.note(session, message.id, "delivered", now)
        event = "email_delivered"
    elif kind == "bounce":
        if message:
            await outbox.note(session, message.id, "bounced", now)
        if hard:
            await outbox.suppress(session, address, "bounced", detail)
            if contact_id is not None:
                await contacts.update_contact(
                    session, contact_id, {"bounced": True}, system_actor("mail system"), method="bounce"
                )
        event = "email_bounced"
    else:
        await outbox.suppress(session, address, "complained", detail)
        if contact_id is not None:
            await contacts.update_contact(
                session, contact_id, {"unsubscribed": True}, system_actor("mail system"), method="complaint"
            )
        event = "email_complained"
    if contact_id is not None:
        await recording.record(
            session,
            [{"contact_id": contact_id, "type": event, "properties": {**about, "hard": hard, "detail": detail[:300]}}],
        )
    return event


def parse_dsn(raw: bytes) -> list[dict[str, Any]]:
    """The recipients of a delivery status notification (RFC 3464) and what happened to each."""
    parsed = message_from_bytes(raw)
    found = []
    original_id = None
    for part in parsed.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) else message_from_bytes(str(payload).encode())
            original_id = inner.get("Message-ID") if isinstance(inner, MimeMessage) else None
    for part in parsed.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload():
            fields = block if isinstance(block, MimeMessage) else message_from_bytes(str(block).encode())
            recipient_field = fields.get("Final-Recipient") or fields.get("Original-Recipient")
            if not recipient_field:
                continue
            address = recipient_field.split(";", 1)[-1].strip()
            action = (fields.get("Action") or "").strip().lower()
            status = (fields.get("Status") or "").strip()
            found.append(
                {
                    "address": address,
                    "action": action,
                    "status": status,
                    "hard": action == "failed" and status.startswith("5"),
                    "diagnostic": (fields.get("Diagnostic-Code") or "").strip(),
                    "message_id": original_id,
                }
            )
    if not found:
        raise InvalidInput("This is not a delivery status notification (no message/delivery-status part).", "body")
    return found


def sign_preferences(secret: str, message_id: int) -> str:
    return sign(secret, "preferences", {"m": message_id})

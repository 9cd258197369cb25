"""The worker's side of the outbox: claim due messages, check consent, render, send, record."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy import bindparam, select, update

from parcours.campaigns import service as campaigns
from parcours.channels import service as outbox
from parcours.channels.mime import Parts, build
from parcours.channels.models import OutboxMessage
from parcours.channels.policy import Recipient, why_not
from parcours.channels.senders import Outcome, Sender, sender_for
from parcours.clock import utcnow
from parcours.db import transaction
from parcours.emails import render
from parcours.emails import service as emails
from parcours.emails import topics
from parcours.emails.compose import compose, context
from parcours.emails.models import Email
from parcours.interactions import recording
from parcours.tracking.tokens import Links

log = logging.getLogger(__name__)
BATCH = 200


class Ready(msgspec.Struct):
    """A claimed message, either rendered and ready to go or refused with a reason."""

    message_id: int
    to: str
    mime: Any = None
    reason: str | None = None
    subject: str = ""


def sender(runtime: Any) -> Sender:
    if "sender" not in runtime.extras:
        runtime.extras["sender"] = sender_for(runtime.settings)
    return runtime.extras["sender"]  # type: ignore[no-any-return]


async def deliver_due(runtime: Any) -> int:
    """Send every due message, a batch at a time. Returns how many were handled."""
    handled = 0
    while True:
        # The claim is a short write; rendering reads only, so that on SQLite (one writer at a
        # time) other jobs and workers are not kept waiting while 200 messages are rendered.
        async with transaction(runtime.sessions) as session:
            claimed = await outbox.claim_due(session, BATCH, timedelta(seconds=runtime.settings.stale_claim_seconds))
        if not claimed:
            return handled
        async with transaction(runtime.read_sessions) as session:
            ready = await _prepare(session, claimed, runtime)
        outcomes = await _send(sender(runtime), ready)
        async with transaction(runtime.sessions) as session:
            await _record(session, ready, outcomes)
        handled += len(claimed)


async def _send(channel: Sender, ready: list[Ready]) -> list[Outcome | None]:
    """Send the batch concurrently: the SMTP sender spreads it over its pool of connections."""
    async def one(item: Ready) -> Outcome | None:
        return await channel.send(item.mime, item.to) if item.mime is not None else None

    return list(await asyncio.gather(*(one(item) for item in ready)))


async def _prepare(session: Any, claimed: list[OutboxMessage], runtime: Any) -> list[Ready]:
    settings = runtime.settings
    variants = await campaigns.overrides(session, {m.campaign_id for m in claimed if m.campaign_id and m.variant})
    email_ids = {m.email_id for m in claimed if m.email_id is not None}
    email_ids |= {v["email_id"] for v in variants.values() if "email_id" in v}
    loaded = {e.id: e for e in (await session.execute(select(Email).where(Email.id.in_(email_ids)))).scalars()}  # type: ignore[union-attr]
    contact_ids = [m.contact_id for m in claimed if m.contact_id is not None]
    needs_rules = any(render.referenced_rules(e.html) for e in loaded.values())
    people = await emails.personalizations(session, contact_ids, needs_rules) if contact_ids else {}
    suppressed = await outbox.suppressed(session, [m.to_address for m in claimed])
    opted_out = await topics.opted_out(session, contact_ids) if contact_ids else {}
    counts = await outbox.promotional_counts(session, contact_ids, utcnow() - timedelta(days=7)) if contact_ids else {}
    ready = []
    for message in claimed:
        change = variants.get((message.campaign_id, message.variant), {})  # type: ignore[arg-type]
        email = loaded.get(change.get("email_id", message.email_id))
        if email is None:
            ready.append(Ready(message_id=message.id, to=message.to_address, reason="The email was deleted."))  # type: ignore[arg-type]
            continue
        person = people.get(message.contact_id) if message.contact_id is not None else None
        if not message.data.get("test"):
            contact = person[0] if person else {}
            recipient = Recipient(
                exists=person is not None, email_opt_in=bool(contact.get("email_opt_in")),
                unsubscribed=bool(contact.get("unsubscribed")), bounced=bool(contact.get("bounced")),
                consent_level=contact.get("consent_level") or "none", suppressed=suppressed.get(message.to_address),
                opted_out_topics=opted_out.get(message.contact_id or 0, frozenset()),
                promotional_last_7_days=counts.get(message.contact_id or 0, 0))
            reason = why_not(recipient, kind=email.kind, topic=email.topic,
                             minimum_consent=message.data.get("minimum_consent"),
                             frequency_cap=message.data.get("frequency_cap", settings.frequency_cap))
            if reason:
                ready.append(Ready(message_id=message.id, to=message.to_address, reason=reason))  # type: ignore[arg-type]
                continue
        links = Links(settings.base_url, runtime.secret_key, message.id)  # type: ignore[arg-type]
        content = emails.content_of(email)
        content.subject = change.get("subject") or message.data.get("subject") or content.subject
        contact, account, rule = person if person else (dict(emails.SAMPLE_CONTACT), None, None)
        composed = compose(content, context(contact, account, links, message.data.get("values")), rule, links)
        mime = build(Parts(
            from_name=change.get("from_name") or email.from_name, from_email=email.from_email,
            to=message.to_address, subject=composed.subject, text=composed.text, html=composed.html,
            reply_to=email.reply_to, unsubscribe_url=links.unsubscribe if email.kind == "promotional" else None,
            idempotency_key=message.idempotency_key, date=utcnow()))
        ready.append(Ready(message_id=message.id, to=message.to_address, mime=mime, subject=composed.subject[:300]))  # type: ignore[arg-type]
    return ready


_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
# Outcomes are written with one executemany per kind of change, by primary key: no per-row ORM load.
_SENT = update(_TABLE).where(_TABLE.c.id == bindparam("_id")).values(
    status=bindparam("_status"), mime=bindparam("_mime"), sent_at=bindparam("_sent_at"), reason="",
    subject=bindparam("_subject"), message_id=bindparam("_message_id"))
_NOT_SENT = update(_TABLE).where(_TABLE.c.id == bindparam("_id")).values(
    status=bindparam("_status"), reason=bindparam("_reason"))


async def _record(session: Any, ready: list[Ready],
                  outcomes: list[Outcome | None]) -> None:
    now = utcnow()
    sent, not_sent = [], []
    for item, outcome in zip(ready, outcomes, strict=True):
        if item.reason is not None:
            not_sent.append({"_id": item.message_id, "_status": "suppressed", "_reason": item.reason[:300]})
        elif outcome is not None and outcome.ok:
            sent.append({"_id": item.message_id, "_status": "captured" if outcome.captured is not None else "sent",
                         "_mime": outcome.captured, "_sent_at": now, "_subject": item.subject,
                         "_message_id": str(item.mime["Message-ID"])})
        else:
            not_sent.append({"_id": item.message_id, "_status": "failed",
                             "_reason": (outcome.detail if outcome else "not sent")[:300]})
    if sent:
        await session.execute(_SENT, sent)
    if not_sent:
        await session.execute(_NOT_SENT, not_sent)
    subjects = {row["_id"]: row["_subject"] for row in sent}
    # What the interactions need, in one query for the batch.
    columns = select(_TABLE.c.id, _TABLE.c.contact_id, _TABLE.c.email_id, _TABLE.c.campaign_id, _TABLE.c.variant)
    rows = (await session.execute(columns.where(_TABLE.c.id.in_(list(subjects)),
                                                _TABLE.c.contact_id.is_not(None)))).all() if sent else []
    await recording.record(session, [
        {"contact_id": m.contact_id, "type": "email_sent", "occurred_at": now,
         "properties": {"email_id": m.email_id, "campaign_id": m.campaign_id, "variant": m.variant,
                        "message_id": m.id, "subject": subjects[m.id]}}
        for m in sorted(rows, key=lambda r: r.id)
    ])

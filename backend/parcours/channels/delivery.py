"""The worker's side of the outbox: claim due messages, check consent, render, send, record."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy import select

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


def sender(runtime: Any) -> Sender:
    if "sender" not in runtime.extras:
        runtime.extras["sender"] = sender_for(runtime.settings)
    return runtime.extras["sender"]  # type: ignore[no-any-return]


async def deliver_due(runtime: Any) -> int:
    """Send every due message, a batch at a time. Returns how many were handled."""
    handled = 0
    while True:
        async with transaction(runtime.sessions) as session:
            claimed = await outbox.claim_due(session, BATCH)
            ready = await _prepare(session, claimed, runtime) if claimed else []
        if not claimed:
            return handled
        outcomes = [await sender(runtime).send(r.mime, r.to) if r.mime is not None else None for r in ready]
        async with transaction(runtime.sessions) as session:
            await _record(session, ready, outcomes)
        handled += len(claimed)


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
                             minimum_consent=message.data.get("minimum_consent"), frequency_cap=settings.frequency_cap)
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
        message.subject = composed.subject[:300]
        ready.append(Ready(message_id=message.id, to=message.to_address, mime=mime))  # type: ignore[arg-type]
    return ready


async def _record(session: Any, ready: list[Ready],
                  outcomes: list[Outcome | None]) -> None:
    now = utcnow()
    sent = []
    for item, outcome in zip(ready, outcomes, strict=True):
        message = await session.get(OutboxMessage, item.message_id)
        if item.reason is not None:
            message.status, message.reason = "suppressed", item.reason[:300]
        elif outcome is not None and outcome.ok:
            message.status = "captured" if outcome.captured is not None else "sent"
            message.mime, message.sent_at, message.reason = outcome.captured, now, ""
            message.message_id = str(item.mime["Message-ID"])
            if message.contact_id is not None:
                sent.append(message)
        else:
            message.status, message.reason = "failed", (outcome.detail if outcome else "not sent")[:300]
    await recording.record(session, [
        {"contact_id": m.contact_id, "type": "email_sent", "occurred_at": now,
         "properties": {"email_id": m.email_id, "campaign_id": m.campaign_id, "variant": m.variant,
                        "message_id": m.id, "subject": m.subject}}
        for m in sent
    ])

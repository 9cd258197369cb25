"""The worker's side of the outbox: claim due messages, check consent, render, send, record.

Batches go through a pipeline: while one batch is on the wire, the next is claimed and rendered
and the one before is recorded, so that the worker is not idle waiting for the SMTP server or
the database."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import bindparam, select, update

from parcours.campaigns import service as campaigns
from parcours.channels import service as outbox
from parcours.channels.mime import Mime, Parts, build
from parcours.channels.models import OutboxMessage
from parcours.channels.policy import Recipient, why_not
from parcours.channels.senders import Outcome, Sender, sender_for
from parcours.clock import utcnow
from parcours.db import transaction
from parcours.emails import render, topics
from parcours.emails import service as emails
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
    mime: Mime | None = None
    reason: str | None = None
    subject: str = ""
    # A promotional message passed to the sender: counted by the frequency cap until recorded.
    promotional: bool = False


def sender(runtime: Any) -> Sender:
    if "sender" not in runtime.extras:
        runtime.extras["sender"] = sender_for(runtime.settings)
    return runtime.extras["sender"]  # type: ignore[no-any-return]


async def deliver_due(runtime: Any) -> int:
    """Send every due message, a batch at a time. Returns how many were handled."""
    channel = sender(runtime)
    handled = 0
    recorded: asyncio.Task[None] | None = None
    upcoming = asyncio.create_task(_claim_and_prepare(runtime, ()))
    # Promotional messages passed to the sender whose outcome may not be recorded yet (this batch
    # and the one before): the frequency cap of the next batch counts them.
    previous: list[int] = []
    try:
        while ready := await upcoming:
            if len(ready) == BATCH:
                await _call_for_help(runtime)
            current = [item.message_id for item in ready if item.promotional]
            # The next batch is claimed and rendered while this one is sent.
            upcoming = asyncio.create_task(_claim_and_prepare(runtime, previous + current))
            previous = current
            outcomes = await _send(channel, ready)
            if recorded is not None:
                done, recorded = recorded, None
                await done
            recorded = asyncio.create_task(_record_batch(runtime, ready, outcomes))
            handled += len(ready)
    finally:
        if not upcoming.done():
            # Only on an error: what it claimed goes out again once its claim is stale.
            upcoming.cancel()
        if recorded is not None:
            await recorded
    return handled


async def _call_for_help(runtime: Any) -> None:
    """A full batch: more are due. Another worker, if idle, takes this job and joins in (this one
    only notes it: one delivery loop per worker)."""
    try:
        await runtime.enqueue(outbox.DELIVER_JOB, job_id=f"{outbox.DELIVER_JOB}:{int(time.time() * 2)}")
    except Exception:  # the sweeper wakes the others anyway
        log.warning("could not queue a delivery job for the other workers", exc_info=True)


async def _claim_and_prepare(runtime: Any, in_flight: Sequence[int]) -> list[Ready]:
    # The claim is a short write; rendering reads only, so that on SQLite (one writer at a
    # time) other jobs and workers are not kept waiting while a batch is rendered.
    async with transaction(runtime.sessions) as session:
        claimed = await outbox.claim_due(session, BATCH, timedelta(seconds=runtime.settings.stale_claim_seconds))
    if not claimed:
        return []
    async with transaction(runtime.read_sessions) as session:
        return await _prepare(session, claimed, runtime, in_flight)


async def _send(channel: Sender, ready: list[Ready]) -> list[Outcome | None]:
    """Send the batch: the SMTP sender spreads it over its pool of connections."""
    sendable = [(item.mime, item.to) for item in ready if item.mime is not None]
    sent = iter(await channel.send_many(sendable) if sendable else [])
    return [next(sent) if item.mime is not None else None for item in ready]


async def _prepare(session: Any, claimed: Sequence[Any], runtime: Any, in_flight: Sequence[int]) -> list[Ready]:
    settings = runtime.settings
    now = utcnow()
    variants = await campaigns.overrides(session, {m.campaign_id for m in claimed if m.campaign_id and m.variant})
    email_ids = {m.email_id for m in claimed if m.email_id is not None}
    email_ids |= {v["email_id"] for v in variants.values() if "email_id" in v}
    loaded = {e.id: e for e in (await session.execute(select(Email).where(Email.id.in_(email_ids)))).scalars()}  # type: ignore[union-attr]
    contents = {eid: emails.content_of(e) for eid, e in loaded.items()}
    contact_ids = [m.contact_id for m in claimed if m.contact_id is not None]
    needs_rules = any(render.uses_rules(e.html) for e in loaded.values())
    people = await emails.personalizations(session, contact_ids, needs_rules) if contact_ids else {}
    suppressed = await outbox.suppressed(session, [m.to_address for m in claimed])
    opted_out = await topics.opted_out(session, contact_ids) if contact_ids else {}
    capped = any(m.data.get("frequency_cap", settings.frequency_cap) for m in claimed if not m.data.get("test"))
    counts = await outbox.promotional_counts(session, contact_ids, now - timedelta(days=7), in_flight) \
        if contact_ids and capped else {}
    ready = []
    for message in claimed:
        change = variants.get((message.campaign_id, message.variant), {})
        email = loaded.get(change.get("email_id", message.email_id))
        if email is None:
            ready.append(Ready(message_id=message.id, to=message.to_address, reason="The email was deleted."))
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
                ready.append(Ready(message_id=message.id, to=message.to_address, reason=reason))
                continue
        promotional = message.kind == "promotional"
        if promotional and message.contact_id is not None:
            # Two messages to one contact in a batch: the second sees the first.
            counts[message.contact_id] = counts.get(message.contact_id, 0) + 1
        links = Links(settings.base_url, runtime.secret_key, message.id)
        content = msgspec.structs.replace(
            contents[email.id], subject=change.get("subject") or message.data.get("subject") or email.subject)
        contact, account, rule = person if person else (dict(emails.SAMPLE_CONTACT), None, None)
        composed = compose(content, context(contact, account, links, message.data.get("values")), rule, links)
        mime = build(Parts(
            from_name=change.get("from_name") or email.from_name, from_email=email.from_email,
            to=message.to_address, subject=composed.subject, text=composed.text, html=composed.html,
            reply_to=email.reply_to, unsubscribe_url=links.unsubscribe if email.kind == "promotional" else None,
            idempotency_key=message.idempotency_key, date=now))
        ready.append(Ready(message_id=message.id, to=message.to_address, mime=mime, subject=composed.subject[:300],
                           promotional=promotional))
    return ready


_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
# Outcomes are written with one executemany per kind of change, by primary key: no per-row ORM load.
_SENT = update(_TABLE).where(_TABLE.c.id == bindparam("_id")).values(
    status=bindparam("_status"), mime=bindparam("_mime"), sent_at=bindparam("_sent_at"), reason="",
    subject=bindparam("_subject"), message_id=bindparam("_message_id"))
_NOT_SENT = update(_TABLE).where(_TABLE.c.id == bindparam("_id")).values(
    status=bindparam("_status"), reason=bindparam("_reason"))


async def _record_batch(runtime: Any, ready: list[Ready], outcomes: list[Outcome | None]) -> None:
    async with transaction(runtime.sessions) as session:
        await _record(session, ready, outcomes)


async def write_outcomes(session: Any, ready: Sequence[Ready], outcomes: Sequence[Outcome | None],
                         now: datetime) -> list[dict[str, Any]]:
    """Each message's status (sent or captured, suppressed, failed) in two statements; returns
    the rows of those sent."""
    sent, not_sent = [], []
    for item, outcome in zip(ready, outcomes, strict=True):
        if item.reason is not None:
            not_sent.append({"_id": item.message_id, "_status": "suppressed", "_reason": item.reason[:300]})
        elif outcome is not None and outcome.ok and item.mime is not None:
            sent.append({"_id": item.message_id, "_status": "captured" if outcome.captured is not None else "sent",
                         "_mime": outcome.captured, "_sent_at": now, "_subject": item.subject,
                         "_message_id": item.mime.message_id})
        else:
            not_sent.append({"_id": item.message_id, "_status": "failed",
                             "_reason": (outcome.detail if outcome else "not sent")[:300]})
    if sent:
        await session.execute(_SENT, sent)
    if not_sent:
        await session.execute(_NOT_SENT, not_sent)
    return sent


async def _record(session: Any, ready: list[Ready], outcomes: list[Outcome | None]) -> None:
    now = utcnow()
    sent = await write_outcomes(session, ready, outcomes, now)
    subjects = {row["_id"]: row["_subject"] for row in sent}
    # What the interactions need, in one query for the batch (a contact deleted meanwhile has none).
    columns = select(_TABLE.c.id, _TABLE.c.contact_id, _TABLE.c.email_id, _TABLE.c.campaign_id, _TABLE.c.variant)
    rows = (await session.execute(columns.where(_TABLE.c.id.in_(list(subjects)),
                                                _TABLE.c.contact_id.is_not(None)))).all() if sent else []
    await recording.record(session, [
        {"contact_id": m.contact_id, "type": "email_sent", "occurred_at": now,
         "properties": {"email_id": m.email_id, "campaign_id": m.campaign_id, "variant": m.variant,
                        "message_id": m.id, "subject": subjects[m.id]}}
        for m in sorted(rows, key=lambda r: r.id)
    ])

"""Telling sales a lead is sales-ready: a signed webhook call through the outbox's webhook
channel, and a plain-text email to the sales address through the outbox.

The email is not a designed email (the email channel sends only those), so it is an outbox row
of its own channel, `notification`, that this module delivers with the same sender as every
email: captured in embedded mode (it shows in the Outbox screen), sent by SMTP otherwise.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import delivery
from parcours.channels import service as outbox
from parcours.channels.mime import Parts, build
from parcours.channels.models import OutboxMessage
from parcours.clock import utcnow
from parcours.db import after_commit, dialect_name, transaction

CHANNEL = "notification"
DELIVER_JOB = "deliver_score_notifications"
BATCH = 50


def text_of(model_name: str, contact: dict[str, Any], score: int, grade: str, threshold: int, base_url: str) -> str:
    who = " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p) or contact["email"]
    return "\n".join([
        f"{who} <{contact['email']}> is sales-ready.",
        "",
        f"Model: {model_name}",
        f"Score: {score} (grade {grade}, threshold {threshold})",
        f"Job title: {contact.get('job_title') or '-'}",
        f"Stage: {contact.get('lifecycle_stage')}",
        "",
        f"{base_url}/contacts/{contact['id']}",
    ])


async def sales_ready(session: AsyncSession, enqueue: Any, *, model_id: int, model_key: str, model_name: str,
                      notify_email: str | None, notify_webhook: str | None, contact: dict[str, Any], score: int,
                      grade: str, threshold: int, now: datetime, base_url: str = "") -> None:
    moment = int(now.timestamp())
    if notify_webhook:
        await outbox.queue_other(session, enqueue, key=f"sales-ready:{model_id}:{contact['id']}:{moment}:webhook",
                                 channel="webhook", contact_id=contact["id"], journey_id=None,
                                 node_id=f"scoring:{model_key}"[:64],
                                 data={"url": notify_webhook, "event": "sales_ready", "model": model_key,
                                       "score": score, "grade": grade})
    if notify_email:
        subject = f"Sales-ready lead: {contact['email']} ({model_name} {score})"
        values = {"idempotency_key": f"sales-ready:{model_id}:{contact['id']}:{moment}:email", "channel": CHANNEL,
                  "kind": "transactional", "contact_id": contact["id"], "email_id": None, "to_address": notify_email,
                  "subject": subject[:300], "status": "queued", "send_after": now, "created_at": now,
                  "data": {"text": text_of(model_name, contact, score, grade, threshold, base_url)}}
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        insert = postgresql.insert(table) if await dialect_name(session) == "postgresql" else sqlite.insert(table)
        await session.execute(insert.values(**values).on_conflict_do_nothing())
        after_commit(session, lambda: enqueue(DELIVER_JOB, job_id=f"{DELIVER_JOB}:{moment * 2}"))


async def pending(session: AsyncSession) -> bool:
    found = await session.execute(select(OutboxMessage.id).where(
        OutboxMessage.channel == CHANNEL, OutboxMessage.status.in_(["queued", "sending"])).limit(1))  # type: ignore[attr-defined]
    return found.first() is not None


def _sender_address(runtime: Any) -> str:
    return runtime.settings.admin_email or "parcours@localhost"


async def deliver_due(runtime: Any) -> int:
    """Send every queued notification, a batch at a time."""
    handled = 0
    stale = timedelta(seconds=runtime.settings.stale_claim_seconds)
    while True:
        async with transaction(runtime.sessions) as session:
            claimed = await outbox.claim_due(session, BATCH, stale, (CHANNEL,))
        if not claimed:
            return handled
        built = []
        for message in claimed:
            text = str(message.data.get("text", ""))
            built.append((build(Parts(from_name="Parcours", from_email=_sender_address(runtime), to=message.to_address,
                                      subject=message.subject, text=text, html=f"<pre>{html.escape(text)}</pre>",
                                      idempotency_key=message.idempotency_key, date=utcnow())), message.to_address))
        outcomes = await delivery.sender(runtime).send_many(built)
        async with transaction(runtime.sessions) as session:
            for message, outcome in zip(claimed, outcomes, strict=True):
                row = await session.get(OutboxMessage, message.id)
                if row is None:
                    continue
                if outcome.ok:
                    row.status, row.sent_at, row.reason = ("captured" if outcome.captured is not None else "sent"), utcnow(), ""
                    row.mime = outcome.captured
                else:
                    row.status, row.reason = "failed", outcome.detail[:300]
        handled += len(claimed)

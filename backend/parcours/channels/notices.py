"""Notices: plain transactional emails (a text, maybe files) that any feature sends through the
outbox: a registration's confirmation, a note to sales. They are not designed emails (the email
channel sends only those), so they are outbox rows of their own channel, delivered here with the
same sender as every email: captured in embedded mode (they show in the Outbox screen with their
MIME), sent by SMTP otherwise."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import msgspec
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import delivery
from parcours.channels import service as outbox
from parcours.channels.mime import Attachment, Parts, build
from parcours.channels.models import OutboxMessage
from parcours.channels.policy import Recipient, why_not
from parcours.clock import utcnow
from parcours.db import after_commit, dialect_name, transaction

# The name scoring's notes to sales were stored under before notices were shared: kept, so that
# rows queued before an upgrade are still delivered.
CHANNEL = "notification"
DELIVER_JOB = "deliver_notices"
BATCH = 50
_LINK = re.compile(r"https?://(?:[^\s<>&\"]|&amp;)+")


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # the idempotency key: queued twice, sent once
    to: str
    subject: str
    text: str
    contact_id: int | None = None
    attachments: tuple[Attachment, ...] = ()
    from_name: str = "Parcours"


def _data(notice: Notice) -> dict[str, Any]:
    files = [{"filename": a.filename, "content_type": a.content_type,
              "content": base64.b64encode(a.content).decode("ascii")} for a in notice.attachments]
    return {"text": notice.text, "from_name": notice.from_name, **({"attachments": files} if files else {})}


def _attachments(data: dict[str, Any]) -> tuple[Attachment, ...]:
    return tuple(Attachment(filename=str(a["filename"]), content_type=str(a["content_type"]),
                            content=base64.b64decode(a["content"])) for a in data.get("attachments") or ())


def wake(session: AsyncSession, enqueue: Any) -> None:
    after_commit(session, lambda: enqueue(DELIVER_JOB, job_id=f"{DELIVER_JOB}:{int(utcnow().timestamp() * 2)}"))


async def queue_notices(session: AsyncSession, enqueue: Any, notices: Sequence[Notice]) -> None:
    """Queue notices in one statement; keys already queued are skipped (sent once)."""
    if not notices:
        return
    now = utcnow()
    rows = [{"idempotency_key": n.key[:200], "channel": CHANNEL, "kind": "transactional", "contact_id": n.contact_id,
             "email_id": None, "to_address": n.to[:320], "subject": n.subject[:300], "status": "queued",
             "send_after": now, "created_at": now, "data": _data(n)} for n in notices]
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert(table) if await dialect_name(session) == "postgresql" else sqlite.insert(table)
    await session.execute(insert.on_conflict_do_nothing(), rows)
    wake(session, enqueue)


async def queue_notice(session: AsyncSession, enqueue: Any, *, key: str, to: str, subject: str, text: str,
                       contact_id: int | None = None, attachments: Sequence[Attachment] = (),
                       from_name: str = "Parcours") -> None:
    await queue_notices(session, enqueue, [Notice(key=key, to=to, subject=subject, text=text, contact_id=contact_id,
                                                  attachments=tuple(attachments), from_name=from_name)])


def html_of(text: str) -> str:
    """The text as it is, its links clickable."""
    escaped = html.escape(text, quote=False)
    return "<pre>" + _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped) + "</pre>"


def _sender_address(runtime: Any) -> str:
    return runtime.settings.admin_email or "parcours@localhost"


async def deliver_due(runtime: Any) -> int:
    """Send every queued notice, a batch at a time."""
    handled = 0
    stale = timedelta(seconds=runtime.settings.stale_claim_seconds)
    while True:
        async with transaction(runtime.sessions) as session:
            claimed = await outbox.claim_due(session, BATCH, stale, (CHANNEL,))
            refused = await outbox.suppressed(session, sorted({m.to_address for m in claimed}))
        if not claimed:
            return handled
        ready = [_ready(runtime, message, why_not(Recipient(exists=True, suppressed=refused.get(message.to_address)),
                                                  kind="transactional", topic=None, minimum_consent=None, frequency_cap=0))
                 for message in claimed]
        going = [item for item in ready if item.mime is not None]
        sent = iter(await delivery.sender(runtime).send_many([(item.mime, item.to) for item in going]))  # type: ignore[misc]
        outcomes = [next(sent) if item.mime is not None else None for item in ready]
        async with transaction(runtime.sessions) as session:
            await delivery.write_outcomes(session, ready, outcomes, utcnow())
        handled += len(claimed)


def _ready(runtime: Any, message: Any, refusal: str | None) -> delivery.Ready:
    """Built to go, or refused (transactional: only an address that bounced or complained is)."""
    if refusal is not None:
        return delivery.Ready(message_id=message.id, to=message.to_address, reason=refusal)
    text = str(message.data.get("text", ""))
    mime = build(Parts(from_name=str(message.data.get("from_name") or "Parcours"), from_email=_sender_address(runtime),
                       to=message.to_address, subject=message.subject, text=text, html=html_of(text),
                       idempotency_key=message.idempotency_key, date=utcnow(), attachments=_attachments(message.data)))
    return delivery.Ready(message_id=message.id, to=message.to_address, mime=mime, subject=message.subject)

"""The outbox, as the other features use it: queue messages (each once), follow what recipients
do with them, the suppression list, and the Outbox screen's list. The table is only written here
and in the delivery loop; features never import its model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

import msgspec
from sqlalchemy import (
    JSON,
    BigInteger,
    Integer,
    Select,
    String,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.channels import claims, store
from parcours.channels.audience import Reach, left_out_list, people, reach
from parcours.channels.models import OutboxMessage
from parcours.channels.sending import JOBS, OutboxIn
from parcours.channels.sent_daily import recount as recount_sent_daily
from parcours.channels.sent_daily import sends_by_email
from parcours.channels.stats import (
    campaign_counts,
    campaign_firsts,
    campaign_progress,
    journey_email_counts,
    journey_messages_of,
    journey_node_emails,
    journey_reach_totals,
    journey_skipped,
    journey_skipped_contacts,
)
from parcours.channels.store import FailedMessage, suppress, suppressed
from parcours.clock import utcnow
from parcours.db import UTCDateTime, after_commit, move_rows, rows_about
from parcours.errors import InvalidInput, NotFound
from parcours.jobs.enqueue import Enqueue, slot_id
from parcours.jobs.names import JobName

# What other features use, the statistics and the suppression list included.
__all__ = [
    "FailedMessage",
    "OutboxIn",
    "Reach",
    "SentMessage",
    "campaign_counts",
    "campaign_firsts",
    "campaign_progress",
    "campaigns_waiting",
    "cancel_campaign",
    "journey_email_counts",
    "journey_messages_of",
    "journey_node_emails",
    "journey_reach_totals",
    "journey_skipped",
    "journey_skipped_contacts",
    "left_out_list",
    "message",
    "message_by_header",
    "note",
    "people",
    "queue",
    "queue_audience",
    "queued",
    "reach",
    "recount_sent_daily",
    "release_held",
    "sends_by_email",
    "suppress",
    "suppressed",
    "wake",
]
_COLUMNS = [
    "idempotency_key",
    "channel",
    "kind",
    "contact_id",
    "email_id",
    "campaign_id",
    "variant",
    "journey_id",
    "node_id",
    "to_address",
    "subject",
    "status",
    "send_after",
    "data",
    "created_at",
]


def wake(session: AsyncSession, enqueue: Enqueue, channels: set[str]) -> None:
    """Once the transaction commits, the loops that deliver these channels look for due messages."""
    for job in sorted({JOBS[channel] for channel in channels}):
        after_commit(session, partial(_start, enqueue, job))


async def _start(enqueue: Enqueue, job: JobName) -> object:
    return await enqueue(job, job_id=slot_id(job, utcnow().timestamp()))


async def queue(session: AsyncSession, enqueue: Enqueue, messages: Sequence[OutboxIn]) -> None:
    """Queue messages; keys already queued are skipped (queued twice, sent once: channels.claims)."""
    unknown = {m.channel for m in messages} - set(JOBS)
    if unknown:
        raise InvalidInput(f"No such channel: {', '.join(sorted(unknown))}.", "channel")
    if not messages:
        return
    now = utcnow()
    await claims.write_new(
        session,
        [
            {
                "idempotency_key": m.key[:200],
                "channel": m.channel,
                "kind": m.kind,
                "contact_id": m.contact_id,
                "email_id": m.email_id,
                "campaign_id": m.campaign_id,
                "variant": m.variant,
                "journey_id": m.journey_id,
                "node_id": m.node_id,
                "to_address": m.to[:320],
                "subject": m.subject[:300],
                "status": "queued",
                "send_after": m.send_after or now,
                "data": m.data,
                "created_at": now,
            }
            for m in messages
        ],
        now,
    )
    wake(session, enqueue, {m.channel for m in messages})


async def queue_audience(
    session: AsyncSession, enqueue: Enqueue, people: Select[Any], message: OutboxIn, *, held: bool = False
) -> int:
    """`message` once for each row of `people` (contact id, address), its key followed by the
    contact id, in one INSERT ... SELECT (a campaign's million). Held messages wait for
    release_held. Returns how many were queued."""
    found = people.subquery()
    contact_id, address = found.c[0], found.c[1]
    now = utcnow()
    rows = select(
        literal(message.key) + cast(contact_id, String),
        literal(message.channel),
        literal(message.kind),
        contact_id,
        literal(message.email_id, Integer()),
        literal(message.campaign_id, Integer()),
        literal(message.variant, String()),
        literal(message.journey_id, BigInteger()),
        literal(message.node_id, String()),
        address,
        literal(message.subject),
        literal("held" if held else "queued"),
        literal(message.send_after or now, UTCDateTime()),
        literal(message.data, JSON()),
        literal(now, UTCDateTime()),
    )
    count = await claims.write_new_from(session, _COLUMNS, rows, now)
    wake(session, enqueue, {message.channel})
    return count


async def queued(session: AsyncSession, keys: Sequence[str]) -> dict[str, int]:
    """The outbox id of each of these keys already queued."""
    rows = await session.execute(
        select(col(OutboxMessage.idempotency_key), col(OutboxMessage.id)).where(
            col(OutboxMessage.idempotency_key).in_(list(keys))
        )
    )
    return {key: int(message_id) for key, message_id in rows.all()}


# ---- campaigns: what they hold back and cancel ---------------------------------------------------


async def release_held(
    session: AsyncSession, enqueue: Enqueue, campaign_id: int, variant: str | None, data: dict[str, Any]
) -> None:
    """A campaign's held messages go now, as `variant` with its overrides in `data`."""
    t = store.TABLE.c
    await session.execute(
        update(store.TABLE)
        .where(t.campaign_id == campaign_id, t.status == "held")
        .values(status="queued", variant=variant, send_after=utcnow(), data=data)
    )
    wake(session, enqueue, {"email"})


async def cancel_campaign(session: AsyncSession, campaign_id: int) -> None:
    t = store.TABLE.c
    await session.execute(
        update(store.TABLE)
        .where(t.campaign_id == campaign_id, t.status.in_(["queued", "held"]))
        .values(status="suppressed", reason="The campaign was cancelled.", reason_code="campaign_cancelled")
    )


async def campaigns_waiting(session: AsyncSession, campaign_ids: Sequence[int]) -> set[int]:
    """Those of these campaigns with messages still to send."""
    t = store.TABLE.c
    rows = await session.execute(
        select(t.campaign_id)
        .where(t.campaign_id.in_(list(campaign_ids)), t.status.in_(["queued", "held", "sending"]))
        .distinct()
    )
    return {int(cid) for cid in rows.scalars()}


# ---- what recipients do with a message ----------------------------------------------------------


class SentMessage(msgspec.Struct, frozen=True):
    """A message sent, as tracking sees it."""

    id: int
    to_address: str
    contact_id: int | None
    email_id: int | None
    campaign_id: int | None
    variant: str | None
    # Sent by a journey's step (None otherwise): its reports count the message too.
    journey_id: int | None = None
    node_id: str | None = None
    sent_at: datetime | None = None
    # The first open and click (None: none yet), to judge whether a new one is a machine's.
    clicked_at: datetime | None = None


def _message(row: Any) -> SentMessage:
    return SentMessage(**{name: getattr(row, name) for name in SentMessage.__struct_fields__})


_MESSAGE = [store.TABLE.c[name] for name in SentMessage.__struct_fields__]


async def message(session: AsyncSession, message_id: int) -> SentMessage | None:
    row = (await session.execute(select(*_MESSAGE).where(store.TABLE.c.id == message_id))).first()
    return _message(row) if row else None


async def message_by_header(session: AsyncSession, message_id: str) -> SentMessage | None:
    """The message with this Message-ID header (angle brackets or not)."""
    wanted = message_id.strip()
    wanted = wanted if wanted.startswith("<") else f"<{wanted}>"
    row = (await session.execute(select(*_MESSAGE).where(store.TABLE.c.message_id == wanted))).first()
    return _message(row) if row else None


# What each first marks on the row: a click proves an open, even when images were blocked.
_FIRSTS = {
    ("opened", False): ("opened_at", "human_opened_at"),
    ("opened", True): ("opened_at",),
    ("clicked", False): ("opened_at", "clicked_at", "human_opened_at", "human_clicked_at"),
    ("clicked", True): ("opened_at", "clicked_at"),
}


async def note(session: AsyncSession, message_id: int, what: str, now: datetime, *, machine: bool = False) -> set[str]:
    """What happened to a message: opened and clicked (counted), delivered, bounced, unsubscribed.
    Returns the firsts this one is (of opened_at, clicked_at, human_opened_at, human_clicked_at):
    what the reports count as unique. Each first is set by a statement of its own that only
    changes an empty column, so that two opens at once never both count as the first."""
    t = store.TABLE.c
    if what not in ("opened", "clicked"):
        column = {"delivered": "delivered_at", "bounced": "bounced_at", "unsubscribed": "unsubscribed_at"}[what]
        await session.execute(update(store.TABLE).where(t.id == message_id).values({column: now}))
        return set()
    counter = "opens" if what == "opened" else "clicks"
    await session.execute(update(store.TABLE).where(t.id == message_id).values({counter: t[counter] + 1}))
    firsts = set()
    for column in _FIRSTS[(what, machine)]:
        result = await session.execute(
            update(store.TABLE).where(t.id == message_id, t[column].is_(None)).values({column: now})
        )
        if getattr(result, "rowcount", 0):
            firsts.add(column)
    return firsts


# ---- the Outbox screen -----------------------------------------------------------------------------


async def get_message(session: AsyncSession, message_id: int) -> OutboxMessage:
    found = await session.get(OutboxMessage, message_id)
    if found is None:
        raise NotFound("This message does not exist.", "message_id")
    return found


async def page(
    session: AsyncSession,
    *,
    status: str | None,
    email_id: int | None,
    campaign_id: int | None,
    to: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[OutboxMessage], str | None, int]:
    where = []
    if status:
        where.append(col(OutboxMessage.status) == status)
    if email_id:
        where.append(col(OutboxMessage.email_id) == email_id)
    if campaign_id:
        where.append(col(OutboxMessage.campaign_id) == campaign_id)
    if to:
        where.append(col(OutboxMessage.to_address).contains(to.strip().lower(), autoescape=True))
    order = [(col(OutboxMessage.id), True)]
    query = select(OutboxMessage).where(*where)
    last = read_cursor(cursor, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(col(OutboxMessage.id).desc()).limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(OutboxMessage).where(*where))).scalar_one()
    items, next_cursor = cut(rows, limit, lambda m: [m.id])
    return items, next_cursor, int(total)


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: the messages sent to (or queued for) the other are the
    survivor's history."""
    return {"messages": await move_rows(session, OutboxMessage, "contact_id", other_id, survivor_id)}


# The statuses a message waits or fails in: few rows (sent ones are the millions), read by index.
UNFINISHED = ("queued", "sending", "failed")


async def unfinished_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """(status, channel) -> how many messages wait to be sent or have failed, for monitoring."""
    t = OutboxMessage
    rows = await session.execute(
        select(col(t.status), col(t.channel), func.count())
        .where(col(t.status).in_(UNFINISHED))
        .group_by(col(t.status), col(t.channel))
    )
    return {(status, channel): int(n) for status, channel, n in rows.all()}


# ---- one email's results (reports) ---------------------------------------------------------------


class EmailSend(msgspec.Struct, frozen=True):
    """One message of an email as its report reads it."""

    to_address: str
    sent_at: datetime
    opened_at: datetime | None
    clicked_at: datetime | None
    human_opened_at: datetime | None
    human_clicked_at: datetime | None
    bounced_at: datetime | None


async def sends_of(session: AsyncSession, email_id: int, since: datetime, until: datetime) -> list[EmailSend]:
    """The messages of this email sent in [since, until) (the email's index serves it)."""
    t = store.TABLE.c
    rows = await session.execute(
        select(*(t[name] for name in EmailSend.__struct_fields__)).where(
            t.email_id == email_id, t.sent_at >= since, t.sent_at < until, t.status.in_(["sent", "captured"])
        )
    )
    return [EmailSend(*row) for row in rows.all()]


async def delivered_and_opened(
    session: AsyncSession, journey_ids: Sequence[int], campaign_ids: Sequence[int], start: datetime, end: datetime
) -> tuple[int, int]:
    """(delivered, unique opens) of the emails of these journeys and campaigns sent in [start, end):
    delivered is sent (or captured) and not bounced; an open is counted once per message."""
    if not journey_ids and not campaign_ids:
        return 0, 0
    t = OutboxMessage
    mine = or_(col(t.journey_id).in_(journey_ids), col(t.campaign_id).in_(campaign_ids))
    row = (
        await session.execute(
            select(func.count(), func.count(col(t.opened_at))).where(
                mine,
                col(t.channel) == "email",
                col(t.status).in_(("sent", "captured")),
                col(t.bounced_at).is_(None),
                col(t.sent_at) >= start,
                col(t.sent_at) < end,
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The messages sent (or to be sent) to the contact and what became of them, for its data export."""
    return {"messages": await rows_about(session, OutboxMessage, "contact_id", contact_id, leave_out=["mime"])}


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """An erased contact: its messages keep counting in the emails' and campaigns' figures, without
    its address, its subject line (it may be personalised), the message itself, its data or the
    receiving server's words (they often quote the address); the reason's code stays."""
    await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.contact_id) == contact_id)
        .values(to_address="", subject="", reason="", mime=None, data={}, contact_id=None)
    )

"""The messages sent per day (outbox_sent_daily): added to as they are recorded sent, recounted
from the outbox on demand, read by the marketing plan. A year of a busy journey is a few hundred
rows here against millions of outbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, delete, func, literal, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels.models import OutboxMessage, OutboxSentDaily
from parcours.db import dialect_insert, dialect_name, table_of, utc_day

DAILY = table_of(OutboxSentDaily)
OUTBOX = table_of(OutboxMessage)
# The statuses of a message that went out (captured: kept in the outbox, embedded mode).
SENT = ("sent", "captured")
# The columns a message is counted under, "none" written 0 (see OutboxSentDaily).
KEYS = ("channel", "journey_id", "campaign_id", "email_id")

Key = tuple[str, int, int, int]


def increments(messages: Sequence[Any], at: datetime) -> list[dict[str, Any]]:
    """The rows to add for these messages, all sent at `at` (rows with channel, journey_id,
    campaign_id, email_id): one per key, sorted so that concurrent writers lock rows in one order."""
    counts: dict[Key, int] = {}
    for m in messages:
        key = (m.channel, m.journey_id or 0, m.campaign_id or 0, m.email_id or 0)
        counts[key] = counts.get(key, 0) + 1
    day = at.date()
    return [
        {"day": day, **dict(zip(KEYS, key, strict=True)), "sent": n, "first_sent_at": at, "last_sent_at": at}
        for key, n in sorted(counts.items())
    ]


async def add(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """sent += n, first and last widened: one INSERT ... ON CONFLICT DO UPDATE per key, atomic on
    both databases (PostgreSQL makes a second writer of a key wait for the first to commit, then
    adds to what it wrote; SQLite writes one transaction at a time)."""
    if not rows:
        return
    insert = dialect_insert(await dialect_name(session), OutboxSentDaily)
    new, old = insert.excluded, DAILY.c
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["day", *KEYS],
            set_={
                "sent": old.sent + new.sent,
                "first_sent_at": case(
                    (new.first_sent_at < old.first_sent_at, new.first_sent_at), else_=old.first_sent_at
                ),
                "last_sent_at": case((new.last_sent_at > old.last_sent_at, new.last_sent_at), else_=old.last_sent_at),
            },
        ),
        list(rows),
    )


async def recount(session: AsyncSession, start: date, end: date) -> int:
    """Count the days from `start` to `end` (included) again from the outbox's rows, in this
    transaction; returns how many rows the days hold now. On PostgreSQL, senders wait for the
    recount's commit before adding to the table, so that none of their messages is counted
    twice or lost between the delete and the count."""
    dialect = await dialect_name(session)
    if dialect == "postgresql":
        await session.execute(text("LOCK TABLE outbox_sent_daily IN EXCLUSIVE MODE"))
    t = OUTBOX.c
    await session.execute(delete(DAILY).where(DAILY.c.day >= start, DAILY.c.day <= end))
    since = datetime.combine(start, time(), UTC)
    until = datetime.combine(end + timedelta(days=1), time(), UTC)
    day = utc_day(dialect, t.sent_at).label("day")
    ids = [func.coalesce(t[name], literal(0)).label(name) for name in KEYS[1:]]
    grouped = (
        select(day, t.channel, *ids, func.count(), func.min(t.sent_at), func.max(t.sent_at))
        .where(t.status.in_(SENT), t.sent_at >= since, t.sent_at < until)
        .group_by(day, t.channel, *ids)
    )
    await session.execute(
        dialect_insert(dialect, OutboxSentDaily).from_select(
            ["day", *KEYS, "sent", "first_sent_at", "last_sent_at"], grouped
        )
    )
    count = await session.execute(
        select(func.count()).select_from(DAILY).where(DAILY.c.day >= start, DAILY.c.day <= end)
    )
    return int(count.scalar_one())


async def sends_by_email(
    session: AsyncSession, by: str, ids: Sequence[int], start: date, end: date
) -> list[tuple[int, int, datetime, datetime, int]]:
    """Per journey (`by="journey"`) or campaign (`by="campaign"`) and email, the emails sent from
    `start` to `end` (included): (owner id, email_id, first sent_at, last sent_at, how many)."""
    if not ids:
        return []
    c = DAILY.c
    owner = c.journey_id if by == "journey" else c.campaign_id
    rows = await session.execute(
        select(owner, c.email_id, func.min(c.first_sent_at), func.max(c.last_sent_at), func.sum(c.sent))
        .where(owner.in_(list(ids)), c.channel == "email", c.email_id != 0, c.day >= start, c.day <= end)
        .group_by(owner, c.email_id)
    )
    return [(int(o), int(e), first, last, int(n)) for o, e, first, last, n in rows.all()]

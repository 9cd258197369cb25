"""Queued twice, sent once. A message's idempotency key is claimed in `outbox_keys` (its primary
key) by the statement that queues it, and only the messages whose keys that statement claimed are
written to the outbox. A key claimed before, by an earlier run of the same job or by another
transaction at the same moment (which waits for the first to end), is not queued again, whatever
month the outbox would file the message under."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import Select, and_, delete, exists, insert, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels.models import OutboxKey, OutboxMessage
from parcours.db import UTCDateTime, dialect_insert, dialect_name, insert_ignoring_duplicates, rowcount, table_of

KEYS = table_of(OutboxKey)
OUTBOX = table_of(OutboxMessage)


async def write_new(session: AsyncSession, messages: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Write the messages (one dict of outbox columns each) whose key was never claimed, the first
    of each key; returns how many."""
    first: dict[str, Mapping[str, Any]] = {}
    for message in messages:
        first.setdefault(message["idempotency_key"], message)
    if not first:
        return 0
    claim = uuid4().hex
    statement = (
        dialect_insert(await dialect_name(session), KEYS).on_conflict_do_nothing().returning(KEYS.c.idempotency_key)
    )
    keys = [{"idempotency_key": key, "claim": claim, "created_at": now} for key in first]
    claimed = (await session.execute(statement, keys)).scalars().all()
    if claimed:
        await session.execute(insert(OUTBOX), [first[key] for key in claimed])
    return len(claimed)


async def write_new_from(session: AsyncSession, columns: Sequence[str], rows: Select[Any], now: datetime) -> int:
    """INSERT ... SELECT: the rows of `rows` (values of `columns`, the key first; one row per key)
    whose key was never claimed. The keys are claimed by one statement, then the rows they claimed
    are written by a second: a campaign's million never leaves the database. Returns how many."""
    if columns[0] != "idempotency_key":
        raise ValueError("The first column is the message's key.")
    claim = uuid4().hex
    found = rows.subquery()
    key = found.c[0]
    claiming = select(key, literal(claim), literal(now, UTCDateTime())).select_from(found)
    await insert_ignoring_duplicates(session, KEYS, claiming, columns=["idempotency_key", "claim", "created_at"])
    claimed = select(*found.c).join(KEYS, and_(KEYS.c.idempotency_key == key, KEYS.c.claim == claim))
    return max(0, rowcount(await session.execute(insert(OUTBOX).from_select(list(columns), claimed))))


async def purge_keys_before(session: AsyncSession, cutoff: datetime, batch: int) -> int:
    """Keys claimed before `cutoff` whose message has gone (the retention), up to `batch` of them;
    returns how many were deleted."""
    old = (
        select(KEYS.c.idempotency_key)
        .where(KEYS.c.created_at < cutoff, ~exists().where(OUTBOX.c.idempotency_key == KEYS.c.idempotency_key))
        .order_by(KEYS.c.created_at)
        .limit(batch)
    )
    keys = (await session.execute(old)).scalars().all()
    if keys:
        await session.execute(delete(KEYS).where(KEYS.c.idempotency_key.in_(keys)))
    return len(keys)

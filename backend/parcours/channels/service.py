"""The outbox: queue messages (each once), claim what is due, record outcomes; suppressions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import decode_cursor, encode_cursor
from parcours.channels.models import OutboxMessage, Suppression
from parcours.clock import utcnow
from parcours.db import after_commit, dialect_name
from parcours.errors import NotFound

_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
# A message claimed this long ago and still not sent: its worker died; it is queued again
# (with the same Message-ID, so that a receiver can drop a duplicate).
STALE_CLAIM = timedelta(minutes=15)
DELIVER_JOB = "deliver_messages"


def _insert(dialect: str) -> Any:
    return postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)


def wake_delivery(session: AsyncSession, enqueue: Any) -> None:
    after_commit(session, lambda: enqueue(DELIVER_JOB, job_id=f"{DELIVER_JOB}:{int(utcnow().timestamp() * 2)}"))


async def queue_one(session: AsyncSession, enqueue: Any, *, key: str, to: str, email_id: int | None,
                    contact_id: int | None, subject: str = "", kind: str = "promotional",
                    data: dict[str, Any] | None = None, send_after: datetime | None = None,
                    campaign_id: int | None = None, variant: str | None = None) -> int:
    """Queue a message; queuing the same key again changes nothing. Returns its outbox id."""
    values = {"idempotency_key": key, "channel": "email", "kind": kind, "contact_id": contact_id, "email_id": email_id,
              "to_address": to, "subject": subject, "data": data or {}, "send_after": send_after or utcnow(),
              "campaign_id": campaign_id, "variant": variant, "status": "queued", "created_at": utcnow()}
    await session.execute(_insert(await dialect_name(session)).values(**values).on_conflict_do_nothing())
    found = (await session.execute(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key))).scalar_one()
    wake_delivery(session, enqueue)
    return int(found)


async def queue_select(session: AsyncSession, enqueue: Any, rows: Select[Any], columns: list[str]) -> int:
    """Queue one message per row of a query (a campaign's audience), skipping keys already queued."""
    # SQLite reads INSERT ... SELECT ... ON CONFLICT only when the SELECT has a WHERE clause.
    statement = _insert(await dialect_name(session)).from_select(columns, rows.where(true())).on_conflict_do_nothing()
    result = await session.execute(statement)
    wake_delivery(session, enqueue)
    return int(result.rowcount or 0)


async def claim_due(session: AsyncSession, limit: int) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this worker; others skip them (PostgreSQL) or wait
    (SQLite writes one transaction at a time)."""
    now = utcnow()
    await session.execute(update(OutboxMessage).where(
        OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - STALE_CLAIM).values(status="queued"))  # type: ignore[operator]
    query = (select(OutboxMessage).where(OutboxMessage.status == "queued", OutboxMessage.send_after <= now)  # type: ignore[operator]
             .order_by(OutboxMessage.id).limit(limit))
    if await dialect_name(session) == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claimed = list((await session.execute(query)).scalars().all())
    for message in claimed:
        message.status, message.claimed_at, message.attempts = "sending", now, message.attempts + 1
    await session.flush()
    return claimed


async def suppressed(session: AsyncSession, addresses: Sequence[str]) -> dict[str, str]:
    rows = await session.execute(select(Suppression.email, Suppression.reason).where(Suppression.email.in_(addresses)))  # type: ignore[attr-defined]
    return dict(rows.all())


async def suppress(session: AsyncSession, address: str, reason: str, detail: str = "") -> None:
    table = Suppression.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert(table) if await dialect_name(session) == "postgresql" else sqlite.insert(table)
    await session.execute(insert.values(email=address, reason=reason, detail=detail[:300], created_at=utcnow())
                          .on_conflict_do_nothing())


async def promotional_counts(session: AsyncSession, contact_ids: Sequence[int], since: datetime) -> dict[int, int]:
    rows = await session.execute(
        select(OutboxMessage.contact_id, func.count()).where(
            OutboxMessage.contact_id.in_(contact_ids), OutboxMessage.kind == "promotional",  # type: ignore[union-attr]
            OutboxMessage.status.in_(["sent", "captured"]), OutboxMessage.sent_at >= since)  # type: ignore[attr-defined,operator]
        .group_by(OutboxMessage.contact_id))
    return {cid: int(n) for cid, n in rows.all()}


async def get_message(session: AsyncSession, message_id: int) -> OutboxMessage:
    message = await session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("This message does not exist.", "message_id")
    return message


async def page(session: AsyncSession, *, status: str | None, email_id: int | None, campaign_id: int | None,
               to: str | None, limit: int, cursor: str | None) -> tuple[list[OutboxMessage], str | None, int]:
    where = []
    if status:
        where.append(OutboxMessage.status == status)
    if email_id:
        where.append(OutboxMessage.email_id == email_id)
    if campaign_id:
        where.append(OutboxMessage.campaign_id == campaign_id)
    if to:
        where.append(OutboxMessage.to_address.contains(to.strip().lower(), autoescape=True))  # type: ignore[attr-defined]
    query = select(OutboxMessage).where(*where)
    if cursor:
        values = decode_cursor(cursor)
        query = query.where(OutboxMessage.id < int(values[0]))  # type: ignore[operator]
    rows = list((await session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit + 1))).scalars().all())  # type: ignore[union-attr]
    total = (await session.execute(select(func.count()).select_from(OutboxMessage).where(*where))).scalar_one()
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return rows[:limit], next_cursor, int(total)

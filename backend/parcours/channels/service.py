"""The outbox: queue messages (each once), claim what is due, record outcomes; suppressions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import encode_cursor, read_cursor
from parcours.channels.models import OutboxMessage, Suppression
from parcours.clock import utcnow
from parcours.db import after_commit, dialect_name
from parcours.errors import NotFound

_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
DELIVER_JOB = "deliver_messages"
OTHER_JOB = "deliver_other_messages"


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


async def queue_many(session: AsyncSession, enqueue: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Queue emails given as {key, to, email_id, contact_id, kind, data, journey_id?, node_id?}:
    one multi-row INSERT; keys already queued are skipped."""
    if not rows:
        return
    now = utcnow()
    values = [{"idempotency_key": r["key"], "channel": "email", "kind": r["kind"], "contact_id": r["contact_id"],
               "email_id": r["email_id"], "to_address": r["to"], "subject": "", "data": r["data"], "send_after": now,
               "campaign_id": None, "variant": None, "journey_id": r.get("journey_id"), "node_id": r.get("node_id"),
               "status": "queued", "created_at": now} for r in rows]
    await session.execute(_insert(await dialect_name(session)).on_conflict_do_nothing(), values)
    wake_delivery(session, enqueue)


async def queue_other(session: AsyncSession, enqueue: Any, *, key: str, channel: str, contact_id: int,
                      journey_id: int | None, node_id: str | None, data: dict[str, Any]) -> None:
    """Queue a text message or a webhook call (`data` holds its text or address)."""
    now = utcnow()
    await session.execute(_insert(await dialect_name(session)).values(
        idempotency_key=key, channel=channel, kind="promotional", contact_id=contact_id, email_id=None,
        to_address=str(data.get("url") or "")[:320], subject="", data=data, send_after=now, status="queued",
        journey_id=journey_id, node_id=node_id, created_at=now).on_conflict_do_nothing())
    after_commit(session, lambda: enqueue(OTHER_JOB, job_id=f"{OTHER_JOB}:{int(now.timestamp() * 2)}"))


async def queue_select(session: AsyncSession, enqueue: Any, rows: Select[Any], columns: list[str]) -> int:
    """Queue one message per row of a query (a campaign's audience), skipping keys already queued."""
    # SQLite reads INSERT ... SELECT ... ON CONFLICT only when the SELECT has a WHERE clause.
    statement = _insert(await dialect_name(session)).from_select(columns, rows.where(true())).on_conflict_do_nothing()
    result = await session.execute(statement)
    wake_delivery(session, enqueue)
    return int(result.rowcount or 0)


# Every column but the captured message (empty until sent): what a sender needs of a claimed row.
_CLAIMED = [column for column in _TABLE.c if column.name != "mime"]


async def claim_due(session: AsyncSession, limit: int, stale: timedelta,
                    channels: Sequence[str] = ("email",)) -> list[Row[Any]]:
    """Take up to `limit` due messages for this worker, in id order; others skip them (PostgreSQL)
    or wait (SQLite writes one transaction at a time). Rows, not ORM objects: a worker claims
    thousands a second."""
    now = utcnow()
    t = _TABLE.c
    await session.execute(update(_TABLE).where(t.status == "sending", t.claimed_at < now - stale).values(status="queued"))
    due = (select(t.id).where(t.status == "queued", t.send_after <= now, t.channel.in_(list(channels)))
           .order_by(t.id).limit(limit))
    if await dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # One statement: the claim and what it returns (UPDATE ... RETURNING, PostgreSQL and SQLite).
    claimed = await session.execute(
        update(_TABLE).where(t.id.in_(due.scalar_subquery()))
        .values(status="sending", claimed_at=now, attempts=t.attempts + 1).returning(*_CLAIMED))
    return sorted(claimed.all(), key=lambda row: row.id)


async def suppressed(session: AsyncSession, addresses: Sequence[str]) -> dict[str, str]:
    rows = await session.execute(select(Suppression.email, Suppression.reason).where(Suppression.email.in_(addresses)))  # type: ignore[attr-defined]
    return dict(rows.all())


async def suppress(session: AsyncSession, address: str, reason: str, detail: str = "") -> None:
    table = Suppression.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert(table) if await dialect_name(session) == "postgresql" else sqlite.insert(table)
    await session.execute(insert.values(email=address, reason=reason, detail=detail[:300], created_at=utcnow())
                          .on_conflict_do_nothing())


async def promotional_counts(session: AsyncSession, contact_ids: Sequence[int], since: datetime,
                             in_flight: Sequence[int] = ()) -> dict[int, int]:
    """Promotional messages sent to each contact since `since`, counting also the messages
    `in_flight` (ids: passed at send time, their outcome maybe not recorded yet)."""
    m = OutboxMessage
    sent = and_(m.status.in_(["sent", "captured"]), m.sent_at >= since)  # type: ignore[attr-defined,operator]
    rows = await session.execute(
        select(m.contact_id, func.count()).where(
            m.contact_id.in_(contact_ids), m.kind == "promotional",  # type: ignore[union-attr]
            or_(sent, and_(m.id.in_(list(in_flight)), m.status == "sending")) if in_flight else sent)  # type: ignore[union-attr]
        .group_by(m.contact_id))
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
    last = read_cursor(cursor, int)
    if last is not None:
        query = query.where(col(OutboxMessage.id) < last[0])
    rows = list((await session.execute(query.order_by(OutboxMessage.id.desc()).limit(limit + 1))).scalars().all())  # type: ignore[union-attr]
    total = (await session.execute(select(func.count()).select_from(OutboxMessage).where(*where))).scalar_one()
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return rows[:limit], next_cursor, int(total)


async def journey_email_counts(session: AsyncSession, journey_id: int) -> list[tuple[Any, ...]]:
    """Per step of a journey that sends email: (node_id, email_id, queued, sent, suppressed,
    failed, opened, clicked, unsubscribed, bounced)."""
    m = OutboxMessage

    def where(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    rows = await session.execute(select(
        m.node_id, func.max(m.email_id), where(m.status.in_(["queued", "sending"])),  # type: ignore[attr-defined]
        where(m.status.in_(["sent", "captured"])), where(m.status == "suppressed"), where(m.status == "failed"),  # type: ignore[attr-defined]
        func.count(m.opened_at), func.count(m.clicked_at), func.count(m.unsubscribed_at), func.count(m.bounced_at),
    ).where(m.journey_id == journey_id, m.channel == "email").group_by(m.node_id))
    return [(row[0], row[1], *(int(v or 0) for v in row[2:])) for row in rows.all()]

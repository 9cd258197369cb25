"""The outbox table's own statements: claim what is due, record what became of it, the
suppression list and the frequency cap's counts. Only `channels` reads and writes the table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, bindparam, func, or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import metrics
from parcours.channels.models import OutboxMessage, Suppression
from parcours.channels.sending import Ready, Sent
from parcours.clock import utcnow
from parcours.db import dialect_name, insert_ignoring_duplicates, table_of
from parcours.interactions import recording

TABLE = table_of(OutboxMessage)
# Every column but the captured message (empty until sent): what a sender needs of a claimed row.
_CLAIMED = [column for column in TABLE.c if column.name != "mime"]
# Outcomes are written with one executemany per kind of change, by primary key: no per-row ORM load.
_SENT = (
    update(TABLE)
    .where(TABLE.c.id == bindparam("_id"))
    .values(
        status=bindparam("_status"),
        mime=bindparam("_mime"),
        sent_at=bindparam("_sent_at"),
        reason=bindparam("_reason"),
        subject=bindparam("_subject"),
        message_id=bindparam("_message_id"),
    )
)
_NOT_SENT = (
    update(TABLE)
    .where(TABLE.c.id == bindparam("_id"))
    .values(status=bindparam("_status"), reason=bindparam("_reason"), reason_code=bindparam("_code"))
)


async def claim_due(session: AsyncSession, limit: int, stale: timedelta, channels: Sequence[str]) -> list[Row[Any]]:
    """Take up to `limit` due messages for this worker, in id order; others skip them (PostgreSQL)
    or wait (SQLite writes one transaction at a time). Rows, not ORM objects: a worker claims
    thousands a second."""
    now = utcnow()
    t = TABLE.c
    await session.execute(
        update(TABLE).where(t.status == "sending", t.claimed_at < now - stale).values(status="queued")
    )
    due = (
        select(t.id)
        .where(t.status == "queued", t.send_after <= now, t.channel.in_(list(channels)))
        .order_by(t.id)
        .limit(limit)
    )
    if await dialect_name(session) == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # One statement: the claim and what it returns (UPDATE ... RETURNING, PostgreSQL and SQLite).
    claimed = await session.execute(
        update(TABLE)
        .where(t.id.in_(due.scalar_subquery()))
        .values(status="sending", claimed_at=now, attempts=t.attempts + 1)
        .returning(*_CLAIMED)
    )
    return sorted(claimed.all(), key=lambda row: row.id)


async def record(
    session: AsyncSession, ready: Sequence[Ready[Any]], outcomes: Sequence[Sent | None], interaction: str | None
) -> None:
    """Each message's status (sent or captured, suppressed, failed) in two statements, and the
    interaction of each one sent (`interaction`, with the email it was)."""
    now = utcnow()
    sent, not_sent = [], []
    for item, outcome in zip(ready, outcomes, strict=True):
        if item.reason is not None:
            not_sent.append(
                {"_id": item.message_id, "_status": "suppressed", "_reason": item.reason[:300], "_code": item.code}
            )
        elif outcome is not None and outcome.status in ("sent", "captured"):
            sent.append(
                {
                    "_id": item.message_id,
                    "_status": outcome.status,
                    "_mime": outcome.mime,
                    "_sent_at": now,
                    "_reason": outcome.reason[:300],
                    "_subject": item.subject,
                    "_message_id": outcome.message_id,
                }
            )
        else:
            not_sent.append(
                {
                    "_id": item.message_id,
                    "_status": "failed",
                    "_reason": (outcome.reason if outcome else "not sent")[:300],
                    "_code": "",
                }
            )
    for row in sent + not_sent:
        metrics.MESSAGES.labels(row["_status"]).inc()
    if sent:
        await session.execute(_SENT, sent)
    if not_sent:
        await session.execute(_NOT_SENT, not_sent)
    if not sent or interaction is None:
        return
    subjects = {row["_id"]: row["_subject"] for row in sent}
    # What the interactions need, in one query for the batch (a contact deleted meanwhile has none).
    t = TABLE.c
    rows = (
        await session.execute(
            select(t.id, t.contact_id, t.email_id, t.campaign_id, t.variant, t.journey_id, t.node_id).where(
                t.id.in_(list(subjects)), t.contact_id.is_not(None)
            )
        )
    ).all()
    await recording.record(
        session,
        [
            {
                "contact_id": m.contact_id,
                "type": interaction,
                "occurred_at": now,
                "properties": {
                    "email_id": m.email_id,
                    "campaign_id": m.campaign_id,
                    "variant": m.variant,
                    "message_id": m.id,
                    "subject": subjects[m.id],
                    **({"journey_id": m.journey_id, "node_id": m.node_id} if m.journey_id is not None else {}),
                },
            }
            for m in sorted(rows, key=lambda r: r.id)
        ],
    )


async def suppressed(session: AsyncSession, addresses: Sequence[str]) -> dict[str, str]:
    rows = await session.execute(
        select(col(Suppression.email), col(Suppression.reason)).where(col(Suppression.email).in_(addresses))
    )
    return {email: reason for email, reason in rows.all()}


async def suppress(session: AsyncSession, address: str, reason: str, detail: str = "") -> None:
    await insert_ignoring_duplicates(
        session, Suppression, [{"email": address, "reason": reason, "detail": detail[:300], "created_at": utcnow()}]
    )


async def promotional_counts(
    session: AsyncSession, contact_ids: Sequence[int], since: datetime, in_flight: Sequence[int] = ()
) -> dict[int, int]:
    """Promotional messages sent to each contact since `since`, counting also the messages
    `in_flight` (ids: passed at send time, their outcome maybe not recorded yet)."""
    t = TABLE.c
    sent = and_(t.status.in_(["sent", "captured"]), t.sent_at >= since)
    rows = await session.execute(
        select(t.contact_id, func.count())
        .where(
            t.contact_id.in_(contact_ids),
            t.kind == "promotional",
            or_(sent, and_(t.id.in_(list(in_flight)), t.status == "sending")) if in_flight else sent,
        )
        .group_by(t.contact_id)
    )
    return {cid: int(n) for cid, n in rows.all()}

"""The outbox table's own statements: claim what is due, record what became of it, the
suppression list and the frequency cap's counts. Only `channels` reads and writes the table."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Row, and_, bindparam, delete, func, or_, select, true, tuple_, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import metrics
from parcours.channels import sent_daily
from parcours.channels.models import OutboxMessage, Suppression
from parcours.channels.retries import next_wait
from parcours.channels.sending import Ready, Sent
from parcours.clock import utcnow
from parcours.db import dialect_name, insert_ignoring_duplicates, table_of
from parcours.interactions import recording

TABLE = table_of(OutboxMessage)
# What the delivery loop has still to do something with; any other status is a message done.
PENDING = ("queued", "held", "sending")
PURGE_BATCH = 5_000  # messages deleted per transaction by the retention
# Every column but the captured message (empty until sent): what a sender needs of a claimed row.
_CLAIMED = [column for column in TABLE.c if column.name != "mime"]
# Outcomes are written with one executemany per kind of change, by primary key (id and created_at:
# on PostgreSQL only the message's month's table is searched): no per-row ORM load.
_SENT = (
    update(TABLE)
    .where(TABLE.c.id == bindparam("_id"), TABLE.c.created_at == bindparam("_created"))
    .values(
        status=bindparam("_status"),
        mime=bindparam("_mime"),
        sent_at=bindparam("_sent_at"),
        reason=bindparam("_reason"),
        reason_code="",  # the code of a failed try before, if any, no longer applies
        subject=bindparam("_subject"),
        message_id=bindparam("_message_id"),
    )
)
_NOT_SENT = (
    update(TABLE)
    .where(TABLE.c.id == bindparam("_id"), TABLE.c.created_at == bindparam("_created"))
    .values(status=bindparam("_status"), reason=bindparam("_reason"), reason_code=bindparam("_code"))
)
# A failure worth another try: queued again for later, with what the last try got.
_AGAIN = (
    update(TABLE)
    .where(TABLE.c.id == bindparam("_id"), TABLE.c.created_at == bindparam("_created"))
    .values(
        status="queued",
        reason=bindparam("_reason"),
        reason_code=bindparam("_code"),
        send_after=bindparam("_after"),
        claimed_at=None,
    )
)
# A claimed message whose batch failed before it was handed on (see `release`): queued again as it
# was due, or failed for good; only while still claimed (a stale claim may have moved it since).
_RELEASED = (
    update(TABLE)
    .where(TABLE.c.id == bindparam("_id"), TABLE.c.created_at == bindparam("_created"), TABLE.c.status == "sending")
    .values(status=bindparam("_status"), reason=bindparam("_reason"), reason_code=bindparam("_code"), claimed_at=None)
)


class Retries(msgspec.Struct, frozen=True):
    """How the messages of a batch are tried again: the tries each had so far (with this one), the
    tries allowed, and the first wait (see retries.next_wait); and when each was queued (the rest
    of its primary key: the statements name it, so that only its month's table is searched)."""

    attempts: Mapping[int, int]
    queued_at: Mapping[int, datetime]
    most: int
    first: float

    def key(self, message_id: int) -> dict[str, Any]:
        """The parameters that find a message's row."""
        return {"_id": message_id, "_created": self.queued_at[message_id]}


class Recorded(msgspec.Struct):
    """What recording a batch decided: the next try of those queued again, the ids that failed."""

    next_try: datetime | None = None
    failed: list[int] = msgspec.field(default_factory=list)


async def claim_due(
    session: AsyncSession, limit: int, stale: timedelta, channels: Sequence[str], held: Collection[int] = ()
) -> list[Row[Any]]:
    """Take up to `limit` due messages for this worker, in id order; others skip them (PostgreSQL)
    or wait (SQLite writes one transaction at a time). Rows, not ORM objects: a worker claims
    thousands a second. A claim older than `stale` is a stopped worker's: its messages are queued
    again. Those this worker `held` (claimed, not recorded yet) are neither queued again nor taken,
    even if another worker queued them again: a message is in one of its batches at most."""
    now = utcnow()
    t = TABLE.c
    not_held = t.id.not_in(list(held)) if held else true()
    await session.execute(
        update(TABLE).where(t.status == "sending", t.claimed_at < now - stale, not_held).values(status="queued")
    )
    due = (
        select(t.id)
        .where(t.status == "queued", t.send_after <= now, t.channel.in_(list(channels)), not_held)
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


async def renew_claims(session: AsyncSession, queued_at: Mapping[int, datetime]) -> None:
    """Messages a worker still holds (with when each was queued: only their months' tables are
    searched) are claimed afresh, so that no other takes them for a stopped worker's (see
    Delivery._keep_claims). On PostgreSQL those whose outcome is being recorded meanwhile are
    skipped, not waited for: a renewal waiting on a record's rows while holding others the record
    wants would be a deadlock, and the record may be the one PostgreSQL cancels."""
    t = TABLE.c
    key = tuple_(t.id, t.created_at)
    held = select(t.id, t.created_at).where(key.in_(list(queued_at.items())), t.status == "sending")
    if await dialect_name(session) == "postgresql":
        held = held.with_for_update(skip_locked=True)
    await session.execute(update(TABLE).where(key.in_(held)).values(claimed_at=utcnow()))


async def record(
    session: AsyncSession,
    ready: Sequence[Ready[Any]],
    outcomes: Sequence[Sent | None],
    interaction: str | None,
    retries: Retries,
) -> Recorded:
    """Each message's status (sent or captured, suppressed, failed, or queued again for a later
    try) in a statement per kind of change, and the interaction of each one sent (`interaction`,
    with the email it was)."""
    now = utcnow()
    sent, not_sent, again = [], [], []
    recorded = Recorded()
    for item, outcome in zip(ready, outcomes, strict=True):
        tries = retries.attempts.get(item.message_id, 1)
        wait = next_wait(tries, retries.most, retries.first) if outcome is not None and outcome.retry else None
        if item.reason is None and outcome is not None and outcome.status == "failed" and wait is not None:
            after = now + wait
            recorded.next_try = min(recorded.next_try or after, after)
            reason = f"Try {tries} of {retries.most} failed: {outcome.reason}"
            again.append(
                {**retries.key(item.message_id), "_reason": reason[:300], "_code": outcome.code[:32], "_after": after}
            )
            continue
        if item.reason is not None:
            not_sent.append(
                {
                    **retries.key(item.message_id),
                    "_status": "suppressed",
                    "_reason": item.reason[:300],
                    "_code": item.code,
                }
            )
        elif outcome is not None and outcome.status in ("sent", "captured"):
            sent.append(
                {
                    **retries.key(item.message_id),
                    "_status": outcome.status,
                    "_mime": outcome.mime,
                    "_sent_at": now,
                    "_reason": outcome.reason[:300],
                    "_subject": item.subject,
                    "_message_id": outcome.message_id,
                }
            )
        else:
            reason = outcome.reason if outcome else "not sent"
            if outcome is not None and outcome.retry and tries > 1:
                reason = f"Failed after {tries} tries: {reason}"
            recorded.failed.append(item.message_id)
            not_sent.append(
                {
                    **retries.key(item.message_id),
                    "_status": "failed",
                    "_reason": reason[:300],
                    "_code": (outcome.code if outcome else "")[:32],
                }
            )
    for row in sent + not_sent:
        metrics.MESSAGES.labels(row["_status"]).inc()
    if again:
        metrics.MESSAGES.labels("retried").inc(len(again))
        await session.execute(_AGAIN, again)
    if sent:
        await session.execute(_SENT, sent)
    if not_sent:
        await session.execute(_NOT_SENT, not_sent)
    if not sent:
        return recorded
    subjects = {row["_id"]: row["_subject"] for row in sent}
    # What the day's counts and the interactions need, in one query for the batch.
    t = TABLE.c
    rows = (
        await session.execute(
            select(
                t.id,
                t.channel,
                t.contact_id,
                t.email_id,
                t.campaign_id,
                t.variant,
                t.journey_id,
                t.node_id,
                t.to_address,
            ).where(t.id.in_(list(subjects)), t.created_at.in_({retries.queued_at[i] for i in subjects}))
        )
    ).all()
    if interaction is not None:
        await _interactions(session, rows, interaction, subjects, now)
    # In this transaction: the day's counts move with the messages' status, never apart from it.
    # Last, so that senders of the same email hold the day's row for as short a time as can be.
    await sent_daily.add(session, sent_daily.increments(rows, now))
    return recorded


async def _interactions(
    session: AsyncSession, rows: Sequence[Row[Any]], interaction: str, subjects: Mapping[Any, Any], now: datetime
) -> None:
    """The interaction of each message sent (a contact deleted meanwhile has none)."""
    rows = [m for m in rows if m.contact_id is not None]
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
                    # The recipient's domain, for the email report's breakdown by domain.
                    "domain": m.to_address.rsplit("@", 1)[-1].lower(),
                    **({"journey_id": m.journey_id, "node_id": m.node_id} if m.journey_id is not None else {}),
                },
            }
            for m in sorted(rows, key=lambda r: r.id)
        ],
    )


async def release(session: AsyncSession, error: str, retries: Retries) -> list[int]:
    """Un-claim the messages of a batch that failed as a whole before any of them was handed on
    (`retries.attempts`: their ids and tries, this one included): each is queued again, due at
    once so that the next pass sends it, instead of waiting until its claim is stale. The try
    counts: one whose last try this was fails for good with the error. Only messages still
    claimed change. Returns the ids that failed."""
    again: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for message_id, tries in retries.attempts.items():
        if tries < retries.most:
            reason = f"Try {tries} of {retries.most} failed: {error}"
            again.append({**retries.key(message_id), "_status": "queued", "_reason": reason[:300], "_code": "error"})
        else:
            reason = f"Failed after {tries} tries: {error}" if tries > 1 else error
            failed.append({**retries.key(message_id), "_status": "failed", "_reason": reason[:300], "_code": "error"})
    if again:
        await session.execute(_RELEASED, again)
        metrics.MESSAGES.labels("retried").inc(len(again))
    if not failed:
        return []
    t = TABLE.c
    ids = [row["_id"] for row in failed]
    months = {retries.queued_at[i] for i in ids}
    still = set(
        (
            await session.execute(select(t.id).where(t.id.in_(ids), t.created_at.in_(months), t.status == "sending"))
        ).scalars()
    )
    failed = [row for row in failed if row["_id"] in still]
    if failed:
        await session.execute(_RELEASED, failed)
        metrics.MESSAGES.labels("failed").inc(len(failed))
    return [row["_id"] for row in failed]


class FailedMessage(msgspec.Struct, frozen=True):
    """A message that failed for good, as the feature that queued it knows it (its key)."""

    key: str
    contact_id: int | None
    journey_id: int | None
    node_id: str | None
    reason: str


async def failed_messages(session: AsyncSession, ids: Sequence[int]) -> list[FailedMessage]:
    t = TABLE.c
    rows = await session.execute(
        select(t.idempotency_key, t.contact_id, t.journey_id, t.node_id, t.reason).where(t.id.in_(list(ids)))
    )
    return [FailedMessage(*row) for row in rows.all()]


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


async def purge_done_before(session: AsyncSession, cutoff: datetime) -> int:
    """Messages done (sent, failed...) created before `cutoff`, up to PURGE_BATCH of them, oldest
    first; returns how many were deleted."""
    t = TABLE.c
    old = select(t.id).where(t.created_at < cutoff, t.status.not_in(PENDING)).order_by(t.created_at).limit(PURGE_BATCH)
    ids = (await session.execute(old)).scalars().all()
    if ids:
        await session.execute(delete(TABLE).where(t.id.in_(ids)))
    return len(ids)

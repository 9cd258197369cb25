"""Outgoing webhooks: subscriptions, the deliveries each event makes, and sending them.

Deliveries are their own queue rather than the outbox's: an outbox message is one message to one
person under the send-time policy (consent, lanes, suppressions), where a webhook delivery goes to
a system, is retried for a day and is logged attempt by attempt with its status and response time
for the administrator, who can replay it. Each delivery is unique per (webhook, event key), so an
event handed over twice is delivered once; a claimed delivery is leased, so two workers never send
it at the same time (a worker that dies leaves it to be retried when the lease ends)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.channels.webhook import private_address, signature
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import insert_ignoring_duplicates, transaction
from parcours.errors import InvalidInput, NotFound
from parcours.interactions.batch import Batch, Consumer
from parcours.jobs.enqueue import Enqueue, queue_after_commit, slot_id
from parcours.jobs.names import JobName
from parcours.webhooks import events
from parcours.webhooks.models import Webhook, WebhookDelivery
from parcours.webhooks.retries import next_attempt

TIMEOUT = httpx.Timeout(10.0)
# How long a claimed delivery is left to its worker before another may try it.
LEASE = timedelta(minutes=2)
CLAIM = 50


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


async def check_url(url: str, private_networks: bool) -> None:
    """The same guard as journey webhooks: no address on this machine or a private network."""
    refusal = None if private_networks else await private_address(url)
    if refusal is None and not url.lower().startswith(("http://", "https://")):
        refusal = "The address must start with http:// or https://."
    if refusal:
        raise InvalidInput(refusal, "url")


# ---- subscriptions ------------------------------------------------------------------------------


async def create_webhook(session: AsyncSession, values: dict[str, Any], by: str, private_networks: bool) -> Webhook:
    await check_url(values["url"], private_networks)
    webhook = Webhook(**{**values, "events": sorted(set(values["events"]))}, secret=_new_secret(), created_by=by)
    session.add(webhook)
    await session.flush()
    return webhook


async def get_webhook(session: AsyncSession, webhook_id: int) -> Webhook:
    found = await session.get(Webhook, webhook_id)
    if found is None:
        raise NotFound("This webhook does not exist.", "webhook_id")
    return found


async def update_webhook(
    session: AsyncSession, webhook_id: int, changes: dict[str, Any], private_networks: bool
) -> Webhook:
    webhook = await get_webhook(session, webhook_id)
    if "url" in changes:
        await check_url(changes["url"], private_networks)
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"]))
    for field, value in changes.items():
        setattr(webhook, field, value)
    webhook.updated_at = utcnow()
    await session.flush()
    return webhook


async def new_secret(session: AsyncSession, webhook_id: int) -> Webhook:
    """A new signing secret (the old one no longer signs anything)."""
    webhook = await get_webhook(session, webhook_id)
    webhook.secret, webhook.updated_at = _new_secret(), utcnow()
    await session.flush()
    return webhook


async def delete_webhook(session: AsyncSession, webhook_id: int) -> None:
    webhook = await get_webhook(session, webhook_id)
    await session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook_id))
    await session.delete(webhook)
    await session.flush()


async def list_webhooks(session: AsyncSession, limit: int, cursor: str | None) -> tuple[list[Webhook], str | None, int]:
    order = [(col(Webhook.id), True)]
    query = select(Webhook).order_by(col(Webhook.id).desc())
    start = read_cursor(cursor, int)
    if start is not None:
        query = query.where(after(order, start))
    rows = (await session.execute(query.limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(Webhook))).scalar_one()
    page, next_cursor = cut(rows, limit, lambda w: [w.id])
    return page, next_cursor, int(total)


# ---- deliveries ---------------------------------------------------------------------------------


async def list_deliveries(
    session: AsyncSession, webhook_id: int, limit: int, cursor: str | None, status: str | None
) -> tuple[list[WebhookDelivery], str | None, int]:
    await get_webhook(session, webhook_id)
    where = [col(WebhookDelivery.webhook_id) == webhook_id]
    if status is not None:
        where.append(col(WebhookDelivery.status) == status)
    query = select(WebhookDelivery).where(*where).order_by(col(WebhookDelivery.id).desc())
    start = read_cursor(cursor, int)
    if start is not None:
        query = query.where(after([(col(WebhookDelivery.id), True)], start))
    rows = (await session.execute(query.limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(WebhookDelivery).where(*where))).scalar_one()
    page, next_cursor = cut(rows, limit, lambda d: [d.id])
    return page, next_cursor, int(total)


def _queue_delivery(session: AsyncSession, enqueue: Enqueue) -> None:
    queue_after_commit(
        session, enqueue, JobName.DELIVER_WEBHOOKS, job_id=slot_id(JobName.DELIVER_WEBHOOKS, time.time())
    )


async def replay(session: AsyncSession, webhook_id: int, delivery_id: int, enqueue: Enqueue) -> WebhookDelivery:
    """The same event sent again now, as a new delivery (the first one's log stays as it was)."""
    original = await session.get(WebhookDelivery, delivery_id)
    if original is None or original.webhook_id != webhook_id:
        raise NotFound("This delivery does not exist.", "delivery_id")
    now = utcnow()
    copy = WebhookDelivery(
        webhook_id=webhook_id,
        key=f"replay:{delivery_id}:{secrets.token_hex(8)}",
        contact_id=original.contact_id,
        event=original.event,
        payload=original.payload,
        created_at=now,
        next_attempt_at=now,
        replay_of=delivery_id,
    )
    session.add(copy)
    await session.flush()
    _queue_delivery(session, enqueue)
    return copy


async def send_test(session: AsyncSession, webhook_id: int, enqueue: Enqueue) -> WebhookDelivery:
    """A test event, sent now even to a paused webhook's address."""
    webhook = await get_webhook(session, webhook_id)
    now, key = utcnow(), f"test:{secrets.token_hex(8)}"
    test = WebhookDelivery(
        webhook_id=webhook_id,
        key=key,
        event=events.TEST_EVENT,
        payload=events.payload(
            key, events.TEST_EVENT, now, None, {"webhook": {"id": webhook.id, "name": webhook.name}}
        ),
        created_at=now,
        next_attempt_at=now,
    )
    session.add(test)
    await session.flush()
    _queue_delivery(session, enqueue)
    return test


@dataclass(frozen=True)
class Happened:
    """One event for the webhooks listening to it."""

    key: str
    event: str
    occurred_at: datetime
    contact_id: int
    contact: dict[str, Any] | None
    data: dict[str, Any]


async def fan_out(session: AsyncSession, happened: Sequence[Happened]) -> int:
    """A delivery per event and active webhook listening to it; returns how many were made."""
    if not happened:
        return 0
    listening = (await session.execute(select(col(Webhook.id), col(Webhook.events)).where(col(Webhook.active)))).all()
    now = utcnow()
    rows = [
        {
            "webhook_id": webhook_id,
            "key": h.key,
            "contact_id": h.contact_id,
            "event": h.event,
            "payload": events.payload(h.key, h.event, h.occurred_at, h.contact, h.data),
            "status": "pending",
            "attempts": 0,
            "error": "",
            "created_at": now,
            "next_attempt_at": now,
        }
        for h in happened
        for webhook_id, listened in listening
        if h.event in listened
    ]
    return await insert_ignoring_duplicates(session, WebhookDelivery, rows, index_elements=["webhook_id", "key"])


async def any_listening(session: AsyncSession) -> bool:
    return bool((await session.execute(select(exists().where(col(Webhook.active))))).scalar())


def stream_consumer(enqueue: Enqueue) -> Consumer:
    """The stream's events (contact created or changed, unsubscribed, stage changed, form
    submitted, registered, attended) for the webhooks listening to them."""

    async def consume(batch: Batch) -> None:
        if not any(row.type in events.BY_TYPE for row in batch.rows) or not await any_listening(batch.session):
            return
        people = await batch.people_of({row.contact_id for row in batch.rows if row.type in events.BY_TYPE})
        happened = []
        for row in batch.rows:
            if row.type not in events.BY_TYPE:
                continue
            columns, account = people.get(row.contact_id, (None, None))
            contact = events.contact_of(columns, account)
            for event in events.events_of(row, bool(columns and columns.get("unsubscribed"))):
                happened.append(
                    Happened(
                        f"interaction:{row.id}:{event}", event, row.occurred_at, row.contact_id, contact, row.properties
                    )
                )
        if await fan_out(batch.session, happened):
            _queue_delivery(batch.session, enqueue)

    return consume


async def opportunity_won(session: AsyncSession, opportunity: dict[str, Any]) -> None:
    """Called by the pipeline when an opportunity is won (not an interaction: nothing to stream).
    The sweeper sends it within seconds of the commit."""
    if not await any_listening(session):
        return
    people = await contacts.rule_rows(session, [opportunity["contact_id"]])
    columns, account = people.get(opportunity["contact_id"], (None, None))
    await fan_out(
        session,
        [
            Happened(
                f"opportunity:{opportunity['id']}:won",
                events.OPPORTUNITY_WON,
                utcnow(),
                opportunity["contact_id"],
                events.contact_of(columns, account),
                {"opportunity": events.plain(opportunity)},
            )
        ],
    )


# ---- sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    url: str
    secret: str
    payload: dict[str, Any]
    event: str
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    response_ms: int | None
    error: str


async def _claim(sessions: async_sessionmaker[AsyncSession], now: datetime) -> list[Claimed]:
    """Due deliveries of active webhooks (tests and replays, which an administrator asked for, of
    any), leased to this worker."""
    d = WebhookDelivery
    async with transaction(sessions) as session:
        due = (
            (
                await session.execute(
                    select(col(d.id))
                    .join(Webhook, col(Webhook.id) == col(d.webhook_id))
                    .where(
                        col(d.status) == "pending",
                        col(d.next_attempt_at) <= now,
                        col(Webhook.active) | (col(d.event) == events.TEST_EVENT) | col(d.replay_of).is_not(None),
                    )
                    .order_by(col(d.next_attempt_at))
                    .limit(CLAIM)
                )
            )
            .scalars()
            .all()
        )
        if not due:
            return []
        # Only the rows still due when the lease is written are ours: another worker may have
        # leased some since the select.
        leased = (
            (
                await session.execute(
                    update(d)
                    .where(col(d.id).in_(due), col(d.status) == "pending", col(d.next_attempt_at) <= now)
                    .values(next_attempt_at=now + LEASE)
                    .returning(col(d.id))
                )
            )
            .scalars()
            .all()
        )
        rows = (
            await session.execute(
                select(
                    col(d.id),
                    col(Webhook.url),
                    col(Webhook.secret),
                    col(d.payload),
                    col(d.event),
                    col(d.attempts),
                    col(d.created_at),
                )
                .join(Webhook, col(Webhook.id) == col(d.webhook_id))
                .where(col(d.id).in_(list(leased)))
            )
        ).all()
    return [Claimed(*row) for row in rows]


async def _call(client: httpx.AsyncClient, claimed: Claimed, private_networks: bool) -> Outcome:
    refusal = None if private_networks else await private_address(claimed.url)
    if refusal:
        return Outcome(False, None, None, refusal)
    body = json.dumps(claimed.payload).encode()
    headers = {
        "content-type": "application/json",
        "x-parcours-signature": signature(claimed.secret, body),
        "x-parcours-event": claimed.event,
        "x-parcours-delivery": str(claimed.id),
    }
    started = time.monotonic()
    try:
        response = await client.post(claimed.url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return Outcome(False, None, None, f"The address could not be reached: {exc or type(exc).__name__}"[:500])
    elapsed = round((time.monotonic() - started) * 1000)
    if response.is_success:
        return Outcome(True, response.status_code, elapsed, "")
    return Outcome(False, response.status_code, elapsed, f"The address answered {response.status_code}.")


async def _record(sessions: async_sessionmaker[AsyncSession], done: Iterable[tuple[Claimed, Outcome]]) -> None:
    now = utcnow()
    async with transaction(sessions) as session:
        for claimed, outcome in done:
            attempts = claimed.attempts + 1
            retry = None if outcome.ok else next_attempt(claimed.created_at, attempts, now)
            status = "delivered" if outcome.ok else "pending" if retry else "failed"
            await session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id) == claimed.id)
                .values(
                    status=status,
                    attempts=attempts,
                    status_code=outcome.status_code,
                    response_ms=outcome.response_ms,
                    error=outcome.error,
                    last_attempt_at=now,
                    next_attempt_at=retry,
                )
            )


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, private_networks: bool
) -> int:
    """Send every due delivery, a batch at a time, the calls of a batch side by side."""
    sent = 0
    while True:
        claimed = await _claim(sessions, utcnow())
        if not claimed:
            return sent
        outcomes = await asyncio.gather(*(_call(client, c, private_networks) for c in claimed))
        await _record(sessions, zip(claimed, outcomes, strict=True))
        sent += len(claimed)


# How long the log keeps a delivery that is over (delivered, or failed after its day of retries).
KEEP_FINISHED = timedelta(days=30)


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """An erased contact: what was, or was to be, sent about it goes too."""
    await session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.contact_id) == contact_id))


async def purge_finished(session: AsyncSession) -> int:
    """Finished deliveries older than KEEP_FINISHED leave the log; returns how many."""
    result = await session.execute(
        delete(WebhookDelivery).where(
            col(WebhookDelivery.status).in_(["delivered", "failed"]),
            col(WebhookDelivery.created_at) < utcnow() - KEEP_FINISHED,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def anything_due(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with transaction(sessions) as session:
        found = await session.execute(
            select(
                exists().where(
                    col(WebhookDelivery.status) == "pending", col(WebhookDelivery.next_attempt_at) <= utcnow()
                )
            )
        )
        return bool(found.scalar())

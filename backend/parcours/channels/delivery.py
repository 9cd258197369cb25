"""The worker's side of the outbox: one loop claims due messages, has each kind of message render
and send its own, and records what became of them.

Every kind registers here (KINDS); kinds sharing a worker job share a loop (sending.LANES). Batches go through a pipeline:
while one batch is on the wire, the next is claimed and rendered and the one before is recorded,
so that the worker is not idle waiting for the SMTP server or the database."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.channels import store
from parcours.channels.email import Email
from parcours.channels.notices import Notice
from parcours.channels.senders import Sender, sender_for
from parcours.channels.sending import JOBS, LANES, Kind, Ready, Sent
from parcours.channels.sms import Sms
from parcours.channels.webhook import Webhook
from parcours.db import transaction
from parcours.jobs.enqueue import Enqueue, slot_id
from parcours.jobs.names import JobName
from parcours.settings import Settings

log = logging.getLogger(__name__)
KINDS: dict[str, Kind[Any]] = {kind.channel: kind for kind in (Email(), Notice(), Sms(), Webhook())}
assert set(KINDS) == set(JOBS), "every kind of message has a delivery loop (sending.LANES)"

Batch = list[tuple[Kind[Any], list[Ready[Any]]]]
OnFailed = Callable[[AsyncSession, list[store.FailedMessage]], Awaitable[None]]


class Lane:
    """A delivery loop's state in this process: running, and asked to look once more."""

    def __init__(self) -> None:
        self.busy = False
        self.again = False


class Delivery:
    """What delivery keeps for the life of a worker process: the SMTP sender (its pool of
    connections), an HTTP client, and whether each loop runs. Created once per process, closed
    when it stops. `on_failed` hears, in the transaction that records them, of the messages that
    failed for good (a journey then notes the error on the contact's run, or stops it)."""

    def __init__(
        self,
        settings: Settings,
        secret_key: str,
        sessions: async_sessionmaker[AsyncSession],
        read_sessions: async_sessionmaker[AsyncSession],
        enqueue: Enqueue,
        on_failed: OnFailed | None = None,
    ) -> None:
        self.settings, self.secret_key = settings, secret_key
        self.sessions, self.read_sessions, self.enqueue = sessions, read_sessions, enqueue
        self.on_failed = on_failed
        self._sender: Sender | None = None
        self._http: httpx.AsyncClient | None = None
        self.lanes = {job: Lane() for job in LANES}
        # The tries of each claimed message so far, this one included, until its outcome is recorded.
        self.attempts: dict[int, int] = {}
        # When each claimed message was queued (the rest of its primary key), as long.
        self.queued_at: dict[int, datetime] = {}

    def sender(self) -> Sender:
        if self._sender is None:
            self._sender = sender_for(self.settings)
        return self._sender

    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient()
        return self._http

    async def close(self) -> None:
        sender, client, self._sender, self._http = self._sender, self._http, None, None
        if sender is not None:
            await sender.close()
        if client is not None:
            await client.aclose()

    async def run(self, job: JobName) -> int:
        """One delivery loop per job and process: it sends until nothing is due, so more would
        only take the worker's job slots from journeys and the interaction stream. A job arriving
        while the loop runs asks it to look once more instead."""
        lane = self.lanes[job]
        if lane.busy:
            lane.again = True
            return 0
        lane.busy = True
        handled = 0
        try:
            while True:
                lane.again = False
                handled += await self.deliver_due(job)
                if not lane.again:
                    return handled
        finally:
            lane.busy = False

    async def deliver_due(self, job: JobName) -> int:
        """Send every due message of the job's channels, a batch at a time. Returns how many.
        When a batch fails as a whole (an error, not a message's own answer), what was claimed
        and not handed to a sender is released at once (see `_release`) before the error goes on."""
        channels = LANES[job]
        size = max(KINDS[c].batch for c in channels)
        handled = 0
        recorded: asyncio.Task[None] | None = None
        upcoming = asyncio.create_task(self._claim_and_render(channels, size, ()))
        keeping = asyncio.create_task(self._keep_claims())
        # Promotional messages passed to the sender whose outcome may not be recorded yet (this
        # batch and the one before): the frequency cap of the next batch counts them.
        previous: list[int] = []
        # The claimed messages of the batch on the wire not handed to their kind yet.
        unsent: list[int] = []
        try:
            while batch := await upcoming:
                count = sum(len(ready) for _kind, ready in batch)
                if count == size:
                    await self._call_for_help(job)
                current = [item.message_id for _kind, ready in batch for item in ready if item.promotional]
                # The next batch is claimed and rendered while this one is sent.
                upcoming = asyncio.create_task(self._claim_and_render(channels, size, previous + current))
                previous = current
                unsent = [item.message_id for _kind, ready in batch for item in ready]
                outcomes = []
                try:
                    for kind, ready in batch:
                        outcomes.append((kind, ready, await _send(kind, ready, self)))
                        unsent = unsent[len(ready) :]
                finally:
                    # What went out before an error is recorded all the same, even when the record
                    # of the batch before failed (else these would stay held, and renewed, for good).
                    try:
                        if recorded is not None:
                            done, recorded = recorded, None
                            await done
                    finally:
                        if outcomes:
                            recorded = asyncio.create_task(self._record(outcomes))
                handled += count
        except Exception as error:
            await self._release(unsent + await _claimed_by(upcoming), error)
            raise
        finally:
            keeping.cancel()
            if not upcoming.done():
                # Only when the worker stops: what it claimed goes out again once its claim is stale.
                upcoming.cancel()
            if recorded is not None:
                await recorded
        return handled

    async def _call_for_help(self, job: JobName) -> None:
        """A full batch: more are due. Another worker, if idle, takes this job and joins in (this
        one only notes it: one loop per job and worker)."""
        try:
            await self.enqueue(job, job_id=slot_id(job, time.time()))
        except Exception:  # the sweeper wakes the others anyway
            log.warning("could not queue a delivery job for the other workers", exc_info=True)

    async def _keep_claims(self) -> None:
        """While the loop runs, the claims this worker holds are renewed three times per claim's
        life: a batch slow to send (a sluggish SMTP server) is not taken by the other workers for
        a stopped worker's, and sent again."""
        period = self.settings.stale_claim_seconds / 3
        while True:
            await asyncio.sleep(period)
            if not (held := dict(self.queued_at)):
                continue
            try:
                async with transaction(self.sessions) as session:
                    await store.renew_claims(session, held)
            except Exception:  # the next renewal may succeed; the claim lasts longer than this
                log.warning("could not renew the claims of %d messages", len(held), exc_info=True)

    async def _claim_and_render(self, channels: Sequence[str], size: int, in_flight: Sequence[int]) -> Batch:
        # The claim is a short write; rendering reads only, so that on SQLite (one writer at a
        # time) other jobs and workers are not kept waiting while a batch is rendered.
        stale = timedelta(seconds=self.settings.stale_claim_seconds)
        async with transaction(self.sessions) as session:
            # Those of this worker's batches still in flight are not taken from it when one is slow.
            claimed = await store.claim_due(session, size, stale, channels, held=list(self.queued_at))
        if not claimed:
            return []
        self.attempts.update((row.id, row.attempts) for row in claimed)
        self.queued_at.update((row.id, row.created_at) for row in claimed)
        by_channel: dict[str, list[Row[Any]]] = {}
        for row in claimed:
            by_channel.setdefault(row.channel, []).append(row)
        try:
            async with transaction(self.read_sessions) as session:
                return [
                    (KINDS[channel], await KINDS[channel].render(session, rows, self, in_flight))
                    for channel, rows in by_channel.items()
                ]
        except asyncio.CancelledError:  # the worker stops: its claims free them once stale
            self._forget([row.id for row in claimed])
            raise
        except Exception as error:
            await self._release([row.id for row in claimed], error)
            raise

    async def _release(self, ids: list[int], error: Exception) -> None:
        """Messages claimed by a batch that failed before they were handed on: queued again at
        once for the next pass (the sweeper's, seconds away), their try counted, instead of
        waiting minutes for their claim to go stale (store.release). If the database refuses
        even that, the stale claim still frees them."""
        if not ids:
            return
        retries = self._retries(ids)
        reason = f"the batch it was in failed ({type(error).__name__}: {error})"
        try:
            async with transaction(self.sessions) as session:
                failed = await store.release(session, reason, retries)
                if failed and self.on_failed is not None:
                    await self.on_failed(session, await store.failed_messages(session, failed))
        except Exception:
            log.warning("could not release the %d messages of a failed batch", len(ids), exc_info=True)
        finally:
            self._forget(ids)

    def _forget(self, ids: list[int]) -> None:
        """The messages are no longer this worker's to record (see `held` in store.claim_due)."""
        for i in ids:
            self.attempts.pop(i, None)
            self.queued_at.pop(i, None)

    def _retries(self, ids: list[int]) -> store.Retries:
        """How these claimed messages are tried again: the tries each has had, this one included."""
        return store.Retries(
            attempts={i: self.attempts.get(i, 1) for i in ids},
            queued_at={i: self.queued_at[i] for i in ids},
            most=self.settings.send_attempts,
            first=self.settings.retry_seconds,
        )

    async def _record(self, outcomes: list[tuple[Kind[Any], list[Ready[Any]], list[Sent | None]]]) -> None:
        ids = [item.message_id for _kind, ready, _sent in outcomes for item in ready]
        retries = self._retries(ids)
        next_tries: dict[JobName, datetime] = {}
        try:
            async with transaction(self.sessions) as session:
                for kind, ready, sent in outcomes:
                    recorded = await store.record(session, ready, sent, kind.interaction, retries)
                    if recorded.next_try is not None:
                        job = JOBS[kind.channel]
                        next_tries[job] = min(next_tries.get(job, recorded.next_try), recorded.next_try)
                    if recorded.failed and self.on_failed is not None:
                        await self.on_failed(session, await store.failed_messages(session, recorded.failed))
        finally:
            # Not recorded (the database refused): no longer held, their claim frees them once stale.
            self._forget(ids)
        for job, when in next_tries.items():
            # The loop wakes for the next try; the sweeper would find it too, a little later.
            try:
                await self.enqueue(job, job_id=slot_id(job, when.timestamp()), _defer_until=when)
            except Exception:
                log.warning("could not queue the next try of failed messages", exc_info=True)


async def _claimed_by(upcoming: asyncio.Task[Batch]) -> list[int]:
    """The messages the next batch claimed (none if it failed: it released its own), once it is
    claimed and rendered: cancelled in the middle, its claims would stay until stale."""
    if upcoming.done() and (upcoming.cancelled() or upcoming.exception() is not None):
        return []  # the error being handled, or one whose claims it released
    try:
        batch = await upcoming
    except Exception:
        log.warning("the next batch failed too", exc_info=True)
        return []
    return [item.message_id for _kind, ready in batch for item in ready]


async def _send(kind: Kind[Any], ready: list[Ready[Any]], env: Delivery) -> list[Sent | None]:
    """The kind sends what has content; the refused ones have no outcome."""
    sent = iter(await kind.send(ready, env) if any(item.content is not None for item in ready) else [])
    return [next(sent) if item.content is not None else None for item in ready]

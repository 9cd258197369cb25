"""Worker jobs of events: promote the waitlist when seats free up (and tell who got a seat), the
sweep that trusts only the database, reminders, and finishing events that have ended (no-shows)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.db import transaction
from parcours.errors import ParcoursError
from parcours.events import registrations
from parcours.events.admission import RegistrationRequest, register_all
from parcours.events.outbound import Outbound, events_with_reminders, outbound, promoted
from parcours.events.outbound import queue_reminders as outbound_reminders
from parcours.journeys import runner as journeys
from parcours.runtime import WorkerContext


async def _promote(session: AsyncSession, out: Outbound, event_id: int) -> int:
    event, seated = await registrations.promote(session, event_id)
    if event is not None and seated:
        await promoted(session, out, event, seated)
    return len(seated)


async def promote_waitlist(ctx: WorkerContext, event_id: int) -> int:
    """Free seats to the first waitlisted, in order. Safe to run any number of times."""
    runtime = ctx["runtime"]
    async with transaction(runtime.sessions) as session:
        return await _promote(session, outbound(runtime), event_id)


async def sweep_events(ctx: WorkerContext) -> int:
    """Promotions a lost job left undone (Redis flushed, a worker killed)."""
    runtime = ctx["runtime"]
    async with transaction(runtime.read_sessions) as session:
        due = await registrations.events_to_promote(session)
    promoted_count = 0
    for event_id in due:
        async with transaction(runtime.sessions) as session:
            promoted_count += await _promote(session, outbound(runtime), event_id)
    return promoted_count


async def queue_reminders(ctx: WorkerContext) -> int:
    """Reminders due now, each registrant's once (its idempotency key): safe to run any number of times."""
    runtime = ctx["runtime"]
    now = utcnow()
    async with transaction(runtime.read_sessions) as session:
        due = await events_with_reminders(session, now)
    queued = 0
    for event_id in due:
        async with transaction(runtime.sessions) as session:
            queued += await outbound_reminders(session, outbound(runtime), event_id, now)
    return queued


async def finish_events(ctx: WorkerContext) -> int:
    async with transaction(ctx["runtime"].sessions) as session:
        return await registrations.finish_ended(session)


JOURNEY = Actor(kind="system", id=0, name="Journey", role="admin")


async def register_from_journey(ctx: WorkerContext, event_id: int, people: list[list[int]]) -> int:
    """A journey's step registers these (run id, contact id) for the event: a seat or the waitlist,
    with the usual emails; a refusal (the event was cancelled...) becomes the run's error.
    Registering twice is the same registration, so a retried job changes nothing."""
    runtime = ctx["runtime"]
    requests = [
        RegistrationRequest(
            event_id=event_id, values={"contact_id": contact_id}, actor=JOURNEY, public=False, source="journey"
        )
        for _, contact_id in people
    ]
    async with transaction(runtime.sessions) as session:
        outcomes = await register_all(outbound(runtime), session, requests)
        errors = {
            run_id: f"Registration refused: {outcome.message}"
            for (run_id, _), outcome in zip(people, outcomes, strict=True)
            if isinstance(outcome, ParcoursError)
        }
        if errors:
            await journeys.note_errors(session, errors)
    return len(outcomes) - len(errors)

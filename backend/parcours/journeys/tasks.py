"""Worker jobs of journeys: advance due runs, the sweeper that trusts only the database, and the
retention of the steps runs went through."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import col

from parcours.clock import utcnow
from parcours.db import in_batches, transaction
from parcours.jobs.names import JobName
from parcours.journeys import history, runner
from parcours.journeys.models import JOURNEY_STEPS, Journey
from parcours.runtime import WorkerContext


async def advance_journeys(ctx: WorkerContext) -> int:
    """Advance due runs a batch per transaction until none is due. When there is more than a
    batch, another job is queued so that every worker lends a hand."""
    runtime = ctx["runtime"]
    advanced = 0
    while True:
        async with transaction(runtime.sessions) as session:
            done = await runner.advance(session, runtime.enqueue)
            if done == runner.BATCH and advanced == 0:
                runner.wake(session, runtime.enqueue)
        advanced += done
        if done < runner.BATCH:
            return advanced


async def sweep_journeys(ctx: WorkerContext) -> None:
    """Whatever Redis lost, the database says what is due: starting populations whose start time
    has come, runs whose wake time has passed, journeys past their end."""
    runtime = ctx["runtime"]
    async with transaction(runtime.sessions) as session:
        journeys = (await session.execute(select(Journey).where(col(Journey.status) == runner.LIVE))).scalars().all()
        for journey in journeys:
            await runner.start_entries(session, journey, runtime.enqueue)
        await runner.finish_ended(session)
        due = await runner.any_due(session)
    if due:
        await runtime.enqueue(
            JobName.ADVANCE_JOURNEYS, job_id=f"{JobName.ADVANCE_JOURNEYS}:sweep:{int(utcnow().timestamp())}"
        )


async def enrol_dates(ctx: WorkerContext) -> int:
    """Hourly: date entries (birthdays, renewals) whose day has come in the journey's time zone."""
    runtime = ctx["runtime"]
    entered = 0
    async with transaction(runtime.sessions) as session:
        for live in await runner.live_versions(session):
            if live.program.entry.type == "entry.date":
                entered += await runner.enrol_dates(session, live, runtime.enqueue)
    return entered


async def purge_journey_steps(ctx: WorkerContext) -> int:
    """Daily: steps older than PARCOURS_JOURNEY_STEP_RETENTION_DAYS (0: none) are removed. On
    PostgreSQL the months that ended before the cutoff are dropped whole first; what is left (the
    default partition, SQLite) is deleted by batches. Returns the rows deleted by batches."""
    runtime = ctx["runtime"]
    days = runtime.settings.journey_step_retention_days
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    async with transaction(runtime.sessions) as session:
        await JOURNEY_STEPS.drop_before(session, cutoff)
    return await in_batches(
        runtime.sessions, lambda session: history.purge_steps_before(session, cutoff), history.PURGE_BATCH
    )

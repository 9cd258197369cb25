"""Worker jobs of journeys: advance due runs, and the sweeper that trusts only the database."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from parcours.clock import utcnow
from parcours.db import transaction
from parcours.jobs.names import JobName
from parcours.journeys import runner
from parcours.journeys.models import Journey
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

"""Behaviour's worker side: the backfill job, and the sweeper that rolls windows and backfills
fields nobody asked for (the shipped ones)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from parcours.behaviour import service
from parcours.behaviour.models import ComputedField
from parcours.db import transaction
from parcours.jobs.service import JobProgress
from parcours.runtime import WorkerContext

# How often windows roll: "in the last 7 days" is true again at most this late (plus the run).
ROLL_EVERY_MINUTES = 5


async def backfill_computed_field(ctx: WorkerContext, job_id: str) -> int:
    runtime = ctx["runtime"]
    progress = JobProgress(runtime.sessions, job_id)
    job = await progress.load()
    return await service.backfill(runtime.sessions, progress, int(job.params["field_id"]))


async def roll_computed_fields(ctx: WorkerContext) -> int:
    """Every ROLL_EVERY_MINUTES: windows rolled; a field without values nor a backfill under way
    (shipped by a migration) gets its backfill job."""
    runtime = ctx["runtime"]
    async with transaction(runtime.sessions) as session:
        waiting = (
            (
                await session.execute(
                    select(ComputedField).where(
                        col(ComputedField.backfilled_at).is_(None), col(ComputedField.backfill_job_id).is_(None)
                    )
                )
            )
            .scalars()
            .all()
        )
        for row in waiting:
            await service.queue_backfill(session, runtime.enqueue, row, "parcours")
    return await service.roll_windows(runtime.sessions)

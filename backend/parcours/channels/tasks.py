"""Worker jobs of the outbox: one per delivery lane (see delivery.LANES), and the sweeper."""

from __future__ import annotations

from sqlalchemy import select

from parcours.channels import store
from parcours.channels.sending import JOBS
from parcours.clock import utcnow
from parcours.db import transaction
from parcours.jobs.enqueue import slot_id
from parcours.jobs.names import JobName
from parcours.runtime import WorkerContext


async def deliver_messages(ctx: WorkerContext) -> int:
    return await ctx["delivery"].run(JobName.DELIVER_MESSAGES)


async def deliver_other_messages(ctx: WorkerContext) -> int:
    return await ctx["delivery"].run(JobName.DELIVER_OTHER_MESSAGES)


async def deliver_notices(ctx: WorkerContext) -> int:
    return await ctx["delivery"].run(JobName.DELIVER_NOTICES)


async def sweep_outbox(ctx: WorkerContext) -> None:
    """Due messages are sent even when the job that should have sent them was lost."""
    delivery = ctx["delivery"]
    t = store.TABLE.c
    async with transaction(delivery.read_sessions) as session:
        channels = set(
            (
                await session.execute(
                    select(t.channel).where(t.status.in_(["queued", "sending"]), t.send_after <= utcnow()).distinct()
                )
            ).scalars()
        )
    for job in sorted({JOBS[c] for c in channels if c in JOBS}):
        await delivery.enqueue(job, job_id=slot_id(job, utcnow().timestamp()))

"""Worker jobs of the outbox: one per delivery lane (see delivery.LANES), the sweeper, and the
retention of messages done."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from parcours.channels import claims, store
from parcours.channels.models import OUTBOX
from parcours.channels.sending import JOBS
from parcours.clock import utcnow
from parcours.db import in_batches, transaction
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


async def purge_outbox(ctx: WorkerContext) -> int:
    """Daily: messages done more than PARCOURS_OUTBOX_RETENTION_DAYS ago (0: none) are removed, then
    their keys. On PostgreSQL the months that ended before the cutoff go whole, unless one still holds
    a message to send; what is left (the default partition, SQLite) is deleted by batches. Returns the
    messages deleted by batches."""
    runtime = ctx["runtime"]
    days = runtime.settings.outbox_retention_days
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    pending = ", ".join(f"'{status}'" for status in store.PENDING)
    async with transaction(runtime.sessions) as session:
        await OUTBOX.drop_before(session, cutoff, unless=f"status IN ({pending})")
    deleted = await in_batches(
        runtime.sessions, lambda session: store.purge_done_before(session, cutoff), store.PURGE_BATCH
    )
    await in_batches(
        runtime.sessions,
        lambda session: claims.purge_keys_before(session, cutoff, store.PURGE_BATCH),
        store.PURGE_BATCH,
    )
    return deleted

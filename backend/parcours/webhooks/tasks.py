"""Worker jobs of outgoing webhooks: send what is due, and the sweeper that finds retries as
they fall due (and events a service call made without queueing a run)."""

from __future__ import annotations

import time

from parcours.db import transaction
from parcours.jobs.enqueue import slot_id
from parcours.jobs.names import JobName
from parcours.runtime import WorkerContext
from parcours.webhooks import service


async def deliver_webhooks(ctx: WorkerContext) -> int:
    runtime = ctx["runtime"]
    return await service.deliver_due(
        runtime.sessions, ctx["delivery"].http(), runtime.settings.webhook_private_networks
    )


async def sweep_webhooks(ctx: WorkerContext) -> None:
    runtime = ctx["runtime"]
    if await service.anything_due(runtime.read_sessions):
        await runtime.enqueue(JobName.DELIVER_WEBHOOKS, job_id=slot_id(JobName.DELIVER_WEBHOOKS, time.time()))


async def purge_webhook_deliveries(ctx: WorkerContext) -> int:
    async with transaction(ctx["runtime"].sessions) as session:
        return await service.purge_finished(session)

"""Worker jobs of the interaction stream: computed fields, kept current and rolled daily."""

from __future__ import annotations

import asyncio
import time

from parcours.interactions import service
from parcours.jobs.names import JobName
from parcours.runtime import Runtime, WorkerContext

# New interactions are processed at most this often per process (a burst of ingestion queues
# one job, not thousands); a trigger inside the window is deferred to its end, never dropped.
_TRIGGER_EVERY = 0.5
_last_trigger = 0.0
_deferred: asyncio.Task[None] | None = None


def _job_id() -> str:
    # One id per time slot: a trigger while a run is under way queues the next run instead of
    # being refused as a duplicate of it.
    return f"{JobName.PROCESS_INTERACTIONS}:{int(time.time() / _TRIGGER_EVERY)}"


async def process_interactions(ctx: WorkerContext) -> int:
    runtime = ctx["runtime"]
    return await service.process_new_interactions(runtime.sessions, ctx.get("stream_consumers", ()))


async def sweep_interactions(ctx: WorkerContext) -> None:
    await ctx["runtime"].enqueue(JobName.PROCESS_INTERACTIONS, job_id=_job_id())


async def roll_windows(ctx: WorkerContext) -> int:
    return await service.roll_windows(ctx["runtime"].sessions)


async def trigger_processing(runtime: Runtime) -> None:
    global _deferred
    if _deferred is not None and not _deferred.done():
        return
    wait = _TRIGGER_EVERY - (time.monotonic() - _last_trigger)

    async def fire() -> None:
        global _last_trigger
        if wait > 0:
            await asyncio.sleep(wait)
        _last_trigger = time.monotonic()
        await runtime.enqueue(JobName.PROCESS_INTERACTIONS, job_id=_job_id())

    if wait > 0:
        _deferred = asyncio.create_task(fire())
    else:
        await fire()

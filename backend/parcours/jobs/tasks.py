"""Worker side of jobs: failure reporting, and the sweeper that re-queues what Redis lost."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from arq import Retry

from parcours.db import transaction
from parcours.errors import connection_lost
from parcours.jobs import service
from parcours.jobs.names import JobName
from parcours.jobs.service import JobProgress
from parcours.runtime import WorkerContext

log = logging.getLogger(__name__)
# Runs of a job whose database connection was lost before it is shown as failed.
LOST_CONNECTION_TRIES = 5


def tracked(task: Callable[[WorkerContext, str], Awaitable[None]]) -> Callable[[WorkerContext, str], Awaitable[None]]:
    """A job task whose unexpected failure is shown to the user instead of staying 'running'."""

    @functools.wraps(task)
    async def run(ctx: WorkerContext, job_id: str) -> None:
        try:
            await task(ctx, job_id)
        except Exception as exc:
            tries = ctx.get("job_try", 1)  # arq's count of this job's runs
            if connection_lost(exc) and isinstance(tries, int) and tries < LOST_CONNECTION_TRIES:
                # The database connection went away (a restart, a failover): the job is safe to
                # run again, and runs again in a moment instead of failing.
                log.warning("job %s lost its database connection: trying again", job_id)
                raise Retry(defer=1) from exc
            log.exception("job %s failed", job_id)
            await JobProgress(ctx["runtime"].sessions, job_id).fail(
                "The job stopped on an unexpected error; the details are in the server log."
            )

    return run


async def sweep_jobs(ctx: WorkerContext) -> int:
    """Queue again every unfinished job: a no-op for those queued or running, a rescue for
    those Redis lost (flushed) or whose worker died (once arq's in-progress mark expires).
    Returns how many it rescued."""
    runtime = ctx["runtime"]
    async with transaction(runtime.read_sessions) as session:
        unfinished = [(j.task, j.id) for j in await service.unfinished_jobs(session)]
    rescued = 0
    for task, job_id in unfinished:
        rescued += await runtime.enqueue(JobName(task), job_id, job_id=service.queue_key(job_id))
    return rescued

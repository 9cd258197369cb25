"""The System screen's figures, read from the database, Redis and the disk at request time."""

from __future__ import annotations

import shutil

from arq.jobs import Job
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import monitoring, queue
from parcours.api import to_out
from parcours.channels import service as outbox
from parcours.channels.schemas import MessageOut
from parcours.clock import utcnow
from parcours.interactions import service as interactions
from parcours.jobs import service as jobs
from parcours.jobs.schemas import job_out
from parcours.runtime import Runtime
from parcours.system.schemas import (
    OutboxCount,
    QueueLine,
    QueueStatus,
    StorageStatus,
    StreamStatus,
    SystemStatus,
)

# Counting waiting jobs by task reads each job: done only while the queue is short.
TASKS_COUNTED_UP_TO = 500
SHOWN = 20


async def _queues(runtime: Runtime) -> tuple[QueueStatus, list[QueueLine]]:
    lines: list[QueueLine] = []
    by_task: dict[str, int] = {}
    for state in await queue.states(runtime.redis, runtime.settings.urgent_queue):
        lines.append(
            QueueLine(
                name=state.label, worker_alive=state.worker_alive, waiting=state.held, lag_seconds=round(state.lag, 1)
            )
        )
        if 0 < state.held <= TASKS_COUNTED_UP_TO:
            for job_id in await runtime.redis.zrange(state.name, 0, -1):
                # A job may end between the two reads: it is no longer waiting, and not counted.
                job = await Job(job_id.decode(), runtime.redis, _queue_name=state.name).info()
                if job is not None:
                    by_task[job.function] = by_task.get(job.function, 0) + 1
    overall = QueueStatus(
        worker_alive=all(line.worker_alive for line in lines),
        waiting=sum(line.waiting for line in lines),
        by_task=by_task,
    )
    return overall, lines


async def status(runtime: Runtime, session: AsyncSession) -> SystemStatus:
    lag, waited = await interactions.stream_lag(session)
    counts = await outbox.unfinished_counts(session)
    failed_messages, _, _ = await outbox.page(
        session, status="failed", email_id=None, campaign_id=None, to=None, limit=SHOWN, cursor=None
    )
    overall, lines = await _queues(runtime)
    disk = shutil.disk_usage(runtime.settings.data_path if runtime.settings.data_path.exists() else ".")
    return SystemStatus(
        checked_at=utcnow(),
        queue=overall,
        queues=lines,
        stream=StreamStatus(lag=lag, waited_seconds=round(waited, 1)),
        outbox=[OutboxCount(status=s, channel=c, count=n) for (s, c), n in sorted(counts.items())],
        failed_messages=[to_out(m, MessageOut) for m in failed_messages],
        failed_jobs=[job_out(j) for j in await jobs.failed_jobs(session, SHOWN)],
        recent_jobs=[job_out(j) for j in await jobs.recent_jobs(session, None, SHOWN)],
        storage=StorageStatus(
            database_bytes=int(await monitoring.database_bytes(runtime, session)),
            disk_free_bytes=disk.free,
            disk_total_bytes=disk.total,
            autovacuum=await monitoring.autovacuum(runtime, session),
        ),
    )

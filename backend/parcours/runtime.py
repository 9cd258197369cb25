"""The running product's shared resources, as one typed value handed to routes, services and
worker functions. Opening and closing them is parcours.assembly's job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import logs, queue
from parcours.jobs.names import JobName
from parcours.settings import Settings

if TYPE_CHECKING:  # types only: the runtime itself knows no feature
    from parcours.channels.delivery import Delivery
    from parcours.stream import StreamRuns


@dataclass
class Runtime:
    settings: Settings
    secret_key: str
    # Encrypts the credentials kept in the database (parcours.keys.encryption_key).
    encryption_key: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    # What reports, exports and exploration read: the replica's sessions when one is set, else
    # `read_sessions`. Never for what must see a write just made.
    report_sessions: async_sessionmaker[AsyncSession]
    replica_engine: AsyncEngine | None
    redis_url: str
    redis: ArqRedis

    async def enqueue(self, name: JobName, *args: Any, job_id: str | None = None, **options: Any) -> bool:
        """Queue a job (parcours.jobs.enqueue.Enqueue) on its queue (parcours.queue.queue_for: the
        urgent one or the bulk one). With a job_id, a job already queued under that id is not
        queued twice (then False: it is queued, running, or has just finished)."""
        # The request (or the job) that queues it: the job's log lines carry its id (logs.reported).
        current = logs.request_id.get()
        if current is not None:
            options = {logs.REQUEST_ID_ARG: current, **options}
        # As a plain string in Redis: what any worker version, or a look at the queue, reads.
        queue_name = queue.queue_for(name, urgent_queue=self.settings.urgent_queue)
        return (
            await self.redis.enqueue_job(str(name), *args, _job_id=job_id, _queue_name=queue_name, **options)
            is not None
        )


class WorkerContext(TypedDict):
    """What every worker function receives as `ctx` (arq adds job_id, job_try, redis...)."""

    runtime: Runtime
    stream: StreamRuns  # parcours.stream's consumers, in order, run once at a time in this process
    delivery: Delivery  # the outbox's delivery loop and its connections, one per process

"""The running product's shared resources, as one typed value handed to routes, services and
worker functions. Opening and closing them is parcours.assembly's job."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.jobs.names import JobName
from parcours.settings import Settings

if TYPE_CHECKING:  # types only: the runtime itself knows no feature
    from parcours.channels.delivery import Delivery
    from parcours.interactions.batch import Consumer


@dataclass
class Runtime:
    settings: Settings
    secret_key: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    redis_url: str
    redis: ArqRedis

    async def enqueue(self, name: JobName, *args: Any, job_id: str | None = None, **options: Any) -> bool:
        """Queue a job (parcours.jobs.enqueue.Enqueue). With a job_id, a job already queued under
        that id is not queued twice (then False: it is queued, running, or has just finished)."""
        # As a plain string in Redis: what any worker version, or a look at the queue, reads.
        return await self.redis.enqueue_job(str(name), *args, _job_id=job_id, **options) is not None


class WorkerContext(TypedDict):
    """What every worker function receives as `ctx` (arq adds job_id, job_try, redis...)."""

    runtime: Runtime
    stream_consumers: Sequence[Consumer]  # parcours.stream's consumers, in order
    delivery: Delivery  # the outbox's delivery loop and its connections, one per process

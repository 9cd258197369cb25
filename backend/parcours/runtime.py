"""The running product's resources: database engine, Redis, and (embedded mode) the worker."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis
from arq.worker import Worker
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import db, queue
from parcours.channels.delivery import Delivery
from parcours.interactions import recording
from parcours.interactions.tasks import trigger_processing
from parcours.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    secret_key: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    redis_url: str
    redis: ArqRedis
    embedded_redis: queue.EmbeddedRedis | None = None
    worker: Worker | None = None
    worker_task: asyncio.Task[Any] | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    delivery: Delivery | None = None

    def worker_context(self) -> dict[str, Any]:
        from parcours.tasks import stream_consumers

        # One delivery state per process (its SMTP connections), closed with the runtime.
        if self.delivery is None:
            self.delivery = Delivery(self.settings, self.secret_key, self.sessions, self.read_sessions, self.enqueue)
        return {"runtime": self, "delivery": self.delivery, "stream_consumers": stream_consumers(self)}

    async def enqueue(self, function: str, *args: Any, job_id: str | None = None, **kwargs: Any) -> bool:
        """Queue a job. With a job_id, a job already queued under that id is not queued twice
        (then False: it is queued, running, or has just finished)."""
        return await self.redis.enqueue_job(function, *args, _job_id=job_id, **kwargs) is not None

    def start_worker(self, *, burst: bool = False) -> Worker:
        from parcours.tasks import FUNCTIONS, cron_jobs

        self.worker = queue.build_worker(
            redis_url=self.redis_url,
            functions=FUNCTIONS,
            cron_jobs=cron_jobs(),
            context=self.worker_context(),
            burst=burst,
        )
        if not burst:
            self.worker_task = asyncio.create_task(self.worker.async_run(), name="parcours-worker")
        return self.worker

    async def close(self) -> None:
        recording.set_waker(None)
        if self.worker is not None and self.worker_task is not None:
            await queue.stop_worker(self.worker, self.worker_task)
        self.worker = self.worker_task = None
        if self.delivery is not None:
            await self.delivery.close()
            self.delivery = None
        await self.redis.aclose()
        await self.engine.dispose()
        if self.embedded_redis is not None:
            self.embedded_redis.stop()


def load_secret_key(settings: Settings) -> str:
    """PARCOURS_SECRET_KEY, or one generated on first start and kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    settings.data_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


async def open_runtime(settings: Settings, *, migrate: bool = False) -> Runtime:
    settings.data_path.mkdir(parents=True, exist_ok=True)
    embedded = None
    redis_url = settings.redis_url
    if not redis_url:
        embedded = queue.EmbeddedRedis(settings.data_path / "redis")
        redis_url = embedded.start()
        log.debug("embedded redis-server listening on %s", redis_url)  # the startup line says it too
    engine = db.create_engine(settings.sqlalchemy_url, pool_size=settings.db_pool_size,
                              busy_timeout=settings.sqlite_busy_timeout)
    if migrate:
        await db.migrate(engine)
    runtime = Runtime(
        settings=settings,
        secret_key=load_secret_key(settings),
        engine=engine,
        sessions=db.session_factory(engine),
        read_sessions=db.session_factory(engine, read_only=True),
        redis_url=redis_url,
        redis=await queue.connect(redis_url),
        embedded_redis=embedded,
    )
    recording.set_waker(lambda: trigger_processing(runtime))
    return runtime

"""The composition root: the one place that opens the product's resources, builds what each
process keeps for itself on them (the group commits, the worker and its context, the stream's
consumers) and closes it all again. `parcours serve` (app.py) and the command line use it;
features only receive what they need."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from dataclasses import dataclass

from arq.worker import Worker

from parcours import db, queue, stream
from parcours.channels.delivery import Delivery
from parcours.events import admission
from parcours.events.admission import Admission
from parcours.interactions import ingestion
from parcours.interactions.ingestion import Ingestion
from parcours.runtime import Runtime, WorkerContext
from parcours.settings import Settings
from parcours.tasks import FUNCTIONS, cron_jobs
from parcours.visitors import tasks as visitors
from parcours.visitors.tasks import Beacons

log = logging.getLogger(__name__)


@dataclass
class Product:
    """The running product in one process: the shared runtime, the requests' group commits, and
    (embedded mode, or `parcours worker`) the worker."""

    runtime: Runtime
    ingestion: Ingestion
    admission: Admission
    beacons: Beacons
    delivery: Delivery
    embedded_redis: queue.EmbeddedRedis | None = None
    worker: Worker | None = None
    worker_task: asyncio.Task[None] | None = None

    def start_worker(self, *, burst: bool = False) -> Worker:
        """The worker, in this process: run in the background unless `burst` (the caller runs it)."""
        self.worker = queue.build_worker(
            redis_url=self.runtime.redis_url,
            functions=FUNCTIONS,
            cron_jobs=cron_jobs(),
            context=self.worker_context(),
            burst=burst,
        )
        if not burst:
            self.worker_task = asyncio.create_task(self.worker.async_run(), name="parcours-worker")
        return self.worker

    def worker_context(self) -> WorkerContext:
        """What every worker function of this process receives: the runtime, the stream's
        consumers in order, and the delivery loop."""
        return {
            "runtime": self.runtime,
            "delivery": self.delivery,
            "stream_consumers": stream.consumers(self.runtime.enqueue, self.runtime.settings.base_url),
        }

    async def close(self) -> None:
        if self.worker is not None and self.worker_task is not None:
            await queue.stop_worker(self.worker, self.worker_task)
        self.worker = self.worker_task = None
        await self.delivery.close()
        await close_runtime(self.runtime)
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


async def open_product(settings: Settings, *, migrate: bool = False) -> Product:
    """Redis (the embedded one when PARCOURS_REDIS_URL is empty), the database (migrated if asked),
    and everything built on them. The worker is started separately (Product.start_worker)."""
    settings.data_path.mkdir(parents=True, exist_ok=True)
    embedded = None
    redis_url = settings.redis_url
    if not redis_url:
        embedded = queue.EmbeddedRedis(settings.data_path / "redis")
        redis_url = embedded.start()
        log.debug("embedded redis-server listening on %s", redis_url)  # the startup line says it too
    engine = db.create_engine(
        settings.sqlalchemy_url, pool_size=settings.db_pool_size, busy_timeout=settings.sqlite_busy_timeout
    )
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
    )
    stream.wire(runtime.sessions, runtime.enqueue)
    # One delivery loop per process: its SMTP connections are reused from batch to batch.
    delivery = Delivery(settings, runtime.secret_key, runtime.sessions, runtime.read_sessions, runtime.enqueue)
    return Product(
        runtime=runtime,
        ingestion=ingestion.group_commit(runtime),
        admission=admission.group_commit(runtime),
        beacons=visitors.group_commit(runtime),
        delivery=delivery,
        embedded_redis=embedded,
    )


async def close_runtime(runtime: Runtime) -> None:
    await runtime.redis.aclose()
    await runtime.engine.dispose()

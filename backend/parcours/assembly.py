"""The composition root: the one place that opens the product's resources, builds what each
process keeps for itself on them (the group commits, the worker and its context, the stream's
consumers) and closes it all again. `parcours serve` (app.py) and the command line use it;
features only receive what they need."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from dataclasses import dataclass, field

from arq.cron import CronJob
from arq.worker import Worker

from parcours import db, keys, queue, stream
from parcours.channels.delivery import Delivery
from parcours.events import admission
from parcours.events.admission import Admission
from parcours.interactions import ingestion
from parcours.interactions.ingestion import Ingestion
from parcours.journeys import runner
from parcours.runtime import Runtime, WorkerContext
from parcours.settings import Settings
from parcours.tasks import FUNCTIONS, bulk_cron_jobs, cron_jobs, urgent_cron_jobs
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
    # The workers of this process (one per queue in use) and the tasks running them.
    workers: list[tuple[Worker, asyncio.Task[None]]] = field(default_factory=list)

    def start_worker(self, only: Collection[queue.QueueLabel] = ()) -> list[Worker]:
        """The worker, in this process, in the background: one arq worker on the urgent queue
        (its sweepers, few slots) and one on the bulk queue (maintenance), or a single one on the
        one queue when PARCOURS_URGENT_QUEUE is off. `only`: these queues alone (a process given
        to urgent work has the machine's time for it alone). Each knows every function: a job
        queued before the setting changed still runs."""
        context = self.worker_context()
        urgent = self.runtime.settings.urgent_queue
        plan: dict[queue.QueueLabel, tuple[list[CronJob], int]] = {
            "urgent": (urgent_cron_jobs(), queue.URGENT_MAX_JOBS),
            "bulk": (bulk_cron_jobs() if urgent else cron_jobs(), queue.BULK_MAX_JOBS),
        }
        for label, queue_name in queue.queues_in_use(urgent).items():
            if only and label not in only:
                continue
            crons, max_jobs = plan[label]
            worker = queue.build_worker(
                redis_url=self.runtime.redis_url,
                functions=FUNCTIONS,
                cron_jobs=crons,
                context=context,
                queue_name=queue_name,
                max_jobs=max_jobs,
            )
            task = asyncio.create_task(queue.run_worker(worker), name=f"parcours-worker {queue_name}")
            self.workers.append((worker, task))
        return [worker for worker, _task in self.workers]

    def worker_context(self) -> WorkerContext:
        """What every worker function of this process receives: the runtime, the stream's
        consumers in order, and the delivery loop."""
        return {
            "runtime": self.runtime,
            "delivery": self.delivery,
            "stream": stream.StreamRuns(stream.consumers(self.runtime.enqueue, self.runtime.settings.base_url)),
        }

    async def close(self) -> None:
        await asyncio.gather(*(queue.stop_worker(worker, task) for worker, task in self.workers))
        self.workers = []
        await self.delivery.close()
        await close_runtime(self.runtime)
        if self.embedded_redis is not None:
            self.embedded_redis.stop()


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
    read_sessions = db.session_factory(engine, read_only=True)
    replica = None
    if settings.read_database_url:
        replica = db.create_engine(settings.read_sqlalchemy_url, pool_size=settings.db_pool_size)
    runtime = Runtime(
        settings=settings,
        secret_key=keys.load(settings),
        encryption_key=keys.encryption_key(settings),
        engine=engine,
        sessions=db.session_factory(engine),
        read_sessions=read_sessions,
        report_sessions=db.session_factory(replica, read_only=True) if replica else read_sessions,
        replica_engine=replica,
        redis_url=redis_url,
        redis=await queue.connect(redis_url),
    )
    stream.wire(runtime.sessions, runtime.enqueue)
    # One delivery loop per process: its SMTP connections are reused from batch to batch.
    delivery = Delivery(
        settings,
        runtime.secret_key,
        runtime.sessions,
        runtime.read_sessions,
        runtime.enqueue,
        on_failed=runner.message_failed,
    )
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
    if runtime.replica_engine is not None:
        await runtime.replica_engine.dispose()

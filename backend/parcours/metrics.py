"""The product's Prometheus metrics (the official prometheus-client): what each process counts.

Requests (latency by route template, method and status class), worker jobs (runs by function and
outcome, their duration) and messages (outcomes by status) are counted where they happen. With
several processes (the API and `parcours worker`s on one machine), set PROMETHEUS_MULTIPROC_DIR
to a directory they share, emptied at each start: every process writes its counts there and
/metrics adds them up (prometheus-client's multiprocess mode). The figures that are read from the
database and Redis at scrape time (queue depth, stream lag, the outbox) are in `monitoring.py`.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUEST_SECONDS = Histogram(
    "parcours_http_request_duration_seconds",
    "Time to answer a request, by route template, method and status class (2xx, 4xx...)",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
JOBS = Counter(
    "parcours_jobs_total", "Worker job runs, by function and outcome (done, failed)", ["function", "outcome"]
)
JOB_SECONDS = Histogram(
    "parcours_job_duration_seconds",
    "Time a worker job ran, by function",
    ["function"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900),
)
MESSAGES = Counter(
    "parcours_messages_total",
    "Messages handed to their channel, by outcome (sent, captured, failed, suppressed, retried)",
    ["status"],
)

SMTP_RESPONSES = Counter(
    "parcours_smtp_responses_total",
    "Answers of the SMTP server to the messages sent, by code (250, 421, 451, 550...)",
    ["code"],
)


def exposition() -> bytes:
    """This process's metrics, or every process's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def timed_job(coroutine: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The job function, counting its runs and their duration under its name."""
    name = coroutine.__name__

    @functools.wraps(coroutine)
    async def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = await coroutine(*args, **kwargs)
        except BaseException:
            JOBS.labels(name, "failed").inc()
            raise
        finally:
            JOB_SECONDS.labels(name).observe(time.perf_counter() - started)
        JOBS.labels(name, "done").inc()
        return result

    return run


class RequestMetrics:
    """ASGI middleware: each request's latency under its route template (/api/contacts/{contact_id},
    never the id itself: one series per route, not per contact)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = str(scope.get("path_template") or "unmatched")
            REQUEST_SECONDS.labels(route, scope.get("method", ""), f"{status // 100}xx").observe(
                time.perf_counter() - started
            )

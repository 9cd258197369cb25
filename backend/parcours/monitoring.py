"""GET /metrics: the Prometheus text format, for a scraper holding PARCOURS_METRICS_TOKEN.

What each process counts (metrics.py) plus what is read at scrape time from the database and
Redis: jobs in each queue (urgent, bulk) and how long the oldest due one has waited, whether each
queue has a live worker, the interaction stream's lag, the
outbox's waiting and failed messages by channel, the database's size and its connections in use,
and whether PostgreSQL cleans its tables by itself (autovacuum).
Not served at all (404) when the token setting is empty.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text

from parcours import backup, metrics, queue
from parcours.channels import service as outbox
from parcours.db import transaction
from parcours.errors import NotFound, Unauthorized
from parcours.interactions import service as interactions
from parcours.runtime import Runtime


async def _live(runtime: Runtime) -> bytes:
    registry = CollectorRegistry()

    def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, doc, labels, registry=registry)

    queued = gauge("parcours_queue_jobs", "Jobs in the worker queue, queued or running, by queue", ("queue",))
    lag = gauge(
        "parcours_queue_lag_seconds", "How long the oldest due job no worker has taken yet has waited", ("queue",)
    )
    alive = gauge("parcours_worker_alive", "1 when a worker of the queue reported in the last few seconds", ("queue",))
    for state in await queue.states(runtime.redis, runtime.settings.urgent_queue):
        queued.labels(state.label).set(state.held)
        lag.labels(state.label).set(state.lag)
        alive.labels(state.label).set(1 if state.worker_alive else 0)
    async with transaction(runtime.read_sessions) as session:
        behind, behind_seconds = await interactions.stream_lag(session)
        waiting = await outbox.unfinished_counts(session)
        size = await database_bytes(runtime, session)
        cleaning = await autovacuum(runtime, session)
    gauge("parcours_stream_lag_interactions", "Interactions recorded and not yet processed by the stream").set(behind)
    gauge("parcours_stream_lag_seconds", "How long the oldest unprocessed interaction has waited").set(behind_seconds)
    messages = gauge("parcours_outbox_messages", "Messages waiting to be sent or failed", ("status", "channel"))
    for (status, channel), count in waiting.items():
        messages.labels(status, channel).set(count)
    gauge("parcours_database_bytes", "Size of the database").set(size)
    if cleaning is not None:
        gauge("parcours_database_autovacuum", "1 when PostgreSQL cleans dead rows by itself (autovacuum)").set(
            1 if cleaning else 0
        )
    pool: Any = runtime.engine.pool
    if hasattr(pool, "checkedout"):
        gauge("parcours_database_connections_in_use", "Connections of this process's pool in use").set(
            pool.checkedout()
        )
    return generate_latest(registry)


async def database_bytes(runtime: Runtime, session: Any) -> float:
    if runtime.settings.is_sqlite:
        path = backup.database_path(runtime.settings)
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    return float((await session.execute(text("SELECT pg_database_size(current_database())"))).scalar_one())


async def autovacuum(runtime: Runtime, session: Any) -> bool | None:
    """Whether PostgreSQL removes dead row versions by itself; None on SQLite. Turned off, every
    update and delete leaves its old row behind: the tables grow, and each count, list and report
    reads the dead rows as well as the live ones."""
    if runtime.settings.is_sqlite:
        return None
    return bool((await session.execute(text("SHOW autovacuum"))).scalar_one() == "on")


@get("/metrics", include_in_schema=False, opt={"exclude_from_auth": True})
async def prometheus(request: Request[Any, Any, Any], runtime: Runtime) -> Response[bytes]:
    token = runtime.settings.metrics_token
    if not token:
        raise NotFound("Metrics are not served: set PARCOURS_METRICS_TOKEN to turn them on.")
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise Unauthorized("Send the metrics token as Authorization: Bearer <token>.")
    body = metrics.exposition() + await _live(runtime)
    return Response(body, media_type=CONTENT_TYPE_LATEST)

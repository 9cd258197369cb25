"""GET /health: is the database, Redis and at least one worker up?"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import msgspec
from litestar import get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Response
from sqlalchemy import text

from parcours import queue
from parcours.runtime import Runtime


class Health(msgspec.Struct):
    status: str
    database: str
    redis: str
    worker: str


async def _check(probe: Awaitable[object]) -> str:
    try:
        ok = await asyncio.wait_for(probe, timeout=3)
    except Exception as exc:  # noqa: BLE001  (a health check reports failures, it never raises them)
        return f"down: {type(exc).__name__}"
    return "ok" if ok is not False else "down"


@get(
    "/health",
    tags=["system"],
    summary="Health of the database, Redis and workers",
    responses={503: ResponseSpec(Health, description="Degraded: the body says what is down", generate_examples=False)},
)
async def health(runtime: Runtime) -> Response[Health]:
    async def database() -> bool:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def worker() -> bool:
        return await queue.worker_alive(runtime.redis, queue.queues_in_use(runtime.settings.urgent_queue).values())

    db_state, redis_state, worker_state = await asyncio.gather(
        _check(database()), _check(runtime.redis.ping()), _check(worker())
    )
    if worker_state == "down":
        worker_state = "down: no worker has reported in the last few seconds"
    states = (db_state, redis_state, worker_state)
    body = Health(
        status="ok" if all(s == "ok" for s in states) else "degraded",
        database=db_state,
        redis=redis_state,
        worker=worker_state,
    )
    return Response(body, status_code=200 if body.status == "ok" else 503)

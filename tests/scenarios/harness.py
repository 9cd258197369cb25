"""The product on a clock the test moves, with a worker that runs only when the test says so.

The app is the real one (API, database, Redis) started without its worker. Jobs the product
queues wait in Redis as usual; `settle()` does what a worker would do meanwhile, in the app's own
event loop and in a fixed order: the periodic sweepers, then every queued job that is due by the
product's clock (a job deferred to "in three days" runs once the test has moved the clock three
days on), again and again until a round finds nothing to do. No test waits real seconds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import FunctionType
from typing import Any

import msgspec
from arq.constants import job_key_prefix
from arq.jobs import deserialize_job_raw
from arq.worker import Function

from parcours import logs
from parcours.clock import clock
from parcours.queue import QUEUES
from parcours.tasks import FUNCTIONS, cron_jobs
from tests.conftest import Api

Job = Callable[..., Any]  # a worker job: called with the worker's context, awaited
ROUNDS = 30  # work that is still not done after this many rounds is a loop, not a backlog


def _named(job: object) -> tuple[str, Job]:
    """A job as the worker knows it: by its name (arq's, the function's qualified name)."""
    if isinstance(job, Function):
        return job.name, job.coroutine
    assert isinstance(job, FunctionType), job
    return job.__qualname__, job


def duration(text: str) -> timedelta:
    """An ISO 8601 duration in days, hours, minutes, seconds ("P3D", "PT1H30M")."""
    return msgspec.json.decode(msgspec.json.encode(text), type=timedelta)


class Scenario:
    """`api` to act as a marketer or a contact, `advance` to let time pass, `settle` to let the
    worker catch up with what is due now."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.runtime = api.client.app.state.runtime
        self.context = api.client.app.state.product.worker_context()
        self.jobs: dict[str, Job] = dict(_named(f) for f in FUNCTIONS)
        crons = cron_jobs()
        # What a worker runs every few seconds, and what it runs hourly or so.
        self.sweepers: list[Job] = [c.coroutine for c in crons if c.minute is None]
        self.periodic: list[Job] = [c.coroutine for c in crons if c.minute is not None]

    def call(self, job: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """Run a coroutine function in the app's event loop (where its engine and Redis live)."""
        return self.api.client.blocking_portal.call(job, *args)

    def settle(self) -> int:
        """Everything due by the clock is done; returns how many jobs did something."""
        return int(self.call(self._settle, self.sweepers))

    def advance(self, by: str) -> int:
        """Time passes (`by` as an ISO duration). The clock stops at each moment a job was queued
        for (a run's timer) and the worker does what is due there, so that a wait that follows a
        wait starts on time; at the end, the periodic jobs whose period has gone by run too (once)."""
        step = duration(by)
        return int(
            self.call(
                self._advance, clock.now() + step, self.sweepers + (self.periodic if step >= timedelta(hours=1) else [])
            )
        )

    def submit(self, *interactions: dict[str, Any]) -> None:
        """Interactions arrive through the API, and the worker handles them."""
        response = self.api.post("/api/interactions", json={"batch": list(interactions)})
        assert response.status_code < 300, response.text
        self.settle()

    async def _advance(self, until: datetime, last: list[Job]) -> int:
        worked = 0
        while (moment := await self._next_job()) is not None and moment < until:
            clock.advance(max(moment - clock.now(), timedelta(0)))
            worked += await self._settle(self.sweepers)
        clock.advance(max(until - clock.now(), timedelta(0)))
        return worked + await self._settle(last)

    async def _next_job(self) -> datetime | None:
        """When the earliest queued job is due, on either queue (a job's score is its time in
        milliseconds)."""
        scores = [
            first[0][1]
            for name in QUEUES.values()
            if (first := await self.runtime.redis.zrange(name, 0, 0, withscores=True))
        ]
        return datetime.fromtimestamp(min(scores) / 1000, UTC) if scores else None

    async def _settle(self, sweepers: list[Job]) -> int:
        worked = 0
        for _ in range(ROUNDS):
            for sweep in sweepers:
                await sweep(self.context)
            done = await self._drain()
            if not done:
                return worked
            worked += done
            sweepers = self.sweepers
        raise AssertionError(f"the worker still had work after {ROUNDS} rounds")

    async def _drain(self) -> int:
        """Run the queued jobs that are due, oldest first, until none is. Counts those that did
        something (a job answers how much it did; 0 or None is nothing)."""
        redis = self.runtime.redis
        worked = 0
        while True:
            now_ms = int(clock.now().timestamp() * 1000)
            due = [
                (name, raw_id) for name in QUEUES.values() for raw_id in await redis.zrangebyscore(name, "-inf", now_ms)
            ]
            if not due:
                return worked
            for queue_name, raw_id in due:
                job_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
                raw = await redis.get(job_key_prefix + job_id)
                # Taken as a worker takes it: gone from the queue, so the same id may be queued again.
                await redis.zrem(queue_name, job_id)
                await redis.delete(job_key_prefix + job_id)
                if raw is None:
                    continue
                name, args, kwargs, _tries, _enqueued = deserialize_job_raw(raw)
                # The id of the request that queued it is for the worker's log lines (logs.reported).
                kwargs.pop(logs.REQUEST_ID_ARG, None)
                if await self.jobs[name](self.context, *args, **kwargs):
                    worked += 1

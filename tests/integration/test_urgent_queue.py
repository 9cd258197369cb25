"""The urgent queue through the real app, its in-process worker and a real Redis: a journey's timer
is kept while the bulk queue holds imports that no worker slot is free for, and with
PARCOURS_URGENT_QUEUE off every job goes to the one queue, as before."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
from arq.jobs import Job
from arq.worker import Worker

from parcours.queue import QUEUE_NAME, URGENT_QUEUE, health_key
from tests.conftest import Api, signed_in
from tests.factories import OPTED_IN, chain, journey, published, runs, unique_email, unique_type

WAIT_SECONDS = 3
# The promise: every journey run on time within 5 s of its timer (measured by bench.ontime); here
# only the urgent queue's own lag is held to it.
ON_TIME_SECONDS = 5.0
IMPORTS = 6


def workers(api: Api) -> dict[str, Worker]:
    return {worker.queue_name: worker for worker, _task in api.app.state.product.workers}


@contextmanager
def bulk_slots_taken(worker: Worker) -> Iterator[None]:
    """The worker picks no job meanwhile, as when each of its slots runs a long import."""
    worker.allow_pick_jobs = False
    try:
        yield
    finally:
        worker.allow_pick_jobs = True


def queued_functions(api: Api, queue_name: str) -> list[str]:
    """The functions of the jobs the queue holds."""

    async def read() -> list[str]:
        redis = api.app.state.runtime.redis
        found = []
        for job_id in await redis.zrange(queue_name, 0, -1):
            info = await Job(job_id.decode(), redis, _queue_name=queue_name).info()
            if info is not None:
                found.append(info.function)
        return found

    return list(api.blocking_portal.call(read))


def start_imports(api: Api, count: int) -> list[str]:
    job_ids = []
    for _ in range(count):
        csv = f"email\n{unique_email('bulk')}\n{unique_email('bulk')}\n".encode()
        started = api.post("/api/contacts/import", files={"file": ("people.csv", csv, "text/csv")})
        assert started.status_code == 202, started.text
        job_ids.append(started.json()["job_id"])
    return job_ids


def waiting_journey(api: Api) -> tuple[int, str]:
    """A published journey: an interaction enters it, a wait of WAIT_SECONDS, then a stage change."""
    kind = unique_type("ontime")
    made = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": kind}),
            ("pause", "flow.wait", {"duration": f"PT{WAIT_SECONDS}S"}),
            ("stage", "action.stage", {"stage": "customer"}),
        ),
    )
    published(api, made["id"])
    return int(made["id"]), kind


def enter(api: Api, kind: str, people: int) -> list[int]:
    ids = [
        api.post("/api/contacts", json={"email": unique_email("ontime"), **OPTED_IN}).json()["id"]
        for _ in range(people)
    ]
    entered = api.post("/api/interactions", json={"batch": [{"contact_id": i, "type": kind} for i in ids]})
    assert entered.status_code < 300, entered.text
    return ids


def wait_runs_completed(api: Api, journey_id: int, people: int, timeout: float = 30) -> None:
    """Until each of the journey's runs, once seen waiting for its timer, is completed."""
    waited: set[int] = set()
    completed: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(completed) < people and time.monotonic() < deadline:
        for run in runs(api, journey_id):
            if run["wake_at"]:
                waited.add(run["id"])
            if run["status"] == "completed" and run["id"] in waited:
                completed.add(run["id"])
        time.sleep(0.1)
    assert len(completed) == people, (completed, runs(api, journey_id))


def test_a_journey_wakes_on_time_while_the_bulk_queue_is_full(app_settings: Any) -> None:
    with signed_in(app_settings) as api:
        running = workers(api)
        assert set(running) == {URGENT_QUEUE, QUEUE_NAME}
        journey_id, kind = waiting_journey(api)
        with bulk_slots_taken(running[QUEUE_NAME]):
            imports = start_imports(api, IMPORTS)
            enter(api, kind, people=3)
            # Every run woke and completed while no bulk slot was free: its jobs went to the urgent
            # queue. How late runs are under load is measured by `bench.ontime` (within 5 s), not
            # here: a shared test machine's speed varies several-fold from one day to the next...
            wait_runs_completed(api, journey_id, people=3)
            # ...while every import still waited for a bulk slot.
            assert queued_functions(api, QUEUE_NAME).count("import_contacts") == IMPORTS
            assert all(api.get(f"/api/jobs/{job_id}").json()["status"] == "queued" for job_id in imports)
            queues = {q["name"]: q for q in api.get("/api/system").json()["queues"]}
            assert queues["bulk"]["waiting"] >= IMPORTS and queues["bulk"]["lag_seconds"] > 0, queues
            assert queues["urgent"]["lag_seconds"] < ON_TIME_SECONDS, queues
        # The bulk work is done once slots are free again.
        assert all(api.wait_job(job_id)["status"] == "done" for job_id in imports)


async def forget_queues(redis_url: str) -> None:
    """What an earlier product of this module left in Redis (queued sweeps, its heartbeats)."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    await client.flushdb()
    await client.aclose()


def test_with_the_setting_off_every_job_goes_to_one_queue(app_settings: Any) -> None:
    asyncio.run(forget_queues(app_settings.redis_url))
    with signed_in(msgspec.structs.replace(app_settings, urgent_queue=False)) as api:
        running = workers(api)
        assert list(running) == [QUEUE_NAME]
        journey_id, kind = waiting_journey(api)
        with bulk_slots_taken(running[QUEUE_NAME]):
            imports = start_imports(api, 1)
            enter(api, kind, people=1)
            held = api.eventually(
                lambda: (f := queued_functions(api, QUEUE_NAME)) and "process_interactions" in f and f
            )
            # The stream's step waits in the one queue beside the import; nothing went elsewhere.
            assert held and "import_contacts" in held, held
            assert queued_functions(api, URGENT_QUEUE) == []
        # One worker did it all: the journey ran to its end, the import too.
        wait_runs_completed(api, journey_id, people=1)
        assert api.wait_job(imports[0])["status"] == "done"

        async def urgent_worker_reported() -> int:
            return int(await api.app.state.runtime.redis.exists(health_key(URGENT_QUEUE)))

        assert api.blocking_portal.call(urgent_worker_reported) == 0


def test_a_worker_given_to_the_urgent_queue_wakes_journeys_and_leaves_bulk_work(app_settings: Any) -> None:
    asyncio.run(forget_queues(app_settings.redis_url))
    with signed_in(msgspec.structs.replace(app_settings, in_process_worker=False)) as api:
        product = api.app.state.product

        async def urgent_only() -> list[str]:
            return [w.queue_name for w in product.start_worker(only=("urgent",))]

        # What `parcours worker --queue urgent` runs.
        assert api.blocking_portal.call(urgent_only) == [URGENT_QUEUE]
        journey_id, kind = waiting_journey(api)
        imports = start_imports(api, 1)
        enter(api, kind, people=2)
        # Both runs woke and completed with nobody reading the bulk queue (how late: bench.ontime).
        wait_runs_completed(api, journey_id, people=2)
        # Nobody reads the bulk queue: the import waits there, and /health says a worker is missing.
        assert api.get(f"/api/jobs/{imports[0]}").json()["status"] == "queued"
        assert queued_functions(api, QUEUE_NAME).count("import_contacts") == 1
        health = api.get("/health")
        assert health.status_code == 503 and health.json()["worker"].startswith("down"), health.text

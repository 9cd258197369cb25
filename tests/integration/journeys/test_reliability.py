"""The journey engine survives what production throws at it: a worker killed with SIGKILL, two
workers racing. The database is the truth; every message goes out once. (Redis flushed
under waiting runs is a scenario: tests/scenarios/test_journeys.py.)

The API runs in the test process without a worker; workers are real `parcours worker` processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.conftest import Api, signed_in
from tests.factories import chain, email

CONTACTS = int(os.environ.get("PARCOURS_TEST_RELIABILITY_CONTACTS", "5000"))
STALE_CLAIM_SECONDS = 3


class Workers:
    """`parcours worker` processes on the test's database and Redis."""

    def __init__(self, settings: Any) -> None:
        self.env = {
            **os.environ,
            "PARCOURS_DATABASE_URL": settings.database_url,
            "PARCOURS_REDIS_URL": settings.redis_url,
            "PARCOURS_DATA_DIR": settings.data_dir,
            "PARCOURS_STALE_CLAIM_SECONDS": str(STALE_CLAIM_SECONDS),
            "PARCOURS_FREQUENCY_CAP": "0",
            "PARCOURS_LOG_LEVEL": "WARNING",
        }
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([str(Path(sys.executable).parent / "parcours"), "worker"], env=self.env)
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


@pytest.fixture(scope="module")
def product(app_settings: Any) -> Iterator[tuple[Api, Workers]]:
    settings = msgspec.structs.replace(
        app_settings, in_process_worker=False, stale_claim_seconds=STALE_CLAIM_SECONDS, frequency_cap=0
    )
    workers = Workers(settings)
    with signed_in(settings) as api:
        try:
            yield api, workers
        finally:
            workers.stop_all()


def audience(api: Api, tag: str, count: int) -> int:
    """`count` opted-in contacts (imported) in a dynamic segment of their own. Needs a worker."""
    lines = ["email,email_opt_in,consent_level,city"] + [
        f"{tag}.{i}@reliability.example.org,yes,marketing,{tag.title()}" for i in range(count)
    ]
    started = api.post("/api/contacts/import", files={"file": ("people.csv", "\n".join(lines).encode(), "text/csv")})
    assert started.status_code == 202, started.text
    assert api.wait_job(started.json()["job_id"], timeout=120)["result"]["created"] == count
    segment = api.post(
        "/api/segments", json={"name": tag, "kind": "dynamic", "rule": f'city == "{tag.title()}"'}
    ).json()
    assert api.eventually(lambda: api.get(f"/api/segments/{segment['id']}").json()["member_count"] == count, 60), str(
        api.get(f"/api/segments/{segment['id']}").json()
    )
    return int(segment["id"])


def publish(api: Api, definition: dict[str, Any]) -> int:
    made = api.post("/api/journeys", json={"name": f"Reliability {time.monotonic_ns()}", "definition": definition})
    assert made.status_code == 201, made.text
    published = api.post(f"/api/journeys/{made.json()['id']}/publish")
    assert published.status_code == 200, published.text
    return int(made.json()["id"])


def stats(api: Api, journey_id: int) -> dict[str, Any]:
    return dict(api.get(f"/api/journeys/{journey_id}/stats").json())


def sent(found: dict[str, Any], node: str) -> int:
    email = found["nodes"].get(node, {}).get("email") or {}
    return int(email.get("sent", 0))


def finished(api: Api, journey_id: int, count: int, mails: list[str], timeout: float = 0) -> dict[str, Any]:
    def done() -> Any:
        found = stats(api, journey_id)
        return found["completed"] == count and all(sent(found, m) == count for m in mails) and found

    result = api.eventually(done, timeout or 120 + count * 0.1)
    assert result, stats(api, journey_id)
    return dict(result)


def two_emails(api: Api, segment_id: int, wait: str) -> dict[str, Any]:
    return chain(
        ("start", "entry.segment", {"segment_id": segment_id}),
        ("first", "action.email", {"email_id": email(api, "First")}),
        ("pause", "flow.wait", {"duration": wait}),
        ("second", "action.email", {"email_id": email(api, "Second")}),
    )


def assert_once(found: dict[str, Any], count: int) -> None:
    """Each contact went through each step once and got each message once."""
    for node in ("start", "first", "pause", "second"):
        assert found["nodes"][node]["entered"] == count, (node, found["nodes"][node])
    for node in ("first", "second"):
        email = found["nodes"][node]["email"]
        assert (email["sent"], email["queued"], email["failed"], email["suppressed"]) == (count, 0, 0, 0), email


def test_a_worker_killed_mid_journey_loses_nothing_and_sends_nothing_twice(product: tuple[Api, Workers]) -> None:
    api, workers = product
    first = workers.start()
    segment = audience(api, "killed", CONTACTS)
    journey = publish(api, two_emails(api, segment, "PT2S"))
    # Kill the worker while it is in the middle of the work (runs advancing, messages going out).
    assert api.eventually(lambda: sent(stats(api, journey), "first") > 0, 60)
    workers.kill(first)
    workers.start()
    assert_once(finished(api, journey, CONTACTS, ["first", "second"]), CONTACTS)


def test_two_workers_never_advance_a_run_twice(product: tuple[Api, Workers], backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite takes one writer at a time: several workers are for PostgreSQL (embedded mode runs one)")
    api, workers = product
    while len(workers.running) < 2:
        workers.start()
    segment = audience(api, "racing", CONTACTS)
    journey = publish(api, two_emails(api, segment, "PT1S"))
    assert_once(finished(api, journey, CONTACTS, ["first", "second"]), CONTACTS)

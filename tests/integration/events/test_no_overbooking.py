"""Never overbook: concurrent registrations over real HTTP against a real `parcours serve`
process (its own event loop, connection pool and worker), on SQLite and PostgreSQL.

500 people (and 20 of them twice) register at once for 100 seats: exactly 100 get a seat, 400
wait with places 1..400, and the database order of their registrations is the order of the
seats and of the waitlist. Then a cancellation promotes the first waiting, within a second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.common import Database, Product

SEATS, PEOPLE, TWICE = 100, 500, 20


@pytest.fixture(scope="module")
def server(backend: str, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """`database_url` is fresh (a new SQLite file, or the PostgreSQL schema reset)."""
    product = Product(Database(backend, database_url), Path(tmp_path_factory.mktemp("serve")))
    product.start()
    yield product
    product.stop()


def test_concurrent_registrations_never_overbook(server: Product) -> None:
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as api:
        start = datetime.now(UTC) + timedelta(days=3)
        created = api.post(
            "/api/events",
            json={
                "name": "Webinar under load",
                "type": "webinar",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "timezone": "UTC",
                "capacity": SEATS,
                "status": "published",
            },
        )
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]

        emails = [f"load.{i}@example.org" for i in range(PEOPLE)]
        requests = emails + emails[:: PEOPLE // TWICE]  # 20 people press the button twice
        gate = threading.Barrier(len(requests))

        def one(email: str) -> tuple[str, int, dict[str, Any]]:
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=120) as client:
                gate.wait()
                answer = client.post(f"/api/events/{event_id}/registrations", json={"email": email})
                return email, answer.status_code, answer.json()

        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            answers = list(pool.map(one, requests))

        assert sorted(code for _, code, _ in answers) == [200] * TWICE + [201] * PEOPLE, [
            body for _, code, body in answers if code not in (200, 201)
        ][:3]
        ids: dict[str, set[int]] = {}
        for email, _, body in answers:
            ids.setdefault(email, set()).add(body["id"])
        assert all(len(found) == 1 for found in ids.values()), "a repeated registration made a second one"

        firsts = {body["id"]: body for _, code, body in answers if code == 201}
        confirmed = [b for b in firsts.values() if b["status"] == "confirmed"]
        waitlisted = [b for b in firsts.values() if b["status"] == "waitlisted"]
        assert len(confirmed) == SEATS and len(waitlisted) == PEOPLE - SEATS
        assert all("position" not in b for b in confirmed)
        assert sorted(b["position"] for b in waitlisted) == list(range(1, PEOPLE - SEATS + 1))

        # Arrival order: registrations are numbered as they commit; the first 50 have the seats,
        # and the waitlist follows the same order.
        by_arrival = sorted(firsts.values(), key=lambda b: b["id"])
        assert [b["status"] for b in by_arrival] == ["confirmed"] * SEATS + ["waitlisted"] * (PEOPLE - SEATS)
        assert [b["position"] for b in by_arrival[SEATS:]] == list(range(1, PEOPLE - SEATS + 1))

        stats = api.get(f"/api/events/{event_id}/stats").json()
        assert (stats["confirmed"], stats["waitlisted"], stats["capacity_used"]) == (SEATS, PEOPLE - SEATS, 1.0)

        # A seat frees: the first waiting gets it (the job is queued as the cancellation commits).
        first_waiting = by_arrival[SEATS]
        assert api.post(f"/api/events/{event_id}/registrations/{by_arrival[0]['id']}/cancel").status_code == 200
        cancelled_at = time.monotonic()
        while True:
            now = api.get(f"/api/events/{event_id}/registrations/{first_waiting['id']}").json()
            if now["status"] == "confirmed" or time.monotonic() - cancelled_at > 30:
                break
            time.sleep(0.02)
        assert now["status"] == "confirmed", "the first on the waitlist was not promoted"
        second = api.get(f"/api/events/{event_id}/registrations/{by_arrival[SEATS + 1]['id']}").json()
        assert second["status"] == "waitlisted" and second["position"] == 1
        final = api.get(f"/api/events/{event_id}/stats").json()
        assert (final["confirmed"], final["waitlisted"], final["cancelled"]) == (SEATS, PEOPLE - SEATS - 1, 1)
    assert "Traceback" not in server.log_tail(400)

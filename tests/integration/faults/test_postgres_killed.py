"""PostgreSQL connections killed (`pg_terminate_backend`) in the middle of an import, a campaign send
and a journey batch: the work resumes, and nothing is lost or doubled (the contacts, the outbox
rows and the journey runs are counted after)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import msgspec
import pytest

from tests.conftest import Api, signed_in
from tests.factories import chain, journey, published, runs, unique_email, unique_type

MJML = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>"


@pytest.fixture(scope="module")
def api(app_settings: Any) -> Iterator[Api]:
    """A message claimed by a delivery whose connection is killed goes out again once its claim is
    stale: after seconds here, instead of the 15 minutes a slow mail server is given."""
    with signed_in(msgspec.structs.replace(app_settings, stale_claim_seconds=5)) as client:
        yield client


@pytest.fixture(autouse=True)
def postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")


@contextmanager
def killing(database_url: str, times: int = 6, every: float = 0.4) -> Iterator[list[int]]:
    """Meanwhile, every connection of the product to its database is terminated, `times` times.
    Yields the number each round killed (filled as it goes)."""
    killed: list[int] = []

    async def kill() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            for _ in range(times):
                await asyncio.sleep(every)
                killed.append(
                    await connection.fetchval(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND backend_type = 'client backend'"
                    )
                )
        finally:
            await connection.close()

    thread = threading.Thread(target=asyncio.run, args=(kill(),))
    thread.start()
    try:
        yield killed
    finally:
        thread.join()


def read(api: Api, path: str, **params: Any) -> Any:
    """A GET, asked again while it answers 503 (a request whose connection was killed: try again)."""
    for _ in range(50):
        response = api.get(path, params=params)
        if response.status_code != 503:
            assert response.status_code == 200, response.text
            return response.json()
        time.sleep(0.1)
    raise AssertionError(f"{path} kept answering 503")


def wait_job(api: Api, job_id: str) -> dict[str, Any]:
    job = api.eventually(lambda: (j := read(api, f"/api/jobs/{job_id}"))["status"] in ("done", "failed") and j, 180)
    assert job, read(api, f"/api/jobs/{job_id}")
    return dict(job)


def audience(api: Api, tag: str, count: int) -> tuple[list[int], int]:
    csv = "email,email_opt_in,consent_level\n" + "".join(
        f"{tag}.{i}@example.net,true,marketing\n" for i in range(count)
    )
    started = api.post("/api/contacts/import", files={"file": ("c.csv", csv.encode(), "text/csv")})
    assert started.status_code == 202, started.text
    job = wait_job(api, started.json()["job_id"])
    assert job["status"] == "done", job
    people = api.get("/api/contacts", params={"q": tag, "limit": 500}).json()
    ids = [c["id"] for c in people["items"]]
    segment = api.post("/api/segments", json={"name": f"Audience {tag}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": ids})
    return ids, int(segment["id"])


def test_an_import_whose_connections_are_killed_resumes_and_writes_each_contact_once(
    api: Api, database_url: str
) -> None:
    tag = unique_email("killed-import").split("@")[0]
    rows = 3000
    csv = "email,first_name\n" + "".join(f"{tag}.{i}@example.net,P{i}\n" for i in range(rows))
    started = api.post("/api/contacts/import", files={"file": ("c.csv", csv.encode(), "text/csv")})
    assert started.status_code == 202, started.text
    with killing(database_url) as killed:
        job = wait_job(api, started.json()["job_id"])
    assert sum(killed) > 0
    assert job["status"] == "done", job
    found = read(api, "/api/contacts", q=tag, limit=1)["total"]
    assert found == rows


def test_a_campaign_whose_connections_are_killed_sends_each_message_once(api: Api, database_url: str) -> None:
    tag = unique_email("killed-campaign").split("@")[0]
    ids, segment_id = audience(api, tag, 300)
    email = api.post(
        "/api/emails",
        json={"name": tag, "subject": "Hi", "from_name": "Shop", "from_email": "news@example.fr", "mjml": MJML},
    ).json()
    created = api.post("/api/campaigns", json={"email_id": email["id"], "segment_ids": [segment_id]})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    with killing(database_url) as killed:
        campaign = api.eventually(
            lambda: (c := read(api, f"/api/campaigns/{campaign_id}"))["status"] == "sent" and c, timeout=120
        )
    assert sum(killed) > 0 and campaign, api.get(f"/api/campaigns/{campaign_id}").json()
    messages = api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 500}).json()
    assert messages["total"] == len(ids)
    assert sorted(m["contact_id"] for m in messages["items"]) == sorted(ids)
    assert {m["status"] for m in messages["items"]} == {"captured"}


def test_a_journey_batch_whose_connections_are_killed_takes_each_contact_through_once(
    api: Api, database_url: str
) -> None:
    tag = unique_email("killed-journey").split("@")[0]
    ids, _segment_id = audience(api, tag, 300)
    kind = unique_type("killed")
    made = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": kind}),
            ("pause", "flow.wait", {"duration": "PT1S"}),
            ("stage", "action.stage", {"stage": "customer"}),
        ),
    )
    published(api, made["id"])
    entered = api.post("/api/interactions", json={"batch": [{"contact_id": i, "type": kind} for i in ids]})
    assert entered.status_code < 300, entered.text

    def all_done() -> list[dict[str, Any]] | None:
        found = read(api, f"/api/journeys/{made['id']}/runs", limit=500)
        return found if len(found) == len(ids) and all(r["status"] == "completed" for r in found) else None

    with killing(database_url) as killed:
        done = api.eventually(all_done, timeout=120)
    assert sum(killed) > 0 and done, runs(api, made["id"])
    assert sorted(r["contact_id"] for r in done) == sorted(ids)
    stats = api.get(f"/api/journeys/{made['id']}/stats").json()
    assert (stats["entered"], stats["completed"]) == (len(ids), len(ids))

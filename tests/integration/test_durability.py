"""The database is the source of truth: work that Redis forgot is done anyway."""

from typing import Any

import msgspec
from litestar.testing import TestClient

from parcours.app import create_app
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api
from tests.factories import unique_email


def test_an_import_lost_by_redis_is_queued_again_and_done(app_settings: Any) -> None:
    alone = app_settings.redis_url.rsplit("/", 1)[0] + "/6"
    settings = msgspec.structs.replace(app_settings, in_process_worker=False, redis_url=alone)
    with TestClient(create_app(settings, migrate=True)) as client:
        login = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        client.headers["x-csrf-token"] = login.json()["csrf_token"]
        api = Api(client)
        email = unique_email("durable")
        started = client.post(
            "/api/contacts/import", files={"file": ("c.csv", f"email\n{email}\n".encode(), "text/csv")}
        )
        assert started.status_code == 202
        product = client.app.state.product
        client.blocking_portal.call(product.runtime.redis.flushdb)  # Redis loses the queued job

        async def start_worker() -> None:
            product.start_worker()

        client.blocking_portal.call(start_worker)
        job = api.wait_job(started.json()["job_id"])
        assert job["status"] == "done" and job["result"]["created"] == 1
        assert api.get("/api/contacts", params={"q": email}).json()["total"] == 1

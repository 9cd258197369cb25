from typing import Any

import msgspec
from litestar.testing import TestClient

from parcours.app import create_app


def test_health_reports_every_part_up(api: Any) -> None:
    body = api.eventually(lambda: (r := api.get("/health")).status_code == 200 and r.json())
    assert body == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}


def test_health_names_the_worker_when_none_runs(app_settings: Any) -> None:
    # Another Redis database: no worker of the other tests reports there.
    lonely = app_settings.redis_url.rsplit("/", 1)[0] + "/3"
    settings = msgspec.structs.replace(app_settings, in_process_worker=False, redis_url=lonely)
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert body["worker"].startswith("down")

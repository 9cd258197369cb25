"""/metrics through the real app: not served without its token setting, refused without the token,
and with it the Prometheus text a scraper reads — request latency by route template, worker jobs by
function, each queue's depth and lag, its workers, the stream's lag, the database's size."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from tests.conftest import signed_in

TOKEN = "metrics-token-for-tests"


def value(text: str, name: str, **labels: str) -> float | None:
    """The sample `name{labels...}` of an exposition, summed over its other labels."""
    found = None
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        match = re.match(rf"{re.escape(name)}(?:{{(.*)}})? (\S+)$", line)
        if not match:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            found = (found or 0.0) + float(match.group(2))
    return found


@pytest.fixture(scope="module")
def watched(app_settings: Any) -> Any:
    with signed_in(msgspec.structs.replace(app_settings, metrics_token=TOKEN)) as api:
        yield api


def scrape(api: Any) -> str:
    response = api.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return str(response.text)


def test_metrics_need_their_token(watched: Any) -> None:
    assert watched.client.get("/metrics").status_code == 401
    wrong = watched.client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and "Bearer" in wrong.json()["error"]["message"]
    # A session cookie is not the token.
    assert watched.client.get("/metrics", headers={"Authorization": ""}).status_code == 401


def test_requests_jobs_and_the_stream_are_measured(watched: Any) -> None:
    contact = watched.post("/api/contacts", json={"email": "watched@example.org"}).json()
    for _ in range(3):
        assert watched.get(f"/api/contacts/{contact['id']}").status_code == 200
    posted = watched.post(
        "/api/interactions", json={"contact_id": contact["id"], "type": "page_view", "properties": {"url": "/pricing"}}
    )
    assert posted.status_code in (201, 202), posted.text

    def processed() -> str | None:
        text = scrape(watched)
        done = value(text, "parcours_jobs_total", function="process_interactions", outcome="done")
        lag = value(text, "parcours_stream_lag_interactions")
        return text if done and lag == 0 else None

    text = watched.eventually(processed)
    assert text, "the stream did not catch up"
    # One series per route template, never per id.
    per_route = value(
        text,
        "parcours_http_request_duration_seconds_count",
        route="/api/contacts/{contact_id}",
        method="GET",
        status="2xx",
    )
    assert per_route is not None and per_route >= 3, [line for line in text.splitlines() if "_count" in line]
    assert f"/api/contacts/{contact['id']}" not in text
    # Each queue on its own line: the urgent one (journeys, the stream, deliveries) and the bulk one.
    for queue in ("urgent", "bulk"):
        assert value(text, "parcours_queue_jobs", queue=queue) is not None, queue
        assert value(text, "parcours_queue_lag_seconds", queue=queue) is not None, queue
        assert value(text, "parcours_worker_alive", queue=queue) == 1, queue
    assert value(text, "parcours_stream_lag_seconds") == 0
    assert (value(text, "parcours_database_bytes") or 0) > 10_000
    # As the System screen shows it: 1 or 0 on PostgreSQL, no series on SQLite.
    autovacuum = watched.get("/api/system").json()["storage"]["autovacuum"]
    expected = None if autovacuum is None else float(autovacuum)
    assert value(text, "parcours_database_autovacuum") == expected


def test_metrics_are_not_served_without_the_setting(api: Any) -> None:
    missing = api.client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert missing.status_code == 404
    assert "PARCOURS_METRICS_TOKEN" in missing.json()["error"]["message"]

"""/api/system through the real app: what an administrator's System screen shows (the worker, the
queue, the stream, storage, failed jobs and messages), and a failed job run again once its cause
is fixed."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Api
from tests.database import Database
from tests.factories import unique_email


def test_the_system_status_shows_a_live_product(api: Api) -> None:
    contact = api.post("/api/contacts", json={"email": unique_email("sys")}).json()
    api.post("/api/interactions", json={"contact_id": contact["id"], "type": "page_view", "properties": {}})

    def caught_up() -> dict | None:
        status = api.get("/api/system").json()
        return status if status["queue"]["worker_alive"] and status["stream"]["lag"] == 0 else None

    status = api.eventually(caught_up)
    assert status, "the worker never reported or the stream never caught up"
    assert status["stream"]["waited_seconds"] == 0
    assert status["storage"]["database_bytes"] > 0
    assert 0 < status["storage"]["disk_free_bytes"] <= status["storage"]["disk_total_bytes"]
    assert {"queue", "queues", "outbox", "failed_messages", "failed_jobs", "recent_jobs", "checked_at"} <= status.keys()
    # The urgent queue (journeys, the stream, deliveries) and the bulk one, each with its live worker.
    assert [q["name"] for q in status["queues"]] == ["urgent", "bulk"]
    assert all(q["worker_alive"] and q["lag_seconds"] >= 0 for q in status["queues"]), status["queues"]


def test_a_failed_job_is_listed_with_its_error_and_runs_again_once_fixed(api: Api) -> None:
    root = Path(api.app.state.runtime.settings.files_path)
    created = api.post("/api/imports/sources", json={"name": "Later folder", "kind": "directory", "directory": "later"})
    assert created.status_code == 201, created.text
    started = api.post(f"/api/imports/sources/{created.json()['id']}/run").json()
    failed = api.wait_job(started["job_id"])
    assert failed["status"] == "failed"

    listed = api.get("/api/system").json()["failed_jobs"]
    shown = next(j for j in listed if j["id"] == started["job_id"])
    assert shown["message"] == failed["message"] and shown["message"]

    email = unique_email("later")
    (root / "later").mkdir(parents=True, exist_ok=True)
    (root / "later" / "people.csv").write_text(f"Email\n{email}\n", "utf-8")
    retried = api.post(f"/api/system/jobs/{started['job_id']}/retry")
    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "queued"
    assert api.wait_job(started["job_id"])["status"] == "done"
    assert started["job_id"] not in {j["id"] for j in api.get("/api/system").json()["failed_jobs"]}

    def imported() -> bool:
        return any(c["email"] == email for c in api.get("/api/contacts", params={"q": email}).json()["items"])

    assert api.eventually(imported), "the file was not imported by the retried run"


def test_only_a_failed_job_can_be_retried(api: Api) -> None:
    missing = api.post("/api/system/jobs/nothing-like-this/retry")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "job_id"
    started = api.post(
        "/api/imports/sources",
        json={"name": "Empty folder", "kind": "directory", "directory": "empty-ok"},
    ).json()
    (Path(api.app.state.runtime.settings.files_path) / "empty-ok").mkdir(parents=True, exist_ok=True)
    run = api.post(f"/api/imports/sources/{started['id']}/run").json()
    assert api.wait_job(run["job_id"])["status"] == "done"
    again = api.post(f"/api/system/jobs/{run['job_id']}/retry")
    assert again.status_code == 409 and again.json()["error"]["field"] == "job_id"


def test_the_system_status_says_whether_postgresql_cleans_its_tables(api: Api, backend: str, database_url: str) -> None:
    """Autovacuum off, every update leaves its old row behind and the tables only grow: the admin
    sees it on the System screen and in /metrics, as the server has it (SQLite: nothing to say)."""
    storage = api.get("/api/system").json()["storage"]
    if backend == "sqlite":
        assert storage["autovacuum"] is None
        return
    database = Database(database_url)
    try:
        [(setting,)] = database.rows("SHOW autovacuum")
    finally:
        database.close()
    assert storage["autovacuum"] is (setting == "on")

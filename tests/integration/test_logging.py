"""What the server says: the first start's login, its startup line, a quiet log when idle, each
request at DEBUG, the jobs that did work, and every unexpected error with where it happened."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import get

from parcours.auth.guards import authentication
from parcours.queue import free_port
from parcours.tasks import cron_jobs

OWNER = "owner@example.org"
OWNER_PASSWORD = "a-password-from-the-environment"


@dataclass
class Served:
    base_url: str
    data_dir: Path
    stdout: Path
    stderr: Path

    def out(self) -> str:
        return self.stdout.read_text(errors="replace")

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`parcours serve` as `make run` starts it (embedded Redis and worker, demo data), with the
    administrator's credentials from the environment."""
    data_dir = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")}
    env.update(
        PARCOURS_DATA_DIR=str(data_dir),
        PARCOURS_PORT=str(port),
        PARCOURS_ADMIN_EMAIL=OWNER,
        PARCOURS_ADMIN_PASSWORD=OWNER_PASSWORD,
    )
    stdout, stderr = data_dir / "stdout.txt", data_dir / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "parcours.cli", "serve"], env=env, stdout=out, stderr=err)
    server = Served(f"http://127.0.0.1:{port}", data_dir, stdout, stderr)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"parcours serve exited:\n{server.out()}\n{server.log()}"
            assert time.monotonic() < deadline, f"parcours serve did not become healthy:\n{server.log()}"
            try:
                if httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_first_start_prints_the_address_and_login_but_not_the_environment_password(served: Served) -> None:
    out = served.out()
    assert f"First start: log in at {served.base_url} as {OWNER} (password from PARCOURS_ADMIN_PASSWORD)" in out
    assert "Demo data loaded: 500 contacts" in out and "PARCOURS_SEED_DEMO_DATA=false" in out
    assert OWNER_PASSWORD not in out and OWNER_PASSWORD not in served.log()


def test_the_startup_line_says_where_it_serves_and_on_what(served: Served) -> None:
    startup = [line for line in served.log().splitlines() if "Parcours is serving" in line]
    assert len(startup) == 1, served.log()
    line = startup[0]
    assert " INFO parcours." in line and served.base_url in line
    assert f"SQLite {served.data_dir.resolve() / 'parcours.db'}" in line
    assert "embedded redis-server on 127.0.0.1:" in line and "a worker runs in this process" in line


def _wait_until_the_log_settles(served: Served, quiet_for: float = 4, timeout: float = 60) -> None:
    """First start's own work (scores of the demo data...) ends with its last log line."""
    deadline = time.monotonic() + timeout
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = served.stderr.stat().st_size
        if now_size != size:
            size, since = now_size, time.monotonic()
        elif time.monotonic() - since >= quiet_for:
            return
        time.sleep(0.25)


def _outside_hourly_jobs(window: float) -> None:
    """Hourly and quarter-hourly jobs may really have work to report on demo data: watch a
    window when none of them runs."""
    minutes = {
        m
        for job in cron_jobs()
        if job.minute is not None
        for m in (job.minute if isinstance(job.minute, set) else {job.minute})
    }
    while True:
        now, later = datetime.now(), datetime.fromtimestamp(time.time() + window + 2)
        if now.minute not in minutes and later.minute not in minutes:
            return
        time.sleep(1)


def test_an_idle_server_writes_nothing_to_its_log(served: Served) -> None:
    window = 12.0  # every second-based sweeper runs at least once (the most spaced: every 10 s)
    _wait_until_the_log_settles(served)
    _outside_hourly_jobs(window)
    before = served.stderr.stat().st_size
    deadline = time.monotonic() + window
    # Requests, answered or refused (4xx), are not worth a line at INFO either.
    assert httpx.get(f"{served.base_url}/health").status_code == 200
    assert httpx.get(f"{served.base_url}/api/contacts").status_code == 401
    assert (
        httpx.post(f"{served.base_url}/api/auth/login", json={"email": OWNER, "password": "wrong"}).status_code == 401
    )
    time.sleep(max(0.0, deadline - time.monotonic()))
    with served.stderr.open("rb") as log:
        log.seek(before)
        written = log.read().decode(errors="replace")
    assert written == "", f"an idle server logged:\n{written}"


def test_each_request_is_logged_at_debug_without_query_string_or_link_token(
    api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="parcours.requests")
    me = api.get("/api/auth/me").json()["user"]
    assert api.get("/api/contacts", params={"q": "query-secret"}).status_code == 200
    assert api.get("/u/link-token-secret").status_code in (200, 400, 404)
    lines = [r.getMessage() for r in caplog.records if r.name == "parcours.requests"]
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "parcours.requests")
    assert any(
        line.startswith("GET /api/contacts 200 ") and line.endswith(f"ms (user {me['id']})") for line in lines
    ), lines
    assert any(line.startswith("GET /u/{token} ") for line in lines), lines
    assert not any("secret" in line for line in lines), lines


def test_an_unexpected_error_is_logged_with_its_method_path_and_user(
    api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    @get("/api/test-logging/broken", middleware=[authentication], include_in_schema=False, sync_to_thread=False)
    def broken() -> None:
        raise RuntimeError("a bug")

    api.client.app.register(broken)
    me = api.get("/api/auth/me").json()["user"]
    caplog.set_level(logging.INFO)
    response = api.get("/api/test-logging/broken?token=query-secret")
    assert response.status_code == 500
    assert "a bug" not in response.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in caplog.records]
    assert f"GET /api/test-logging/broken (user {me['id']})" in errors[0].getMessage()
    assert errors[0].exc_info is not None and "a bug" in str(errors[0].exc_info[1])
    assert "query-secret" not in errors[0].getMessage()


def test_a_job_that_did_work_is_logged_at_info(api: Any, make_contact: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="parcours.jobs")
    contact = make_contact()
    response = api.post(
        "/api/interactions",
        json={"contact_id": contact["id"], "type": "page_visited", "properties": {"url": "/pricing"}},
    )
    assert response.status_code in (200, 201, 202), response.text

    def processed() -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.name == "parcours.jobs"
            and r.levelno == logging.INFO
            and r.getMessage().startswith("process_interactions() done in ")
        ]

    lines = api.eventually(processed)
    assert lines and int(lines[-1].rsplit(", result ", 1)[1]) >= 1, lines

"""PARCOURS_LOG_FORMAT=json: every log line of `parcours serve` is one JSON object (time, level,
logger, message, request_id); a request's id (its X-Request-ID, or a new one) is answered in the
response and carried into the lines of the jobs the request queued."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from parcours.queue import free_port

OWNER, PASSWORD = "owner@example.org", "a-password-for-json-logs"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("json-logs")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")}
    env.update(
        PARCOURS_DATA_DIR=str(data_dir),
        PARCOURS_PORT=str(port),
        PARCOURS_ADMIN_EMAIL=OWNER,
        PARCOURS_ADMIN_PASSWORD=PASSWORD,
        PARCOURS_SEED_DEMO_DATA="false",
        PARCOURS_LOG_FORMAT="json",
        PARCOURS_LOG_LEVEL="DEBUG",
    )
    stderr = data_dir / "stderr.txt"
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "parcours.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, stderr.read_text()
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield base, stderr
    finally:
        process.terminate()
        process.wait(timeout=30)


def lines(stderr: Path) -> list[dict[str, Any]]:
    text = stderr.read_text(errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_every_line_is_a_json_object_and_a_request_id_follows_the_request_into_its_job(
    served: tuple[str, Path],
) -> None:
    base, stderr = served
    with httpx.Client(base_url=base, timeout=10) as client:
        login = client.post("/api/auth/login", json={"email": OWNER, "password": PASSWORD})
        assert login.status_code == 200, login.text
        client.headers["x-csrf-token"] = login.json()["csrf_token"]
        started = client.post(
            "/api/contacts/import",
            files={"file": ("c.csv", b"email\njson.logs@example.org\n", "text/csv")},
            headers={"X-Request-ID": "trace-import-42"},
        )
        assert started.status_code == 202, started.text
        assert started.headers["x-request-id"] == "trace-import-42"
        job_id = started.json()["job_id"]
        deadline = time.monotonic() + 30
        while client.get(f"/api/jobs/{job_id}").json()["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        # Without an id, or with one that is not plain text, the server makes one.
        generated = client.get("/health").headers["x-request-id"]
        forged = client.get("/health", headers={"X-Request-ID": "a b\tc"}).headers["x-request-id"]
    assert len(generated) == 32 and len(forged) == 32 and forged != "a b\tc"

    def job_line() -> dict[str, Any] | None:
        found = [e for e in lines(stderr) if e["logger"] == "parcours.jobs" and "import_contacts" in e["message"]]
        return found[0] if found else None

    deadline = time.monotonic() + 10
    while job_line() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    entries = lines(stderr)  # each line parses as JSON, or this fails
    assert entries and all({"time", "level", "logger", "message", "request_id"} <= set(e) for e in entries)
    assert any(e["logger"] == "parcours.cli" or "Parcours is serving" in e["message"] for e in entries)
    request = [e for e in entries if e["logger"] == "parcours.requests" and "/api/contacts/import" in e["message"]]
    assert [(e["level"], e["request_id"]) for e in request] == [("DEBUG", "trace-import-42")]
    job = job_line()
    assert job is not None and (job["level"], job["request_id"]) == ("INFO", "trace-import-42"), job
    assert any(e["request_id"] == generated for e in entries if e["logger"] == "parcours.requests")

"""A write that waits too long for SQLite's write lock is answered 503 with Retry-After, never a
500, and leaves nothing behind; once the lock is free, the same request goes through."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from tests.conftest import Api
from tests.factories import unique_email

SOON = datetime.now(UTC) + timedelta(days=3)
EVENT = {
    "name": "Locked out",
    "type": "webinar",
    "starts_at": SOON.isoformat(),
    "ends_at": (SOON + timedelta(hours=1)).isoformat(),
    "capacity": 5,
    "status": "published",
}


@pytest.fixture(scope="module")
def app_settings(app_settings: Any, backend: str) -> Any:
    if backend != "sqlite":
        pytest.skip("the write lock held from outside is SQLite's")
    return msgspec.structs.replace(app_settings, sqlite_busy_timeout=0.3)


@contextmanager
def write_lock_held(settings: Any) -> Iterator[None]:
    """Another process's write transaction, holding the database's write lock."""
    holder = sqlite3.connect(settings.sqlalchemy_url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_locked_database_answers_503_and_saves_nothing(api: Api, app_settings: Any) -> None:
    with write_lock_held(app_settings):
        refused = api.post("/api/events", json=EVENT)
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "1"
    assert "try again" in refused.json()["error"]["message"]
    assert api.get("/api/events", params={"q": "Locked out"}).json()["total"] == 0


def test_a_registration_waiting_for_the_lock_is_refused_whole(api: Api, app_settings: Any) -> None:
    event = api.post("/api/events", json=EVENT).json()
    email = unique_email("busy")
    with write_lock_held(app_settings):
        refused = api.post(f"/api/events/{event['id']}/registrations", json={"email": email})
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "1"
    assert api.get(f"/api/events/{event['id']}/registrations").json()["total"] == 0
    assert api.get("/api/contacts", params={"q": email}).json()["total"] == 0
    again = api.post(f"/api/events/{event['id']}/registrations", json={"email": email})
    assert again.status_code == 201, again.text
    assert again.json()["status"] == "confirmed"

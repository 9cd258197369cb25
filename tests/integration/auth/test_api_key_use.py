"""An API key's "last used": shown to the admin, written at most once a minute, and never waited
for — when a key's cached identity expires, every request in flight with it authenticates again at
once, and each used to queue on the key's row behind the others."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from parcours.auth import service as auth
from tests.conftest import Api
from tests.database import Database


def _created(api: Api, name: str) -> tuple[int, str]:
    created = api.post("/api/api-keys", json={"name": name, "role": "viewer"}).json()
    return int(created["id"]), str(created["key"])


def _last_used(api: Api, key_id: int) -> Any:
    return next(k for k in api.get("/api/api-keys").json() if k["id"] == key_id)["last_used_at"]


def _use(api: Api, key: str) -> None:
    auth._cache.clear()  # as when the cached identity has expired
    assert api.get("/api/contacts", headers=api.as_key(key)).status_code == 200


def test_last_used_is_written_once_a_minute(api: Api, database_url: str) -> None:
    key_id, key = _created(api, "reporting tool")
    assert _last_used(api, key_id) is None
    _use(api, key)
    first = _last_used(api, key_id)
    assert first is not None
    _use(api, key)
    assert _last_used(api, key_id) == first, "written again within the minute"

    database = Database(database_url)
    try:
        old = datetime(2026, 1, 5, tzinfo=UTC)
        database.execute("UPDATE api_keys SET last_used_at = :old WHERE id = :id", old=old, id=key_id)
    finally:
        database.close()
    _use(api, key)
    again = datetime.fromisoformat(_last_used(api, key_id))
    assert again >= datetime.fromisoformat(first), "a use older than a minute was not written again"


def test_a_request_does_not_wait_for_another_writing_last_used(api: Api, backend: str, database_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing to skip past")
    key_id, key = _created(api, "busy integration")
    database = Database(database_url)
    pool = ThreadPoolExecutor(1)
    holder = None
    try:

        async def hold() -> Any:
            connection = await database.engine.connect()
            await connection.begin()
            await connection.execute(text("SELECT id FROM api_keys WHERE id = :id FOR UPDATE"), {"id": key_id})
            return connection

        holder = database.run(hold())  # another request, between its update and its commit
        auth._cache.clear()
        answered = pool.submit(api.get, "/api/contacts", headers=api.as_key(key)).result(timeout=15)
        assert answered.status_code == 200, answered.text
    finally:
        if holder is not None:
            database.run(holder.rollback())
            database.run(holder.close())
        pool.shutdown()
        database.close()

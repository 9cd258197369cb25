"""SQLite on a full disk (simulated by SQLite's own limit, `PRAGMA max_page_count`, on every
connection): writes answer 503 with a clear message and leave nothing half-written; once space
returns, the product writes again without a restart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import Api

MJML = "<mjml><mj-body><mj-section><mj-column><mj-text>{}</mj-text></mj-column></mj-section></mj-body></mjml>"


@pytest.fixture(autouse=True)
def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the disk of the embedded SQLite database")


@contextmanager
def disk_full(api: Api) -> Iterator[None]:
    """Every connection of the product may not grow the database file past its current size."""
    engine = api.client.app.state.runtime.engine

    def no_room(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    event.listen(engine.sync_engine, "connect", no_room)
    api.client.blocking_portal.call(engine.dispose)  # the pooled connections are opened again
    try:
        yield
    finally:
        event.remove(engine.sync_engine, "connect", no_room)
        api.client.blocking_portal.call(engine.dispose)


def new_email(api: Api, name: str) -> Any:
    # A large email: its row needs pages the file does not have.
    body = "Lorem ipsum dolor sit amet. " * 4000
    return api.post(
        "/api/emails",
        json={
            "name": name,
            "subject": name,
            "from_name": "Shop",
            "from_email": "news@example.fr",
            "mjml": MJML.format(body),
        },
    )


def names(api: Api) -> list[str]:
    return [e["name"] for e in api.get("/api/emails").json()]


def test_a_write_on_a_full_disk_answers_503_and_writes_nothing_then_works_once_space_returns(api: Api) -> None:
    with disk_full(api):
        refused = new_email(api, "On a full disk")
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["message"] == (
            "The server's disk is full: nothing was saved. Try again once space has been freed."
        )
        assert refused.headers["retry-after"] == "60"
        # Reading still works, and shows nothing of the refused write.
        assert "On a full disk" not in names(api)
    created = new_email(api, "Once space returned")
    assert created.status_code == 201, created.text
    assert "Once space returned" in names(api) and "On a full disk" not in names(api)

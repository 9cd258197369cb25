"""A request refused while its dependencies are resolved leaves no transaction open and nothing for
the event loop to complain about."""

from __future__ import annotations

import gc
import logging
from typing import Any


def test_requests_refused_by_a_filter_leave_no_transaction_and_no_loop_error(
    api: Any, make_contact: Any, caplog: Any
) -> None:
    caplog.set_level(logging.WARNING)
    for _ in range(30):
        refused = api.get("/api/contacts", params={"created_after": "not a date"})
        assert refused.status_code == 400 and refused.json()["error"]["field"] == "created_after"
    runtime = api.app.state.runtime
    # No refused request's session holds a connection (nor SQLite's write lock); the worker's come back.
    assert api.eventually(lambda: runtime.engine.pool.checkedout() == 0)
    api.blocking_portal.call(_collect)  # what the loop finalizes when the refused requests' objects are collected
    contact = make_contact(first_name="Still")
    assert api.get(f"/api/contacts/{contact['id']}").json()["first_name"] == "Still"
    complaints = [
        r.getMessage()
        for r in caplog.records
        if "never retrieved" in r.getMessage() or "already running" in r.getMessage() or r.levelno >= logging.ERROR
    ]
    assert complaints == []


async def _collect() -> None:
    import asyncio

    gc.collect()
    for _ in range(5):
        await asyncio.sleep(0.01)
    gc.collect()

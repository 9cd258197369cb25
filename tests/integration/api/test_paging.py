"""Every growing list pages by cursor the same way, and a cursor it cannot read is a 400 naming it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

CURSOR_LISTS = ["/api/contacts", "/api/events", "/api/campaigns", "/api/assets", "/api/outbox"]


@pytest.mark.parametrize("path", CURSOR_LISTS)
@pytest.mark.parametrize("cursor", ["not a cursor!", "e30", "WyJ4Il0", "W251bGwsbnVsbF0"])
def test_a_cursor_that_cannot_be_read_is_a_400_naming_it(api: Any, path: str, cursor: str) -> None:
    response = api.get(path, params={"cursor": cursor})
    assert response.status_code == 400, (path, cursor, response.text)
    assert response.json()["error"]["field"] == "cursor"


def test_events_and_registrations_walk_page_by_page_in_order(api: Any) -> None:
    starts = datetime(2031, 3, 4, 14, tzinfo=UTC)
    tag = f"paging{datetime.now(UTC).timestamp()}"
    for n in range(5):  # two share a start: the id breaks the tie
        at = starts + timedelta(days=min(n, 3))
        body = {
            "name": f"{tag} {n}",
            "type": "webinar",
            "starts_at": at.isoformat(),
            "ends_at": (at + timedelta(hours=1)).isoformat(),
            "timezone": "UTC",
            "status": "published",
        }
        assert api.post("/api/events", json=body).status_code == 201
    whole = api.get("/api/events", params={"q": tag, "limit": 100}).json()
    seen: list[int] = []
    cursor = None
    while True:
        page = api.get("/api/events", params={"q": tag, "limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        assert page["total"] == 5
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [e["id"] for e in whole["items"]] and len(seen) == 5

    event_id = whole["items"][0]["id"]
    for n in range(3):
        assert (
            api.post(f"/api/events/{event_id}/registrations", json={"email": f"{tag}.{n}@example.org"}).status_code
            == 201
        )
    first = api.get(f"/api/events/{event_id}/registrations", params={"limit": 2}).json()
    second = api.get(
        f"/api/events/{event_id}/registrations", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [r["email"] for r in first["items"] + second["items"]] == [f"{tag}.{n}@example.org" for n in range(3)]
    assert second["next_cursor"] is None

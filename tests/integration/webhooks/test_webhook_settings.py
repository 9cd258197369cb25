"""Managing webhooks: administrators only, bad input refused naming its field with nothing
written, and the same guard as journey webhooks against addresses on private networks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

# An address literal: the guard judges it without asking a DNS server.
GOOD = {"name": "CRM", "url": "https://1.1.1.1/hooks/parcours", "events": ["contact.created"]}


def count(api: Api) -> int:
    return int(api.get("/api/webhooks").json()["total"])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest",
    ],
)
def test_addresses_on_private_networks_are_refused(api: Api, url: str) -> None:
    before = count(api)
    response = api.post("/api/webhooks", json={**GOOD, "url": url})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "url" and "private network" in response.json()["error"]["message"]
    assert count(api) == before
    made = api.post("/api/webhooks", json=GOOD).json()
    changed = api.patch(f"/api/webhooks/{made['id']}", json={"url": url})
    assert changed.status_code == 400 and changed.json()["error"]["field"] == "url"
    assert api.get(f"/api/webhooks/{made['id']}").json()["url"] == GOOD["url"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOOD, "url": "ftp://example.com/x"}, "url"),
        ({**GOOD, "url": ""}, "url"),
        ({**GOOD, "events": []}, "events"),
        ({**GOOD, "events": ["contact.deleted"]}, "events[0]"),
        ({**GOOD, "name": ""}, "name"),
        ({**GOOD, "surprise": 1}, "surprise"),
        ({"name": "CRM", "events": ["contact.created"]}, "url"),
    ],
)
def test_bad_input_is_refused_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    before = count(api)
    response = api.post("/api/webhooks", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field, response.text
    assert count(api) == before


def test_only_administrators_manage_webhooks(api: Api) -> None:
    made = api.post("/api/webhooks", json=GOOD)
    assert made.status_code == 201, made.text
    hook = made.json()
    assert api.get(f"/api/webhooks/{hook['id']}").json()["secret"] == hook["secret"]
    for role in ("marketer", "viewer"):
        key = api.as_key(api.new_key(role))
        refused = [
            api.get("/api/webhooks", headers=key),
            api.get(f"/api/webhooks/{hook['id']}", headers=key),
            api.post("/api/webhooks", json=GOOD, headers=key),
            api.patch(f"/api/webhooks/{hook['id']}", json={"active": False}, headers=key),
            api.delete(f"/api/webhooks/{hook['id']}", headers=key),
            api.get(f"/api/webhooks/{hook['id']}/deliveries", headers=key),
            api.post(f"/api/webhooks/{hook['id']}/test", headers=key),
            api.post(f"/api/webhooks/{hook['id']}/secret", headers=key),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused), [r.text for r in refused]
    assert api.get(f"/api/webhooks/{hook['id']}").json()["active"] is True
    admin = api.as_key(api.new_key("admin"))
    assert api.get(f"/api/webhooks/{hook['id']}", headers=admin).status_code == 200


def test_a_webhook_is_changed_given_a_new_secret_and_deleted(api: Api) -> None:
    hook = api.post("/api/webhooks", json=GOOD).json()
    changed = api.patch(
        f"/api/webhooks/{hook['id']}", json={"events": ["form.submitted", "contact.created", "form.submitted"]}
    )
    assert changed.status_code == 200 and changed.json()["events"] == ["contact.created", "form.submitted"]
    renewed = api.post(f"/api/webhooks/{hook['id']}/secret").json()
    assert renewed["secret"] != hook["secret"] and renewed["secret"].startswith("whsec_")
    assert api.delete(f"/api/webhooks/{hook['id']}").status_code == 204
    gone = api.get(f"/api/webhooks/{hook['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["field"] == "webhook_id"
    assert api.get(f"/api/webhooks/{hook['id']}/deliveries").status_code == 404


def test_the_list_pages_by_cursor(api: Api) -> None:
    made = {api.post("/api/webhooks", json={**GOOD, "name": f"Hook {i}"}).json()["id"] for i in range(3)}
    seen: list[int] = []
    cursor = None
    while True:
        page = api.get("/api/webhooks", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [w["id"] for w in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert made <= set(seen) and len(seen) == len(set(seen)) == page["total"]
    assert seen == sorted(seen, reverse=True)

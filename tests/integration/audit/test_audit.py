"""The audit log through the real app: who changed users, keys, custom fields, the organization,
who erased, merged or exported contacts; secrets never kept; admins only; filters, pages, CSV;
entries older than the retention leave the log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from parcours.audit.tasks import purge_audit_log
from parcours.clock import clock
from tests import factories
from tests.conftest import ADMIN_EMAIL, Api


def entries(api: Api, **filters: Any) -> list[dict[str, Any]]:
    answer = api.get("/api/audit", params={"limit": 500, **filters})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def latest(api: Api, action: str) -> dict[str, Any]:
    found = entries(api, action=action)
    assert found, f"no {action} entry"
    return found[0]


def test_a_role_change_is_logged_with_who_when_before_after_and_address(api: Api) -> None:
    email = factories.unique_email("colleague")
    user = api.post("/api/users", json={"email": email, "password": "a-long-password-1", "role": "viewer"}).json()
    created = latest(api, "user.created")
    assert created["target_kind"] == "user" and created["target_id"] == str(user["id"])
    assert created["target_label"] == email and created["before"] is None
    assert created["after"]["role"] == "viewer" and "password" not in created["after"]

    changed = api.patch(f"/api/users/{user['id']}", json={"role": "marketer", "password": "another-password-2"})
    assert changed.status_code == 200, changed.text
    entry = latest(api, "user.updated")
    assert entry["actor_kind"] == "user" and entry["actor_name"] == ADMIN_EMAIL
    assert entry["address"] == "testclient"  # the test client's address, as the server saw it
    # Only what moved: the role, and the password as changed without its value.
    assert entry["before"] == {"role": "viewer", "password": "[redacted]"}
    assert entry["after"] == {"role": "marketer", "password": "[redacted]"}

    # A change that changes nothing writes nothing.
    count = len(entries(api, action="user.updated"))
    api.patch(f"/api/users/{user['id']}", json={"role": "marketer"})
    assert len(entries(api, action="user.updated")) == count

    assert api.delete(f"/api/users/{user['id']}").status_code == 204
    deleted = latest(api, "user.deleted")
    assert deleted["before"]["email"] == email and deleted["after"] is None


def test_api_keys_are_logged_without_their_secret_and_acts_of_a_key_name_it(api: Api) -> None:
    key = api.post("/api/api-keys", json={"name": "CRM sync", "role": "admin"}).json()
    created = latest(api, "api_key.created")
    assert created["after"] == {"name": "CRM sync", "role": "admin", "prefix": key["key"][:10]}
    assert key["key"] not in str(created)

    field = api.post(
        "/api/custom-fields",
        json={"name": "shoe_size", "label": "Shoe size", "type": "number"},
        headers=api.as_key(key["key"]),
    )
    assert field.status_code == 201, field.text
    entry = latest(api, "custom_field.created")
    assert entry["actor_kind"] == "api_key" and entry["actor_name"] == "CRM sync"
    assert entry["actor_id"] == key["id"]

    api.patch(f"/api/custom-fields/{field.json()['id']}", json={"label": "Shoe size (EU)"})
    renamed = latest(api, "custom_field.updated")
    assert renamed["before"] == {"label": "Shoe size"} and renamed["after"] == {"label": "Shoe size (EU)"}
    assert api.delete(f"/api/custom-fields/{field.json()['id']}").status_code == 204
    assert latest(api, "custom_field.deleted")["target_label"] == "Shoe size (EU)"

    assert api.delete(f"/api/api-keys/{key['id']}").status_code == 204
    assert latest(api, "api_key.revoked")["target_id"] == str(key["id"])


def test_erasure_merge_and_exports_are_logged_without_the_person(api: Api) -> None:
    erased = factories.contact(api, first_name="Zélie")
    api.get(f"/api/contacts/{erased['id']}/export")
    assert latest(api, "contact.exported")["target_id"] == str(erased["id"])
    assert api.get("/api/contacts/export.csv", params={"country": "FR"}).status_code == 200
    assert latest(api, "contacts.exported")["after"] == {"filters": {"country": "FR"}}

    assert api.delete(f"/api/contacts/{erased['id']}").status_code == 204
    entry = latest(api, "contact.erased")
    assert entry["target_id"] == str(erased["id"])
    assert erased["email"] not in str(entry) and "Zélie" not in str(entry)

    survivor, other = factories.contact(api), factories.contact(api)
    merged = api.post(f"/api/contacts/{survivor['id']}/merge", json={"other_id": other["id"]})
    assert merged.status_code == 200, merged.text
    entry = latest(api, "contact.merged")
    assert entry["target_id"] == str(survivor["id"]) and entry["after"]["other_id"] == other["id"]


def test_a_refused_action_leaves_no_entry(api: Api) -> None:
    before = api.get("/api/audit").json()["total"]
    refused = api.patch("/api/organization", json={"timezone": "Mars/Olympus"})
    assert refused.status_code in (400, 422)
    assert api.patch("/api/users/999999", json={"role": "viewer"}).status_code == 404
    assert api.get("/api/audit").json()["total"] == before


def test_the_log_is_for_admins_filters_pages_and_csv(api: Api) -> None:
    api.patch("/api/organization", json={"name": "=cmd|' /C calc'!A0", "timezone": "Europe/Paris"})
    for role in ("viewer", "marketer"):
        assert api.get("/api/audit", headers=api.as_key(api.new_key(role))).status_code == 403

    everything = entries(api)
    assert {e["action"] for e in everything} >= {"organization.updated", "api_key.created"}
    assert "organization.updated" in api.get("/api/audit/actions").json()["actions"]
    assert all(e["actor_name"] == ADMIN_EMAIL for e in entries(api, actor="ADMIN@"))
    assert entries(api, actor="nobody-acted-so") == []
    assert all(e["target_kind"] == "api_key" for e in entries(api, target_kind="api_key"))
    today = clock.now().date()
    assert len(entries(api, **{"from": today.isoformat(), "to": today.isoformat()})) == len(everything)
    assert entries(api, to=(today - timedelta(days=1)).isoformat()) == []
    bad = api.get("/api/audit", params={"from": "yesterday"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "from"

    first = api.get("/api/audit", params={"limit": 2}).json()
    second = api.get("/api/audit", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert first["total"] == len(everything)
    assert [e["id"] for e in first["items"] + second["items"]] == [e["id"] for e in everything[:4]]

    answer = api.get("/api/audit/export.csv", params={"action": "organization.updated"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert rows and {r["action"] for r in rows} == {"organization.updated"}
    # A value a spreadsheet would run as a formula is written as text.
    assert rows[0]["target_label"] == "'=cmd|' /C calc'!A0"


def test_entries_older_than_the_retention_leave_the_log(api: Api) -> None:
    clock.advance(timedelta(days=-400))
    try:
        api.post("/api/topics", json={"key": "old_news", "name_en": "Old news", "name_fr": "Vieilles nouvelles"})
    finally:
        clock.reset()
    api.delete("/api/topics/old_news")
    runtime = api.app.state.runtime

    async def purge() -> int:
        return await purge_audit_log({"runtime": runtime})  # type: ignore[typeddict-item]

    assert api.blocking_portal.call(purge) >= 1
    assert entries(api, action="topic.created") == []
    assert [e["target_id"] for e in entries(api, action="topic.deleted")] == ["old_news"]

"""The organization's settings through the real app: UTC until an administrator chooses a zone,
everyone reads them, only administrators change them, and new events start in the chosen zone."""

from __future__ import annotations

from tests.conftest import Api
from tests.factories import event_body


def test_the_zone_is_utc_until_an_administrator_chooses_one(api: Api) -> None:
    before = api.get("/api/organization")
    assert before.status_code == 200
    assert before.json() == {"name": "", "timezone": "UTC", "updated_at": None, "updated_by": ""}
    body = event_body()
    del body["timezone"]
    assert api.post("/api/events", json=body).json()["timezone"] == "UTC"

    saved = api.patch("/api/organization", json={"name": "  Maison Lumière ", "timezone": "Europe/Paris"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["name"] == "Maison Lumière"
    assert saved.json()["timezone"] == "Europe/Paris"
    assert saved.json()["updated_at"] is not None
    assert api.get("/api/organization").json()["timezone"] == "Europe/Paris"
    # An event given no zone starts in the organization's; one given a zone keeps it.
    assert api.post("/api/events", json=body).json()["timezone"] == "Europe/Paris"
    assert (
        api.post("/api/events", json={**body, "timezone": "America/Montreal"}).json()["timezone"] == "America/Montreal"
    )

    # Changing one setting keeps the other.
    assert api.patch("/api/organization", json={"timezone": "Asia/Tokyo"}).json()["name"] == "Maison Lumière"
    assert api.patch("/api/organization", json={"name": "Lumière"}).json()["timezone"] == "Asia/Tokyo"


def test_an_unknown_zone_is_refused_naming_the_field_and_nothing_changes(api: Api) -> None:
    api.patch("/api/organization", json={"name": "Before", "timezone": "Europe/Paris"})
    for zone in ("Mars/Olympus", "europe/paris", "", "../etc/passwd", "Europe/Paris" * 10):
        refused = api.patch("/api/organization", json={"name": "After", "timezone": zone})
        assert refused.status_code in (400, 422), (zone, refused.text)
        assert refused.json()["error"]["field"] == "timezone", refused.text
    assert api.patch("/api/organization", json={"timezone": "Mars/Olympus"}).status_code == 422
    unknown = api.patch("/api/organization", json={"colour": "blue"})
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "colour"
    assert api.get("/api/organization").json()["name"] == "Before"
    assert api.get("/api/organization").json()["timezone"] == "Europe/Paris"


def test_everyone_reads_the_settings_and_only_administrators_change_them(api: Api) -> None:
    viewer, marketer = api.as_key(api.new_key("viewer")), api.as_key(api.new_key("marketer"))
    api.patch("/api/organization", json={"timezone": "Europe/Paris"})
    for who in (viewer, marketer):
        assert api.get("/api/organization", headers=who).json()["timezone"] == "Europe/Paris"
        denied = api.patch("/api/organization", json={"timezone": "UTC"}, headers=who)
        assert denied.status_code == 403
        assert "administrators" in denied.json()["error"]["message"]
    admin = api.as_key(api.new_key("admin"))
    assert api.patch("/api/organization", json={"timezone": "UTC"}, headers=admin).json()["updated_by"] == "admin key"
    assert api.get("/api/organization", headers=api.as_key("not-a-key")).status_code == 401

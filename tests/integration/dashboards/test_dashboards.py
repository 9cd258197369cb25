"""Pinned tiles through the real app: each person pins, orders and removes their own tiles; a
tile names a report among the allowed ones; bad input is refused naming its field."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

TILE = {
    "title": "Best journeys this quarter",
    "report": "/api/reports/leaderboard",
    "params": {"kind": "journeys", "metric": "revenue", "from": "2026-01-01", "journey_ids": [1, 2]},
    "view": "table",
}


def _titles(api: Api, headers: dict[str, str] | None = None) -> list[str]:
    page = api.get("/api/dashboards", headers=headers or {}).json()
    assert page["total"] == len(page["items"]) and page["next_cursor"] is None
    return [t["title"] for t in page["items"]]


def _pin(api: Api, headers: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/dashboards", json={**TILE, **fields}, headers=headers or {})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_person_pins_orders_and_removes_tiles(api: Api) -> None:
    for tile in api.get("/api/dashboards").json()["items"]:
        api.delete(f"/api/dashboards/{tile['id']}")
    first = _pin(api)
    assert first["report"] == "/api/reports/leaderboard"
    assert first["params"] == TILE["params"] and first["view"] == "table"
    second = _pin(api, title="Figures", report="/api/reports/overview", params={}, view="figure")
    third = _pin(api, title="Email 12", report="/api/reports/emails/12", params={"from": "2026-03-01"}, view="chart")
    assert _titles(api) == ["Best journeys this quarter", "Figures", "Email 12"]

    ordered = api.put("/api/dashboards/order", json={"ids": [third["id"], first["id"], second["id"]]})
    assert ordered.status_code == 200, ordered.text
    assert [t["title"] for t in ordered.json()["items"]] == ["Email 12", "Best journeys this quarter", "Figures"]
    assert _titles(api) == ["Email 12", "Best journeys this quarter", "Figures"]

    assert api.delete(f"/api/dashboards/{first['id']}").status_code == 204
    assert _titles(api) == ["Email 12", "Figures"]
    assert api.delete(f"/api/dashboards/{first['id']}").status_code == 404
    # A new tile goes last.
    _pin(api, title="Last")
    assert _titles(api)[-1] == "Last"


def test_tiles_are_personal_and_viewers_pin_their_own(api: Api) -> None:
    viewer, marketer = api.as_key(api.new_key("viewer")), api.as_key(api.new_key("marketer"))
    mine = _pin(api, title="Admin's tile")
    theirs = _pin(api, headers=viewer, title="Viewer's tile")
    assert _titles(api, viewer) == ["Viewer's tile"]
    assert "Viewer's tile" not in _titles(api)
    assert _titles(api, marketer) == []
    # Someone else's tile is as good as missing: not removed, not ordered.
    assert api.delete(f"/api/dashboards/{mine['id']}", headers=viewer).status_code == 404
    refused = api.put("/api/dashboards/order", json={"ids": [mine["id"], theirs["id"]]}, headers=viewer)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "ids"
    assert "Admin's tile" in _titles(api)
    assert api.delete(f"/api/dashboards/{theirs['id']}", headers=viewer).status_code == 204
    assert _titles(api, viewer) == []
    assert api.get("/api/dashboards", headers=api.as_key("not-a-key")).status_code == 401


def test_bad_tiles_are_refused_naming_the_field_and_nothing_is_written(api: Api) -> None:
    before = _titles(api)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"report": "/api/contacts"}, "report"),
        ({"report": "/api/reports/overview/../../contacts"}, "report"),
        ({"report": "https://elsewhere.example/api/reports/roi"}, "report"),
        ({"params": {"format": "csv"}}, "params"),
        ({"params": {"Bad Key": "1"}}, "params"),
        ({"params": {"q": "x" * 201}}, "params"),
        ({"params": {f"p_{n}": n for n in range(21)}}, "params"),
        ({"view": "pie"}, "view"),
        ({"title": ""}, "title"),
        ({"colour": "blue"}, "colour"),
    ]
    for fields, field in cases:
        refused = api.post("/api/dashboards", json={**TILE, **fields})
        assert refused.status_code == 400, (fields, refused.text)
        assert refused.json()["error"]["field"] == field, (fields, refused.text)
    for ids in ([0], [2**40], "x"):
        refused = api.put("/api/dashboards/order", json={"ids": ids})
        assert refused.status_code == 400 and refused.json()["error"]["field"].startswith("ids"), refused.text
    assert api.delete("/api/dashboards/0").status_code == 400
    assert _titles(api) == before

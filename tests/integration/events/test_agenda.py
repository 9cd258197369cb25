"""The agenda (an event's sessions) through the real app: every session has a title, ends after
it starts and lies within the event; a refused create or change answers 422 naming the session
field, and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api

START = (datetime.now(UTC) + timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0)
END = START + timedelta(hours=8)


def at(hours: float) -> str:
    return (START + timedelta(hours=hours)).isoformat()


def session(title: str, starts: float | None = None, ends: float | None = None, **more: Any) -> dict[str, Any]:
    return {
        "title": title,
        "starts_at": None if starts is None else at(starts),
        "ends_at": None if ends is None else at(ends),
        **more,
    }


def event_body(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Agenda day",
        "type": "in_person",
        "starts_at": START.isoformat(),
        "ends_at": END.isoformat(),
        "timezone": "Europe/Paris",
        **fields,
    }


def total(api: Api) -> int:
    return int(api.get("/api/events").json()["total"])


def refused(response: Any, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["field"] == field, response.text


def test_a_valid_agenda_is_kept_in_the_given_order(api: Api) -> None:
    agenda = [session("Welcome", 0, 0.5, speaker="Ada"), session("Lunch"), session("Keynote", 7, 8)]
    created = api.post("/api/events", json=event_body(sessions=agenda))
    assert created.status_code == 201, created.text
    sessions = created.json()["sessions"]
    assert [s["title"] for s in sessions] == ["Welcome", "Lunch", "Keynote"]
    assert sessions[0]["speaker"] == "Ada" and sessions[1]["starts_at"] is None
    # A session may start with the event and end with it.
    assert datetime.fromisoformat(sessions[2]["ends_at"]) == END


def test_a_bad_session_is_refused_at_creation_naming_its_field(api: Api) -> None:
    before = total(api)
    cases = [
        ([session("Welcome", 0, 1), session("Backwards", 3, 2)], "sessions[1].ends_at"),
        ([session("Same time", 2, 2)], "sessions[0].ends_at"),
        ([session("Too early", -1, 1)], "sessions[0].starts_at"),
        ([session("Too late", 7, 9)], "sessions[0].ends_at"),
        ([session("After the end", 9)], "sessions[0].starts_at"),
        ([session("Fine", 1, 2), session("   ", 2, 3)], "sessions[1].title"),
    ]
    for agenda, field in cases:
        refused(api.post("/api/events", json=event_body(sessions=agenda)), field)
    # An empty title is refused by the schema itself (400), with the same field name.
    refused(api.post("/api/events", json=event_body(sessions=[session("")])), "sessions[0].title", 400)
    assert total(api) == before


def test_times_without_a_zone_are_utc_and_never_crash(api: Api) -> None:
    naive = START.replace(tzinfo=None)
    body = event_body(
        sessions=[
            {"title": "Naive", "starts_at": (naive + timedelta(hours=1)).isoformat(), "ends_at": naive.isoformat()}
        ]
    )
    refused(api.post("/api/events", json=body), "sessions[0].ends_at")
    body["sessions"][0]["ends_at"] = (naive + timedelta(hours=2)).isoformat()
    created = api.post("/api/events", json=body)
    assert created.status_code == 201, created.text
    assert datetime.fromisoformat(created.json()["sessions"][0]["starts_at"]) == START + timedelta(hours=1)


def test_a_bad_agenda_change_is_refused_and_changes_nothing(api: Api) -> None:
    event = api.post("/api/events", json=event_body(sessions=[session("Welcome", 0, 1)])).json()
    path = f"/api/events/{event['id']}"
    bad = api.patch(path, json={"description": "new", "sessions": [session("Welcome", 0, 1), session("Late", 7, 9)]})
    refused(bad, "sessions[1].ends_at")
    after = api.get(path).json()
    assert after["sessions"] == event["sessions"] and after["description"] == event["description"]

    good = api.patch(path, json={"sessions": [session("Keynote", 1, 2), session("Welcome", 0, 1)]})
    assert good.status_code == 200, good.text
    assert [s["title"] for s in api.get(path).json()["sessions"]] == ["Keynote", "Welcome"]


def test_new_event_dates_must_still_hold_the_saved_agenda(api: Api) -> None:
    event = api.post("/api/events", json=event_body(sessions=[session("Closing", 6, 7)])).json()
    path = f"/api/events/{event['id']}"
    refused(api.patch(path, json={"ends_at": at(5)}), "sessions[0].starts_at")
    refused(api.patch(path, json={"starts_at": at(6.5)}), "sessions[0].starts_at")
    assert api.get(path).json()["ends_at"] == event["ends_at"]

    # Dates and agenda changed together are checked together.
    both = api.patch(path, json={"ends_at": at(5), "sessions": [session("Closing", 4, 5)]})
    assert both.status_code == 200, both.text
    shorter = api.patch(path, json={"starts_at": at(3)})
    assert shorter.status_code == 200, shorter.text
    # A change that touches neither the dates nor the agenda does not re-check it.
    assert api.patch(path, json={"description": "See you there"}).status_code == 200

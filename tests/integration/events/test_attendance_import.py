"""Attendance exported by a webinar platform checks in the confirmed registrants it lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import Api
from tests.factories import interactions, register, unique_email


def upload(api: Api, event_id: int, content: str) -> Any:
    return api.post(
        f"/api/events/{event_id}/attendance", files={"file": ("attendees.csv", content.encode(), "text/csv")}
    )


def test_the_export_checks_in_confirmed_registrants_and_reports_the_others(
    api: Api, make_event: Callable[..., dict[str, Any]]
) -> None:
    event = make_event(capacity=2)
    seated, late, waiting = (unique_email("att") for _ in range(3))
    ids = {email: register(api, event["id"], email=email).json()["contact_id"] for email in (seated, late, waiting)}
    api.post(f"/api/events/{event['id']}/registrations/{register(api, event['id'], email=late).json()['id']}/check-in")
    stranger = unique_email("walk-in")
    export = "\n".join(
        [
            "Name;Email Address;Join time",
            f"Ada;{seated.upper()};10:01",
            f"Bob;{late};10:05",
            f"Cy;{waiting};10:07",
            f"Dee;{stranger};10:09",
            "Guest;;10:10",
        ]
    )

    response = upload(api, event["id"], export)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "rows": 4,
        "checked_in": 1,
        "already_checked_in": 1,
        "not_confirmed": [waiting],
        "not_registered": [stranger],
    }
    stats = api.get(f"/api/events/{event['id']}/stats").json()
    assert stats["attended"] == 2
    assert len(interactions(api, ids[seated], "event_attended")) == 1
    assert interactions(api, ids[waiting], "event_attended") == []

    again = upload(api, event["id"], export).json()  # the same file twice changes nothing more
    assert (again["checked_in"], again["already_checked_in"]) == (0, 2)
    assert len(interactions(api, ids[seated], "event_attended")) == 1


def test_a_file_without_an_email_column_is_refused_and_changes_nothing(
    api: Api, make_event: Callable[..., dict[str, Any]]
) -> None:
    event = make_event()
    register(api, event["id"], email=unique_email("att"))
    response = upload(api, event["id"], "Name;Joined\nAda;10:01\n")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "file" and "email column" in response.json()["error"]["message"]
    assert api.get(f"/api/events/{event['id']}/stats").json()["attended"] == 0
    assert upload(api, 987654, "Email\na@example.org\n").status_code == 404

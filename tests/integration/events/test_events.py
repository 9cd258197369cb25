"""Events through the real app: CRUD, registrations and the waitlist, promotion by the worker,
check-in, no-shows, money, team, calendar, cancel links, roles, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from parcours.clock import clock
from parcours.events.tasks import finish_events
from tests.conftest import Api
from tests.factories import SOON, event_body, interactions, register, unique_email


def test_create_read_update_delete(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    event = make_event(
        name="Café & Croissants 2030!",
        venue={"name": "La Halle", "address": "1 rue X, Paris"},
        sessions=[
            {
                "title": "Keynote",
                "speaker": "Ada",
                "starts_at": SOON.isoformat(),
                "ends_at": (SOON + timedelta(minutes=30)).isoformat(),
            }
        ],
        budget=5000,
        registration_fee=20,
        description="Talks, then drinks",
    )
    assert event["slug"] == "cafe-croissants-2030"
    assert event["venue"] == {"name": "La Halle", "address": "1 rue X, Paris"}
    assert event["sessions"][0]["title"] == "Keynote" and event["budget"] == 5000
    again = make_event(name="Café & Croissants 2030!")
    assert again["slug"] == "cafe-croissants-2030-2"

    got = api.get(f"/api/events/{event['id']}").json()
    assert got["name"] == "Café & Croissants 2030!" and got["confirmed"] == 0
    changed = api.patch(f"/api/events/{event['id']}", json={"description": "New", "venue": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "New" and changed.json()["venue"] == {"name": None, "address": None}
    listed = api.get("/api/events", params={"q": "croissants"}).json()
    assert {e["id"] for e in listed["items"]} == {event["id"], again["id"]} and listed["total"] == 2

    assert api.delete(f"/api/events/{again['id']}").status_code == 204
    assert api.get(f"/api/events/{again['id']}").status_code == 404


def test_bad_input_is_a_clear_4xx_and_changes_nothing(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    before = api.get("/api/events").json()["total"]
    ends_first = api.post("/api/events", json=event_body(ends_at=(SOON - timedelta(hours=1)).isoformat()))
    assert ends_first.status_code == 422 and ends_first.json()["error"]["field"] == "ends_at"
    for body, field in [
        (event_body(type="party"), "type"),
        (event_body(capacity=-1), "capacity"),
        (event_body(timezone="Mars/Olympus"), "timezone"),
        (event_body(status="finished"), "status"),
        (event_body(name=""), "name"),
        (event_body(colour="red"), "colour"),
        (event_body(starts_at="tomorrow"), "starts_at"),
    ]:
        response = api.post("/api/events", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["field"] == field, response.text
    assert api.get("/api/events").json()["total"] == before

    event = make_event()
    taken = api.post("/api/events", json=event_body(slug=event["slug"]))
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "slug"
    late = api.patch(f"/api/events/{event['id']}", json={"ends_at": (SOON - timedelta(days=1)).isoformat()})
    assert late.status_code == 422 and late.json()["error"]["field"] == "ends_at"
    assert api.get(f"/api/events/{event['id']}").json()["ends_at"] == event["ends_at"]
    assert register(api, event["id"], contact_id=10**9).status_code == 404
    assert register(api, event["id"], email="not an email").json()["error"]["field"] == "email"
    nobody = api.post(f"/api/events/{event['id']}/registrations", json={})
    assert nobody.status_code == 400 and nobody.json()["error"]["field"] == "email"
    assert register(api, 10**9).status_code == 404
    assert api.get(f"/api/events/{event['id']}/registrations").json()["total"] == 0


def test_waitlist_promotion_capacity_and_interactions(
    api: Api, make_event: Callable[..., dict[str, Any]], make_contact: Callable[..., dict[str, Any]]
) -> None:
    event = make_event(capacity=2, registration_fee=15)
    people = [make_contact() for _ in range(5)]
    answers = [register(api, event["id"], contact_id=p["id"]) for p in people]
    assert [a.status_code for a in answers] == [201] * 5
    assert [(a.json()["status"], a.json().get("position")) for a in answers] == [
        ("confirmed", None),
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
        ("waitlisted", 3),
    ]

    # Registering again is the same registration, answered with 200.
    again = register(api, event["id"], contact_id=people[3]["id"])
    assert again.status_code == 200 and again.json()["id"] == answers[3].json()["id"]
    assert again.json()["position"] == 2

    # Capacity cannot go below the confirmed count; the refusal says the number.
    lower = api.patch(f"/api/events/{event['id']}", json={"capacity": 1})
    assert lower.status_code == 422 and lower.json()["error"]["field"] == "capacity"
    assert "2" in lower.json()["error"]["message"] and lower.json()["error"]["confirmed"] == 2
    assert api.get(f"/api/events/{event['id']}").json()["capacity"] == 2

    # A confirmed registrant cancels: the worker promotes the first on the waitlist.
    first = answers[0].json()
    cancelled = api.post(f"/api/events/{event['id']}/registrations/{first['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    def status_of(index: int) -> str:
        return str(api.get(f"/api/events/{event['id']}/registrations/{answers[index].json()['id']}").json()["status"])

    assert api.eventually(lambda: status_of(2) == "confirmed", timeout=10)
    assert status_of(3) == "waitlisted"
    promoted = api.get(f"/api/events/{event['id']}/registrations/{answers[2].json()['id']}").json()
    assert promoted["promoted_at"] and promoted["amount"] == 15 and "position" not in promoted
    assert api.get(f"/api/events/{event['id']}/registrations/{answers[3].json()['id']}").json()["position"] == 1
    # Cancelling twice changes nothing more.
    assert api.post(f"/api/events/{event['id']}/registrations/{first['id']}/cancel").json()["status"] == "cancelled"

    # More seats: the whole remaining waitlist gets them, in order.
    assert api.patch(f"/api/events/{event['id']}", json={"capacity": 10}).status_code == 200
    assert api.eventually(lambda: status_of(4) == "confirmed", timeout=10)
    assert status_of(3) == "confirmed"

    # Every step is an interaction on the contact, usable by segments, scoring and journeys.
    def recorded(contact: dict[str, Any], kind: str) -> list[dict[str, Any]]:
        return api.eventually(lambda: interactions(api, contact["id"], kind), timeout=10)  # type: ignore[no-any-return]

    assert recorded(people[0], "event_registered")[0]["properties"] == {
        "event_id": event["id"],
        "event": event["name"],
        "registration_id": first["id"],
    }
    assert recorded(people[0], "event_cancelled")
    assert recorded(people[2], "event_waitlisted") and recorded(people[2], "event_promoted")
    assert not interactions(api, people[1]["id"], "event_waitlisted")

    # Registering again after cancelling: a new place (the event has seats now).
    back = register(api, event["id"], contact_id=people[0]["id"])
    assert back.status_code == 201 and back.json()["id"] == first["id"] and back.json()["status"] == "confirmed"


def test_register_by_email_creates_or_updates_the_contact(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    event = make_event(capacity=None)
    email = unique_email("grace")
    created = register(
        api, event["id"], email=email.upper(), first_name="grace", email_opt_in=True, consent_level="marketing"
    )
    assert created.status_code == 201 and created.json()["status"] == "confirmed"
    contact = api.get(f"/api/contacts/{created.json()['contact_id']}").json()
    assert contact["email"] == email and contact["first_name"] == "Grace"
    assert contact["email_opt_in"] is True and contact["consent_level"] == "marketing"

    other = make_event()
    updated = register(api, other["id"], email=email, last_name="hopper")
    assert updated.status_code == 201 and updated.json()["contact_id"] == contact["id"]
    assert api.get(f"/api/contacts/{contact['id']}").json()["last_name"] == "Hopper"
    assert created.json()["cancel_url"].startswith("http") and "/e/" in created.json()["cancel_url"]


def test_closed_events_refuse_registrations(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    cancelled = make_event()
    assert api.patch(f"/api/events/{cancelled['id']}", json={"status": "cancelled"}).status_code == 200
    refused = register(api, cancelled["id"])
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "status"
    assert api.get(f"/api/events/{cancelled['id']}/registrations").json()["total"] == 0

    draft = make_event(status="draft")
    public = api.post(f"/e/{draft['slug']}/registrations", json={"email": unique_email()})
    assert public.status_code == 409
    assert api.get(f"/e/{draft['slug']}/details").status_code == 404
    assert register(api, draft["id"]).status_code == 201  # the back office may fill a draft
    finish = api.patch(f"/api/events/{draft['id']}", json={"status": "finished"})
    assert finish.status_code == 400 and finish.json()["error"]["field"] == "status"


def test_public_registration_and_cancel_link(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    event = make_event(capacity=1)
    details = api.get(f"/e/{event['slug']}/details")
    assert details.status_code == 200 and details.json()["seats_left"] == 1
    email = unique_email("public")
    first = api.post(f"/e/{event['slug']}/registrations", json={"email": email, "first_name": "Lin"})
    assert first.status_code == 201 and first.json() == {"status": "confirmed"}
    second = api.post(f"/e/{event['slug']}/registrations", json={"email": unique_email("late")})
    assert second.json() == {"status": "waitlisted", "position": 1}
    assert api.post(f"/e/{event['slug']}/registrations", json={"email": email}).status_code == 200

    mine = api.get(f"/api/events/{event['id']}/registrations", params={"q": "lin"}).json()
    assert mine["total"] == 1 and mine["items"][0]["email"] == email
    registration = api.get(f"/api/events/{event['id']}/registrations/{mine['items'][0]['id']}").json()
    link = registration["cancel_url"].split("://", 1)[1].split("/", 1)[1]

    tampered = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    for method in (api.get, api.post):
        bad = method("/" + tampered)
        assert bad.status_code == 400 and "not valid" in bad.text
    other_event = make_event()
    wrong_slug = "/" + link.replace(event["slug"], other_event["slug"], 1)
    assert api.post(wrong_slug).status_code == 400
    assert api.get(f"/api/events/{event['id']}/registrations/{registration['id']}").json()["status"] == "confirmed"

    page = api.get("/" + link, headers={"accept-language": "fr-FR"})
    assert page.status_code == 200 and "Annuler mon inscription" in page.text
    assert api.get(f"/api/events/{event['id']}/registrations/{registration['id']}").json()["status"] == "confirmed"
    done = api.post("/" + link)
    assert done.status_code == 200 and "cancelled" in done.text
    assert api.get(f"/api/events/{event['id']}/registrations/{registration['id']}").json()["status"] == "cancelled"
    assert api.eventually(lambda: api.get(f"/api/events/{event['id']}/stats").json()["confirmed"] == 1, timeout=10)


def test_check_in_no_shows_money_and_dashboard(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    start = datetime.now(UTC) + timedelta(hours=1)
    event = make_event(
        capacity=3,
        budget=1000,
        registration_fee=50,
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=2)).isoformat(),
    )
    regs = [register(api, event["id"]).json() for _ in range(4)]
    assert [r["status"] for r in regs] == ["confirmed"] * 3 + ["waitlisted"]

    checked = api.post(f"/api/events/{event['id']}/registrations/{regs[0]['id']}/check-in")
    assert checked.status_code == 200 and checked.json()["attendance"] == "attended"
    assert api.post(f"/api/events/{event['id']}/registrations/{regs[0]['id']}/check-in").status_code == 200
    waiting = api.post(f"/api/events/{event['id']}/registrations/{regs[3]['id']}/check-in")
    assert waiting.status_code == 409 and "waitlist" in waiting.json()["error"]["message"]
    assert api.post(f"/api/events/{event['id']}/registrations/{regs[1]['id']}/check-in").status_code == 200

    for cost in [
        {"category": "venue", "label": "Room", "amount": 300},
        {"category": "ads", "label": "LinkedIn", "amount": 100.5},
    ]:
        assert api.post(f"/api/events/{event['id']}/costs", json=cost).status_code == 201
    bad_cost = api.post(f"/api/events/{event['id']}/costs", json={"category": "drinks", "label": "x", "amount": 1})
    assert bad_cost.status_code == 400 and bad_cost.json()["error"]["field"] == "category"
    costs = api.get(f"/api/events/{event['id']}/costs").json()
    assert [c["label"] for c in costs] == ["Room", "LinkedIn"]

    member = api.post(
        f"/api/events/{event['id']}/team",
        json={"name": "Sam", "email": "sam@example.org", "role": "host", "internal": False, "responsibilities": "Q&A"},
    )
    assert member.status_code == 201 and member.json()["internal"] is False
    assert api.post(f"/api/events/{event['id']}/team", json={"name": "X", "role": "boss"}).status_code == 400
    assert len(api.get(f"/api/events/{event['id']}/team").json()) == 1
    assert api.delete(f"/api/events/{event['id']}/team/{member.json()['id']}").status_code == 204
    assert api.delete(f"/api/events/{event['id']}/team/{member.json()['id']}").status_code == 404
    assert api.get(f"/api/events/{event['id']}/team").json() == []

    # After the end, the periodic job marks the third confirmed registrant a no-show.
    clock.advance(timedelta(hours=4))
    try:
        # The periodic job runs now rather than at its next minute.
        api.blocking_portal.call(finish_events, {"runtime": api.app.state.runtime})

        def finished() -> bool:
            return bool(api.get(f"/api/events/{event['id']}").json()["status"] == "finished")

        assert api.eventually(finished, timeout=70)
    finally:
        clock.reset()
    stats = api.get(f"/api/events/{event['id']}/stats").json()
    assert {
        k: stats[k]
        for k in (
            "registered",
            "confirmed",
            "waitlisted",
            "cancelled",
            "attended",
            "no_shows",
            "capacity",
            "capacity_used",
            "waitlist_length",
            "attendance_rate",
        )
    } == {
        "registered": 4,
        "confirmed": 3,
        "waitlisted": 1,
        "cancelled": 0,
        "attended": 2,
        "no_shows": 1,
        "capacity": 3,
        "capacity_used": 1.0,
        "waitlist_length": 1,
        "attendance_rate": 0.6667,
    }
    assert stats["budget"] == 1000 and stats["costs"] == 400.5 and stats["revenue"] == 150
    assert stats["cost_per_attendee"] == 200.25 and stats["budget_left"] == 599.5
    assert sum(d["count"] for d in stats["registrations_over_time"]) == 4
    no_show = next(
        r for r in api.get(f"/api/events/{event['id']}/registrations").json()["items"] if r["id"] == regs[2]["id"]
    )
    assert no_show["attendance"] == "no_show"
    assert api.eventually(lambda: interactions(api, regs[2]["contact_id"], "event_no_show"), timeout=10)
    assert interactions(api, regs[0]["contact_id"], "event_attended")
    assert register(api, event["id"]).status_code == 409  # over: registrations closed


def test_calendar_files(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    event = make_event(name="Launch, part 1", type="in_person", venue={"name": "Hall", "address": "2 Main St"})
    private = api.get(f"/api/events/{event['id']}/ics")
    assert private.status_code == 200 and private.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Launch\\, part 1\r\n" in private.text and "LOCATION:Hall\\, 2 Main St" in private.text
    public = api.get(f"/e/{event['slug']}/event.ics")
    assert public.status_code == 200 and "BEGIN:VEVENT" in public.text
    draft = make_event(status="draft")
    assert api.get(f"/e/{draft['slug']}/event.ics").status_code == 404
    assert api.get("/e/no-such-event/event.ics").status_code == 404


def test_roles(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    event = make_event()
    viewer = api.as_key(api.new_key("viewer"))
    marketer = api.as_key(api.new_key("marketer"))
    assert api.get(f"/api/events/{event['id']}", headers=viewer).status_code == 200
    assert api.get(f"/api/events/{event['id']}/stats", headers=viewer).status_code == 200
    for method, path, body in [
        ("post", "/api/events", event_body()),
        ("patch", f"/api/events/{event['id']}", {"name": "X"}),
        ("post", f"/api/events/{event['id']}/registrations", {"email": unique_email()}),
        ("post", f"/api/events/{event['id']}/costs", {"category": "ads", "label": "x", "amount": 1}),
        ("delete", f"/api/events/{event['id']}", None),
    ]:
        kwargs = {"json": body} if body is not None else {}
        assert getattr(api.client, method)(path, headers=viewer, **kwargs).status_code == 403, path
    assert api.post("/api/events", json=event_body(), headers=marketer).status_code == 201
    assert api.client.get("/api/events", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert api.get(f"/api/events/{event['id']}").json()["name"] == event["name"]

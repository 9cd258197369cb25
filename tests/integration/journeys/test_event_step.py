"""A journey registers contacts for an event: seats, then the waitlist in order, with the
confirmation emails; a refused registration is the run's error; a step without an open event
cannot be published."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import unique_email
from tests.integration.journeys.test_journeys import OPTED_IN, chain, journey, published

SOON = datetime.now(UTC) + timedelta(days=10)


def new_event(api: Any, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/events", json={
        "name": unique_email("Kick-off"), "type": "webinar", "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=1)).isoformat(), "capacity": 1, "status": "published", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def registrations_of(api: Any, event_id: int) -> list[dict[str, Any]]:
    return list(api.get(f"/api/events/{event_id}/registrations").json()["items"])


def test_a_journey_registers_its_contacts_seats_first_then_the_waitlist(api: Any, make_contact: Any) -> None:
    event = new_event(api)
    kind = "asked_for_seat_" + unique_email("k").split(".")[1]
    made = journey(api, chain(("asked", "entry.interaction", {"type": kind}),
                              ("register", "action.event_register", {"event_id": event["id"]})))
    published(api, made["id"])
    people = [make_contact(**OPTED_IN) for _ in range(3)]
    for person in people:  # one after the other: the order of the waitlist is the order of the runs
        api.post("/api/interactions", json={"contact_id": person["id"], "type": kind})
        assert api.eventually(lambda p=person: any(r["contact_id"] == p["id"] for r in registrations_of(api, event["id"])), 15)
    found = {r["contact_id"]: r for r in registrations_of(api, event["id"])}
    assert [(found[p["id"]]["status"], found[p["id"]].get("position")) for p in people] == [
        ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert {r["source"] for r in found.values()} == {"journey"}
    # The same emails as any registration: the confirmation to the first, the waitlist notice to the others.
    subjects = api.eventually(lambda: [
        [m["subject"] for m in api.get("/api/outbox", params={"to": p["email"]}).json()["items"]] or None for p in people])
    assert subjects and all(subjects), subjects
    assert subjects[0][0].startswith("You are registered") and "waitlist" in subjects[1][0].lower()
    stats = api.get(f"/api/journeys/{made['id']}/stats").json()
    assert stats["nodes"]["register"]["completed"] == 3


def test_a_refused_registration_is_the_runs_error(api: Any, make_contact: Any) -> None:
    event = new_event(api, capacity=5)
    kind = "asked_late_" + unique_email("k").split(".")[1]
    made = journey(api, chain(("asked", "entry.interaction", {"type": kind}),
                              ("wait", "flow.wait", {"duration": "PT2S"}),
                              ("register", "action.event_register", {"event_id": event["id"]})))
    published(api, made["id"])
    person = make_contact(**OPTED_IN)
    api.post("/api/interactions", json={"contact_id": person["id"], "type": kind})
    assert api.eventually(lambda: api.get(f"/api/journeys/{made['id']}/runs").json())
    assert api.patch(f"/api/events/{event['id']}", json={"status": "cancelled"}).status_code == 200
    run = api.eventually(lambda: [r for r in api.get(f"/api/journeys/{made['id']}/runs").json() if r["error"]], 20)
    assert run, api.get(f"/api/journeys/{made['id']}/runs").json()
    assert "Registration refused: This event is cancelled" in run[0]["error"]
    assert registrations_of(api, event["id"]) == []


def test_publishing_needs_an_open_event(api: Any) -> None:
    cancelled = new_event(api)
    api.patch(f"/api/events/{cancelled['id']}", json={"status": "cancelled"})
    for config, expected in (({"event_id": None}, "Choose an event."),
                             ({"event_id": cancelled["id"]}, "registrations are closed"),
                             ({"event_id": 987654}, "There is no event with id 987654.")):
        made = journey(api, chain(("asked", "entry.interaction", {"type": "form_submitted"}),
                                  ("register", "action.event_register", config)))
        refused = api.post(f"/api/journeys/{made['id']}/publish")
        assert refused.status_code == 422, refused.text
        problems = [p for p in refused.json()["error"]["problems"] if p["node_id"] == "register"]
        assert [p["field"] for p in problems] == ["event_id"] and expected in problems[0]["message"], problems
        assert api.get(f"/api/journeys/{made['id']}").json()["status"] == "draft"


def attend(api: Any, event_id: int, contact_id: int) -> None:
    seat = api.post(f"/api/events/{event_id}/registrations", json={"contact_id": contact_id}).json()
    assert api.post(f"/api/events/{event_id}/registrations/{seat['id']}/check-in").status_code == 200


def test_steps_can_listen_to_one_events_interactions(api: Any, make_contact: Any) -> None:
    ours, other = new_event(api, capacity=10), new_event(api, capacity=10)
    thanks = api.post("/api/emails", json={"name": unique_email("Thanks"), "subject": "Thanks", "from_name": "Parcours",
                                           "from_email": "news@example.fr", "mjml": "<mjml><mj-body></mj-body></mjml>"}).json()
    # Starts when someone registers for our event (not any event), then waits for them to attend it.
    made = journey(api, chain(("attended", "entry.interaction", {"type": "event_registered", "event_id": ours["id"]}),
                              ("wait", "flow.wait_for", {"type": "event_attended", "event_id": ours["id"], "timeout": "P1D"}),
                              ("thank", "action.email", {"email_id": thanks["id"]}),
                              ("gone", "flow.exit", {}),
                              edges=[("attended", "wait", None), ("wait", "thank", "happened"), ("wait", "gone", "timeout")]))
    published(api, made["id"])
    elsewhere, here = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    attend(api, other["id"], elsewhere["id"])  # registered and attended another event: never enters
    api.post(f"/api/events/{ours['id']}/registrations", json={"contact_id": here["id"]})
    waiting = api.eventually(lambda: [r for r in api.get(f"/api/journeys/{made['id']}/runs").json() if r["status"] == "waiting"])
    assert [r["contact_id"] for r in waiting] == [here["id"]]
    attend(api, other["id"], here["id"])  # attending the other event is not what the step waits for
    time.sleep(1.5)
    assert api.get(f"/api/journeys/{made['id']}/runs").json()[0]["status"] == "waiting"
    seat = next(r for r in api.get(f"/api/events/{ours['id']}/registrations").json()["items"] if r["contact_id"] == here["id"])
    api.post(f"/api/events/{ours['id']}/registrations/{seat['id']}/check-in")
    assert api.eventually(lambda: api.get(f"/api/journeys/{made['id']}/runs").json()[0]["status"] == "completed")
    assert [r["contact_id"] for r in api.get(f"/api/journeys/{made['id']}/runs").json()] == [here["id"]]


def test_only_event_interactions_are_about_an_event(api: Any) -> None:
    event = new_event(api)
    made = journey(api, chain(("in", "entry.interaction", {"type": "email_opened", "event_id": event["id"]}),
                              ("wait", "flow.wait_for", {"type": "event_attended", "event_id": 987654, "timeout": "P1D"}),
                              ("end", "flow.exit", {}),
                              edges=[("in", "wait", None), ("wait", "end", "happened"), ("wait", "end", "timeout")]))
    refused = api.post(f"/api/journeys/{made['id']}/publish")
    assert refused.status_code == 422, refused.text
    problems = {(p["node_id"], p["field"]): p["message"] for p in refused.json()["error"]["problems"]}
    assert "Only event interactions" in problems[("in", "event_id")]
    assert problems[("wait", "event_id")] == "There is no event with id 987654."

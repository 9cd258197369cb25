"""A journey registers contacts for an event: seats, then the waitlist in order, with the
confirmation emails; a refused registration is the run's error; a wait for an event's
interaction hears that event only."""

from __future__ import annotations

from typing import Any

from tests.factories import (
    OPTED_IN,
    attend,
    chain,
    event,
    journey,
    published,
    registrations_of,
    runs,
    unique_email,
    unique_type,
)
from tests.scenarios.harness import Scenario


def test_a_journey_registers_its_contacts_seats_first_then_the_waitlist(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    seats = event(api, capacity=1)
    kind = unique_type("asked_for_seat")
    made = journey(
        api,
        chain(
            ("asked", "entry.interaction", {"type": kind}),
            ("register", "action.event_register", {"event_id": seats["id"]}),
        ),
    )
    published(api, made["id"])
    people = [make_contact(**OPTED_IN) for _ in range(3)]
    for person in people:  # one after the other: the order of the waitlist is the order of the runs
        scenario.submit({"contact_id": person["id"], "type": kind})
        assert any(r["contact_id"] == person["id"] for r in registrations_of(api, seats["id"]))
    found = {r["contact_id"]: r for r in registrations_of(api, seats["id"])}
    assert [(found[p["id"]]["status"], found[p["id"]].get("position")) for p in people] == [
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert {r["source"] for r in found.values()} == {"journey"}
    # The same emails as any registration: the confirmation to the first, the waitlist notice to the others.
    subjects = [
        [m["subject"] for m in api.get("/api/outbox", params={"to": p["email"]}).json()["items"]] for p in people
    ]
    assert all(subjects), subjects
    assert subjects[0][0].startswith("You are registered") and "waitlist" in subjects[1][0].lower()
    stats = api.get(f"/api/journeys/{made['id']}/stats").json()
    assert stats["nodes"]["register"]["completed"] == 3


def test_a_refused_registration_is_the_runs_error(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    closing = event(api, capacity=5)
    kind = unique_type("asked_late")
    made = journey(
        api,
        chain(
            ("asked", "entry.interaction", {"type": kind}),
            ("wait", "flow.wait", {"duration": "P1D"}),
            ("register", "action.event_register", {"event_id": closing["id"]}),
        ),
    )
    published(api, made["id"])
    person = make_contact(**OPTED_IN)
    scenario.submit({"contact_id": person["id"], "type": kind})
    assert runs(api, made["id"])
    assert api.patch(f"/api/events/{closing['id']}", json={"status": "cancelled"}).status_code == 200
    scenario.advance("P1D")
    failed = [r for r in runs(api, made["id"]) if r["error"]]
    assert failed, runs(api, made["id"])
    assert "Registration refused: This event is cancelled" in failed[0]["error"]
    assert registrations_of(api, closing["id"]) == []


def test_steps_can_listen_to_one_events_interactions(scenario: Scenario, make_contact: Any) -> None:
    api = scenario.api
    ours, other = event(api, capacity=10), event(api, capacity=10)
    thanks = api.post(
        "/api/emails",
        json={
            "name": unique_email("Thanks"),
            "subject": "Thanks",
            "from_name": "Parcours",
            "from_email": "news@example.fr",
            "mjml": "<mjml><mj-body></mj-body></mjml>",
        },
    ).json()
    # Starts when someone registers for our event (not any event), then waits for them to attend it.
    made = journey(
        api,
        chain(
            ("attended", "entry.interaction", {"type": "event_registered", "event_id": ours["id"]}),
            ("wait", "flow.wait_for", {"type": "event_attended", "event_id": ours["id"], "timeout": "P1D"}),
            ("thank", "action.email", {"email_id": thanks["id"]}),
            ("gone", "flow.exit", {}),
            edges=[("attended", "wait", None), ("wait", "thank", "happened"), ("wait", "gone", "timeout")],
        ),
    )
    published(api, made["id"])
    elsewhere, here = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    attend(api, other["id"], elsewhere["id"])  # registered and attended another event: never enters
    api.post(f"/api/events/{ours['id']}/registrations", json={"contact_id": here["id"]})
    scenario.settle()
    waiting = [r for r in runs(api, made["id"]) if r["status"] == "waiting"]
    assert [r["contact_id"] for r in waiting] == [here["id"]]
    attend(api, other["id"], here["id"])  # attending the other event is not what the step waits for
    scenario.settle()
    assert runs(api, made["id"])[0]["status"] == "waiting"
    seat = next(
        r for r in api.get(f"/api/events/{ours['id']}/registrations").json()["items"] if r["contact_id"] == here["id"]
    )
    api.post(f"/api/events/{ours['id']}/registrations/{seat['id']}/check-in")
    scenario.settle()
    assert runs(api, made["id"])[0]["status"] == "completed"
    assert [r["contact_id"] for r in runs(api, made["id"])] == [here["id"]]

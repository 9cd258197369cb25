"""A journey step that registers contacts for an event cannot be published without an open event;
only event interactions are about an event. How the step registers contacts over time is in
tests/scenarios/test_event_step.py."""

from typing import Any

from tests.factories import chain, journey
from tests.factories import event as new_event


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

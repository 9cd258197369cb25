"""Journeys through the API: draw, publish (every problem listed, an event step needs an open
event), test, start from a template. How contacts go through a published journey over time is in
tests/scenarios/."""

import json
from pathlib import Path
from typing import Any

from tests.factories import OPTED_IN, chain, email, journey, outbox_of
from tests.factories import event as new_event


def test_publishing_lists_every_problem_and_changes_nothing(api: Any) -> None:
    definition = chain(
        ("start", "entry.segment", {"segment_id": 987654}),
        ("mail", "action.email", {}),
        ("check", "flow.condition", {"rule": "country =="}),
        ("lost", "flow.wait", {"duration": "two days"}),
        edges=[("start", "mail", None), ("mail", "check", None), ("check", "lost", "yes")],
    )
    made = journey(api, definition)
    response = api.post(f"/api/journeys/{made['id']}/publish")
    assert response.status_code == 422, response.text
    problems = response.json()["error"]["problems"]
    by_node = {(p["node_id"], p["field"]) for p in problems}
    assert ("mail", "email_id") in by_node and ("lost", "duration") in by_node
    assert any(p["node_id"] == "check" and "'no'" in p["message"] for p in problems)
    assert api.get(f"/api/journeys/{made['id']}").json()["status"] == "draft"
    assert api.post(f"/api/journeys/{made['id']}/validate").json()["problems"]
    empty = journey(api, {"nodes": [], "edges": []})
    problems = api.post(f"/api/journeys/{empty['id']}/publish").json()["error"]["problems"]
    assert problems[0]["message"].startswith("A journey needs exactly one entry step")


def test_a_test_run_shows_the_path_without_changing_anything(api: Any, make_contact: Any) -> None:
    person = make_contact(country="FR", **OPTED_IN)
    mail = email(api, "Promo")
    definition = chain(
        ("start", "entry.interaction", {"type": "form_submitted"}),
        ("wait", "flow.wait", {"duration": "P2D"}),
        ("split", "flow.condition", {"rule": 'country == "FR"'}),
        ("mail", "action.email", {"email_id": mail}),
        ("out", "flow.exit", {}),
        edges=[("start", "wait", None), ("wait", "split", None), ("split", "mail", "yes"), ("split", "out", "no")],
    )
    made = journey(api, definition)
    result = api.post(f"/api/journeys/{made['id']}/test", json={"contact_id": person["id"]})
    assert result.status_code == 200, result.text
    body = result.json()
    assert [(s["node_id"], s["label"]) for s in body["path"]] == [
        ("start", None),
        ("wait", None),
        ("split", "yes"),
        ("mail", None),
    ]
    assert body["outcome"] == "completed" and body["effects"] == ["Would send the email 'Promo'."]
    assert body["path"][2]["at"] > body["path"][0]["at"]  # two days later, compressed
    assert outbox_of(api, mail) == []
    assert api.post(f"/api/journeys/{made['id']}/test", json={"contact_id": 987654}).status_code == 404


def test_every_shipped_journey_template_is_offered_even_when_an_email_template_has_its_key(api: Any) -> None:
    email(api, "Any")
    folder = Path(__file__).resolve().parents[3] / "templates" / "journeys" / "en"
    files = {json.loads(path.read_text())["key"] for path in folder.glob("*.json")}
    journeys = {t["key"]: t for t in api.get("/api/templates", params={"kind": "journey"}).json()}
    emails = {t["key"] for t in api.get("/api/templates", params={"kind": "email"}).json()}
    assert set(journeys) == files and "re-engagement" in emails
    made = api.post("/api/journeys", json={"name": "Win them back", "template_id": journeys["re-engagement"]["id"]})
    assert made.status_code == 201, made.text
    emails_made = [
        n["config"].get("email_id") for n in made.json()["definition"]["nodes"] if n["type"] == "action.email"
    ]
    assert emails_made and all(emails_made)
    problems = api.post(f"/api/journeys/{made.json()['id']}/validate").json()["problems"]
    assert [p["field"] for p in problems] == ["segment_id"]  # the audience is the marketer's to choose


def test_journey_templates_start_a_journey_in_one_click(api: Any) -> None:
    email(api, "Any")  # a sender to make the template's emails with
    shipped = api.get("/api/templates", params={"kind": "journey"}).json()
    keys = {t["key"] for t in shipped}
    assert {"welcome-series", "abandoned-cart", "birthday"} <= keys
    cart = next(t for t in shipped if t["key"] == "abandoned-cart")
    made = api.post("/api/journeys", json={"name": "My cart journey", "template_id": cart["id"]})
    assert made.status_code == 201, made.text
    nodes = made.json()["definition"]["nodes"]
    assert any(n["type"] == "flow.wait_for" for n in nodes)
    assert all(n["config"].get("email_id") for n in nodes if n["type"] == "action.email")
    assert api.post(f"/api/journeys/{made.json()['id']}/validate").json()["problems"] == []


def test_publishing_needs_an_open_event(api: Any) -> None:
    cancelled = new_event(api)
    api.patch(f"/api/events/{cancelled['id']}", json={"status": "cancelled"})
    for config, expected in (
        ({"event_id": None}, "Choose an event."),
        ({"event_id": cancelled["id"]}, "registrations are closed"),
        ({"event_id": 987654}, "There is no event with id 987654."),
    ):
        made = journey(
            api,
            chain(
                ("asked", "entry.interaction", {"type": "form_submitted"}),
                ("register", "action.event_register", config),
            ),
        )
        refused = api.post(f"/api/journeys/{made['id']}/publish")
        assert refused.status_code == 422, refused.text
        problems = [p for p in refused.json()["error"]["problems"] if p["node_id"] == "register"]
        assert [p["field"] for p in problems] == ["event_id"] and expected in problems[0]["message"], problems
        assert api.get(f"/api/journeys/{made['id']}").json()["status"] == "draft"


def test_only_event_interactions_are_about_an_event(api: Any) -> None:
    event = new_event(api)
    made = journey(
        api,
        chain(
            ("in", "entry.interaction", {"type": "email_opened", "event_id": event["id"]}),
            ("wait", "flow.wait_for", {"type": "event_attended", "event_id": 987654, "timeout": "P1D"}),
            ("end", "flow.exit", {}),
            edges=[("in", "wait", None), ("wait", "end", "happened"), ("wait", "end", "timeout")],
        ),
    )
    refused = api.post(f"/api/journeys/{made['id']}/publish")
    assert refused.status_code == 422, refused.text
    problems = {(p["node_id"], p["field"]): p["message"] for p in refused.json()["error"]["problems"]}
    assert "Only event interactions" in problems[("in", "event_id")]
    assert problems[("wait", "event_id")] == "There is no event with id 987654."

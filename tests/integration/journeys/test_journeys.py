"""Journeys through the API: draw, publish, watch contacts go through, edit live, test."""

import itertools
import json
from pathlib import Path
from typing import Any

from tests.conftest import unique_email

SENDER = {"from_name": "Parcours", "from_email": "news@example.fr"}
MJML = '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>'
OPTED_IN = {"email_opt_in": True, "consent_level": "marketing"}


def new_email(api: Any, name: str) -> int:
    response = api.post("/api/emails", json={"name": name, "subject": name, **SENDER, "mjml": MJML})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def static_segment(api: Any, contact_ids: list[int]) -> int:
    segment = api.post("/api/segments", json={"name": unique_email("seg"), "kind": "static"}).json()
    if contact_ids:
        api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": contact_ids})
    return int(segment["id"])


def chain(*nodes: tuple[str, str, dict[str, Any]], edges: list[tuple[str, str, str | None]] | None = None) -> dict[str, Any]:
    """Nodes given as (id, type, config); edges default to one after the other."""
    if edges is None:
        edges = [(a[0], b[0], None) for a, b in itertools.pairwise(nodes)]
    return {"nodes": [{"id": i, "type": t, "config": c} for i, t, c in nodes],
            "edges": [{"source": s, "target": t, **({"label": lab} if lab else {})} for s, t, lab in edges]}


def journey(api: Any, definition: dict[str, Any], **settings: Any) -> dict[str, Any]:
    response = api.post("/api/journeys", json={"name": unique_email("journey"), "definition": definition,
                                               "settings": settings})
    assert response.status_code == 201, response.text
    return dict(response.json())


def published(api: Any, journey_id: int) -> dict[str, Any]:
    response = api.post(f"/api/journeys/{journey_id}/publish")
    assert response.status_code == 200, response.text
    return dict(response.json())


def outbox_of(api: Any, email_id: int) -> list[dict[str, Any]]:
    return list(api.get("/api/outbox", params={"email_id": email_id, "limit": 200}).json()["items"])


def test_contacts_go_through_email_wait_condition_and_branch(api: Any, make_contact: Any) -> None:
    fr = [make_contact(country="FR", **OPTED_IN) for _ in range(3)]
    be = [make_contact(country="BE", **OPTED_IN) for _ in range(2)]
    welcome, french, other = new_email(api, "Welcome"), new_email(api, "Bonjour"), new_email(api, "Hello")
    definition = chain(
        ("start", "entry.segment", {"segment_id": static_segment(api, [c["id"] for c in fr + be])}),
        ("mail", "action.email", {"email_id": welcome}),
        ("pause", "flow.wait", {"duration": "PT2S"}),
        ("french", "flow.condition", {"rule": 'country == "FR"'}),
        ("mail_fr", "action.email", {"email_id": french}),
        ("mail_other", "action.email", {"email_id": other}),
        edges=[("start", "mail", None), ("mail", "pause", None), ("pause", "french", None),
               ("french", "mail_fr", "yes"), ("french", "mail_other", "no")])
    made = journey(api, definition)
    result = published(api, made["id"])
    assert result["enrolled"] == 5 and result["journey"]["status"] == "published" and result["journey"]["version"] == 1

    def done() -> Any:
        stats = api.get(f"/api/journeys/{made['id']}/stats").json()
        return stats["completed"] == 5 and stats

    stats = api.eventually(done, 30)
    assert stats, api.get(f"/api/journeys/{made['id']}/stats").json()
    nodes = stats["nodes"]
    assert nodes["mail"]["entered"] == 5 and nodes["pause"]["completed"] == 5
    assert nodes["french"]["branches"] == {"yes": 3, "no": 2}
    assert (nodes["mail_fr"]["entered"], nodes["mail_other"]["entered"]) == (3, 2)
    assert [step["node_id"] for step in stats["funnel"]][:4] == ["start", "mail", "pause", "french"]
    # Each contact receives each message once, and the right one.
    assert sorted(m["contact_id"] for m in outbox_of(api, welcome)) == sorted(c["id"] for c in fr + be)
    assert sorted(m["contact_id"] for m in outbox_of(api, french)) == sorted(c["id"] for c in fr)
    assert sorted(m["contact_id"] for m in outbox_of(api, other)) == sorted(c["id"] for c in be)
    sent = api.eventually(lambda: (s := api.get(f"/api/journeys/{made['id']}/stats").json())["nodes"]["mail"]["email"]["sent"] == 5 and s)
    assert sent, "the journey's emails are delivered and counted on their step"
    # The path is on each contact's timeline.
    steps = api.get(f"/api/contacts/{fr[0]['id']}/interactions", params={"type": "journey_step"}).json()["items"]
    assert {s["properties"]["node_id"] for s in steps} >= {"start", "mail", "pause", "french", "mail_fr"}


def test_publishing_lists_every_problem_and_changes_nothing(api: Any) -> None:
    definition = chain(
        ("start", "entry.segment", {"segment_id": 987654}),
        ("mail", "action.email", {}),
        ("check", "flow.condition", {"rule": "country =="}),
        ("lost", "flow.wait", {"duration": "two days"}),
        edges=[("start", "mail", None), ("mail", "check", None), ("check", "lost", "yes")])
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


def test_an_interaction_starts_a_run_and_a_wait_for_resumes_it_at_once(api: Any, make_contact: Any) -> None:
    reminder, thanks = new_email(api, "Your cart"), new_email(api, "Thanks")
    kind = "cart_abandoned_" + unique_email("t").split(".")[1]
    definition = chain(
        ("cart", "entry.interaction", {"type": kind}),
        ("wait", "flow.wait_for", {"type": "purchase", "timeout": "PT3S"}),
        ("thank", "action.email", {"email_id": thanks}),
        ("remind", "action.email", {"email_id": reminder}),
        edges=[("cart", "wait", None), ("wait", "thank", "happened"), ("wait", "remind", "timeout")])
    made = journey(api, definition, reentry="every_time")
    published(api, made["id"])
    buyer, browser = make_contact(**OPTED_IN), make_contact(**OPTED_IN)
    api.post("/api/interactions", json={"batch": [{"contact_id": buyer["id"], "type": kind},
                                                   {"contact_id": browser["id"], "type": kind}]})
    waiting = api.eventually(lambda: api.get(f"/api/journeys/{made['id']}/stats").json()["nodes"].get("wait", {}).get("waiting") == 2)
    assert waiting, api.get(f"/api/journeys/{made['id']}/runs").json()
    api.post("/api/interactions", json={"contact_id": buyer["id"], "type": "purchase", "properties": {"amount": 30}})
    assert api.eventually(lambda: [m["contact_id"] for m in outbox_of(api, thanks)] == [buyer["id"]], 5)
    assert api.eventually(lambda: [m["contact_id"] for m in outbox_of(api, reminder)] == [browser["id"]], 15), api.get(f"/api/journeys/{made['id']}/runs").json()
    assert [m["contact_id"] for m in outbox_of(api, thanks)] == [buyer["id"]]


def test_editing_a_live_journey_keeps_contacts_on_their_version(api: Any, make_contact: Any) -> None:
    people = [make_contact(**OPTED_IN) for _ in range(2)]
    first, second = new_email(api, "First"), new_email(api, "Second")
    segment = static_segment(api, [p["id"] for p in people])
    long_wait = chain(("start", "entry.segment", {"segment_id": segment, "include_later": True}),
                      ("wait", "flow.wait", {"duration": "PT4S"}), ("mail", "action.email", {"email_id": first}))
    made = journey(api, long_wait)
    published(api, made["id"])
    edited = dict(long_wait)
    edited["nodes"] = [*long_wait["nodes"][:2], {"id": "mail", "type": "action.email", "config": {"email_id": second}}]
    assert api.patch(f"/api/journeys/{made['id']}", json={"definition": edited}).json()["has_changes"] is True
    assert published(api, made["id"])["journey"]["version"] == 2
    newcomer = make_contact(**OPTED_IN)
    api.post(f"/api/segments/{segment}/members", json={"contact_ids": [newcomer["id"]]})
    assert api.eventually(lambda: len(outbox_of(api, first)) == 2 and len(outbox_of(api, second)) == 1, 20)
    runs = api.get(f"/api/journeys/{made['id']}/runs").json()
    assert sorted((r["contact_id"], r["version"]) for r in runs) == sorted(
        [(p["id"], 1) for p in people] + [(newcomer["id"], 2)])


def test_pause_resume_stop(api: Any, make_contact: Any) -> None:
    person = make_contact(**OPTED_IN)
    definition = chain(("start", "entry.segment", {"segment_id": static_segment(api, [person["id"]])}),
                       ("wait", "flow.wait", {"duration": "P1D"}), ("end", "flow.exit", {}))
    made = journey(api, definition)
    published(api, made["id"])
    assert api.post(f"/api/journeys/{made['id']}/pause").json()["status"] == "paused"
    assert api.post(f"/api/journeys/{made['id']}/pause").status_code == 409
    assert api.post(f"/api/journeys/{made['id']}/resume").json()["status"] == "published"
    assert api.delete(f"/api/journeys/{made['id']}").status_code == 409
    assert api.eventually(lambda: api.get(f"/api/journeys/{made['id']}/stats").json()["nodes"].get("wait", {}).get("waiting") == 1)
    assert api.post(f"/api/journeys/{made['id']}/stop").json()["status"] == "stopped"
    stats = api.get(f"/api/journeys/{made['id']}/stats").json()
    assert (stats["active"], stats["exited"], stats["nodes"]["wait"]["exited"]) == (0, 1, 1)
    assert api.delete(f"/api/journeys/{made['id']}").status_code == 204


def test_a_test_run_shows_the_path_without_changing_anything(api: Any, make_contact: Any) -> None:
    person = make_contact(country="FR", **OPTED_IN)
    mail = new_email(api, "Promo")
    definition = chain(
        ("start", "entry.interaction", {"type": "form_submitted"}),
        ("wait", "flow.wait", {"duration": "P2D"}),
        ("split", "flow.condition", {"rule": 'country == "FR"'}),
        ("mail", "action.email", {"email_id": mail}),
        ("out", "flow.exit", {}),
        edges=[("start", "wait", None), ("wait", "split", None), ("split", "mail", "yes"), ("split", "out", "no")])
    made = journey(api, definition)
    result = api.post(f"/api/journeys/{made['id']}/test", json={"contact_id": person["id"]})
    assert result.status_code == 200, result.text
    body = result.json()
    assert [(s["node_id"], s["label"]) for s in body["path"]] == [("start", None), ("wait", None), ("split", "yes"), ("mail", None)]
    assert body["outcome"] == "completed" and body["effects"] == ["Would send the email 'Promo'."]
    assert body["path"][2]["at"] > body["path"][0]["at"]  # two days later, compressed
    assert outbox_of(api, mail) == []
    assert api.post(f"/api/journeys/{made['id']}/test", json={"contact_id": 987654}).status_code == 404


def test_every_shipped_journey_template_is_offered_even_when_an_email_template_has_its_key(api: Any) -> None:
    new_email(api, "Any")
    folder = Path(__file__).resolve().parents[3] / "templates" / "journeys"
    files = {json.loads(path.read_text())["key"] for path in folder.glob("*.json")}
    journeys = {t["key"]: t for t in api.get("/api/templates", params={"kind": "journey"}).json()}
    emails = {t["key"] for t in api.get("/api/templates", params={"kind": "email"}).json()}
    assert set(journeys) == files and "re-engagement" in emails
    made = api.post("/api/journeys", json={"name": "Win them back", "template_id": journeys["re-engagement"]["id"]})
    assert made.status_code == 201, made.text
    emails_made = [n["config"].get("email_id") for n in made.json()["definition"]["nodes"] if n["type"] == "action.email"]
    assert emails_made and all(emails_made)
    problems = api.post(f"/api/journeys/{made.json()['id']}/validate").json()["problems"]
    assert [p["field"] for p in problems] == ["segment_id"]  # the audience is the marketer's to choose


def test_journey_templates_start_a_journey_in_one_click(api: Any) -> None:
    new_email(api, "Any")  # a sender to make the template's emails with
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

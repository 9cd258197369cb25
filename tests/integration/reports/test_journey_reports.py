"""The marketing plan and journey reach, computed twice: by the reports, and from the raw rows
(the outbox's messages, the journeys' runs) as the API lists them. A journey with two versions, a
contact erased after entering, a campaign and an event on the same timeline."""

from __future__ import annotations

import csv
import io
import re
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import OPTED_IN, SENDER, chain, email, journey, published, static_segment, unique_type
from tests.factories import event as new_event

LINKED = (
    "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text>"
    '<mj-button href="https://shop.example.fr/offre">See the offer</mj-button>'
    "</mj-column></mj-section></mj-body></mjml>"
)
TODAY = datetime.now(UTC).date()
PERIOD = {"from": (TODAY - timedelta(days=30)).isoformat(), "to": (TODAY + timedelta(days=30)).isoformat()}


def _journey_messages(api: Any, journey_id: int) -> list[dict[str, Any]]:
    rows = api.get("/api/outbox", params={"limit": 500}).json()["items"]
    return [r for r in rows if r["journey_id"] == journey_id and r["channel"] == "email"]


def _fetch(api: Any, path: str, **options: Any) -> Any:
    """A tracking request; asked again while SQLite is busy with the worker (503 with Retry-After:
    nothing was recorded, as the answer says)."""
    for _ in range(20):
        answer = api.get(path, **options)
        if answer.status_code != 503:
            return answer
        time.sleep(0.2)
    return answer


def _html(api: Any, message_id: int) -> str:
    return str(api.get(f"/api/outbox/{message_id}").json()["html"])


@pytest.fixture(scope="module")
def world(api: Any) -> dict[str, Any]:
    """Three contacts enter version 1 (welcome, then tips with a link); one opens, one clicks, one
    reaches the goal, one is erased; a fourth enters version 2 (welcome, then last call)."""
    welcome, tips, last_call = email(api, "Welcome"), None, email(api, "Last call")
    tips = api.post("/api/emails", json={"name": "Tips", "subject": "Tips", **SENDER, "mjml": LINKED}).json()["id"]
    kind, goal = unique_type("signed_up"), unique_type("bought")
    first = chain(
        ("start", "entry.interaction", {"type": kind}),
        ("hello", "action.email", {"email_id": welcome}),
        ("tips", "action.email", {"email_id": tips}),
    )
    made = journey(api, first, goal={"type": goal, "window": "P30D"})
    published(api, made["id"])
    people = [
        api.post("/api/contacts", json={"email": f"{n}.{kind}@example.org", "first_name": n, **OPTED_IN}).json()
        for n in ("Alice", "Bruno", "Chloe")
    ]
    alice, bruno, chloe = people
    api.post("/api/interactions", json={"batch": [{"contact_id": p["id"], "type": kind} for p in people]})
    api.eventually(lambda: sum(m["status"] == "captured" for m in _journey_messages(api, made["id"])) == 6)
    sent = {(m["contact_id"], m["email_id"]): m for m in _journey_messages(api, made["id"])}
    pixel = re.search(r'src="http://[^/]+(/t/o/[^"]+)"', _html(api, sent[(alice["id"], welcome)]["id"])).group(1)
    assert _fetch(api, pixel).status_code == 200
    click = re.search(r'href="http://[^/]+(/t/c/[^"]+)"', _html(api, sent[(bruno["id"], tips)]["id"])).group(1)
    assert _fetch(api, click, follow_redirects=False).status_code == 302
    api.post("/api/interactions", json={"contact_id": alice["id"], "type": goal})
    api.eventually(lambda: any(r["converted_at"] for r in api.get(f"/api/journeys/{made['id']}/runs").json()))
    # Version 2: the second email changes; Diane follows it.
    second = chain(
        ("start", "entry.interaction", {"type": kind}),
        ("hello", "action.email", {"email_id": welcome}),
        ("last", "action.email", {"email_id": last_call}),
    )
    assert api.patch(f"/api/journeys/{made['id']}", json={"definition": second}).status_code == 200
    published(api, made["id"])
    assert api.get(f"/api/journeys/{made['id']}").json()["version"] == 2
    diane = api.post("/api/contacts", json={"email": f"diane.{kind}@example.org", "first_name": "Diane", **OPTED_IN})
    diane = diane.json()
    api.post("/api/interactions", json={"contact_id": diane["id"], "type": kind})
    api.eventually(lambda: sum(m["status"] == "captured" for m in _journey_messages(api, made["id"])) == 8)
    assert api.delete(f"/api/contacts/{chloe['id']}").status_code == 204
    # A campaign and an event on the same timeline.
    news = email(api, "Newsletter")
    campaign = api.post(
        "/api/campaigns", json={"email_id": news, "segment_ids": [static_segment(api, [bruno["id"]])]}
    ).json()
    api.eventually(lambda: api.get(f"/api/campaigns/{campaign['id']}").json()["totals"]["sent"] == 1)
    webinar = new_event(api, name=f"Webinar {kind}")
    return {
        "journey": made,
        "emails": {"welcome": welcome, "tips": tips, "last_call": last_call, "news": news},
        "people": {"alice": alice, "bruno": bruno, "chloe": chloe, "diane": diane},
        "campaign": campaign,
        "event": webinar,
    }


def test_the_plan_shows_each_journey_with_its_emails_as_the_outbox_sent_them(api: Any, world: dict[str, Any]) -> None:
    journey_id = world["journey"]["id"]
    plan = api.get("/api/reports/plan", params=PERIOD)
    assert plan.status_code == 200, plan.text
    rows = {(r["kind"], r["id"]): r for r in plan.json()["rows"]}
    row = rows[("journey", journey_id)]
    assert row["running"] is True and row["ends_at"] is None and row["name"] == world["journey"]["name"]
    # Raw: the outbox's sent messages of the journey, erased contact's included, per email.
    expected: dict[int, list[str]] = defaultdict(list)
    for m in _journey_messages(api, journey_id):
        if m["status"] in ("sent", "captured"):
            expected[m["email_id"]].append(m["sent_at"])
    got = {m["email_id"]: m for m in row["messages"]}
    assert {e: len(v) for e, v in expected.items()} == {e: m["sent"] for e, m in got.items()}
    assert got[world["emails"]["welcome"]]["sent"] == 4 and got[world["emails"]["last_call"]]["sent"] == 1
    for email_id, times in expected.items():
        first, last = min(times), max(times)
        assert datetime.fromisoformat(got[email_id]["first_sent_at"]) == datetime.fromisoformat(first)
        assert datetime.fromisoformat(got[email_id]["last_sent_at"]) == datetime.fromisoformat(last)
    assert got[world["emails"]["tips"]]["name"] == "Tips"
    campaign = rows[("campaign", world["campaign"]["id"])]
    assert [(m["email_id"], m["sent"]) for m in campaign["messages"]] == [(world["emails"]["news"], 1)]
    event = rows[("event", world["event"]["id"])]
    assert event["starts_at"] and event["ends_at"] and event["messages"] == []
    # Narrowed to the journey, or to one email; a period before it all shows none of it.
    only = api.get("/api/reports/plan", params={**PERIOD, "journey_ids": [journey_id]}).json()["rows"]
    assert [(r["kind"], r["id"]) for r in only] == [("journey", journey_id)]
    tips = api.get("/api/reports/plan", params={**PERIOD, "email_ids": [world["emails"]["tips"]]}).json()["rows"]
    assert [(r["kind"], [m["email_id"] for m in r["messages"]]) for r in tips] == [
        ("journey", [world["emails"]["tips"]])
    ]
    before = {"from": "2020-01-01", "to": "2020-01-31"}
    assert api.get("/api/reports/plan", params=before).json()["rows"] == []


def test_the_plan_as_csv_has_one_line_per_email(api: Any, world: dict[str, Any]) -> None:
    answer = api.get("/api/reports/plan", params={**PERIOD, "format": "csv", "journey_ids": [world["journey"]["id"]]})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert sorted(line["email"] for line in lines) == ["Last call", "Tips", "Welcome"]
    assert sum(int(line["sent"]) for line in lines) == 8


def test_journey_reach_reconciles_with_runs_and_messages(api: Any, world: dict[str, Any]) -> None:
    journey_id = world["journey"]["id"]
    answer = api.get("/api/reports/journey-reach", params={**PERIOD, "journey_id": journey_id})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    people = world["people"]
    # Raw: the runs (the erased contact's went with her), and the messages to those contacts.
    runs = api.get(f"/api/journeys/{journey_id}/runs").json()
    entered = {r["contact_id"] for r in runs}
    assert people["chloe"]["id"] not in entered
    messages = [m for m in _journey_messages(api, journey_id) if m["contact_id"] in entered]
    expected = {
        "entered": len(entered),
        "delivered": len({m["contact_id"] for m in messages if m["status"] in ("sent", "captured")}),
        "opened": len({m["contact_id"] for m in messages if m["opened_at"]}),
        "clicked": len({m["contact_id"] for m in messages if m["clicked_at"]}),
        "converted": len({r["contact_id"] for r in runs if r["converted_at"]}),
        "unsubscribed": 0,
    }
    assert (
        {k: body["totals"][k] for k in expected}
        == expected
        == {
            "entered": 3,
            "delivered": 3,
            "opened": 2,
            "clicked": 1,
            "converted": 1,
            "unsubscribed": 0,
        }
    )
    per_email = {m["email_id"]: m for m in body["totals"]["messages"]}
    assert per_email[world["emails"]["welcome"]]["delivered"] == 3
    assert (
        per_email[world["emails"]["tips"]]["clicked"] == 1 and per_email[world["emails"]["last_call"]]["delivered"] == 1
    )
    items = {i["contact_id"]: i for i in body["items"]}
    assert set(items) == entered and body["total"] == 3 and body["next_cursor"] is None
    alice, bruno = items[people["alice"]["id"]], items[people["bruno"]["id"]]
    assert (alice["name"], alice["delivered"], alice["opened"], alice["clicked"], alice["converted"]) == (
        "Alice Lovelace" if people["alice"].get("last_name") else "Alice",
        2,
        1,
        0,
        True,
    )
    assert (bruno["opened"], bruno["clicked"], bruno["converted"]) == (1, 1, False)
    assert [m["name"] for m in bruno["messages"]] == ["Welcome", "Tips"]
    for item in body["items"]:
        mine = [m for m in messages if m["contact_id"] == item["contact_id"]]
        assert item["delivered"] == sum(m["status"] in ("sent", "captured") for m in mine)
        assert item["opened"] == sum(bool(m["opened_at"]) for m in mine)


def test_journey_reach_pages_searches_and_exports(api: Any, world: dict[str, Any]) -> None:
    journey_id = world["journey"]["id"]
    params = {**PERIOD, "journey_id": journey_id}
    first = api.get("/api/reports/journey-reach", params={**params, "limit": 2}).json()
    second = api.get("/api/reports/journey-reach", params={**params, "limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert first["totals"] == second["totals"]
    bruno = world["people"]["bruno"]
    found = api.get("/api/reports/journey-reach", params={**params, "q": "bruno"}).json()
    assert [i["contact_id"] for i in found["items"]] == [bruno["id"]] and found["totals"]["entered"] == 1
    assert found["totals"]["clicked"] == 1 and found["totals"]["converted"] == 0
    by_mail = api.get("/api/reports/journey-reach", params={**params, "q": bruno["email"]}).json()
    assert [i["contact_id"] for i in by_mail["items"]] == [bruno["id"]]
    exported = api.get("/api/reports/journey-reach", params={**params, "format": "csv"})
    lines = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert sorted(line["email"] for line in lines) == sorted(i["email"] for i in first["items"] + second["items"])


def test_a_contacts_path_follows_the_version_it_entered(api: Any, world: dict[str, Any]) -> None:
    journey_id = world["journey"]["id"]
    people = world["people"]
    alice = api.get(f"/api/reports/journey-reach/{people['alice']['id']}", params={"journey_id": journey_id}).json()
    assert [r["version"] for r in alice["runs"]] == [1]
    assert [(s["node_id"], s["type"]) for s in alice["runs"][0]["steps"]] == [
        ("start", "entry.interaction"),
        ("hello", "action.email"),
        ("tips", "action.email"),
    ]
    assert alice["runs"][0]["converted_at"] is not None
    diane = api.get(f"/api/reports/journey-reach/{people['diane']['id']}", params={"journey_id": journey_id}).json()
    assert [r["version"] for r in diane["runs"]] == [2]
    assert [s["node_id"] for s in diane["runs"][0]["steps"]] == ["start", "hello", "last"]


def test_bad_questions_are_refused_naming_the_field(api: Any, world: dict[str, Any]) -> None:
    journey_id = world["journey"]["id"]
    assert api.get("/api/reports/journey-reach").status_code == 400
    missing = api.get("/api/reports/journey-reach", params={"journey_id": 987654})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "journey_id"
    bad = api.get("/api/reports/journey-reach", params={"journey_id": journey_id, "cursor": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "cursor"
    erased = world["people"]["chloe"]["id"]
    assert api.get(f"/api/reports/journey-reach/{erased}", params={"journey_id": journey_id}).status_code == 404
    assert (
        api.get("/api/reports/plan", params={"from": "2026-02-01", "to": "2026-01-01"}).json()["error"]["field"]
        == "from"
    )

"""A marketer reads the marketing plan (zooms from week to year, clicks a journey's bar through to
the journey) and a journey's reach (the funnel, a search by name, one contact's path)."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact

MJML = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>"


def _email(api: httpx.Client, name: str) -> int:
    body = {"name": name, "subject": name, "from_name": "Parcours", "from_email": "news@example.fr", "mjml": MJML}
    response = api.post("/api/emails", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _sent(api: httpx.Client, email_id: int) -> int:
    rows = api.get("/api/outbox", params={"email_id": email_id, "limit": 100}).json()["items"]
    return sum(r["status"] == "captured" for r in rows)


@pytest.fixture(scope="module")
def onboarding(api: httpx.Client) -> dict[str, Any]:
    """A published journey (welcome, then tips) two contacts went through."""
    stamp = time.monotonic_ns()
    welcome, tips = _email(api, f"Welcome {stamp}"), _email(api, f"Tips {stamp}")
    kind = f"trial_{stamp}"
    definition = {
        "nodes": [
            {"id": "start", "type": "entry.interaction", "config": {"type": kind}},
            {"id": "hello", "type": "action.email", "config": {"email_id": welcome}},
            {"id": "tips", "type": "action.email", "config": {"email_id": tips}},
        ],
        "edges": [{"source": "start", "target": "hello"}, {"source": "hello", "target": "tips"}],
    }
    made = api.post("/api/journeys", json={"name": f"Onboarding {stamp}", "definition": definition}).json()
    assert api.post(f"/api/journeys/{made['id']}/publish").status_code == 200
    people = [
        create_contact(
            api, email=f"{n.lower()}.{stamp}@example.org", first_name=n, email_opt_in=True, consent_level="marketing"
        )
        for n in ("Bruno", "Zelie")
    ]
    batch = [{"type": kind, "contact_id": p["id"]} for p in people]
    assert api.post("/api/interactions", json={"batch": batch}).status_code == 202
    deadline = time.monotonic() + 30
    while _sent(api, tips) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _sent(api, tips) == 2
    return {"journey": made, "people": people, "emails": (welcome, tips)}


def test_the_plan_zooms_and_leads_to_the_journey(page: Page, onboarding: dict[str, Any]) -> None:
    journey_id = onboarding["journey"]["id"]
    page.goto("/reports/plan")
    bar = page.get_by_test_id(f"plan-bar-journey-{journey_id}")
    expect(bar).to_be_visible()
    name = onboarding["journey"]["name"]
    expect(bar).to_have_attribute("aria-label", re.compile(rf"^Journey {name}, from .+, still running$"))
    welcome, _tips = onboarding["emails"]
    mark = page.get_by_test_id(f"plan-mark-journey-{journey_id}-{welcome}")
    expect(mark).to_have_attribute("aria-label", re.compile(r"^Email Welcome \d+: first sent .+, 2 sent$"))
    expect(page.get_by_test_id("plan-today")).to_be_visible()
    gantt = page.get_by_test_id("plan-gantt")
    month = gantt.evaluate("e => e.scrollWidth")
    page.get_by_test_id("plan-zoom").get_by_text("Year").click()
    expect(page.get_by_test_id("plan-zoom").locator("input[value=year]")).to_be_checked()
    assert gantt.evaluate("e => e.scrollWidth") < month
    page.get_by_test_id("plan-zoom").get_by_text("Week").click()
    assert gantt.evaluate("e => e.scrollWidth") > month
    mark.hover()
    expect(page.get_by_text(re.compile(r"^Email Welcome \d+: first sent .+, 2 sent$"))).to_be_visible()
    bar.click()
    expect(page).to_have_url(re.compile(rf"/journeys/{journey_id}$"))


def test_journey_reach_searches_and_opens_a_contacts_path(page: Page, onboarding: dict[str, Any]) -> None:
    journey_id = onboarding["journey"]["id"]
    bruno, zelie = onboarding["people"]
    page.goto(f"/reports/journey-reach?journey={journey_id}")
    expect(page.get_by_test_id("reach-funnel-words")).to_contain_text("Entered: 2 · Delivered: 2 · Opened: 0")
    expect(page.get_by_test_id("reach-table").locator("tbody tr")).to_have_count(2)
    page.get_by_test_id("reach-search").fill("bruno")
    expect(page.get_by_test_id("reach-table").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id(f"reach-row-{bruno['id']}")).to_contain_text(bruno["email"])
    expect(page.get_by_test_id(f"reach-row-{zelie['id']}")).to_have_count(0)
    page.get_by_test_id(f"reach-open-{bruno['id']}").click()
    path = page.get_by_test_id("reach-path")
    expect(path.get_by_test_id("reach-step-start")).to_contain_text("done")
    expect(path.get_by_test_id("reach-step-tips")).to_be_visible()
    expect(path).to_contain_text("Version 1")


def _journey(api: httpx.Client, name: str, people: int, goal: str | None = None) -> dict[str, Any]:
    stamp = time.monotonic_ns()
    hello = _email(api, f"{name} hello {stamp}")
    kind = f"entered_{stamp}"
    definition = {
        "nodes": [
            {"id": "start", "type": "entry.interaction", "config": {"type": kind}},
            {"id": "hello", "type": "action.email", "config": {"email_id": hello}},
        ],
        "edges": [{"source": "start", "target": "hello"}],
    }
    settings = {"goal": {"type": goal, "window": "P30D"}} if goal else {}
    made = api.post(
        "/api/journeys", json={"name": f"{name} {stamp}", "definition": definition, "settings": settings}
    ).json()
    assert api.post(f"/api/journeys/{made['id']}/publish").status_code == 200
    contacts = [
        create_contact(
            api, email=f"{name.lower()}{i}.{stamp}@example.org", email_opt_in=True, consent_level="marketing"
        )
        for i in range(people)
    ]
    assert (
        api.post(
            "/api/interactions", json={"batch": [{"type": kind, "contact_id": c["id"]} for c in contacts]}
        ).status_code
        == 202
    )
    deadline = time.monotonic() + 30
    while _sent(api, hello) < people and time.monotonic() < deadline:
        time.sleep(0.2)
    return {**made, "hello": hello, "contacts": contacts}


def test_the_leaderboard_reorders_by_the_criterion_and_opens_a_journeys_emails(page: Page, api: httpx.Client) -> None:
    goal = f"bought_{time.monotonic_ns()}"
    bright, quiet = _journey(api, "Bright", 2), _journey(api, "Quiet", 1, goal=goal)
    for message in api.get("/api/outbox", params={"email_id": bright["hello"], "limit": 10}).json()["items"]:
        html = api.get(f"/api/outbox/{message['id']}").json()["html"]
        assert (
            httpx.get(api.base_url.join(re.search(r'src="http://[^/]+(/t/o/[^"]+)"', html).group(1))).status_code == 200
        )
    assert (
        api.post("/api/interactions", json={"type": goal, "contact_id": quiet["contacts"][0]["id"]}).status_code == 202
    )
    query = f"journey_ids={bright['id']}&journey_ids={quiet['id']}"

    def counted() -> bool:
        items = api.get(f"/api/reports/leaderboard?{query}").json()["items"]
        return sum(i["unique_opens"] for i in items) == 2 and sum(i["conversions"] for i in items) == 1

    deadline = time.monotonic() + 30
    while not counted() and time.monotonic() < deadline:
        time.sleep(0.3)
    page.goto(f"/reports/leaderboard?{query}")
    rows = page.get_by_test_id("leaderboard-table").locator("tbody tr")
    expect(rows.first).to_contain_text(bright["name"])
    expect(rows.first).to_contain_text("100%")
    page.get_by_test_id("leaderboard-metric").get_by_text("Conversions").click()
    expect(rows.first).to_contain_text(quiet["name"])
    # Conversions over entered: none of Bright's two.
    expect(page.get_by_test_id(f"leaderboard-row-journey-{bright['id']}").locator("td").nth(9)).to_have_text("0%")
    page.get_by_test_id(f"leaderboard-open-{bright['id']}").click()
    expect(page.get_by_test_id("leaderboard-journey")).to_contain_text(f"Emails of {bright['name']}")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bright hello")
    page.get_by_test_id("leaderboard-back").click()
    expect(rows).to_have_count(2)

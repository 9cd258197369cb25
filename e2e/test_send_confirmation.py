"""Publishing a journey and sending a campaign ask first: how many will enter or receive it, who
is left out and why, a few recipients. Cancelling changes nothing; confirming does what it said,
and the journey's statistics show who was left out, each reason leading to its contacts."""

import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact

OPTED_IN = {"email_opt_in": True, "consent_level": "marketing"}


def segment_of(api: httpx.Client, name: str, people: list[dict[str, Any]]) -> int:
    segment = api.post("/api/segments", json={"name": name, "kind": "static"}).json()
    response = api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [p["id"] for p in people]})
    assert response.status_code < 300, response.text
    return int(segment["id"])


def mixed_audience(api: httpx.Client, stamp: int) -> dict[str, list[dict[str, Any]]]:
    """Contacts who will get through, and others hitting the rules: consent too low,
    unsubscribed, in the journey's suppression segment."""

    def made(prefix: str, count: int, **fields: Any) -> list[dict[str, Any]]:
        return [
            create_contact(api, email=f"{prefix}{i}.{stamp}@example.org", first_name=f"{prefix.title()}{i}", **fields)
            for i in range(count)
        ]

    return {
        "ok": made("reader", 3, **OPTED_IN),
        "low": made("lowconsent", 2, email_opt_in=True, consent_level="transactional"),
        "unsubscribed": made("gone", 1, **OPTED_IN, unsubscribed=True),
        "held": made("held", 1, **OPTED_IN),
    }


def test_publishing_a_journey_asks_first_and_explains_who_is_left_out(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    people = mixed_audience(api, stamp)
    everyone = [p for group in people.values() for p in group]
    segment = segment_of(api, f"Spring list {stamp}", everyone)
    suppression = segment_of(api, f"Do not disturb {stamp}", people["held"])
    mail = api.post(
        "/api/emails",
        json={"name": f"Hello {stamp}", "subject": "Hello", "from_name": "Parcours", "from_email": "news@example.fr"},
    ).json()
    definition = {
        "nodes": [
            {
                "id": "start",
                "type": "entry.segment",
                "config": {"segment_id": segment},
                "position": {"x": 200, "y": 40},
            },
            {
                "id": "mail",
                "type": "action.email",
                "config": {"email_id": mail["id"]},
                "position": {"x": 200, "y": 220},
            },
        ],
        "edges": [{"source": "start", "target": "mail"}],
    }
    journey = api.post(
        "/api/journeys",
        json={"name": f"Spring {stamp}", "definition": definition, "settings": {"suppression_segment_id": suppression}},
    ).json()
    page.goto(f"/journeys/{journey['id']}")

    page.get_by_test_id("journey-publish").click()
    dialog = page.get_by_test_id("audience-confirm-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("audience-total")).to_have_text("7 contacts in the entry's audience")
    expect(page.get_by_test_id("audience-entering")).to_have_text("4 contacts will enter the journey")
    expect(page.get_by_test_id("audience-left-out-consent_below_minimum")).to_contain_text(
        re.compile(r"2\s*Consent below the required level")
    )
    expect(page.get_by_test_id("audience-left-out-suppression_segment")).to_contain_text(
        re.compile(r"1\s*In the journey's suppression segment")
    )
    expect(page.get_by_test_id("audience-sample")).to_contain_text("Reader0")
    expect(page.get_by_test_id("audience-first-send")).to_be_visible()
    # Of the 4 entering, the unsubscribed contact will not get the first email.
    expect(page.get_by_test_id("audience-first-email")).to_contain_text("3 will receive the first email")
    expect(page.get_by_test_id("audience-first-email-left-out-unsubscribed")).to_contain_text("Unsubscribed")
    expect(page.get_by_test_id("audience-confirm")).to_have_text("Publish and enrol 4 contacts")

    # Cancel: nothing happened.
    page.get_by_test_id("audience-cancel").click()
    expect(dialog).to_be_hidden()
    assert api.get(f"/api/journeys/{journey['id']}/runs").json() == []
    assert api.get(f"/api/journeys/{journey['id']}").json()["status"] == "draft"

    page.get_by_test_id("journey-publish").click()
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "published")
    kept = api.get(f"/api/journeys/{journey['id']}").json()["published_audience"]
    assert (kept["total"], kept["entering"]) == (7, 4)
    assert len(api.get(f"/api/journeys/{journey['id']}/runs").json()) == 4
    expect(page.get_by_test_id("node-count-start")).to_contain_text("4 in", timeout=20_000)
    expect(page.get_by_test_id("node-left-out-start")).to_have_text("3 left out")
    # The unsubscribed contact entered; its email is not sent, and the step says why.
    expect(page.get_by_test_id("node-left-out-mail")).to_have_text("1 left out", timeout=30_000)

    page.get_by_test_id("journey-tab-stats").click()
    expect(page.get_by_test_id("journey-published-audience")).to_contain_text("7 in the audience, 4 entered")
    expect(page.get_by_test_id("journey-stats-entered")).to_contain_text("4")
    page.get_by_test_id("journey-left-out-open-consent_below_minimum").click()
    drawer = page.get_by_test_id("journey-left-out-people")
    expect(drawer).to_contain_text("Lowconsent0")
    expect(drawer).to_contain_text("Lowconsent1")
    page.keyboard.press("Escape")
    page.get_by_test_id("journey-step-left-out-mail-open-unsubscribed").click()
    expect(page.get_by_test_id("journey-left-out-people")).to_contain_text("Gone0")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("journey-email-captured")).to_contain_text("Captured (no mail server configured)")


def test_sending_a_campaign_asks_first_and_keeps_its_numbers(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    people = mixed_audience(api, stamp)
    segment_name = f"Campaign list {stamp}"
    segment_of(api, segment_name, [p for group in people.values() for p in group])
    mail = api.post(
        "/api/emails",
        json={"name": f"Sale {stamp}", "subject": "Sale", "from_name": "Parcours", "from_email": "news@example.fr"},
    ).json()
    campaigns_before = api.get("/api/campaigns").json()["total"]

    page.goto(f"/emails/campaigns/new?email={mail['id']}")
    page.get_by_test_id("campaign-segments").click()
    page.get_by_role("option", name=re.compile(segment_name)).click()
    page.keyboard.press("Escape")
    page.get_by_test_id("campaign-send").click()
    expect(page.get_by_test_id("audience-confirm-dialog")).to_be_visible()
    expect(page.get_by_test_id("audience-total")).to_contain_text("7 contacts")
    expect(page.get_by_test_id("audience-receiving")).to_have_text("4 contacts will receive it")
    expect(page.get_by_test_id("audience-left-out-unsubscribed")).to_contain_text(re.compile(r"1\s*Unsubscribed"))
    expect(page.get_by_test_id("audience-left-out-consent_below_minimum")).to_contain_text("2")
    expect(page.get_by_test_id("audience-confirm")).to_have_text("Send to 4 contacts")

    page.get_by_test_id("audience-cancel").click()
    expect(page.get_by_test_id("audience-confirm-dialog")).to_be_hidden()
    assert api.get("/api/campaigns").json()["total"] == campaigns_before

    page.get_by_test_id("campaign-send").click()
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("Sent", timeout=30_000)
    expect(page.get_by_test_id("campaign-left-out-unsubscribed")).to_contain_text("Unsubscribed")
    expect(page.get_by_test_id("stat-captured")).to_have_text("4", timeout=20_000)
    campaign_id = int(re.search(r"/campaigns/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    campaign = api.get(f"/api/campaigns/{campaign_id}").json()
    assert campaign["totals"]["sent"] == 4 and campaign["totals"]["suppressed"] == 3

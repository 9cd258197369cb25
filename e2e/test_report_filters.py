"""The reports' filter pane is one for every report page: a period, journeys, emails and an
audience chosen on one page are still applied on the next one reached through the menu, they are
kept in the URL, and a reload keeps them."""

import re
import uuid
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import Page, expect


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_the_filters_follow_the_marketer_across_report_pages_and_a_reload(page: Page, api: httpx.Client) -> None:
    stamp = uuid.uuid4().hex[:6]
    templates = api.get("/api/templates", params={"kind": "journey"}).json()
    journey = api.post("/api/journeys", json={"name": f"Welcome {stamp}", "template_id": templates[0]["id"]})
    assert journey.status_code == 201, journey.text
    email = api.post(
        "/api/emails",
        json={"name": f"Letter {stamp}", "subject": "News", "from_name": "Parcours", "from_email": "news@example.org"},
    )
    assert email.status_code == 201, email.text
    segment = api.post("/api/segments", json={"name": f"Readers {stamp}", "kind": "static"})
    assert segment.status_code == 201, segment.text
    journey_id, email_id, segment_id = journey.json()["id"], email.json()["id"], segment.json()["id"]

    # The leaderboard: a period from the presets, a journey and an email.
    page.goto("/reports/leaderboard")
    page.get_by_test_id("report-period").click()
    page.get_by_role("button", name="Last 7 days").click()
    page.keyboard.press("Escape")
    week = [(date.today() - timedelta(days=6)).isoformat(), date.today().isoformat()]
    expect(page).to_have_url(re.compile(rf"from={week[0]}"))
    page.get_by_test_id("report-journeys").click()
    page.get_by_role("option", name=f"Welcome {stamp}").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(rf"journey_ids={journey_id}"))
    page.get_by_test_id("report-emails").click()
    page.get_by_role("option", name=f"Letter {stamp}").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(rf"email_ids={email_id}"))
    # The URL changes at once; the menu's links follow at the next render (a React transition).
    expect(page.get_by_test_id("report-filters")).to_contain_text(f"Letter {stamp}")

    # Lead generation through the menu: the period and the journey came along; add an audience.
    page.get_by_test_id("reports-menu-lead-generation").click()
    expect(page).to_have_url(re.compile(r"/reports/lead-generation\?"))
    filters = page.get_by_test_id("report-filters")
    expect(filters).to_contain_text(f"Welcome {stamp}")
    assert (query(page)["from"], query(page)["to"]) == ([week[0]], [week[1]])
    page.get_by_test_id("report-segment").click()
    page.get_by_role("option", name=f"Readers {stamp}").click()
    expect(page).to_have_url(re.compile(rf"segment_id={segment_id}"))
    expect(page.get_by_test_id("report-segment")).to_have_value(f"Readers {stamp}")

    # ROI through the menu, then a reload: every filter is still in the URL and on screen.
    page.get_by_test_id("reports-menu-roi").click()
    expect(page).to_have_url(re.compile(r"/reports/roi\?"))
    for current in ("before the reload", "after the reload"):
        wanted = {
            "from": [week[0]],
            "to": [week[1]],
            "journey_ids": [str(journey_id)],
            "email_ids": [str(email_id)],
            "segment_id": [str(segment_id)],
        }
        assert query(page) == wanted, current
        expect(filters).to_contain_text(f"Welcome {stamp}")
        expect(page.get_by_test_id("report-segment")).to_have_value(f"Readers {stamp}")
        page.reload()

    # Back on the leaderboard: the email chosen there is still applied.
    page.get_by_test_id("reports-menu-leaderboard").click()
    expect(page).to_have_url(re.compile(r"/reports/leaderboard\?"))
    expect(filters).to_contain_text(f"Letter {stamp}")
    expect(filters).to_contain_text(f"Welcome {stamp}")

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


def pick(page: Page, test_id: str, *options: str) -> None:
    """Open a list of the filter pane, click these options one after the other, close it."""
    page.get_by_test_id(test_id).click()
    for option in options:
        page.get_by_role("option", name=option).click()
    page.keyboard.press("Escape")


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
    pick(page, "report-journeys", f"Welcome {stamp}")
    # No wait here: the email picked before the journey's change is rendered must not undo it.
    pick(page, "report-emails", f"Letter {stamp}")
    expect(page).to_have_url(re.compile(rf"email_ids={email_id}"))
    expect(page).to_have_url(re.compile(rf"journey_ids={journey_id}"))
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


def test_quick_picks_on_a_slow_computer_are_all_kept(page: Page, api: httpx.Client) -> None:
    """Two journeys and an email picked one after the other without a pause, on a computer six times
    slower than this one: the page renders each pick later than the next one is made, and every
    pick is still in the URL and on screen."""
    stamp = uuid.uuid4().hex[:6]
    templates = api.get("/api/templates", params={"kind": "journey"}).json()
    journeys = [
        api.post("/api/journeys", json={"name": f"{name} {stamp}", "template_id": templates[0]["id"]}).json()["id"]
        for name in ("Onboarding", "Renewal")
    ]
    email = api.post(
        "/api/emails",
        json={"name": f"Digest {stamp}", "subject": "News", "from_name": "Parcours", "from_email": "news@example.org"},
    ).json()["id"]
    page.goto("/reports/leaderboard")
    expect(page.get_by_test_id("report-journeys")).to_be_visible()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 6})
    pick(page, "report-journeys", f"Onboarding {stamp}", f"Renewal {stamp}")
    pick(page, "report-emails", f"Digest {stamp}")
    expect(page).to_have_url(re.compile(rf"email_ids={email}"))
    assert sorted(query(page)["journey_ids"]) == sorted(str(j) for j in journeys)
    # Back to full speed to read the screen: the slowed page takes seconds to render each change
    # on a busy machine, and what is checked here is that no pick was lost, not how fast it shows.
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    filters = page.get_by_test_id("report-filters")
    for name in (f"Onboarding {stamp}", f"Renewal {stamp}", f"Digest {stamp}"):
        expect(filters).to_contain_text(name)
    # Backspace in the list removes its last journey, and only that one.
    page.get_by_test_id("report-journeys").click()
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    expect(page).not_to_have_url(re.compile(rf"journey_ids={journeys[1]}"))
    assert query(page)["journey_ids"] == [str(journeys[0])]
    assert query(page)["email_ids"] == [str(email)]

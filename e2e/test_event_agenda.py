"""A marketer builds an event's agenda in the editor (checked as it is typed, reordered, a removal
undone) and the public page shows it; the registrations list pages through a full event."""

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Server

PARIS = ZoneInfo("Europe/Paris")
INPUT = "%Y-%m-%dT%H:%M"


def create_event(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    start = (datetime.now(PARIS) + timedelta(days=12)).replace(hour=14, minute=0, second=0, microsecond=0)
    body = {
        "name": f"Agenda day {time.monotonic_ns()}",
        "type": "in_person",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=4)).isoformat(),
        "timezone": "Europe/Paris",
        "status": "published",
        **fields,
    }
    response = api.post("/api/events", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_marketer_builds_the_agenda_and_the_public_page_shows_it(
    page: Page, api: httpx.Client, browser: Browser, server: Server
) -> None:
    event = create_event(api)
    start = datetime.fromisoformat(event["starts_at"]).astimezone(PARIS)
    at = lambda minutes: (start + timedelta(minutes=minutes)).strftime(INPUT)
    speaker = api.post(f"/api/events/{event['id']}/team", json={"name": "Grace Hopper", "role": "speaker"})
    assert speaker.status_code == 201, speaker.text

    page.goto(f"/events/{event['id']}")
    expect(page.get_by_test_id("event-agenda-empty")).to_be_visible()

    # The first session starts with the event.
    page.get_by_test_id("event-session-add").click()
    expect(page.get_by_test_id("event-session-starts-0")).to_have_value(at(0))
    page.get_by_test_id("event-session-title-0").fill("Welcome")
    page.get_by_test_id("event-session-ends-0").fill(at(30))

    # The second starts where the first ends; ending before it starts is flagged at once.
    page.get_by_test_id("event-session-add").click()
    expect(page.get_by_test_id("event-session-starts-1")).to_have_value(at(30))
    page.get_by_test_id("event-session-title-1").fill("Keynote")
    page.get_by_test_id("event-session-ends-1").fill(at(15))
    expect(page.get_by_text("The session must end after it starts.")).to_be_visible()
    page.get_by_test_id("event-save").click()
    expect(page.get_by_test_id("event-save-error")).to_be_visible()
    assert api.get(f"/api/events/{event['id']}").json()["sessions"] == []
    # Past the end of the event is flagged too.
    page.get_by_test_id("event-session-ends-1").fill(at(5 * 60))
    expect(page.get_by_text("The session must take place between the start and the end of the event.")).to_be_visible()
    page.get_by_test_id("event-session-ends-1").fill(at(90))
    expect(page.get_by_text("The session must end after it starts.")).to_have_count(0)
    expect(page.get_by_text("The session must take place between the start and the end of the event.")).to_have_count(0)

    # The team's speakers are offered.
    page.get_by_test_id("event-session-speaker-1").fill("Gra")
    page.get_by_role("option", name="Grace Hopper").click()
    expect(page.get_by_test_id("event-session-speaker-1")).to_have_value("Grace Hopper")

    # Move, remove, undo.
    page.get_by_test_id("event-session-up-1").click()
    expect(page.get_by_test_id("event-session-title-0")).to_have_value("Keynote")
    page.get_by_test_id("event-session-down-0").click()
    expect(page.get_by_test_id("event-session-title-0")).to_have_value("Welcome")
    page.get_by_test_id("event-session-remove-0").click()
    expect(page.get_by_test_id("event-session-title-0")).to_have_value("Keynote")
    expect(page.get_by_test_id("event-session-title-1")).to_have_count(0)
    page.get_by_test_id("event-session-undo").click()
    expect(page.get_by_test_id("event-session-title-0")).to_have_value("Welcome")
    expect(page.get_by_test_id("event-session-title-1")).to_have_value("Keynote")

    page.get_by_test_id("event-save").click()
    expect(page.get_by_test_id("event-save-state")).to_have_text("All changes saved")
    sessions = api.get(f"/api/events/{event['id']}").json()["sessions"]
    assert [(s["title"], s["speaker"]) for s in sessions] == [("Welcome", None), ("Keynote", "Grace Hopper")]
    assert datetime.fromisoformat(sessions[1]["ends_at"]) == start + timedelta(minutes=90)

    # After a reload the agenda is the saved one.
    page.reload()
    expect(page.get_by_test_id("event-session-title-1")).to_have_value("Keynote")
    expect(page.get_by_test_id("event-session-ends-1")).to_have_value(at(90))

    visitor = browser.new_context(base_url=server.base_url, locale="en-US")
    public = visitor.new_page()
    public.goto(f"/e/{event['slug']}")
    expect(public.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    expect(public.locator("li")).to_have_text(
        [f"{start:%H:%M} Welcome", f"{start + timedelta(minutes=30):%H:%M} Keynote — Grace Hopper"]
    )
    visitor.close()


def test_the_registrations_list_pages_through_a_full_event(page: Page, api: httpx.Client) -> None:
    event = create_event(api)
    tag = f"paged{time.monotonic_ns()}"
    emails = [f"{tag}.{n:02d}@example.org" for n in range(57)]
    for email in emails:
        response = api.post(f"/api/events/{event['id']}/registrations", json={"email": email})
        assert response.status_code == 201, response.text

    def shown() -> list[str]:
        rows = page.locator("[data-testid^='registration-row-']")
        return [rows.nth(i).get_attribute("data-email") or "" for i in range(rows.count())]

    page.goto(f"/events/{event['id']}")
    page.get_by_test_id("event-tab-registrations").click()
    expect(page.get_by_test_id("registrations-total")).to_have_text("57 registrations")
    expect(page.locator("[data-testid^='registration-row-']")).to_have_count(50)
    first = shown()
    expect(page.get_by_test_id("registrations-pagination")).to_be_visible()
    page.get_by_test_id("registrations-page-2").click()
    expect(page.locator("[data-testid^='registration-row-']")).to_have_count(7)
    second = shown()
    assert sorted(first + second) == emails

    # The list refreshes every 3 s and stays on the page shown.
    page.wait_for_timeout(3_500)
    expect(page.get_by_test_id("registrations-page-2")).to_have_attribute("aria-current", "page")
    assert shown() == second

    # Another search starts again from the first page.
    page.get_by_test_id("registrations-search").fill(tag)
    expect(page.get_by_test_id("registrations-page-1")).to_have_attribute("aria-current", "page")
    expect(page.locator("[data-testid^='registration-row-']")).to_have_count(50)
    page.get_by_test_id("registrations-search").fill(f"{tag}.05")
    expect(page.locator("[data-testid^='registration-row-']")).to_have_count(1)
    expect(page.get_by_test_id("registrations-pagination")).to_have_count(0)
    expect(page.get_by_test_id("registrations-total")).to_have_text("1 registration")

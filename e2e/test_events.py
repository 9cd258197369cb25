"""A marketer creates a webinar with two seats and a budget, adds a speaker and a cost line,
publishes; three people register through the public page (the third waits); cancelling a seat
promotes the waiting person; check-in marks attendance; the dashboard shows the figures."""

import re
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Server


def event_named(api: httpx.Client, name: str) -> dict[str, Any]:
    found = api.get("/api/events", params={"q": name}).json()["items"]
    assert len(found) == 1, found
    return dict(found[0])


def registration_of(api: httpx.Client, event_id: int, email: str) -> dict[str, Any]:
    items = api.get(f"/api/events/{event_id}/registrations", params={"q": email}).json()["items"]
    return dict(next(r for r in items if r["email"] == email))


def register_on_public_page(browser: Browser, server: Server, slug: str, email: str, first: str, last: str) -> Page:
    context = browser.new_context(base_url=server.base_url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"/e/{slug}")
    page.get_by_test_id("public-email").fill(email)
    page.get_by_test_id("public-first-name").fill(first)
    page.get_by_test_id("public-last-name").fill(last)
    page.get_by_test_id("public-consent").check()
    page.get_by_test_id("public-submit").click()
    page.get_by_test_id("public-result").wait_for()
    return page


def test_a_marketer_runs_a_webinar_from_creation_to_dashboard(
    page: Page, api: httpx.Client, browser: Browser, server: Server
) -> None:
    stamp = time.monotonic_ns()
    name = f"Growth webinar {stamp}"
    start = (datetime.now() + timedelta(days=10)).replace(hour=14, minute=0, second=0, microsecond=0)

    # Create: the form checks the dates as they are typed.
    page.goto("/events")
    page.get_by_test_id("events-new").click()
    page.get_by_test_id("event-name").fill(name)
    page.get_by_test_id("event-type").get_by_text("Webinar").click()
    page.get_by_test_id("event-starts-at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("event-ends-at").fill((start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    expect(page.get_by_text("The event must end after it starts.")).to_be_visible()
    page.get_by_test_id("event-ends-at").fill((start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    expect(page.get_by_text("The event must end after it starts.")).to_have_count(0)
    page.get_by_test_id("event-timezone").click()
    page.get_by_test_id("event-timezone").fill("Europe/Paris")
    page.get_by_role("option", name="Europe/Paris").click()
    page.get_by_test_id("event-online-url").fill("https://meet.example.org/growth")
    page.get_by_test_id("event-capacity").fill("2")
    page.get_by_test_id("event-budget").fill("1000")
    # Reminders a day and an hour before are proposed; a week before is added.
    page.get_by_test_id("event-reminder-P7D").click()
    expect(page.get_by_test_id("event-save-state")).to_have_text("Unsaved changes")
    page.get_by_test_id("event-save").click()
    expect(page).to_have_url(re.compile(r"/events/\d+$"))
    expect(page.get_by_test_id("event-status")).to_have_text("Draft")
    expect(page.get_by_test_id("event-save-state")).to_have_text("All changes saved")
    event = event_named(api, name)
    assert (event["type"], event["capacity"], event["budget"], event["timezone"]) == (
        "webinar",
        2,
        1000,
        "Europe/Paris",
    )
    assert event["reminders"] == ["P7D", "P1D", "PT1H"]
    assert event["starts_at"].startswith(start.strftime("%Y-%m-%d"))

    # The team and the money.
    page.get_by_test_id("event-tab-team").click()
    page.get_by_test_id("team-name").fill("Ada Lovelace")
    page.get_by_test_id("team-role").click()
    page.get_by_role("option", name="Speaker").click()
    page.get_by_test_id("team-internal").uncheck()
    page.get_by_test_id("team-responsibilities").fill("Keynote on growth loops")
    page.get_by_test_id("team-add").click()
    expect(page.get_by_test_id("team-table").get_by_test_id("team-row-name")).to_have_text("Ada Lovelace")
    [member] = api.get(f"/api/events/{event['id']}/team").json()
    row = page.get_by_test_id(f"team-row-{member['id']}")
    expect(row.get_by_test_id("team-row-role")).to_have_text("Speaker")
    expect(row.get_by_test_id("team-row-internal")).to_have_text("External")

    page.get_by_test_id("event-tab-budget").click()
    page.get_by_test_id("cost-category").click()
    page.get_by_role("option", name="Ads").click()
    page.get_by_test_id("cost-label").fill("LinkedIn campaign")
    page.get_by_test_id("cost-amount").fill("300")
    page.get_by_test_id("cost-add").click()
    expect(page.get_by_test_id("budget-costs")).to_have_text("€300.00")
    expect(page.get_by_test_id("budget-left")).to_have_text("€700.00")
    expect(page.get_by_test_id("costs-table").get_by_test_id("cost-row-label")).to_have_text("LinkedIn campaign")

    page.get_by_test_id("event-publish").click()
    expect(page.get_by_test_id("event-status")).to_have_text("Published")
    expect(page.get_by_test_id("event-public-link")).to_have_attribute("href", f"/e/{event['slug']}")

    # Three people register on the public page: the third joins the waitlist.
    people = [
        (f"ana.{stamp}@example.org", "Ana", "Lima"),
        (f"ben.{stamp}@example.org", "Ben", "Okafor"),
        (f"chloe.{stamp}@example.org", "Chloé", "Martin"),
    ]
    results = [register_on_public_page(browser, server, event["slug"], *person) for person in people]
    for public in results[:2]:
        expect(public.get_by_test_id("public-result")).to_have_attribute("data-status", "confirmed")
    expect(results[2].get_by_test_id("public-result")).to_have_attribute("data-status", "waitlisted")
    expect(results[2].get_by_test_id("public-result")).to_contain_text("you are on the waitlist, position 1")
    for public in results:
        public.context.close()

    ana, ben, chloe = (registration_of(api, event["id"], email) for email, _, _ in people)
    page.get_by_test_id("event-tab-registrations").click()
    expect(page.get_by_test_id("registrations-total")).to_have_text("3 registrations")
    expect(page.get_by_test_id(f"registration-row-{ana['id']}").get_by_test_id("registration-status")).to_have_text(
        "Confirmed"
    )
    expect(page.get_by_test_id(f"registration-row-{chloe['id']}").get_by_test_id("registration-status")).to_have_text(
        "Waitlist #1"
    )
    page.get_by_test_id("registrations-search").fill("Chloé")
    expect(page.get_by_test_id("registrations-total")).to_have_text("1 registration")
    page.get_by_test_id("registrations-search").fill("")

    # Ana cancels: Chloé gets the seat (the worker promotes her; the tab follows).
    page.get_by_test_id(f"registration-row-{ana['id']}").get_by_test_id("registration-cancel").click()
    page.get_by_test_id("registration-cancel-confirm").click()
    expect(page.get_by_test_id(f"registration-row-{ana['id']}").get_by_test_id("registration-status")).to_have_text(
        "Cancelled"
    )
    expect(
        page.get_by_test_id(f"registration-row-{chloe['id']}").get_by_test_id("registration-status")
    ).to_have_attribute("data-status", "confirmed")
    assert registration_of(api, event["id"], people[2][0])["promoted_at"] is not None

    # The capacity cannot go below the confirmed seats: the server's refusal shows on the field.
    page.get_by_test_id("event-tab-details").click()
    page.get_by_test_id("event-capacity").fill("1")
    page.get_by_test_id("event-save").click()
    expect(page.get_by_text("the capacity cannot go below 2")).to_be_visible()
    assert api.get(f"/api/events/{event['id']}").json()["capacity"] == 2
    page.get_by_test_id("event-capacity").fill("2")
    expect(page.get_by_test_id("event-save-state")).to_have_text("All changes saved")

    # Ben arrives: checked in.
    page.get_by_test_id("event-tab-registrations").click()
    page.get_by_test_id(f"registration-row-{ben['id']}").get_by_test_id("registration-check-in").click()
    expect(page.get_by_test_id(f"registration-row-{ben['id']}").get_by_test_id("registration-attendance")).to_have_text(
        "Attended"
    )

    # Chloé joined online: the webinar platform's attendance export checks her in.
    with page.expect_file_chooser() as chooser:
        page.get_by_test_id("attendance-import").click()
    export = f"Name;Email;Joined\nChloé Martin;{people[2][0]};10:02\nWalk In;walk.in.{stamp}@example.org;10:05\n"
    chooser.value.set_files(files=[{"name": "attendees.csv", "mimeType": "text/csv", "buffer": export.encode()}])
    expect(
        page.get_by_text("Attendance imported: 1 checked in, 0 already present, 0 without a seat, 1 not registered.")
    ).to_be_visible()
    expect(
        page.get_by_test_id(f"registration-row-{chloe['id']}").get_by_test_id("registration-attendance")
    ).to_have_text("Attended")

    # The dashboard: two attendees out of two seats, €300 of costs shared by them.
    page.get_by_test_id("event-tab-dashboard").click()
    expect(page.get_by_test_id("stats-confirmed")).to_have_text("2")
    expect(page.get_by_test_id("stats-waitlist")).to_have_text("0")
    expect(page.get_by_test_id("stats-cancelled")).to_have_text("1")
    expect(page.get_by_test_id("stats-attended")).to_have_text("2")
    expect(page.get_by_test_id("stats-attendance-rate")).to_have_text("100%")
    expect(page.get_by_test_id("stats-cost-per-attendee")).to_have_text("€150.00")
    expect(page.get_by_test_id("stats-capacity-used")).to_have_text("2 of 2 seats taken (100%)")
    expect(page.get_by_test_id("stats-chart")).to_be_visible()
    stats = api.get(f"/api/events/{event['id']}/stats").json()
    assert (stats["attended"], stats["cost_per_attendee"], stats["costs"]) == (2, 150, 300)

    # The list shows the event full, nobody waiting.
    page.get_by_test_id("event-back").click()
    row = page.get_by_test_id(f"event-row-{event['id']}")
    expect(row.get_by_test_id("event-row-seats")).to_have_text("2 / 2")
    expect(row.get_by_test_id("event-row-waitlist")).to_have_text("0")
    expect(row.get_by_test_id("event-row-status")).to_have_text("Published")


def test_a_new_event_asks_its_type_and_starts_in_the_organizations_time_zone(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    assert api.get("/api/organization").json()["timezone"] == "UTC"
    try:
        # Until an administrator chooses one, the organization's zone is UTC, and the tab says so.
        page.goto("/settings")
        page.get_by_test_id("settings-tab-organization").click()
        expect(page.get_by_test_id("organization-zone-unset")).to_contain_text("new events are created in UTC")
        expect(page.get_by_test_id("organization-timezone")).to_have_value("UTC")
        page.get_by_test_id("organization-name").fill("Maison Lumière")
        page.get_by_test_id("organization-timezone").click()
        page.get_by_test_id("organization-timezone").fill("New York")
        # Each zone shows the time it is there now.
        new_york = page.get_by_role("option", name=re.compile(r"^America\/New York"))
        expect(new_york).to_contain_text(re.compile(r"\d\d:\d\d"))
        new_york.click()
        expect(page.get_by_test_id("organization-local-time")).to_contain_text("now in America/New_York")
        page.get_by_test_id("organization-save").click()
        expect(page.get_by_text("Organization settings saved.")).to_be_visible()
        expect(page.get_by_test_id("organization-zone-unset")).to_have_count(0)
        saved = api.get("/api/organization").json()
        assert (saved["name"], saved["timezone"]) == ("Maison Lumière", "America/New_York")

        # A new event starts in that zone, and asks its type instead of choosing one silently.
        page.goto("/events/new")
        expect(page.get_by_test_id("event-timezone")).to_have_value("America/New_York")
        expect(
            page.get_by_text("New events are created in your organization's time zone (America/New_York).")
        ).to_be_visible()
        for kind in ("in_person", "webinar", "hybrid"):
            expect(page.get_by_test_id(f"event-type-{kind}")).to_have_attribute("aria-checked", "false")
        expect(page.get_by_test_id("event-type-webinar")).to_contain_text(
            "Online only: registrants get the link to join."
        )
        expect(page.get_by_test_id("event-where-needs-type")).to_be_visible()
        page.get_by_test_id("event-name").fill(f"Open house {stamp}")
        page.get_by_test_id("event-save").click()
        expect(page.get_by_text("Choose the type of event.")).to_be_visible()
        assert api.get("/api/events", params={"q": f"Open house {stamp}"}).json()["items"] == []

        page.get_by_test_id("event-type-in_person").click()
        expect(page.get_by_test_id("event-venue-name")).to_be_visible()
        expect(page.get_by_test_id("event-online-url")).to_have_count(0)
        page.get_by_test_id("event-type-hybrid").click()
        expect(page.get_by_test_id("event-online-url")).to_be_visible()
        page.get_by_test_id("event-venue-name").fill("La Halle")
        page.get_by_test_id("event-save").click()
        expect(page).to_have_url(re.compile(r"/events/\d+$"))
        event = event_named(api, f"Open house {stamp}")
        assert (event["type"], event["timezone"]) == ("hybrid", "America/New_York")
    finally:
        api.patch("/api/organization", json={"timezone": "UTC"})


def test_cancelling_a_registration_names_its_consequence_and_the_counts_add_up(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    start = datetime.now().astimezone() + timedelta(days=20)
    event = api.post(
        "/api/events",
        json={
            "name": f"Atelier {stamp}",
            "type": "in_person",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": 1,
            "status": "published",
        },
    ).json()
    people = [("Lina", "Haddad"), ("Omar", "Benali"), ("Zoé", "Martin")]
    for first, last in people:
        body = {"email": f"{first.lower()}.{stamp}@example.org", "first_name": first, "last_name": last}
        assert api.post(f"/api/events/{event['id']}/registrations", json=body).status_code < 300
    lina = registration_of(api, event["id"], f"lina.{stamp}@example.org")

    page.goto(f"/events/{event['id']}")
    page.get_by_test_id("event-tab-registrations").click()
    cancel = page.get_by_test_id(f"registration-row-{lina['id']}").get_by_role(
        "button", name="Cancel Lina Haddad's registration"
    )
    cancel.hover()
    expect(page.get_by_role("tooltip")).to_have_text("Cancel Lina Haddad's registration")
    expect(page.get_by_test_id("registrations-filter-all")).to_have_text("All (3)")

    # The dialog's buttons say what each one does; keeping changes nothing.
    cancel.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Cancel the registration")).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel", exact=True)).to_have_count(0)
    dialog.get_by_role("button", name="Keep the registration").click()
    expect(dialog).to_have_count(0)
    assert registration_of(api, event["id"], lina["email"])["status"] == "confirmed"

    cancel.click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel the registration").click()
    expect(page.get_by_test_id(f"registration-row-{lina['id']}").get_by_test_id("registration-status")).to_have_text(
        "Cancelled"
    )

    # Omar gets Lina's seat, Zoé still waits: each filter says how many it holds, and they add up.
    expect(page.get_by_test_id("registrations-filter-confirmed")).to_have_text("Confirmed (1)", timeout=20_000)
    expect(page.get_by_test_id("registrations-filter-waitlisted")).to_have_text("Waitlist (1)")
    expect(page.get_by_test_id("registrations-filter-cancelled")).to_have_text("Cancelled (1)")
    expect(page.get_by_test_id("registrations-filter-all")).to_have_text("All (3)")
    expect(page.get_by_test_id("registrations-total")).to_have_text("3 registrations")

    # The dashboard says the same, in the same words.
    page.get_by_test_id("event-tab-dashboard").click()
    expect(page.get_by_test_id("stats-all")).to_have_text("3")
    expect(page.get_by_text("Confirmed + waitlist + cancelled")).to_be_visible()
    expect(page.get_by_test_id("stats-confirmed")).to_have_text("1")
    expect(page.get_by_test_id("stats-waitlist")).to_have_text("1")
    expect(page.get_by_test_id("stats-cancelled")).to_have_text("1")

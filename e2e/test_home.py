"""The Home after login: the period's figures with their trend in words, a period changed in the
URL, an attention link followed to the event nearly full, and tiles pinned, ordered and removed."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact, login

SOON = datetime.now(UTC) + timedelta(days=10)


def pin(page: Page, title: str, **fields: Any) -> dict[str, Any]:
    """Pin a tile as the logged-in person (tiles are personal: the admin's API key has its own)."""
    body = {"title": title, "report": "/api/reports/overview", "params": {}, "view": "table", **fields}
    answer = page.evaluate(
        """async (body) => {
            const me = await (await fetch("/api/auth/me")).json();
            const response = await fetch("/api/dashboards", {
                method: "POST",
                headers: {"content-type": "application/json", "x-csrf-token": me.csrf_token},
                body: JSON.stringify(body),
            });
            return {status: response.status, body: await response.json()};
        }""",
        body,
    )
    assert answer["status"] == 201, answer
    return dict(answer["body"])


def test_a_marketer_lands_on_the_home_and_reads_the_period(anonymous_page: Page, api: httpx.Client) -> None:
    create_contact(api, first_name="Home", last_name="Figures")
    event = api.post(
        "/api/events",
        json={
            "name": "Packed masterclass",
            "type": "in_person",
            "starts_at": SOON.isoformat(),
            "ends_at": (SOON + timedelta(hours=2)).isoformat(),
            "timezone": "Europe/Paris",
            "capacity": 2,
            "status": "published",
        },
    ).json()
    for n in range(2):
        api.post(f"/api/events/{event['id']}/registrations", json={"email": f"packed{n}@example.org"})

    page = anonymous_page
    page.goto("/login")
    login(page)
    expect(page).to_have_url("/")
    expect(page.get_by_test_id("page-home")).to_be_visible()
    contacts = int(api.get("/api/contacts", params={"limit": 1}).json()["total"])
    expect(page.get_by_test_id("home-figure-contacts-value")).to_have_text(f"{contacts:,}")
    # Nothing before this server started: no change to compare, said in words.
    expect(page.get_by_test_id("home-figure-new_contacts-trend")).to_contain_text(
        "Nothing to compare with in the previous 30 days"
    )
    expect(page.get_by_test_id("home-figure-unique_open_rate")).to_contain_text("Unique opens / delivered")
    expect(page.get_by_test_id("home-as-of")).to_contain_text("Data as of")

    # Another period: the URL says it, the figures follow.
    page.get_by_test_id("report-period").click()
    page.get_by_role("button", name="Last 7 days").click()
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d{2}-\d{2}&to="))
    expect(page.get_by_test_id("home-figure-new_contacts-trend")).to_contain_text("previous 7 days")
    page.keyboard.press("Escape")

    # What needs attention, one click away.
    attention = page.get_by_test_id("home-attention-event_capacity").filter(has_text="Packed masterclass")
    expect(attention).to_contain_text("2 of 2 seats taken")
    attention.get_by_role("link", name="Packed masterclass").click()
    expect(page).to_have_url(re.compile(rf"/events/{event['id']}$"))


def test_pinned_tiles_show_their_report_and_are_ordered_and_removed_with_the_keyboard(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_test_id("home-tiles")).to_be_visible()
    first = pin(page, "Figures of the quarter", params={"from": "2026-01-01", "to": "2026-03-31"})
    second = pin(page, "Figures as a chart", view="chart")
    page.reload()
    tile = page.get_by_test_id(f"home-tile-{first['id']}")
    expect(tile.get_by_role("table")).to_contain_text("new_contacts")
    expect(
        page.get_by_test_id(f"home-tile-{second['id']}").get_by_role("img", name="Figures as a chart")
    ).to_be_visible()
    titles = page.locator("[data-testid$=-link][data-testid^=home-tile-]")
    expect(titles).to_have_text(["Figures of the quarter", "Figures as a chart"])

    page.get_by_test_id(f"home-tile-{first['id']}-down").focus()
    page.keyboard.press("Enter")
    expect(titles).to_have_text(["Figures as a chart", "Figures of the quarter"])
    expect(page.get_by_test_id(f"home-tile-{first['id']}-link")).to_have_attribute(
        "href", "/?from=2026-01-01&to=2026-03-31"
    )

    page.get_by_test_id(f"home-tile-{second['id']}-remove").focus()
    page.keyboard.press("Enter")
    expect(titles).to_have_text(["Figures of the quarter"])
    page.get_by_test_id(f"home-tile-{first['id']}-remove").click()
    expect(page.get_by_test_id("home-tiles")).to_contain_text("Pin a chart or a table")


def test_a_report_is_pinned_from_its_page_and_shown_on_the_home(page: Page) -> None:
    page.goto("/reports/emails?from=2026-01-01&to=2026-01-31")
    page.get_by_test_id("emails-pin").click()
    expect(page.get_by_text("Email results is pinned to your Home.")).to_be_visible()
    page.get_by_test_id("nav-home").click()
    link = page.locator("[data-testid$=-link][data-testid^=home-tile-]").filter(has_text="Email results")
    expect(link).to_have_attribute("href", "/reports/emails?from=2026-01-01&to=2026-01-31")
    link.click()
    expect(page).to_have_url(re.compile(r"/reports/emails\?from=2026-01-01&to=2026-01-31$"))

"""A marketer defines "clicked the pricing page twice in 7 days" on the behavioural fields screen,
watches its preview and backfill, then targets the same behaviour from the segment builder
without ever naming a field."""

import re
import time
from datetime import UTC, datetime, timedelta

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact


def clicks(api: httpx.Client, contact_id: int, url: str, *days_ago: float) -> None:
    now = datetime.now(UTC)
    batch = [
        {
            "type": "email_clicked",
            "contact_id": contact_id,
            "occurred_at": (now - timedelta(days=days)).isoformat(),
            "properties": {"url": url},
        }
        for days in days_ago
    ]
    response = api.post("/api/interactions", json={"batch": batch})
    assert response.status_code == 202, response.text


def pick(page: Page, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_define_a_behavioural_field_and_target_the_behaviour_in_a_segment(page: Page, api: httpx.Client) -> None:
    tag = f"T{time.monotonic_ns()}"  # a last name as contacts keep it (capitalised)
    pricing = f"/pricing?{tag}"
    keen = create_contact(api, first_name="Keen", last_name=tag)
    once = create_contact(api, first_name="Once", last_name=tag)
    stale = create_contact(api, first_name="Stale", last_name=tag)
    clicks(api, keen["id"], f"https://example.com/pricing?{tag}", 1, 3)
    clicks(api, once["id"], f"https://example.com/pricing?{tag}", 2)
    clicks(api, once["id"], f"https://example.com/blog?{tag}", 1)
    clicks(api, stale["id"], f"https://example.com/pricing?{tag}", 10, 12)

    page.goto("/behaviour")
    page.get_by_test_id("behaviour-new").click()
    page.get_by_test_id("behaviour-label").fill("Pricing clicks (7 days)")
    pick(page, "behaviour-aggregate", "How many times")
    pick(page, "behaviour-interaction-type", "Clicked in an email")
    pick(page, "behaviour-interaction-detail", "Address containing")
    page.get_by_test_id("behaviour-interaction-value").fill(pricing)
    page.get_by_test_id("behaviour-window-days").fill("7")
    expect(page.get_by_test_id("behaviour-sentence")).to_contain_text("in the last 7 days")
    # The preview counts the two contacts with a pricing click in the window, before saving.
    expect(page.get_by_test_id("behaviour-preview-with-value")).to_have_attribute("data-count", "2")
    page.get_by_test_id("behaviour-save").click()

    row = page.get_by_test_id("behaviour-row-pricing_clicks_7_days")
    expect(row).to_contain_text("Pricing clicks (7 days)")
    expect(row.get_by_test_id("behaviour-backfill-done")).to_be_visible(timeout=30_000)
    values = {c["id"]: api.get(f"/api/contacts/{c['id']}").json()["scores"] for c in (keen, once, stale)}
    field = "computed_pricing_clicks_7_days"
    assert [values[c["id"]].get(field) for c in (keen, once, stale)] == [2, 1, None]

    # The same behaviour, straight from the segment builder.
    page.goto("/segments")
    page.get_by_test_id("segments-new").click()
    page.get_by_test_id("segment-name").fill("Keen on pricing")
    page.get_by_test_id("builder-add-behaviour").click()
    condition = page.get_by_test_id("condition-0-0")
    expect(condition).to_have_attribute("data-behaviour", "yes")
    pick(page, "condition-0-0-interaction-type", "Clicked in an email")
    pick(page, "condition-0-0-interaction-detail", "Address containing")
    page.get_by_test_id("condition-0-0-interaction-value").fill(pricing)
    page.get_by_test_id("condition-0-0-days").fill("7")
    page.get_by_test_id("condition-0-0-times").fill("2")
    expect(page.get_by_test_id("condition-0-0")).to_have_attribute("data-complete", "yes", timeout=15_000)
    expect(page.get_by_test_id("segment-count")).to_have_text("1", timeout=30_000)
    expect(page.get_by_test_id("segment-sample")).to_contain_text("Keen")
    # "Has not done" turns it around (among these three: the two others).
    page.get_by_test_id("condition-0-0-done").get_by_text("Has not done").click()
    page.get_by_test_id("builder-group-0-add").click()
    pick(page, "condition-0-1-field", "Last name")
    pick(page, "condition-0-1-operator", "is")
    page.get_by_test_id("condition-0-1-value").fill(tag)
    expect(page.get_by_test_id("segment-count")).to_have_text("2", timeout=30_000)
    # The count behind the condition is not offered as a field.
    page.get_by_test_id("condition-0-1-field").click()
    expect(page.get_by_role("option", name=re.compile(tag))).to_have_count(0)
    page.keyboard.press("Escape")

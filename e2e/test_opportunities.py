"""A marketer reads the ROI report's three groups, then creates an opportunity on a contact's page,
edits its budget, revenue and stage in the drawer, and sees it on the contact page and in the list."""

import time

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact


def test_roi_groups_and_an_opportunity_created_and_edited_on_a_contact(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    inbound = create_contact(api, first_name="Inès", origin={"kind": "inbound", "form_id": 1})
    made = api.post(
        "/api/opportunities",
        json={"name": f"Website redesign {stamp}", "contact_id": inbound["id"], "budget": 1000, "actual_revenue": 800},
    )
    assert made.status_code == 201, made.text

    page.goto("/reports/roi")
    for origin in ("sales", "inbound", "outbound"):
        expect(page.get_by_test_id(f"roi-group-{origin}")).to_be_visible()
    expect(page.get_by_test_id("roi-inbound-count")).not_to_have_text("0 opportunities")
    expect(page.get_by_test_id("roi-chart")).to_be_visible()

    contact = create_contact(api, first_name="Bastien", last_name=f"Deal{stamp}")
    page.goto(f"/contacts/{contact['id']}")
    section = page.get_by_test_id("opportunities-section")
    expect(section.get_by_test_id("opportunities-section-table-empty")).to_be_visible()
    section.get_by_test_id("opportunities-section-new").click()
    drawer = page.get_by_test_id("opportunity-form")
    drawer.get_by_test_id("opportunity-save").click()  # no name: refused inline
    expect(drawer).to_contain_text("Give the opportunity a name.")
    drawer.get_by_test_id("opportunity-name").fill(f"Annual licence {stamp}")
    drawer.get_by_test_id("opportunity-budget").fill("1500")
    drawer.get_by_test_id("opportunity-estimated").fill("12000")
    drawer.get_by_test_id("opportunity-save").click()
    row = section.locator("tr[data-testid^='opportunity-row-']").filter(has_text=f"Annual licence {stamp}")
    expect(row.get_by_test_id("opportunity-row-budget")).to_have_text("€1,500.00")
    expect(row.get_by_test_id("opportunity-row-stage")).to_have_text("Qualify")
    expect(row.get_by_test_id("opportunity-row-origin")).to_have_text("Sales")

    row.get_by_test_id("opportunity-edit").click()
    drawer = page.get_by_test_id("opportunity-form")
    drawer.get_by_test_id("opportunity-stage").click()
    page.get_by_role("option", name="Won").click()
    drawer.get_by_test_id("opportunity-actual").fill("11000")
    drawer.get_by_test_id("opportunity-save").click()
    expect(row.get_by_test_id("opportunity-row-stage")).to_have_text("Won")
    expect(row.get_by_test_id("opportunity-row-actual")).to_have_text("€11,000.00")

    found = api.get("/api/opportunities", params={"contact_id": contact["id"]}).json()["items"]
    assert [(o["stage"], o["budget"], o["actual_revenue"]) for o in found] == [("won", 1500, 11000)]
    assert api.get(f"/api/contacts/{contact['id']}").json()["lifecycle_stage"] == "customer"

    page.goto(f"/opportunities?stage=won&q=Annual licence {stamp}")
    expect(page.get_by_test_id("opportunities-table").get_by_text(f"Annual licence {stamp}")).to_be_visible()

"""A marketer asks "revenue by RFM group" without SQL: the chart and the table appear, and the
contacts behind a row become a segment of the size the confirmation announced."""

import re

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import add_interactions, create_contact


def test_revenue_by_rfm_group_and_a_segment_from_a_row(page: Page, api: httpx.Client) -> None:
    for amount in (40, 400):
        contact = create_contact(api)
        add_interactions(api, contact["id"], "purchase", "purchase", amount=amount, category="shoes")
    job = api.post("/api/rfm/recompute").json()["job_id"]
    for _ in range(300):
        if api.get(f"/api/jobs/{job}").json()["status"] in ("done", "failed"):
            break
        page.wait_for_timeout(100)

    page.goto("/reports/explore")
    expect(page.get_by_test_id("explore-dataset")).to_have_value("Purchases")
    page.get_by_test_id("explore-group-0").click()
    page.get_by_role("option", name="RFM group", exact=True).click()
    page.get_by_test_id("explore-measure-0").click()
    page.get_by_role("option", name="Sum", exact=True).click()
    expect(page.get_by_test_id("explore-measure-0-field")).to_have_value("Amount")
    page.get_by_test_id("explore-run").click()

    expect(page.get_by_test_id("explore-chart")).to_be_visible()
    table = page.get_by_test_id("explore-table")
    expect(table).to_contain_text("RFM group")
    expect(table).to_contain_text("Sum of Amount")
    first = page.get_by_test_id("explore-row-0")
    expect(first).to_be_visible()

    question = {"dataset": "purchases", "group_by": ["rfm_segment"], "measures": [{"kind": "sum", "field": "amount"}]}
    answer = api.post("/api/explore", json=question).json()
    values = [answer["rows"][0][0]]
    size = api.post("/api/explore/count", json={"question": question, "values": values}).json()["contacts"]

    page.get_by_test_id("explore-row-0-segment").click()
    expect(page.get_by_test_id("explore-segment-message")).to_contain_text(re.compile(rf"\b{size} contacts?\b"))
    page.get_by_test_id("explore-segment-confirm").click()
    expect(page.get_by_test_id("explore-segment-made")).to_contain_text(f"{size} contact")

    made = [s for s in api.get("/api/segments").json() if s["name"].startswith("Exploration:")]
    assert made and made[-1]["kind"] == "static" and made[-1]["member_count"] == size

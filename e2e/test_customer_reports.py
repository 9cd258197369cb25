"""A marketer reads the customer reports: what share of the base can be emailed (and how a segment
compares), which cohort is worth most after six months and what it cost, turning an RFM group into
a segment, and which product first-time buyers start with. Figures on screen match the API's."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact, wait_for


def percent(share: float) -> str:
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


def months_back(n: int) -> str:
    today = dt.date.today()
    index = today.year * 12 + today.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def buy(api: httpx.Client, contact_id: int, when: dt.datetime, amount: float, product: str) -> None:
    item = {
        "type": "purchase",
        "contact_id": contact_id,
        "occurred_at": when.isoformat(),
        "properties": {"amount": amount, "product": product, "category": "e2e", "order_id": uuid.uuid4().hex},
    }
    response = api.post("/api/interactions", json={"batch": [item]})
    assert response.status_code == 202, response.text


def test_what_share_of_my_base_can_i_email(page: Page, api: httpx.Client) -> None:
    ids = [create_contact(api, email_opt_in=True)["id"] for _ in range(2)] + [create_contact(api)["id"]]
    segment = api.post("/api/segments", json={"name": f"Audience {uuid.uuid4().hex[:6]}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": ids})
    # The whole base is read from its last count: counted again now, with these contacts.
    job_id = api.post("/api/reports/audience/refresh").json()["job_id"]
    deadline = time.monotonic() + 60
    while api.get(f"/api/jobs/{job_id}").json()["status"] != "done" and time.monotonic() < deadline:
        time.sleep(0.2)
    page.goto("/reports")
    page.get_by_test_id("reports-card-audience").click()
    expected: dict[str, Any] = api.get("/api/reports/audience").json()
    emailable = next(o for o in expected["opt_in"] if o["key"] == "emailable")
    expect(page.get_by_test_id("audience-opt-in-emailable-share")).to_have_text(percent(emailable["share"]))
    expect(page.get_by_test_id("report-as-of")).to_contain_text("Data as of")
    # Side by side with the segment: two of its three contacts can be emailed.
    page.get_by_test_id("audience-compare").click()
    page.get_by_role("option", name=segment["name"]).click()
    expect(page.get_by_test_id("audience-opt-in-compared-emailable-share")).to_have_text("66.7%")
    expect(page.get_by_test_id("audience-contacts-1")).to_have_text("3 contacts")
    page.get_by_test_id("audience-dimension").click()
    page.get_by_role("option", name="Lifecycle stage").click()
    expect(page.get_by_test_id("audience-distribution")).to_contain_text(f"Contacts: {segment['name']}")
    # A contact more, counted on demand from the page.
    create_contact(api)
    page.get_by_test_id("audience-count-again").click()
    expect(page.get_by_test_id("audience-contacts-0")).to_have_text(f"{expected['contacts'] + 1:,} contacts")


def test_which_cohort_is_worth_most_and_what_it_cost(page: Page, api: httpx.Client) -> None:
    month = months_back(7)
    first = dt.datetime.fromisoformat(f"{month}-03T10:00:00+00:00")
    buyer = create_contact(api)["id"]
    buy(api, buyer, first, 120.0, "e2e-kit")
    buy(api, buyer, first + dt.timedelta(days=95), 80.0, "e2e-kit")
    assert (
        api.post("/api/marketing-spend", json={"month": month, "channel": "social", "amount": 600}).status_code == 201
    )
    recompute = api.post("/api/rfm/recompute")
    assert recompute.status_code == 202

    def cohort() -> dict[str, Any] | None:  # the cohorts come from the interaction stream, seconds later
        rows = api.get("/api/reports/cohorts", params={"months": 12}).json()["rows"]
        return next((r for r in rows if r["month"] == month and r["ltv"][6] is not None), None)

    row = wait_for(cohort, what="the purchases did not reach the cohorts")
    page.goto("/reports/value")
    expect(page.get_by_test_id("cohorts-definition")).to_contain_text("CAC: marketing spend and event costs")
    expect(page.get_by_test_id(f"cohort-{month}-ltv-6")).to_contain_text(f"{row['ltv'][6]:,.2f}")
    expect(page.get_by_test_id(f"cohort-{month}-cac")).to_contain_text(f"{row['cac']:,.2f}")
    # An RFM group becomes a segment in one click.
    page.get_by_test_id("rfm-group-champions-segment").click()
    page.wait_for_url("**/segments/*")
    segments = api.get("/api/segments").json()
    listed = segments["items"] if isinstance(segments, dict) else segments
    assert any(s.get("rule") == 'rfm_segment == "champions"' for s in listed)


def test_which_product_do_customers_start_with(page: Page, api: httpx.Client) -> None:
    product = f"e2e-starter-{uuid.uuid4().hex[:6]}"
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    for amount in (40.0, 60.0):
        buyer = create_contact(api)["id"]
        buy(api, buyer, now - dt.timedelta(days=3), amount, product)
        buy(api, buyer, now, 10.0, "e2e-refill")

    def counted() -> bool:  # the purchase lines come from the interaction stream, seconds later
        report = api.get("/api/reports/products").json()
        starters = [s for s in report["starters"] if s["name"] == product]
        return bool(starters) and starters[0]["customers"] == 2 and starters[0]["revenue"] == 120.0

    wait_for(counted, what="the purchases did not reach the products report")
    page.goto("/reports/products")
    row = page.get_by_test_id(f"products-starters-{product}")
    expect(row).to_contain_text("2")
    expect(page.get_by_test_id(f"products-starters-{product}-per-customer")).to_contain_text("60.00")
    expect(page.get_by_test_id(f"products-lines-{product}")).to_contain_text("100.00")
    page.get_by_test_id("products-by").get_by_text("Categories").click()
    expect(page.get_by_test_id("products-lines")).to_contain_text("e2e")

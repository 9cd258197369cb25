"""A marketer opens a customer's page: before any purchase the RFM card says so; after purchases and
a recompute started from the card, it shows the contact's group, what it means, and its three scores
as the API computed them."""

import re

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import add_interactions, create_contact


def test_the_contact_page_explains_the_rfm_scores(page: Page, api: httpx.Client) -> None:
    contact = create_contact(api, first_name="Rémi")
    page.goto(f"/contacts/{contact['id']}")
    expect(page.get_by_test_id("contact-rfm-empty")).to_contain_text("No purchase yet")

    add_interactions(api, contact["id"], "purchase", "purchase", amount=120, category="shoes")
    page.get_by_test_id("contact-rfm-recompute").click()
    group = page.get_by_test_id("contact-rfm-group")
    expect(group).to_be_visible(timeout=30_000)

    rfm = api.get(f"/api/rfm/contacts/{contact['id']}").json()
    labels = {f["name"]: f for f in api.get("/api/rules/fields").json()}["rfm_segment"]["choices"]
    expect(group).to_have_text(next(c["label_en"] for c in labels if c["value"] == rfm["segment"]))
    expect(page.get_by_test_id("contact-rfm-explanation")).not_to_be_empty()
    for dimension in ("recency", "frequency", "monetary"):
        expect(page.get_by_test_id(f"contact-rfm-{dimension}")).to_have_text(f"{rfm[dimension]} / 5")
    expect(page.get_by_test_id("contact-rfm-score")).to_contain_text(rfm["score"])
    expect(page.get_by_test_id("contact-rfm-today")).to_contain_text(re.compile(r"2 orders for €240"))

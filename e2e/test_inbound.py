"""Inbound from end to end: a visitor browses two landing pages anonymously (the pages carry the
tracking script), then fills the form on one of them; the contact appears with those earlier page
views, the consent's exact wording, an inbound origin naming the form and the page, a behavioural
score, and the welcome journey started on that form."""

import re
import time
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import wait_for

WORDING = "I agree to receive the Garden Club's monthly letter."


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def inbound_setup(api: httpx.Client, stamp: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], int]:
    """A published form with an email consent, the page that places it, a pricing page without
    one, and a journey that welcomes whoever submits that form."""
    form = created(
        api.post(
            "/api/forms",
            json={
                "name": f"Garden guide {stamp}",
                "slug": f"garden-guide-{stamp}",
                "fields": [
                    {"name": "email", "type": "email", "label": "Your email", "required": True, "maps_to": "email"},
                    {"name": "first_name", "type": "text", "label": "First name", "maps_to": "first_name"},
                    {"name": "news", "type": "consent", "label": WORDING, "maps_to": "consent:email"},
                ],
                "settings": {"no_script": "accept", "minimum_seconds": 0, "consent_version": "2026-12"},
            },
        )
    )
    created(api.post(f"/api/forms/{form['id']}/publish"))

    def page(slug: str, html: str) -> dict[str, Any]:
        made = created(api.post("/api/pages", json={"name": slug, "slug": slug, "language": "en", "html": html}))
        return created(api.post(f"/api/pages/{made['id']}/publish"))

    pricing = page(f"pricing-{stamp}", "<h1>Our prices</h1><p>Three plans for every garden.</p>")
    guide = page(
        f"guide-{stamp}",
        f'<h1>The garden guide</h1><div data-parcours-form="{form["id"]}">Form</div>',
    )
    definition = {
        "nodes": [
            {"id": "start", "type": "entry.interaction", "config": {"type": "form_submitted", "form_id": form["id"]}},
            {"id": "out", "type": "flow.exit", "config": {}},
        ],
        "edges": [{"source": "start", "target": "out"}],
    }
    welcome = created(api.post("/api/journeys", json={"name": f"Welcome {stamp}", "definition": definition}))
    created(api.post(f"/api/journeys/{welcome['id']}/publish"))
    return form, pricing, guide, int(welcome["id"])


def test_an_anonymous_visitor_becomes_an_inbound_contact_with_their_history(
    page: Page, browser: Browser, api: httpx.Client
) -> None:
    stamp = time.monotonic_ns()
    form, pricing, guide, welcome = inbound_setup(api, stamp)
    email = f"gardener.{stamp}@example.org"

    visitor = browser.new_context()
    try:
        tab = visitor.new_page()
        tab.goto(pricing["url"])
        expect(tab.get_by_role("heading", name="Our prices")).to_be_visible()
        tab.wait_for_function("() => window.parcours && window.parcours.anonymousId()")
        tab.goto(guide["url"])
        expect(tab.get_by_role("heading", name="The garden guide")).to_be_visible()
        tab.get_by_label("Your email").fill(email)
        tab.get_by_label("First name").fill("Rosa")
        tab.get_by_label(WORDING).check()
        expect(tab.locator("[data-testid=form-proof] [data-state=verified]")).to_be_visible(timeout=15000)
        tab.locator(f"form[action='/f/{form['slug']}'] [type=submit]").click()
        expect(tab).to_have_url(re.compile(rf"/f/{form['slug']}/thanks"))
    finally:
        visitor.close()

    def contact() -> dict[str, Any] | None:
        items = api.get("/api/contacts", params={"q": email}).json()["items"]
        return next((c for c in items if c["email"] == email), None)

    person = wait_for(contact, what="the visitor did not become a contact")
    assert person["lead_origin"] == "inbound"
    assert (person["lead_origin_form_id"], person["lead_origin_page_id"]) == (form["id"], guide["id"])
    wait_for(
        lambda: [r for r in api.get(f"/api/journeys/{welcome}/runs").json() if r["contact_id"] == person["id"]],
        what="the welcome journey did not start",
    )

    def visits() -> list[dict[str, Any]]:
        items = api.get(f"/api/contacts/{person['id']}/interactions").json()["items"]
        return [i for i in items if i["type"] == "page_visited"]

    # The views reach the contact once the worker has read the submission: allow a busy machine.
    wait_for(
        lambda: len(visits()) >= 2, timeout=60, what=lambda: f"the anonymous page views did not follow: {visits()}"
    )
    assert len(visits()) == 2, visits()

    # The marketer sees the earlier page views, the consent's words and the score on the contact's page.
    page.goto(f"/contacts/{person['id']}")
    expect(page.get_by_test_id("contact-lead-origin")).to_contain_text("Inbound")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_test_id("timeline-item-type").filter(has_text="Page visited")).to_have_count(2)
    expect(timeline.get_by_test_id("timeline-item-type").filter(has_text="Form submitted")).to_have_count(1)
    expect(page.get_by_test_id("contact-score-behavioural-value")).not_to_have_text("0")
    page.get_by_test_id("tab-consent-history").click()
    expect(page.get_by_test_id("consent-history-wording").first).to_contain_text(WORDING)
    expect(page.get_by_test_id("consent-history-form").first).to_contain_text(f"#{form['id']}")

    # The welcome journey's start reads in words, naming its form.
    page.goto(f"/journeys/{welcome}")
    expect(page.locator(".react-flow__node").filter(has_text=f"Form submitted: Garden guide {stamp}")).to_have_count(1)

"""A visitor fills a hosted form in Chromium: the proof-of-work widget (served by our server) solves
its challenge while they type, the post carries it, and the contact appears. The form refuses
posts without proof, so the contact exists only if the browser really did the work."""

import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import after_the_minimum_time, wait_for


def test_a_visitor_proves_the_work_in_the_browser_and_is_created(anonymous_page: Page, api: httpx.Client) -> None:
    slug = f"proof-{int(time.time() * 1000)}"
    body: dict[str, Any] = {
        "name": "Proof of work",
        "slug": slug,
        "fields": [{"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"}],
        "settings": {"no_script": "refuse", "minimum_seconds": 1},
    }
    form = api.post("/api/forms", json=body)
    assert form.status_code == 201, form.text
    assert api.post(f"/api/forms/{form.json()['id']}/publish").status_code == 200
    email = f"{slug}@example.com"

    page = anonymous_page
    page.goto(f"/f/{slug}")
    opened = time.monotonic()
    page.get_by_test_id("form-field-email").fill(email)  # entering the form starts the work
    expect(page.locator("input[name=altcha]")).not_to_have_value("", timeout=15_000)
    after_the_minimum_time(page, opened, 1)  # the work can be solved in less
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("form-message")).to_be_visible()

    stats = f"/api/forms/{form.json()['id']}/stats"
    found = wait_for(
        lambda: api.get("/api/contacts", params={"q": email}).json()["items"],
        what=lambda: f"no contact; the form's figures: {api.get(stats).text}",
    )
    assert [c["email"] for c in found] == [email]
    figures = api.get(stats).json()
    assert figures["submissions"] == 1 and figures["spam_blocked"] == 0

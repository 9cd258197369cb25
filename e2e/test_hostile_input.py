"""Hostile values (HTML, scripts, template syntax, very long text) in contacts, events and forms:
every public page and the SPA screens showing them load, show them as text, and run none of them
(no dialog opens, `window.__pwned` stays unset, the Content-Security-Policy refuses nothing)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Server

SCRIPT = "<script>window.__pwned=1;alert('script')</script>"
# Names are written with capitals (<Script>…): the SPA's names are compared without case.
SCRIPT_ANY_CASE = re.compile(re.escape(SCRIPT), re.IGNORECASE)
IMAGE = "<img src=x onerror=\"window.__pwned=1;alert('img')\">"
TEMPLATE = "{{ 7*7 }} {% raw %}"
LONG = "Ω" * 95 + "end"  # up to the longest name a contact may have


class Watch:
    """What a page did that it should not have: dialogs opened, scripts refused by the policy."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.refused: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda msg: self.refused.append(msg.text) if "Content Security Policy" in msg.text else None)

    def nothing_ran(self, where: str, *, policy_refusals: bool = False) -> None:
        self.page.wait_for_load_state("networkidle")
        assert self.dialogs == [], (where, self.dialogs)
        assert self.page.evaluate("() => window.__pwned") is None, where
        if not policy_refusals:
            assert self.refused == [], (where, self.refused)


@pytest.fixture
def hostile(api: httpx.Client) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    contact = api.post(
        "/api/contacts",
        json={
            "email": f"hostile-{tag}@example.org",
            "first_name": SCRIPT,
            "last_name": IMAGE,
            "job_title": TEMPLATE,
            "city": LONG,
        },
    )
    assert contact.status_code == 201, contact.text
    refused = api.post("/api/contacts", json={"email": f"nul-{tag}@example.org", "first_name": "a\u0000b"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "first_name"
    start = datetime.now(UTC) + timedelta(days=20)
    event = api.post(
        "/api/events",
        json={
            "name": f"{SCRIPT} {tag}",
            "description": f"{IMAGE} {TEMPLATE}",
            "type": "webinar",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "timezone": "Europe/Paris",
            "capacity": 50,
            "status": "published",
            "slug": f"hostile-{tag}",
        },
    )
    assert event.status_code == 201, event.text
    form = api.post(
        "/api/forms",
        json={
            "name": f"Hostile {tag}",
            "slug": f"hostile-form-{tag}",
            "fields": [
                {"name": "email", "type": "email", "label": SCRIPT, "required": True, "maps_to": "email"},
                {"name": "first_name", "type": "text", "label": IMAGE, "maps_to": "first_name"},
                {"name": "note", "type": "text", "label": TEMPLATE},
            ],
            "settings": {"no_script": "accept", "minimum_seconds": 0, "thank_you": SCRIPT},
        },
    )
    assert form.status_code == 201, form.text
    assert api.post(f"/api/forms/{form.json()['id']}/publish").status_code == 200
    yield {"contact": contact.json(), "event": event.json(), "form": form.json(), "tag": tag}


def test_public_pages_show_hostile_values_as_text(browser: Browser, server: Server, hostile: dict[str, Any]) -> None:
    context = browser.new_context(base_url=server.base_url, locale="en-US")
    try:
        page = context.new_page()
        watch = Watch(page)
        page.goto(f"/e/{hostile['event']['slug']}")
        expect(page.get_by_test_id("public-event-name")).to_have_text(f"{SCRIPT} {hostile['tag']}")
        expect(page.get_by_text(TEMPLATE)).to_be_visible()
        watch.nothing_ran("the event page")
        # A visitor registers with hostile values of their own; the confirmation shows them as text.
        page.get_by_test_id("public-email").fill(f"visitor-{hostile['tag']}@example.org")
        page.get_by_test_id("public-first-name").fill(IMAGE)
        page.get_by_test_id("public-last-name").fill(TEMPLATE)
        page.get_by_test_id("public-submit").click()
        page.wait_for_load_state("networkidle")
        watch.nothing_ran("the registration's answer")

        page.goto(f"/f/{hostile['form']['slug']}")
        expect(page.get_by_text(SCRIPT).first).to_be_visible()
        expect(page.get_by_text(IMAGE).first).to_be_visible()
        expect(page.get_by_text(TEMPLATE).first).to_be_visible()
        page.get_by_test_id("form-field-email").fill(f"filler-{hostile['tag']}@example.org")
        page.get_by_test_id("form-field-first_name").fill(SCRIPT)
        page.get_by_test_id("form-field-note").fill(IMAGE + TEMPLATE + "x" * 2000)
        watch.nothing_ran("the hosted form")
        expect(page.locator("input[name=altcha]")).not_to_have_value("", timeout=15_000)
        page.get_by_test_id("form-submit").click()
        expect(page.get_by_text(SCRIPT).first).to_be_visible()  # the form's own thank-you words
        watch.nothing_ran("the form's thank-you page")

        page.goto("/u/" + re.sub(r"\W", "", SCRIPT))  # a forged unsubscribe link: its error page
        watch.nothing_ran("the unsubscribe page")
    finally:
        context.close()


def test_spa_screens_show_hostile_contact_data_as_text(page: Page, api: httpx.Client, hostile: dict[str, Any]) -> None:
    watch = Watch(page)
    contact = hostile["contact"]
    page.goto(f"/contacts/{contact['id']}")
    expect(page.get_by_test_id("contact-name")).to_contain_text(SCRIPT_ANY_CASE)
    expect(page.get_by_text(TEMPLATE).first).to_be_visible()
    watch.nothing_ran("the contact's page")

    page.goto("/contacts")
    page.get_by_test_id("contacts-search").fill(contact["email"])
    expect(page.get_by_test_id(f"contact-row-{contact['id']}")).to_contain_text(SCRIPT_ANY_CASE)
    watch.nothing_ran("the contact list")

    page.goto(f"/events/{hostile['event']['id']}")
    expect(page.get_by_text(f"{SCRIPT} {hostile['tag']}").first).to_be_visible()
    page.get_by_test_id("event-tab-registrations").click()
    watch.nothing_ran("the event's registrations")

    page.goto(f"/forms/{hostile['form']['id']}")
    page.wait_for_load_state("networkidle")
    watch.nothing_ran("the form editor")

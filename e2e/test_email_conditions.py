"""The email designer's conditional block: its rule is written with the same conditions as segments
and journeys, and the email keeps the rule the conditions say."""

import time

import httpx
from playwright.sync_api import Page, expect

from e2e.test_emails import wait_for
from e2e.test_journeys import pick

MJML = """<mjml><mj-body><mj-section><mj-column>
<mj-raw>{% if rule("opens_30d > 0") %}</mj-raw>
<mj-text>Only for readers</mj-text>
<mj-raw>{% endif %}</mj-raw>
</mj-column></mj-section></mj-body></mjml>"""


def test_a_conditional_block_is_edited_as_conditions(page: Page, api: httpx.Client) -> None:
    created = api.post(
        "/api/emails",
        json={
            "name": f"Readers only {time.monotonic_ns()}",
            "subject": "Hello",
            "from_name": "Parcours",
            "from_email": "news@example.fr",
            "mjml": MJML,
        },
    )
    assert created.status_code == 201, created.text
    email_id = created.json()["id"]
    page.goto(f"/emails/{email_id}")
    expect(page.get_by_test_id("designer-canvas")).to_be_visible(timeout=20_000)
    page.frame_locator("iframe.gjs-frame").first.get_by_text("opens_30d > 0", exact=False).click()
    page.get_by_role("tab", name="Settings").click()

    panel = page.get_by_test_id("designer-condition-panel")
    expect(panel.get_by_test_id("condition-0-0-field")).to_have_value("Email opens (30 days)")
    expect(panel.get_by_test_id("condition-0-0-operator")).to_have_value("is more than")
    expect(panel.get_by_test_id("designer-condition-sentence")).to_have_text("Email opens (30 days) is more than 0")
    pick(page, "condition-0-0-field", "Country")
    pick(page, "condition-0-0-value", "France")
    expect(panel.get_by_test_id("designer-condition-sentence")).to_have_text("Country is France")
    wait_for(lambda: """rule('country == "FR"')""" in api.get(f"/api/emails/{email_id}").json()["mjml"])

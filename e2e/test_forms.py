"""A marketer builds a sign-up form from a template (a field added, the consent's wording set),
sees it in the preview, publishes it after the confirmation; a visitor then fills it on its own
page (their browser solving the proof of work) and becomes a contact with what they typed."""

import re
import time

import httpx
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Server, after_the_minimum_time, check_accessibility, wait_for

WORDING = "Yes, send me the spring garden newsletter (wording 2)."


def pick(page: Page, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_build_publish_and_fill_a_form(page: Page, api: httpx.Client, browser: Browser, server: Server) -> None:
    page.goto("/forms")
    page.get_by_test_id("forms-new").click()
    page.get_by_test_id("form-template-newsletter").click()
    page.get_by_test_id("form-new-name").fill("Spring garden club")
    page.get_by_test_id("form-create").click()
    expect(page).to_have_url(re.compile(r"/forms/\d+$"))
    form_id = int(page.url.rsplit("/", 1)[1])

    # A wrong click is undone.
    page.get_by_test_id("field-remove-1").click()
    expect(page.get_by_test_id("field-select-1")).not_to_contain_text("First name")
    page.get_by_test_id("form-undo").click()
    expect(page.get_by_test_id("field-select-1")).to_contain_text("First name")

    # A field for the city, saved on the contact.
    page.get_by_test_id("field-add").click()
    page.get_by_test_id("field-add-text").click()
    page.get_by_test_id("field-label-en").fill("Your city")
    pick(page, "field-maps-to", "City")
    preview = page.get_by_test_id("form-preview")
    expect(preview.get_by_label("Your city")).to_be_visible()
    # A pattern the server refuses is shown on the pattern itself, then corrected.
    page.get_by_test_id("field-pattern-toggle").click()
    page.get_by_test_id("field-pattern").fill("(a+)+")
    expect(page.get_by_test_id("form-save-state")).to_have_attribute("data-state", "error")
    expect(page.get_by_text(re.compile("repeated group")).first).to_be_visible()
    page.get_by_test_id("field-pattern-ready-letters").click()
    page.get_by_test_id("field-pattern-sample").fill("Nantes")
    expect(page.get_by_test_id("field-pattern-result")).to_have_text("Accepted")
    expect(page.get_by_test_id("form-save-state")).to_have_attribute("data-state", "saved")

    # The consent's exact wording, shown as it is in the preview.
    page.get_by_test_id("field-select-2").click()
    page.get_by_test_id("field-wording-en").fill(WORDING)
    page.get_by_test_id("field-consent-version").fill("2")
    expect(preview.get_by_text(WORDING)).to_be_visible()
    # The preview checks what a visitor must answer before anything is sent.
    page.get_by_test_id("preview-submit").click()
    expect(preview.get_by_text("Please answer this question.").first).to_be_visible()

    # No confirmation email for this one: the visitor is in at once.
    page.get_by_test_id("form-tab-settings").click()
    page.get_by_test_id("settings-double-opt-in").uncheck()
    # Posts without the browser's proof of work are refused: the visitor below passes only by solving it.
    page.get_by_test_id("settings-no-script-refuse").check()
    page.get_by_test_id("settings-minimum-seconds").fill("2")
    expect(page.get_by_test_id("form-save-state")).to_have_attribute("data-state", "saved")

    page.get_by_test_id("form-publish").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(re.compile(r"/f/spring-garden-club"))
    dialog.get_by_test_id("form-publish-confirm").click()
    expect(page.get_by_test_id("form-status")).to_have_text("Published")
    expect(page.get_by_test_id("share-url-link")).to_contain_text("/f/spring-garden-club")
    expect(page.get_by_test_id("share-script-text")).to_contain_text("embed.js")
    expect(page.get_by_test_id("share-html-text")).to_contain_text('name="_ts" value="snippet.')

    saved = api.get(f"/api/forms/{form_id}").json()
    assert saved["settings"]["double_opt_in"] is False and saved["settings"]["no_script"] == "refuse"
    consent = next(f for f in saved["fields"] if f["type"] == "consent")
    assert consent["label"] == WORDING and saved["settings"]["consent_version"] == "2"
    assert any(f["maps_to"] == "city" and f["label"] == "Your city" for f in saved["fields"])

    # A visitor, in a browser of their own, fills the form on its page.
    visitor = browser.new_context(base_url=server.base_url, locale="en-US")
    try:
        public = visitor.new_page()
        public.goto("/f/spring-garden-club?utm_source=garden-blog")
        opened = time.monotonic()  # the page's stamp starts the form's minimum time (2 s)
        expect(public.get_by_text(WORDING)).to_be_visible()
        public.get_by_test_id("form-field-email").fill("Rose.Gardener@Example.org")
        public.get_by_test_id("form-field-first_name").fill("Rose")
        public.get_by_test_id("form-field-city").fill("Nantes")
        public.get_by_test_id("form-field-newsletter_consent").check()
        check_accessibility(public, "the hosted form")
        expect(public.locator("input[name=altcha]")).not_to_have_value("", timeout=15_000)
        after_the_minimum_time(public, opened, 2)
        public.get_by_test_id("form-submit").click()
        expect(public.get_by_text("Thank you! We have received your answers.")).to_be_visible()
    finally:
        visitor.close()

    # The marketer finds the new contact with what was typed.
    contact = wait_for(
        lambda: next(iter(api.get("/api/contacts", params={"q": "rose.gardener"}).json()["items"]), None),
        what=lambda: f"no contact; the form's submissions: {api.get(f'/api/forms/{form_id}/submissions').text}",
    )
    page.goto("/contacts")
    page.get_by_test_id("contacts-search").fill("rose.gardener")
    row = page.get_by_test_id(f"contact-row-{contact['id']}")
    expect(row).to_contain_text("Rose")
    expect(row).to_contain_text("rose.gardener@example.org")
    assert (contact["email"], contact["first_name"], contact["city"]) == ("rose.gardener@example.org", "Rose", "Nantes")
    assert contact["email_opt_in"] is True and contact["lead_origin"] == "inbound"

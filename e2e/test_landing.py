import re
import time

import httpx
from playwright.sync_api import Browser, Page, expect


def published_form(api: httpx.Client) -> dict[str, object]:
    body = {
        "name": "Guide request",
        "slug": f"guide-{time.monotonic_ns()}",
        "fields": [{"name": "email", "type": "email", "label": "Your email", "required": True, "maps_to": "email"}],
        "settings": {"no_script": "accept", "minimum_seconds": 0},
    }
    form = api.post("/api/forms", json=body)
    assert form.status_code == 201, form.text
    done = api.post(f"/api/forms/{form.json()['id']}/publish")
    assert done.status_code == 200, done.text
    return dict(done.json())


def test_a_marketer_publishes_a_page_with_a_form_and_a_visitor_fills_it(
    page: Page, browser: Browser, api: httpx.Client
) -> None:
    form = published_form(api)
    page.goto("/pages")
    page.get_by_test_id("page-new").click()
    page.get_by_test_id("page-name").fill("Guide download")
    expect(page.get_by_test_id("page-slug")).to_have_value("guide-download")
    page.get_by_test_id("page-template-lead-magnet").click()
    page.get_by_test_id("page-create").click()
    expect(page).to_have_url(re.compile(r"/pages/\d+$"))

    # The template's form block waits for a form: select it in the canvas and pick ours.
    canvas = page.frame_locator("[data-testid=page-designer] iframe.gjs-frame")
    canvas.locator("[data-parcours-form]").click()
    page.get_by_test_id("page-form-select").click()
    page.get_by_role("option", name="Guide request").click()
    expect(canvas.locator("[data-parcours-form]")).to_contain_text("Guide request")
    page.get_by_test_id("device-mobile").click()
    expect(page.get_by_test_id("device-mobile")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("page-save-state")).to_have_text("All changes saved")

    page.get_by_test_id("page-publish").click()
    expect(page.get_by_role("dialog")).to_contain_text("/p/guide-download")
    page.get_by_test_id("page-publish-confirm").click()
    expect(page.get_by_test_id("page-status")).to_have_text("Published")
    url = page.get_by_test_id("page-live-url").inner_text()

    visitor = browser.new_context()
    try:
        tab = visitor.new_page()
        tab.goto(url)
        expect(tab.get_by_role("heading", name="Get our free guide")).to_be_visible()
        tab.get_by_label("Your email").fill(f"reader.{time.monotonic_ns()}@example.org")
        # The form's proof of work (loaded from this server, allowed by the page's policy) runs first.
        expect(tab.locator("[data-testid=form-proof] [data-state=verified]")).to_be_visible(timeout=15000)
        tab.locator(f"form[action='/f/{form['slug']}'] [type=submit]").click()
        expect(tab).to_have_url(re.compile(rf"/f/{form['slug']}/thanks"))
    finally:
        visitor.close()
    page.get_by_test_id("page-tab-stats").click()
    expect(page.get_by_test_id("page-stat-submissions")).to_contain_text("1")

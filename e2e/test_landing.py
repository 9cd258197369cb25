import re

from playwright.sync_api import Browser, Page, expect


def test_a_marketer_publishes_a_page_from_a_template_and_a_visitor_opens_it(page: Page, browser: Browser) -> None:
    page.goto("/pages")
    page.get_by_test_id("page-new").click()
    page.get_by_test_id("page-name").fill("Customer evening")
    expect(page.get_by_test_id("page-slug")).to_have_value("customer-evening")
    page.get_by_test_id("page-template-event").click()
    page.get_by_test_id("page-create").click()
    expect(page).to_have_url(re.compile(r"/pages/\d+$"))
    expect(page.get_by_test_id("page-designer")).to_be_visible()
    page.get_by_test_id("device-mobile").click()
    expect(page.get_by_test_id("device-mobile")).to_have_attribute("aria-pressed", "true")

    page.get_by_test_id("page-tab-seo").click()
    page.get_by_test_id("page-seo-description").fill("Talks, demos and the team, on 12 March.")
    expect(page.get_by_test_id("page-save-state")).to_have_text("All changes saved")
    page.get_by_test_id("page-publish").click()
    expect(page.get_by_role("dialog")).to_contain_text("/p/customer-evening")
    page.get_by_test_id("page-publish-confirm").click()
    expect(page.get_by_test_id("page-status")).to_have_text("Published")
    url = page.get_by_test_id("page-live-url").inner_text()

    visitor = browser.new_context()
    try:
        tab = visitor.new_page()
        tab.goto(url)
        expect(tab.get_by_role("heading", name="An evening with our customers")).to_be_visible()
        assert (
            tab.locator('meta[name="description"]').get_attribute("content")
            == "Talks, demos and the team, on 12 March."
        )
    finally:
        visitor.close()
    page.get_by_test_id("page-tab-stats").click()
    expect(page.get_by_test_id("page-stat-visits")).to_contain_text("1")

from playwright.sync_api import Page, expect

from e2e.conftest import ADMIN_EMAIL, login


def test_wrong_password_is_explained_and_right_one_opens_the_product(anonymous_page: Page) -> None:
    page = anonymous_page
    page.goto("/contacts")
    expect(page).to_have_url("/login")
    page.get_by_test_id("login-email").fill(ADMIN_EMAIL)
    page.get_by_test_id("login-password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("Wrong email or password")
    page.get_by_test_id("login-password").fill("e2e-admin-password")
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url("/contacts")
    for area in ["home", "contacts", "segments", "emails", "journeys", "events", "scoring", "reports", "settings"]:
        expect(page.get_by_test_id(f"nav-{area}")).to_be_visible()


def test_logout_returns_to_login(anonymous_page: Page) -> None:
    page = anonymous_page
    page.goto("/login")
    login(page)
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    page.goto("/contacts")
    expect(page).to_have_url("/login")


def test_logging_in_from_the_login_page_opens_the_home(anonymous_page: Page) -> None:
    page = anonymous_page
    page.goto("/login")
    login(page)
    expect(page).to_have_url("/")
    expect(page.get_by_test_id("page-home")).to_be_visible()
    expect(page.get_by_test_id("nav-home")).to_have_attribute("data-active", "true")

"""A marketer finds a contact, edits it (in French), undoes a mistake and reads its timeline."""

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import add_interactions, create_contact, login


def test_find_edit_and_undo_in_french(anonymous_page: Page, api: httpx.Client) -> None:
    marketer = {
        "email": "marie@example.org",
        "password": "marie-password-1",
        "role": "marketer",
        "name": "Marie",
        "language": "fr",
    }
    assert api.post("/api/users", json=marketer).status_code == 201
    contact = create_contact(
        api,
        email="zoe.lambert@example.org",
        first_name="Zoé",
        last_name="Lambert",
        country="FR",
        lifecycle_stage="subscriber",
    )
    page = anonymous_page
    page.goto("/login")
    login(page, marketer["email"], marketer["password"])
    expect(page.get_by_test_id("nav-contacts")).to_have_text("Contacts")
    expect(page.get_by_test_id("nav-events")).to_have_text("Événements")
    page.get_by_test_id("nav-contacts").click()

    page.get_by_test_id("contacts-search").fill("lambert")
    row = page.get_by_test_id(f"contact-row-{contact['id']}")
    expect(row).to_be_visible()
    expect(page.get_by_test_id("contacts-total")).to_have_text("1 contact")
    row.click()
    expect(page.get_by_test_id("contact-name")).to_have_text("Zoé Lambert")

    page.get_by_test_id("contact-edit").click()
    page.get_by_test_id("contact-phone").fill("06 12 34 56 78")
    page.get_by_test_id("contact-stage").click()
    page.get_by_role("option", name="Prospect").click()
    page.get_by_test_id("contact-save").click()
    expect(page.get_by_test_id("contact-field-phone")).to_have_text("+33612345678")
    expect(page.get_by_test_id("contact-stage-badge")).to_have_text("Prospect")
    assert api.get(f"/api/contacts/{contact['id']}").json()["lifecycle_stage"] == "lead"

    page.get_by_test_id("contact-undo").click()
    expect(page.get_by_test_id("contact-stage-badge")).to_have_text("Abonné")
    # The notice covers the page's top-right buttons until it closes by itself; it stays while the
    # pointer rests on it, and it opens right where the pointer clicked "undo": the pointer moves off.
    page.mouse.move(0, 0)
    expect(page.locator(".mantine-Notification-root")).to_have_count(0, timeout=10_000)
    expect(page.get_by_test_id("contact-field-phone")).to_have_text("—")
    assert api.get(f"/api/contacts/{contact['id']}").json()["phone"] is None


def test_invalid_edit_shows_the_error_on_the_field(page: Page, api: httpx.Client) -> None:
    contact = create_contact(api, first_name="Nina")
    page.goto(f"/contacts/{contact['id']}")
    page.get_by_test_id("contact-edit").click()
    page.get_by_test_id("contact-phone").fill("12")
    page.get_by_test_id("contact-save").click()
    expect(page.get_by_test_id("contact-form")).to_contain_text("country code")
    page.get_by_test_id("contact-cancel").click()
    assert api.get(f"/api/contacts/{contact['id']}").json()["phone"] is None


def test_timeline_shows_what_the_contact_did(page: Page, api: httpx.Client) -> None:
    contact = create_contact(api, first_name="Timo", last_name="Line")
    add_interactions(api, contact["id"], "email_opened", "page_visited", url="/pricing")
    add_interactions(api, contact["id"], "purchase", amount=49.9, order_id="CMD-1")
    page.goto(f"/contacts/{contact['id']}")
    types = page.get_by_test_id("timeline-item-type")
    expect(types).to_have_count(4)
    expect(types).to_have_text(["Purchase", "Page visited", "Email opened", "Contact created"])
    expect(page.get_by_test_id("timeline")).to_contain_text("/pricing")
    expect(page.get_by_test_id("contact-purchases")).to_have_text("1", timeout=20_000)
    page.get_by_test_id("tab-consent-history").click()
    expect(page.get_by_test_id("consent-history")).to_be_visible()


def test_create_a_contact_from_the_list(page: Page, api: httpx.Client) -> None:
    page.goto("/contacts")
    page.get_by_test_id("contacts-new").click()
    page.get_by_test_id("contact-email").fill("not-an-email")
    page.get_by_test_id("contact-save").click()
    expect(page.get_by_test_id("contact-form")).to_contain_text("valid email")
    page.get_by_test_id("contact-email").fill("new.person@example.org")
    page.get_by_test_id("contact-first-name").fill("new")
    page.get_by_test_id("contact-save").click()
    expect(page.get_by_test_id("contact-name")).to_have_text("New")
    assert api.get("/api/contacts", params={"q": "new.person@example.org"}).json()["total"] == 1

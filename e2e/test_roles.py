"""Viewers read; they see no button that would write."""

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact, login


def test_a_viewer_reads_but_cannot_change(anonymous_page: Page, api: httpx.Client) -> None:
    viewer = {"email": "victor@example.org", "password": "victor-password", "role": "viewer", "language": "en"}
    assert api.post("/api/users", json=viewer).status_code == 201
    contact = create_contact(api, first_name="Read", last_name="Only")
    page = anonymous_page
    page.goto("/login")
    login(page, viewer["email"], viewer["password"])
    page.get_by_test_id("nav-contacts").click()
    expect(page.get_by_test_id("contacts-table")).to_be_visible()
    expect(page.get_by_test_id("contacts-new")).to_have_count(0)
    expect(page.get_by_test_id("contacts-import")).to_have_count(0)
    page.goto(f"/contacts/{contact['id']}")
    expect(page.get_by_test_id("contact-name")).to_have_text("Read Only")
    expect(page.get_by_test_id("contact-edit")).to_have_count(0)
    page.goto("/settings/users")
    expect(page).to_have_url("/settings/profile")

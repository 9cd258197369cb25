"""Settings → Audit log: an administrator changes a colleague's role, then finds the change in
the log, with who made it and the role before and after."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import Page, expect


def test_an_admin_changes_a_role_and_sees_it_in_the_audit_log(page: Page, api: Any) -> None:
    email = f"colleague-{uuid.uuid4().hex[:8]}@example.com"
    created = api.post("/api/users", json={"email": email, "password": "a-long-password-1", "role": "viewer"})
    assert created.status_code == 201, created.text

    page.goto("/settings/users")
    row = page.get_by_test_id(f"user-row-{email}")
    row.get_by_test_id("user-role-select").click()
    page.get_by_role("option", name="Marketer").click()
    expect(row.get_by_test_id("user-role-select")).to_have_value("Marketer")

    page.get_by_test_id("settings-tab-audit").click()
    entry = page.get_by_test_id("audit-table").locator("tr", has_text=email).filter(has_text="User changed").first
    expect(entry).to_be_visible()
    entry.click()
    change = page.get_by_test_id("audit-change-role")
    expect(change).to_contain_text("Viewer")
    expect(change).to_contain_text("Marketer")

    # The filter by action keeps this kind of entry only.
    page.keyboard.press("Escape")
    page.get_by_test_id("audit-action").click()
    page.get_by_role("option", name="User changed").click()
    expect(page.get_by_test_id("audit-table").locator("tbody tr").first).to_contain_text("User changed")
    logged = api.get("/api/audit", params={"action": "user.updated"}).json()["items"][0]
    assert logged["target_label"] == email and logged["after"]["role"] == "marketer"

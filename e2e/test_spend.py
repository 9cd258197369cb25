"""A marketer enters the month's spend on a channel, imports a spend sheet (a bad line refuses the
whole file and says which line), sees the total and the chart, and deletes an entry after a
confirmation that says what it changes."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect


def test_spend_is_entered_imported_and_deleted(page: Page) -> None:
    month = dt.date.today().strftime("%Y-%m")
    page.goto("/reports")
    page.get_by_test_id("reports-card-spend").click()
    expect(page.get_by_test_id("report-spend")).to_contain_text("Enter spend")
    total = page.get_by_test_id("spend-total")
    before = total.inner_text()

    # A missing channel is said next to the field, and nothing is saved.
    page.get_by_test_id("spend-amount").fill("1250")
    page.get_by_test_id("spend-add").click()
    expect(page.get_by_text("Pick the channel.")).to_be_visible()
    page.get_by_test_id("spend-channel").click()
    page.get_by_role("option", name="Social media").click()
    page.get_by_test_id("spend-note").fill("Autumn ads")
    page.get_by_test_id("spend-add").click()
    row = page.get_by_test_id("spend-table").locator("tr", has_text="Autumn ads")
    expect(row).to_contain_text("Social media")
    expect(row).to_contain_text("1,250.00")
    expect(total).not_to_have_text(before)

    # A sheet with a bad line: nothing of it is kept, and the line is named.
    upload = page.locator("input[type=file]")
    upload.set_input_files(
        files=[
            {
                "name": "spend.csv",
                "mimeType": "text/csv",
                "buffer": f"month,channel,amount\n{month},print,abc\n".encode(),
            }
        ]
    )
    expect(page.get_by_test_id("spend-import-error")).to_contain_text("Line 2: the amount must be a number")
    upload.set_input_files(
        files=[
            {
                "name": "spend.csv",
                "mimeType": "text/csv",
                "buffer": f"month,channel,amount,note\n{month},Radio,480,Local radio\n".encode(),
            }
        ]
    )
    expect(page.get_by_test_id("spend-import-error")).to_be_hidden()
    imported = page.get_by_test_id("spend-table").locator("tr", has_text="Local radio")
    expect(imported).to_contain_text("Radio")
    expect(imported).to_contain_text("480.00")

    # Deleting says what it changes, then the row is gone.
    imported.get_by_role("button", name="Delete the spend of").click()
    expect(page.get_by_role("dialog")).to_contain_text("will no longer count in ROI and acquisition cost")
    page.get_by_test_id("spend-delete-confirm").click()
    expect(imported).to_have_count(0)
    expect(row).to_have_count(1)

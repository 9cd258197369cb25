"""A marketer imports a messy CSV: mapping suggested, progress shown, every bad row reported."""

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

MESSY = Path(__file__).parent / "data" / "messy-contacts.csv"


def test_import_a_messy_csv_with_a_row_level_report(page: Page, api: httpx.Client) -> None:
    page.goto("/contacts")
    page.get_by_test_id("contacts-import").click()
    page.locator("input[type=file]").set_input_files(MESSY)
    expect(page.get_by_test_id("import-row-count")).to_have_text("6 rows")
    expect(page.get_by_test_id("import-map-0")).to_have_value("Email")
    expect(page.get_by_test_id("import-map-5")).to_have_value("Company")
    page.get_by_test_id("import-next").click()
    page.get_by_test_id("import-options-next").click()
    expect(page.get_by_test_id("import-consent-warning")).to_contain_text("no marketing message can reach them")
    page.get_by_test_id("import-start").click()
    expect(page.get_by_test_id("import-report")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("import-result-created")).to_have_text("3")
    expect(page.get_by_test_id("import-result-skipped")).to_have_text("1")
    expect(page.get_by_test_id("import-result-rejected_rows")).to_have_text("2")
    expect(page.get_by_test_id("import-done")).to_contain_text("3 created, 0 updated, 2 rows rejected")
    # Line 4: no valid email; 5: Camille again; 6: no country called Atlantide; 7: kept, without a phone
    # number that no Belgian has.
    problems = page.get_by_test_id("import-problem-row")
    expect(problems).to_have_count(4)
    expect(problems.nth(0)).to_contain_text("4")
    expect(problems.nth(1)).to_contain_text("Same email as line 2")
    expect(problems.nth(2)).to_contain_text("Atlantide")
    expect(problems.nth(3)).to_contain_text("Imported without phone")

    camille = api.get("/api/contacts", params={"q": "camille.roux@exemple.fr"}).json()["items"][0]
    assert (camille["first_name"], camille["last_name"], camille["phone"]) == ("Camille", "Roux", "+33611223344")
    assert camille["account_name"] == "Boulangerie Roux" and camille["email_opt_in"] is True

    page.get_by_test_id("import-see-contacts").click()
    page.get_by_test_id("contacts-search").fill("lefevre")
    expect(page.get_by_test_id("contact-row-email")).to_have_count(1)
    expect(page.get_by_test_id("contact-row-email")).to_have_text("hugo.lefevre@exemple.fr")
    expect(page.get_by_test_id("contact-row-name")).to_have_text("Hugo Lefèvre")


def test_a_file_that_is_not_a_csv_is_refused_with_a_reason(page: Page, tmp_path: Path) -> None:
    picture = tmp_path / "photo.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    page.goto("/contacts/import")
    page.locator("input[type=file]").set_input_files(picture)
    expect(page.get_by_test_id("import-error")).to_contain_text("not a CSV")

"""A marketer imports a trade fair's contacts from two countries, stating on what basis they may be contacted."""

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import login

SALON = Path(__file__).parent / "data" / "salon-contacts.csv"
SOURCE = "Trade fair form, October 2026"


def test_import_with_a_consent_basis_and_phones_read_in_each_rows_country(page: Page, api: httpx.Client) -> None:
    page.goto("/contacts/import")
    page.locator("input[type=file]").set_input_files(SALON)
    expect(page.get_by_test_id("import-row-count")).to_have_text("6 rows")
    expect(page.get_by_test_id("import-map-3")).to_have_value("Phone")
    expect(page.get_by_test_id("import-map-4")).to_have_value("Country")
    page.get_by_test_id("import-next").click()
    page.get_by_test_id("import-options-next").click()

    expect(page.get_by_test_id("import-consent-warning")).to_be_visible()
    page.get_by_test_id("import-consent-level-marketing").click()
    expect(page.get_by_test_id("import-consent-warning")).to_be_hidden()
    expect(page.get_by_test_id("import-consent-email")).to_be_checked()
    expect(page.get_by_test_id("import-start")).to_be_disabled()
    page.get_by_test_id("import-consent-sms").check()
    page.get_by_test_id("import-consent-source").fill(SOURCE)
    page.get_by_test_id("import-consent-date").fill("2026-10-15")
    page.get_by_test_id("import-consent-date").press("Tab")
    page.get_by_test_id("import-start").click()

    expect(page.get_by_test_id("import-report")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("import-result-created")).to_have_text("4")
    expect(page.get_by_test_id("import-result-skipped")).to_have_text("1")
    expect(page.get_by_test_id("import-result-rejected_rows")).to_have_text("1")
    expect(page.get_by_test_id("import-done")).to_have_text("Import finished4 created, 0 updated, 1 row rejected.")
    expect(page.get_by_test_id("import-problems-title")).to_have_text("3 rows to check")
    problems = page.get_by_test_id("import-problem-row")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text(
        "5Imported without phone'06 12 34 56 78' is not a valid phone number for Belgium."
    )
    expect(problems.nth(1)).to_contain_text("6Not importedSame email as line 2")
    expect(problems.nth(2)).to_contain_text("7Not importedThe email is empty.")

    with page.expect_download() as download:
        page.get_by_test_id("import-report-download").click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == '"Line","What happened","Parcours field","Reason"'
    assert (
        report[1] == '5,"Imported without phone","Phone","\'06 12 34 56 78\' is not a valid phone number for Belgium."'
    )
    assert [line.split(",")[0] for line in report[1:]] == ["5", "6", "7"]

    phones = {
        email: api.get("/api/contacts", params={"q": email}).json()["items"][0]["phone"]
        for email in (
            "chloe.salon@exemple.fr",
            "jan.salon@exemple.be",
            "emma.salon@exemple.fr",
            "lucie.salon@exemple.be",
        )
    }
    assert phones == {
        "chloe.salon@exemple.fr": "+33612345678",
        "jan.salon@exemple.be": "+32470123456",
        "emma.salon@exemple.fr": "+33798765432",
        "lucie.salon@exemple.be": None,
    }

    jan = api.get("/api/contacts", params={"q": "jan.salon@exemple.be"}).json()["items"][0]
    assert (jan["consent_level"], jan["email_opt_in"], jan["sms_opt_in"]) == ("marketing", True, True)
    page.goto(f"/contacts/{jan['id']}")
    page.get_by_test_id("tab-consent-history").click()
    expect(page.get_by_test_id("consent-history-row")).to_have_count(3)
    evidence = page.get_by_test_id("consent-history-evidence").first
    expect(evidence).to_contain_text(SOURCE)
    expect(evidence).to_contain_text("Given on Oct 15, 2026")
    expect(evidence).to_contain_text("(salon-contacts.csv)")


def test_counts_read_correctly_in_french(anonymous_page: Page, api: httpx.Client, tmp_path: Path) -> None:
    marketer = {
        "email": "anais.import@example.org",
        "password": "anais-password-1",
        "role": "marketer",
        "name": "Anaïs",
        "language": "fr",
    }
    assert api.post("/api/users", json=marketer).status_code == 201
    single = tmp_path / "une-ligne.csv"
    single.write_text("email,prénom\nlea.seule@exemple.fr,Léa\n", encoding="utf-8")
    page = anonymous_page
    page.goto("/login")
    login(page, marketer["email"], marketer["password"])
    page.goto("/contacts/import")
    page.locator("input[type=file]").set_input_files(single)
    expect(page.get_by_test_id("import-row-count")).to_have_text("1 ligne")
    page.get_by_test_id("import-next").click()
    page.get_by_test_id("import-options-next").click()
    expect(page.get_by_test_id("import-consent-warning")).to_contain_text(
        "Ces contacts resteront au consentement « aucun » : aucun message marketing ne pourra leur parvenir."
    )
    expect(page.get_by_test_id("import-start")).to_have_text("Importer 1 ligne")
    page.get_by_test_id("import-start").click()
    expect(page.get_by_test_id("import-done")).to_have_text("Import terminé1 créé, 0 mis à jour, 0 ligne rejetée.")
    lea = api.get("/api/contacts", params={"q": "lea.seule@exemple.fr"}).json()["items"][0]
    assert (lea["consent_level"], lea["email_opt_in"]) == ("none", False)

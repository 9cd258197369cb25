"""A marketer imports a CSV with company columns, opens the company, sees its contacts and their
firmographic score, edits the company and watches the score move, then deletes it (contacts kept)."""

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import check_accessibility, login

# Shipped firmographic model: 50-499 employees 10 (500+: 20), revenue >= 10M 15, Software 10, company 5.
CSV = (
    "Email,First name,Last name,Company,Industry,Employees,Annual revenue,Website\n"
    "ines.garnier@northwind-e2e.com,Inès,Garnier,Northwind Traders,Software,51-200,12 500 000,https://www.northwind-e2e.com\n"
    "paul.meyer@northwind-e2e.com,Paul,Meyer,NORTHWIND TRADERS,,,,\n"
    "lea.blanc@northwind-e2e.com,Léa,Blanc,,,,,northwind-e2e.com\n"
)


def test_a_marketer_fills_companies_by_import_and_sees_the_firmographic_score_move(
    page: Page, api: httpx.Client, tmp_path: Path
) -> None:
    file = tmp_path / "trade-show.csv"
    file.write_text(CSV, encoding="utf-8")
    page.goto("/contacts/import")
    page.locator("input[type=file]").set_input_files(file)
    expect(page.get_by_test_id("import-row-count")).to_have_text("3 rows")
    for index, field in enumerate(
        ["Email", "First name", "Last name", "Company", "Company industry", "Company size (employees)"]
    ):
        expect(page.get_by_test_id(f"import-map-{index}")).to_have_value(field)
    expect(page.get_by_test_id("import-map-6")).to_have_value("Company annual revenue")
    expect(page.get_by_test_id("import-map-7")).to_have_value("Company website")
    page.get_by_test_id("import-next").click()
    page.get_by_test_id("import-options-next").click()
    page.get_by_test_id("import-start").click()
    expect(page.get_by_test_id("import-report")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("import-result-created")).to_have_text("3")

    page.get_by_test_id("nav-companies").click()
    page.get_by_test_id("companies-search").fill("northwind-e2e")
    # The list shown before the search may hold this one company too: wait for the search's own answer.
    expect(page).to_have_url(re.compile(r"q=northwind-e2e"))
    rows = page.get_by_test_id("company-row-name")
    expect(rows).to_have_count(1, timeout=15_000)
    expect(rows).to_have_text("Northwind Traders", timeout=15_000)
    expect(page.get_by_test_id("company-row-contacts")).to_have_text("3")
    rows.click()

    expect(page.get_by_test_id("company-name")).to_have_text("Northwind Traders")
    expect(page.get_by_test_id("company-field-industry")).to_have_text("Software")
    expect(page.get_by_test_id("company-field-size")).to_have_text("51")
    expect(page.get_by_test_id("company-field-domain")).to_have_text("northwind-e2e.com")
    emails = page.get_by_test_id("company-contact-email")
    expect(emails).to_have_count(3)
    expect(page.get_by_test_id("company-contacts")).to_contain_text("lea.blanc@northwind-e2e.com")
    # 10 + 15 + 10 + 5 for each of the three: all grade A.
    expect(page.get_by_test_id("company-score-firmographic-average")).to_have_text("40", timeout=30_000)
    expect(page.get_by_test_id("company-score-firmographic-max")).to_have_text("40")
    expect(page.get_by_test_id("company-score-firmographic-grade-A")).to_have_text("A: 3")
    check_accessibility(page, "company page")

    page.get_by_test_id("company-edit").click()
    check_accessibility(page, "company form")
    page.get_by_test_id("company-size-input").fill("800")
    page.get_by_test_id("company-save").click()
    expect(page.get_by_test_id("company-field-size")).to_have_text("800")
    expect(page.get_by_test_id("company-score-firmographic-average")).to_have_text("50", timeout=30_000)
    account_id = int(page.url.rsplit("/", 1)[1])
    assert api.get(f"/api/accounts/{account_id}").json()["size"] == 800
    ines = api.get("/api/contacts", params={"q": "ines.garnier@northwind-e2e.com"}).json()["items"][0]
    scores = {s["key"]: s["score"] for s in api.get(f"/api/contacts/{ines['id']}/scores").json()}
    assert scores["firmographic"] == 50

    page.get_by_test_id("company-delete").click()
    expect(page.get_by_role("dialog")).to_contain_text("Its 3 contacts stay in your contacts")
    page.get_by_test_id("company-delete-confirm").click()
    expect(page.get_by_test_id("companies-search")).to_be_visible()
    assert api.get(f"/api/accounts/{account_id}").status_code == 404
    assert api.get(f"/api/contacts/{ines['id']}").json()["account_id"] is None


def test_a_marketer_creates_a_company_and_a_bad_website_is_shown_on_its_field(page: Page) -> None:
    page.goto("/companies")
    page.get_by_test_id("companies-new").click()
    page.get_by_test_id("company-name-input").fill("Contoso Conseil")
    page.get_by_test_id("company-website-input").fill("not a website")
    page.get_by_test_id("company-save").click()
    expect(page.get_by_test_id("company-form")).to_contain_text("not a web address")
    page.get_by_test_id("company-website-input").fill("contoso-conseil.fr")
    page.get_by_test_id("company-save").click()
    expect(page.get_by_test_id("company-name")).to_have_text("Contoso Conseil")
    expect(page.get_by_test_id("company-field-domain")).to_have_text("contoso-conseil.fr")
    expect(page.get_by_test_id("company-contacts-empty")).to_be_visible()


def test_the_companies_screens_speak_french(anonymous_page: Page, api: httpx.Client) -> None:
    viewer = {
        "email": "lucie@example.org",
        "password": "lucie-password-1",
        "role": "viewer",
        "name": "Lucie",
        "language": "fr",
    }
    assert api.post("/api/users", json=viewer).status_code == 201
    account = api.post(
        "/api/accounts", json={"name": "Fromagerie Martin", "industry": "Agroalimentaire", "size": 12}
    ).json()
    page = anonymous_page
    page.goto("/login")
    login(page, viewer["email"], viewer["password"])
    expect(page.get_by_test_id("nav-companies")).to_have_text("Sociétés")
    page.get_by_test_id("nav-companies").click()
    page.get_by_test_id("companies-search").fill("fromagerie")
    expect(page.get_by_test_id("company-row-name")).to_have_count(1)  # once the search is applied
    expect(page.get_by_test_id("company-row-name")).to_have_text("Fromagerie Martin")
    expect(page.get_by_test_id("companies-new")).to_have_count(0)  # a viewer reads, does not write
    check_accessibility(page, "companies list in French")
    page.get_by_test_id("company-row-name").click()
    expect(page.get_by_test_id("company-name")).to_have_text("Fromagerie Martin")
    expect(page.get_by_test_id("company-contacts-empty")).to_have_text(
        "Aucun contact ne travaille encore pour cette société."
    )
    expect(page.get_by_test_id("company-score-firmographic")).to_contain_text("Moyenne")
    expect(page.get_by_test_id("company-edit")).to_have_count(0)
    assert page.url.endswith(f"/companies/{account['id']}")

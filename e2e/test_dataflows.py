"""An administrator sets up a server directory as an import source, tests it, runs it, and sees
each file's result in the source's runs."""

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import Server


def test_a_directory_source_is_created_tested_and_run(page: Page, api: httpx.Client, server: Server) -> None:
    drop = server.data_dir / "files" / "shop-drop"
    drop.mkdir(parents=True, exist_ok=True)
    (drop / "people.csv").write_text(
        "Email;Prénom;Nom\nines.garnier@exemple.fr;Inès;Garnier\nnot-an-email;Bad;Row\n", "utf-8"
    )
    page.goto("/contacts")
    page.get_by_test_id("nav-data").click()
    expect(page.get_by_test_id("sources-table-empty")).to_be_visible()
    page.get_by_test_id("source-new").click()
    page.get_by_test_id("source-name").fill("Shop drop")
    page.get_by_text("Server directory", exact=True).click()
    page.get_by_test_id("source-directory").fill("shop-drop")
    expect(page.get_by_test_id("source-schedule-words")).to_have_text("Every day at 06:00 (UTC)")
    page.get_by_test_id("source-test").click()
    expect(page.get_by_test_id("source-test-result")).to_contain_text("1 file matches '*.csv'")
    page.get_by_test_id("source-save").click()

    row = page.get_by_test_id("source-row-Shop drop")
    expect(row).to_contain_text("Every day at 06:00 (UTC)")
    row.get_by_test_id("source-run").click()
    file = page.get_by_test_id("run-file-people.csv")
    expect(file).to_contain_text("Imported", timeout=30_000)
    expect(file).to_contain_text("1 created, 0 updated, 1 rows rejected")
    file.get_by_test_id("run-file-report").click()
    expect(page.get_by_test_id("import-report")).to_be_visible()

    ines = api.get("/api/contacts", params={"q": "ines.garnier@exemple.fr"}).json()["items"][0]
    assert (ines["first_name"], ines["last_name"]) == ("Inès", "Garnier")
    assert (drop / "processed" / "people.csv").exists() and not (drop / "people.csv").exists()


def test_a_segment_is_exported_on_a_schedule_to_a_server_directory(
    page: Page, api: httpx.Client, server: Server
) -> None:
    out = server.data_dir / "files" / "exports"
    out.mkdir(parents=True, exist_ok=True)
    contact = api.post("/api/contacts", json={"email": "hugo.lambert@exemple.fr", "first_name": "Hugo"}).json()
    segment = api.post("/api/segments", json={"name": "Salon VIP", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [contact["id"]]})
    page.goto("/data/exports")
    expect(page.get_by_test_id("download-csv")).to_be_visible()
    page.get_by_test_id("export-new").click()
    page.get_by_test_id("export-name").fill("VIP nightly")
    page.get_by_test_id("export-segment").click()
    page.get_by_role("option", name="Salon VIP").click()
    page.get_by_text("Server directory", exact=True).click()
    page.get_by_test_id("export-directory").fill("exports")
    page.get_by_test_id("export-save").click()

    row = page.get_by_test_id("export-row-VIP nightly")
    expect(row).to_contain_text("Every day at 06:00 (UTC)")
    row.get_by_test_id("export-run").click()
    expect(row).to_contain_text("1 contacts", timeout=30_000)
    [written] = list(out.glob("vip-nightly-*.csv"))
    lines = written.read_text("utf-8-sig").splitlines()
    assert lines == ["email,first_name,last_name", "hugo.lambert@exemple.fr,Hugo,"]

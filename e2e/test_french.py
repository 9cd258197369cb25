"""A French marketer works in French from end to end: the menu and their role, the email
templates (French twins, thumbnails addressed to a sample contact), the designer's panels, its
save state, and the Reports page that says what to use while reports are being built."""

import re
import time

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import login

ENGLISH_PANEL_WORDS = re.compile(
    r"\b(Typography|Decorations|Dimension|Select an element|Navbar|Divider|Spacer|Column|Button|Href|Alt)\b"
)


def test_a_french_marketer_designs_an_email_from_a_french_template(anonymous_page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    marketer = {
        "email": f"camille.{stamp}@example.org",
        "password": "camille-password-1",
        "role": "marketer",
        "name": "Camille",
        "language": "fr",
    }
    assert api.post("/api/users", json=marketer).status_code == 201
    page = anonymous_page
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto("/login")
    login(page, marketer["email"], marketer["password"])

    # The menu and the role, in French.
    expect(page.get_by_test_id("nav-scoring")).to_have_text("Notation des leads")
    expect(page.get_by_test_id("nav-pipeline")).to_have_text("Pipeline commercial")
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_text("Marketeur")).to_be_visible()
    page.keyboard.press("Escape")

    # French templates first, with thumbnails addressed to a sample contact; English a click away.
    page.get_by_test_id("nav-emails").click()
    page.get_by_test_id("emails-new").click()
    welcome = page.get_by_test_id("template-welcome")
    expect(welcome).to_contain_text("Bienvenue")
    expect(page.get_by_test_id("template-event-invitation")).to_contain_text("Invitation à un événement")
    thumbnail = welcome.frame_locator("iframe")
    expect(thumbnail.get_by_text("Bienvenue, Camille !")).to_be_attached()
    assert "{{" not in welcome.locator("iframe").get_attribute("srcdoc")
    page.get_by_test_id("email-template-language").get_by_text("English").click()
    expect(welcome).to_contain_text("Welcome")
    page.get_by_test_id("email-template-language").get_by_text("Français").click()
    expect(welcome).to_contain_text("Bienvenue")

    welcome.click()
    page.get_by_test_id("email-name").fill(f"Accueil {stamp}")
    page.get_by_test_id("email-from-name").fill("L'équipe")
    page.get_by_test_id("email-from-email").fill("bonjour@example.fr")
    page.get_by_test_id("email-create").click()
    expect(page.get_by_test_id("designer-canvas")).to_be_visible(timeout=20_000)
    email_id = int(re.search(r"/emails/(\d+)", page.url).group(1))
    email = api.get(f"/api/emails/{email_id}").json()
    assert email["language"] == "fr" and "Complétez votre profil" in email["html"]

    # The email is in view at once, in a canvas that fits the screen, with a title for screen readers.
    canvas = page.frame_locator("iframe.gjs-frame").first
    expect(canvas.get_by_text("Complétez votre profil")).to_be_visible(timeout=20_000)
    box = page.get_by_test_id("designer-canvas").bounding_box()
    assert box and box["y"] < 450 and box["y"] + box["height"] <= 900
    expect(page.locator("iframe.gjs-frame")).to_have_attribute("title", "L’e-mail en cours de conception")
    assert page.evaluate("window.scrollY") == 0

    # The designer's blocks and panels speak French.
    blocks = page.get_by_test_id("designer-blocks")
    expect(blocks).to_contain_text("Barre de navigation")
    expect(blocks).to_contain_text("Séparateur")
    canvas.get_by_text("Complétez votre profil").click()
    side = page.locator(".pd-side")
    expect(side).to_contain_text("Taille et espacement")
    expect(side).to_contain_text("Fond et bordures")
    assert not ENGLISH_PANEL_WORDS.search(side.inner_text() + blocks.inner_text())
    canvas.get_by_text("Je commence").click()
    page.locator(".pd-tab").filter(has_text="Réglages").click()
    expect(side).to_contain_text("Lien")  # the button's settings: its link
    page.locator(".pd-tab").filter(has_text="Calques").click()
    expect(side).to_contain_text("Colonne")
    assert not ENGLISH_PANEL_WORDS.search(side.inner_text())
    page.screenshot(path="/tmp/i18n-designer-fr.png")

    # Saving shows when it happened; a test and a send to a segment are two different actions.
    page.get_by_test_id("editor-subject").fill("Bienvenue chez nous, {{ contact.first_name }}")
    expect(page.get_by_test_id("email-save-state")).to_contain_text(re.compile(r"Enregistré à \d{1,2}:\d{2}"))
    assert api.get(f"/api/emails/{email_id}").json()["subject"] == "Bienvenue chez nous, {{ contact.first_name }}"
    test, send = page.get_by_test_id("editor-test-send"), page.get_by_test_id("editor-send")
    expect(test).to_have_text("Envoyer un test")
    expect(send).to_have_text("Envoyer à un segment…")
    assert test.get_attribute("data-variant") != send.get_attribute("data-variant")
    # Beside the preview tab (not inside the tab list, which holds tabs only).
    assert page.get_by_role("tablist").locator("xpath=..").filter(has=test).count() == 1

    # The reports, in French: each says what it answers.
    page.get_by_test_id("nav-reports").click()
    expect(page.get_by_test_id("reports-card-spend")).to_have_text("Dépenses marketing")
    page.get_by_test_id("reports-card-spend").click()
    expect(page.get_by_test_id("report-spend")).to_contain_text("Saisir une dépense")
    expect(page.get_by_test_id("report-period")).to_contain_text(re.compile(r"\d{4}"))

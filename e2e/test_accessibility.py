"""Every screen of the SPA, in English and in French, with realistic data, its tabs and main
dialogs, and every public page, has no serious or critical WCAG A/AA fault (axe-core)."""

import re
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Server,
    add_interactions,
    create_contact,
    describe_violations,
    login,
    scan_accessibility,
    wait_for,
)

MESSY = Path(__file__).parent / "data" / "messy-contacts.csv"
PASSWORD = "a11y-password-2026"


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


class Tour:
    """Visits screens and keeps every fault found, so one run reports them all."""

    def __init__(self, page: Page, language: str) -> None:
        self.page = page
        self.language = language
        self.faults: list[str] = []
        self.by_rule: Counter[str] = Counter()

    def check(self, label: str) -> None:
        self.page.wait_for_timeout(300)  # let transitions (modals, drawers, tabs) finish
        violations = scan_accessibility(self.page)
        for v in violations:
            self.by_rule[f"{v['id']} ({v['impact']})"] += len(v["nodes"])
        if violations:
            self.faults.append(describe_violations(f"[{self.language}] {label}", violations))

    def visit(self, path: str, ready: str, label: str = "") -> None:
        self.page.goto(path)
        expect(self.page.get_by_test_id(ready).first).to_be_visible(timeout=20_000)
        self.check(label or path)

    def tab(self, test_id: str, ready: str, label: str) -> None:
        self.page.get_by_test_id(test_id).click()
        expect(self.page.get_by_test_id(ready).first).to_be_visible(timeout=20_000)
        self.check(label)

    def dialog(self, opener: str, label: str) -> None:
        """Open a dialog or drawer, check it, close it with Escape."""
        self.page.get_by_test_id(opener).click()
        expect(self.page.get_by_role("dialog").first).to_be_visible()
        self.check(label)
        self.page.keyboard.press("Escape")
        expect(self.page.get_by_role("dialog")).to_have_count(0)

    def report(self) -> str:
        counts = ", ".join(f"{rule}: {n}" for rule, n in self.by_rule.most_common()) or "none"
        return f"[{self.language}] elements at fault by rule: {counts}\n\n" + "\n\n".join(self.faults)


@pytest.fixture(scope="module")
def data(api: httpx.Client) -> dict[str, Any]:
    """A small, realistic account: contacts with behaviour, a segment, an email, a campaign, a
    journey from a template, a published event with registrations, a team and costs."""
    stamp = time.monotonic_ns()
    people = [
        create_contact(
            api,
            email=f"{first.lower()}.{stamp}@exemple.fr",
            first_name=first,
            last_name=last,
            company=company,
            email_opt_in=True,
            consent_level="marketing",
            lifecycle_stage=stage,
        )
        for first, last, company, stage in [
            ("Zoé", "Martin", "Boulangerie Martin", "lead"),
            ("Hugo", "Marchand", "Atelier Marchand", "marketing_qualified"),
            ("Inès", "Bernard", "Studio Bernard", "subscriber"),
            ("Lucas", "Petit", "", "customer"),
        ]
    ]
    add_interactions(api, people[0]["id"], "email_opened", "page_viewed")
    segment = api.post("/api/segments", json={"name": f"Lecteurs {stamp}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [p["id"] for p in people]})
    email = api.post(
        "/api/emails",
        json={
            "name": f"Lettre {stamp}",
            "subject": "Nouveautés",
            "from_name": "Parcours",
            "from_email": "news@exemple.fr",
        },
    ).json()
    campaign = api.post("/api/campaigns", json={"email_id": email["id"], "segment_ids": [segment["id"]]})
    assert campaign.status_code == 201, campaign.text
    templates = api.get("/api/templates", params={"kind": "journey"}).json()
    journey = api.post("/api/journeys", json={"name": f"Bienvenue {stamp}", "template_id": templates[0]["id"]})
    assert journey.status_code == 201, journey.text
    start = (datetime.now() + timedelta(days=20)).replace(hour=14, minute=0, second=0, microsecond=0)
    event = created(
        api.post(
            "/api/events",
            json={
                "name": f"Atelier {stamp}",
                "type": "in_person",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "timezone": "Europe/Paris",
                "capacity": 30,
                "budget": 1200,
                "venue": {"name": "La Cantine", "address": "12 rue de la Paix, Paris"},
                "status": "published",
            },
        )
    )
    created(api.post(f"/api/events/{event['id']}/team", json={"name": "Grace Hopper", "role": "speaker"}))
    created(
        api.post(f"/api/events/{event['id']}/costs", json={"label": "Traiteur", "amount": 300, "category": "catering"})
    )
    registration = created(api.post(f"/api/events/{event['id']}/registrations", json={"email": people[0]["email"]}))
    cancel_url = api.get(f"/api/events/{event['id']}/registrations/{registration['id']}").json()["cancel_url"]
    # One reader unsubscribes in English, another in French.
    messages = [
        wait_for(lambda p=p: api.get("/api/outbox", params={"to": p["email"]}).json()["items"])[0] for p in people[1:3]
    ]
    form = created(
        api.post(
            "/api/forms",
            json={
                "name": f"Inscription {stamp}",
                "slug": f"inscription-{stamp}",
                "fields": [
                    {"name": "email", "type": "email", "label": "E-mail", "required": True, "maps_to": "email"},
                    {"name": "news", "type": "consent", "label": "J'accepte la lettre.", "maps_to": "consent:email"},
                ],
                "settings": {"languages": ["fr", "en"]},
            },
        )
    )
    assert api.post(f"/api/forms/{form['id']}/publish").status_code == 200
    landing = created(
        api.post(
            "/api/pages",
            json={
                "name": f"Guide {stamp}",
                "slug": f"guide-{stamp}",
                "language": "fr",
                "html": f'<h1>Le guide</h1><div data-parcours-form="{form["id"]}">Formulaire</div>',
            },
        )
    )
    assert api.post(f"/api/pages/{landing['id']}/publish").status_code == 200
    return {
        "form": form,
        "landing": landing,
        "people": people,
        "segment": segment,
        "email": email,
        "campaign": campaign.json(),
        "journey": journey.json(),
        "event": event,
        "cancel_url": cancel_url,
        "messages": messages,
    }


def tour_the_app(tour: Tour, data: dict[str, Any]) -> None:
    page = tour.page
    contact = data["people"][0]

    tour.visit("/", "home-figures", "home")
    tour.visit("/contacts", "contacts-search")
    page.get_by_test_id("contacts-select-page").click()
    tour.dialog("contacts-add-to-segment", "contacts: add to a segment")
    tour.visit(f"/contacts/{contact['id']}", "contact-name", "contact detail")
    tour.tab("tab-consent-history", "contact-name", "contact: consent history")
    page.get_by_test_id("contact-edit").click()
    expect(page.get_by_test_id("contact-form")).to_be_visible()
    tour.check("contact: editing")

    tour.visit("/contacts/import", "import-dropzone", "import: file")
    page.locator("input[type=file]").set_input_files(MESSY)
    expect(page.get_by_test_id("import-mapping")).to_be_visible()
    tour.check("import: mapping")
    tour.tab("import-next", "import-options-next", "import: options")
    tour.tab("import-options-next", "import-start", "import: consent")

    tour.visit("/segments", "segments-new")
    tour.visit("/segments/new", "segment-name")
    tour.visit(f"/segments/{data['segment']['id']}", "segment-name", "segment editor")
    tour.tab("segment-tab-members", "members-total", "segment: members")

    tour.visit("/emails", "emails-new")
    tour.dialog("emails-new", "emails: new email")
    tour.visit(f"/emails/{data['email']['id']}", "designer-canvas", "email designer")
    tour.tab("editor-tab-code", "editor-code", "email: code")
    tour.tab("editor-tab-preview", "preview-frame", "email: preview")
    tour.dialog("editor-test-send", "email: test send")
    tour.visit("/emails/campaigns", "emails-tab-campaigns", "campaigns")
    tour.visit("/emails/campaigns/new", "campaign-email", "new campaign")
    tour.visit(f"/emails/campaigns/{data['campaign']['id']}", "campaign-status", "campaign")
    tour.visit("/emails/outbox", "outbox-search", "outbox")
    page.locator("[data-testid^=outbox-row-]").first.click()
    expect(page.get_by_test_id("outbox-message")).to_be_visible()
    tour.check("outbox: a message")
    tour.visit("/assets", "assets-dropzone", "asset library")
    tour.visit("/forms", "forms-new")
    tour.visit(f"/forms/{data['form']['id']}", "form-name", "form editor")
    tour.visit("/pages", "page-new", "landing pages")
    tour.visit(f"/pages/{data['landing']['id']}", "page-editor-name", "landing page editor")

    tour.visit("/journeys", "journeys-new")
    tour.dialog("journeys-new", "journeys: new journey")
    tour.visit(f"/journeys/{data['journey']['id']}", "journey-canvas", "journey editor")
    page.locator(".react-flow__node").first.click()
    expect(page.get_by_test_id("node-panel")).to_be_visible()
    tour.check("journey: a step selected")
    tour.dialog("journey-settings-open", "journey: settings")
    tour.dialog("journey-test-open", "journey: test")
    tour.dialog("journey-brief", "journey: brief")
    tour.visit("/plan", "plan-calendar", "relationship plan")
    tour.dialog("program-new", "plan: new program")

    tour.visit("/scoring", "scoring-models")
    page.get_by_test_id("scoring-model-open").first.click()
    expect(page.get_by_test_id("scoring-name")).to_be_visible()
    tour.check("scoring model editor")
    tour.visit("/scoring/new", "scoring-name")
    tour.visit("/pipeline", "pipeline-board")

    event = data["event"]
    tour.visit("/events", "events-new")
    tour.visit("/events/new", "event-name")
    tour.visit(f"/events/{event['id']}", "event-name", "event: details")
    for tab, ready in [
        ("registrations", "registrations-total"),
        ("team", "team-add"),
        ("budget", "cost-add"),
        ("dashboard", "stats-capacity-used"),
    ]:
        tour.tab(f"event-tab-{tab}", ready, f"event: {tab}")

    for tab, ready in [
        ("profile", "profile-name"),
        ("users", "users-new"),
        ("api-keys", "keys-new"),
        ("custom-fields", "fields-new"),
        ("topics", "topic-save"),
        ("templates", "templates-archived"),
        ("system", "system-refresh"),
        ("audit", "audit-table"),
    ]:
        tour.visit(f"/settings/{tab}", ready, f"settings: {tab}")
    for opener in ("users-new", "keys-new", "fields-new"):
        page.goto(
            f"/settings/{'users' if opener == 'users-new' else 'api-keys' if opener == 'keys-new' else 'custom-fields'}"
        )
        tour.dialog(opener, f"settings: {opener}")
    tour.visit("/reports", "reports-card-emails", "reports")
    tour.visit("/reports/spend", "spend-table", "reports: marketing spend")
    tour.visit("/reports/plan", "plan-zoom", "reports: marketing plan")
    tour.visit(f"/reports/journey-reach?journey={data['journey']['id']}", "reach-search", "reports: journey reach")
    tour.visit("/reports/leaderboard", "leaderboard-metric", "reports: leaderboard")
    tour.visit("/reports/audience", "audience-opt-in", "reports: audience")
    tour.visit("/reports/value", "cohorts-table", "reports: customer value")
    tour.visit("/reports/products", "products-starters", "reports: products")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_screen_has_no_serious_accessibility_fault(
    browser: Browser, server: Server, api: httpx.Client, data: dict[str, Any], language: str
) -> None:
    email = f"a11y.{language}.{time.monotonic_ns()}@example.org"
    created = api.post(
        "/api/users",
        json={"email": email, "name": "Camille Durand", "password": PASSWORD, "role": "admin", "language": language},
    )
    assert created.status_code == 201, created.text
    context = browser.new_context(
        base_url=server.base_url,
        locale="fr-FR" if language == "fr" else "en-US",
        viewport={"width": 1400, "height": 900},
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/login")
        tour = Tour(page, language)
        tour.check("login")
        login(page, email, PASSWORD)
        tour_the_app(tour, data)
        print(tour.report())
        assert not tour.faults, tour.report()
    finally:
        context.close()


def test_every_public_page_has_no_serious_accessibility_fault(
    browser: Browser, server: Server, api: httpx.Client, data: dict[str, Any]
) -> None:
    slug = data["event"]["slug"]
    cancel_path = re.sub(r"^https?://[^/]+", "", data["cancel_url"])
    for language, locale, message in zip(["en", "fr"], ["en-US", "fr-FR"], data["messages"], strict=True):
        # The headers are written when the message is sent, which may come a moment after it is queued.
        unsubscribe = wait_for(
            lambda m=message: dict(api.get(f"/api/outbox/{m['id']}").json()["headers"] or {}).get("List-Unsubscribe")
        )
        unsubscribe_path = re.sub(r"^https?://[^/]+", "", unsubscribe.strip().strip("<>"))
        preferences_path = unsubscribe_path.replace("/u/", "/preferences/")
        context = browser.new_context(base_url=server.base_url, locale=locale, bypass_csp=True)
        context.set_default_timeout(15_000)
        tour = Tour(context.new_page(), language)
        try:
            for path in [
                f"/e/{slug}",
                cancel_path,
                unsubscribe_path,
                preferences_path,
                "/u/not-a-token",
                "/e/no-such-event",
                f"/f/{data['form']['slug']}?lang={language}",
                f"/p/{data['landing']['slug']}",
                "/p/no-such-page",
                "/f/confirm/not-a-token",
            ]:
                tour.page.goto(path)
                tour.check(path)
            tour.page.goto(f"/e/{slug}")
            tour.page.get_by_test_id("public-email").fill(f"visiteur.{language}.{time.monotonic_ns()}@exemple.fr")
            tour.page.get_by_test_id("public-first-name").fill("Léa")
            tour.page.get_by_test_id("public-last-name").fill("Moreau")
            tour.page.get_by_test_id("public-consent").check()
            tour.page.get_by_test_id("public-submit").click()
            expect(tour.page.get_by_test_id("public-result")).to_be_visible()
            tour.check("registration confirmed")
            tour.visit(unsubscribe_path, "unsubscribe-confirm")
            tour.page.get_by_test_id("unsubscribe-confirm").click()
            expect(tour.page.get_by_test_id("unsubscribe-done")).to_be_visible()
            tour.check("unsubscribed")
            print(tour.report())
            assert not tour.faults, tour.report()
        finally:
            context.close()


def tab_to(page: Page, test_id: str, limit: int = 100) -> None:
    """Press Tab until the element `test_id` has the focus, as a keyboard user moves through a page
    once it has shown what they are looking for (Tab pressed while the page loads would go past it)."""
    expect(page.get_by_test_id(test_id).first).to_be_visible()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.closest('[data-testid]')?.dataset.testid") == test_id:
            # Where the keyboard is shows: buttons and links draw the focus ring (fields their border).
            ring = "() => ['A', 'BUTTON'].includes(document.activeElement.tagName) ? getComputedStyle(document.activeElement).outlineStyle : 'field'"
            assert page.evaluate(ring) != "none", f"{test_id} shows no focus ring"
            return
    raise AssertionError(f"{test_id} cannot be reached with Tab")


def test_a_marketer_edits_a_contact_with_the_keyboard_only(anonymous_page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    contact = create_contact(api, email=f"clavier.{stamp}@exemple.fr", first_name="Nour", last_name=f"Clavier{stamp}")
    page = anonymous_page
    page.goto("/login")
    tab_to(page, "login-email")
    page.keyboard.type(ADMIN_EMAIL)
    tab_to(page, "login-password")
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("nav-contacts")).to_be_visible()

    tab_to(page, "nav-contacts")
    page.keyboard.press("Enter")
    tab_to(page, "contacts-search")
    page.keyboard.type(f"Clavier{stamp}")
    expect(page.get_by_test_id("contact-row-name")).to_have_count(1)
    tab_to(page, "contact-row-name")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/contacts/{contact['id']}$"))

    tab_to(page, "contact-edit")
    page.keyboard.press("Enter")
    tab_to(page, "contact-job-title")
    page.keyboard.type("Responsable marketing")
    tab_to(page, "contact-save")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("contact-edit")).to_be_visible()
    wait_for(lambda: api.get(f"/api/contacts/{contact['id']}").json()["job_title"] == "Responsable marketing")


def test_a_journey_step_is_selected_and_its_dialogs_closed_with_the_keyboard(page: Page, api: httpx.Client) -> None:
    templates = api.get("/api/templates", params={"kind": "journey"}).json()
    journey = created(
        api.post("/api/journeys", json={"name": f"Clavier {time.monotonic_ns()}", "template_id": templates[0]["id"]})
    )
    page.goto(f"/journeys/{journey['id']}")
    expect(page.get_by_test_id("journey-canvas")).to_be_visible()
    expect(page.get_by_test_id("node-panel-empty")).to_be_visible()

    # A step takes the focus like any control; Enter selects it and its settings open beside the canvas.
    step = page.locator(".react-flow__node").first
    step.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("node-panel")).to_be_visible()

    # The settings drawer keeps the focus inside while open and gives it back to its button on Escape.
    tab_to(page, "journey-settings-open")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert page.evaluate("() => Boolean(document.activeElement?.closest('[role=dialog]'))")
    for _ in range(30):
        page.keyboard.press("Tab")
        assert page.evaluate("() => Boolean(document.activeElement?.closest('[role=dialog]'))")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("journey-settings-open")).to_be_focused()

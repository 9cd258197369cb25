"""A marketer writes a journey's If/else without code: picks a field, an operator in words and values
from the field's choices, reads the condition as a sentence on the canvas, goes to the rule text and
back, and publishes; inside a journey, a condition can ask whether the contact opened a step's email,
the step chosen by its name."""

import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.test_journeys import audience, email, pick


def journey(api: httpx.Client, name: str, nodes: list[tuple[str, str, dict[str, Any]]], edges: list[tuple]) -> int:
    definition = {
        "nodes": [
            {"id": i, "type": t, "config": c, "position": {"x": 300, "y": 140 * n}} for n, (i, t, c) in enumerate(nodes)
        ],
        "edges": [{"source": s, "target": t, **({"label": label} if label else {})} for s, t, label in edges],
    }
    response = api.post("/api/journeys", json={"name": name, "definition": definition})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def rule_of(api: httpx.Client, journey_id: int, node_id: str) -> str:
    nodes = api.get(f"/api/journeys/{journey_id}").json()["definition"]["nodes"]
    return str(next(n for n in nodes if n["id"] == node_id)["config"].get("rule") or "")


def add_condition(page: Page, field: str, operator: str, row: str = "condition-0-0") -> None:
    pick(page, f"{row}-field", field)
    pick(page, f"{row}-operator", operator)


def test_an_if_else_built_from_words_reads_as_a_sentence_and_publishes(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    segment = audience(api, f"Neighbours {stamp}", 1)
    offer = email(api, f"Offre {stamp}")
    journey_id = journey(
        api,
        f"Neighbours {stamp}",
        [
            ("start", "entry.segment", {"segment_id": segment["id"]}),
            ("check", "flow.condition", {"rule": ""}),
            ("offer", "action.email", {"email_id": offer["id"]}),
            ("done", "flow.exit", {}),
        ],
        [("start", "check", None), ("check", "offer", "yes"), ("check", "done", "no"), ("offer", "done", None)],
    )
    page.goto(f"/journeys/{journey_id}")
    page.get_by_test_id("node-check").click()
    panel = page.get_by_test_id("node-panel")
    expect(panel.get_by_test_id("node-config-rule-mode")).to_be_visible()
    panel.get_by_test_id("builder-add-group").click()
    add_condition(page, "Country", "is any of")
    page.get_by_test_id("condition-0-0-value").click()
    page.get_by_role("option", name="France", exact=True).click()
    page.get_by_role("option", name="Belgium", exact=True).click()
    page.keyboard.press("Escape")

    node = page.get_by_test_id("node-check")
    expect(node).to_contain_text("Country is France or Belgium")
    expect(page.get_by_test_id("journey-save-state")).to_have_attribute("data-state", "saved")
    assert rule_of(api, journey_id, "check") == 'country in ["FR", "BE"]'

    # The rule text, one more condition typed there, and back to the conditions.
    panel.get_by_test_id("node-config-rule-mode").get_by_text("Advanced: rule text").click()
    text = panel.get_by_test_id("node-config-rule")
    expect(text).to_have_value('country in ["FR", "BE"]')
    text.fill('country in ["FR", "BE"] and opens_30d >= 2')
    panel.get_by_test_id("node-config-rule-mode").get_by_text("Conditions").click()
    expect(page.get_by_test_id("condition-0-1-operator")).to_have_value("is at least")
    expect(page.get_by_test_id("condition-0-1-value")).to_have_value("2")
    expect(node).to_contain_text("Country is France or Belgium and Email opens (30 days) is at least 2")
    # Operators read as words: no symbol is offered.
    page.get_by_test_id("condition-0-1-operator").click()
    offered = page.get_by_role("option").all_inner_texts()
    assert "is more than" in offered and not {">", ">=", "=", "≥"} & set(offered), offered
    page.keyboard.press("Escape")

    # A rule the conditions cannot show stays text, with a word saying why.
    panel.get_by_test_id("node-config-rule-mode").get_by_text("Advanced: rule text").click()
    text.fill('country in ["FR", "BE"] and opens_30d >= 2 and (city ?? "") =~ "^Pa"')
    panel.get_by_test_id("node-config-rule-mode").get_by_text("Conditions").click()
    expect(panel.get_by_test_id("node-config-rule-text-only")).to_be_visible()
    text.fill('country in ["FR", "BE"] and opens_30d >= 2')
    panel.get_by_test_id("node-config-rule-mode").get_by_text("Conditions").click()
    expect(page.get_by_test_id("condition-0-0-field")).to_have_value("Country")

    expect(page.get_by_test_id("journey-save-state")).to_have_attribute("data-state", "saved")
    page.get_by_test_id("journey-publish").click()
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "published")
    assert rule_of(api, journey_id, "check") == 'country in ["FR", "BE"] and opens_30d >= 2'


def test_a_condition_asks_whether_the_contact_opened_a_steps_email(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    segment = audience(api, f"Readers {stamp}", 1)
    welcome, reminder = email(api, f"Bienvenue {stamp}"), email(api, f"Rappel {stamp}")
    journey_id = journey(
        api,
        f"Readers {stamp}",
        [
            ("start", "entry.segment", {"segment_id": segment["id"]}),
            ("mail", "action.email", {"email_id": welcome["id"]}),
            ("pause", "flow.wait", {"duration": "P2D"}),
            ("check", "flow.condition", {"rule": ""}),
            ("again", "action.email", {"email_id": reminder["id"]}),
            ("done", "flow.exit", {}),
        ],
        [
            ("start", "mail", None),
            ("mail", "pause", None),
            ("pause", "check", None),
            ("check", "done", "yes"),
            ("check", "again", "no"),
            ("again", "done", None),
        ],
    )
    page.goto(f"/journeys/{journey_id}")
    page.get_by_test_id("node-check").click()
    page.get_by_test_id("node-panel").get_by_test_id("builder-add-group").click()
    add_condition(page, "Opened the email of step", "did it")
    # The journey's email steps are offered by their emails' names.
    pick(page, "condition-0-0-value", f"Bienvenue {stamp}")
    expect(page.get_by_test_id("node-check")).to_contain_text(f"Opened the email “Bienvenue {stamp}”")
    expect(page.get_by_test_id("journey-save-state")).to_have_attribute("data-state", "saved")
    assert rule_of(api, journey_id, "check") == '"mail" in opened_steps'

    page.get_by_test_id("journey-publish").click()
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "published")

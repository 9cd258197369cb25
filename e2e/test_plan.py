"""A marketer starts a program from the "Reactivation" template with its KPI and a target, attaches
a journey, sees the program's progress and its row in the annual calendar, then writes the
journey's scenario brief from the journey editor; another program tracks one figure of a saved
exploration."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import add_interactions, check_accessibility, create_contact


def _journey(api: httpx.Client) -> dict[str, Any]:
    definition = {
        "nodes": [
            {"id": "start", "type": "entry.interaction", "config": {"type": "cart_abandoned"}},
            {"id": "out", "type": "flow.exit", "config": {}},
        ],
        "edges": [{"source": "start", "target": "out"}],
    }
    made = api.post("/api/journeys", json={"name": f"Win-back {time.monotonic_ns()}", "definition": definition})
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_a_program_from_a_template_tracks_its_kpi_and_shows_in_the_calendar(page: Page, api: httpx.Client) -> None:
    journey = _journey(api)
    page.goto("/plan")
    expect(page.get_by_test_id("nav-plan")).to_be_visible()
    page.get_by_test_id("program-new").click()

    # A blank form says what is missing next to the field, and saves nothing.
    page.get_by_test_id("program-save").click()
    expect(page.get_by_text("Name the program.")).to_be_visible()
    expect(page.get_by_text("Pick the KPI that tells whether it works.")).to_be_visible()

    # The template fills in the name, the objective, the KPI and the period.
    page.get_by_test_id("program-template").click()
    page.get_by_role("option", name="Reactivation").click()
    expect(page.get_by_test_id("program-name")).to_have_value("Reactivation")
    expect(page.get_by_test_id("program-kpi")).to_have_value("Journey goal conversion rate")
    name = f"Reactivation {time.monotonic_ns()}"
    page.get_by_test_id("program-name").fill(name)
    page.get_by_test_id("program-target").fill("20")
    page.get_by_test_id("program-journeys").click()
    page.get_by_role("option", name=journey["name"]).click()
    page.keyboard.press("Escape")
    check_accessibility(page, "program form")
    page.get_by_test_id("program-save").click()
    expect(page.get_by_test_id("program-form")).to_be_hidden()

    program = next(p for p in api.get("/api/programs").json()["items"] if p["name"] == name)
    assert program["kpi"]["metric"] == "conversion_rate" and program["target"] == 0.2
    assert program["journey_ids"] == [journey["id"]] and program["template_key"] == "reactivation"
    card = page.get_by_test_id(f"program-{program['id']}")
    expect(card).to_contain_text("Journey goal conversion rate")
    expect(card).to_contain_text("of 20 % targeted")
    # Nobody entered yet: nothing to divide by, said in words.
    expect(page.get_by_test_id(f"program-{program['id']}-value")).to_contain_text("—")
    expect(card).to_contain_text("Nothing to divide by yet")
    expect(page.get_by_test_id(f"program-{program['id']}-bar")).to_be_visible()
    expect(page.get_by_test_id(f"program-{program['id']}-chart")).to_be_visible()
    expect(page.get_by_test_id(f"program-{program['id']}-journeys-{journey['id']}")).to_have_text(journey["name"])

    # The calendar: the program's row with its journey as a bar, reachable by keyboard.
    row = page.get_by_test_id(f"calendar-row-{program['id']}")
    expect(row).to_contain_text(name)
    bar = page.get_by_test_id(f"calendar-bar-journey-{journey['id']}")
    bar.focus()
    expect(bar).to_be_focused()
    assert (bar.get_attribute("aria-label") or "").startswith(f"Journey {journey['name']}, ")
    year = dt.date.today().year
    page.get_by_test_id("calendar-next").click()
    expect(page.get_by_test_id("calendar-year")).to_have_text(str(year + 1))
    page.get_by_test_id("calendar-previous").click()
    expect(page.get_by_test_id("calendar-year")).to_have_text(str(year))
    expect(row).to_be_visible()

    # The journey's scenario brief, written from its editor.
    bar.click()
    page.wait_for_url(f"**/journeys/{journey['id']}")
    expect(page.get_by_test_id("journey-program")).to_have_text(f"Program: {name}")
    page.get_by_test_id("journey-brief").click()
    page.get_by_test_id("brief-goal").fill("A purchase within 30 days of entering")
    page.get_by_test_id("brief-audience").fill("Customers without a purchase for 6 months")
    page.get_by_test_id("brief-data_needed").fill("Purchases with their dates")
    page.get_by_test_id("brief-add-message").click()
    page.get_by_test_id("brief-message-name-0").fill("We miss you")
    page.get_by_test_id("brief-message-when-0").fill("On entering")
    page.get_by_test_id("brief-kpi").fill("Journey goal conversion rate")
    check_accessibility(page, "brief drawer")
    page.get_by_test_id("brief-save").click()
    expect(page.get_by_text("Brief saved")).to_be_visible()
    brief = api.get(f"/api/programs/briefs/{journey['id']}").json()
    assert brief["goal"] == "A purchase within 30 days of entering"
    assert brief["messages"] == [{"name": "We miss you", "channel": "email", "when": "On entering"}]

    # Deleting the program asks first; the journey stays.
    page.goto("/plan")
    page.get_by_test_id(f"program-{program['id']}-delete").click()
    page.get_by_test_id("program-delete-confirm").click()
    expect(card).to_be_hidden()
    assert api.get(f"/api/journeys/{journey['id']}").status_code == 200


def test_a_program_tracks_one_figure_of_a_saved_exploration(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    kind = f"bought_{stamp}"
    buyer = create_contact(api)
    for amount in (30, 45):
        add_interactions(api, buyer["id"], kind, amount=amount)
    question = {
        "dataset": "interactions",
        "filters": {"types": [kind, "email_opened"]},
        "group_by": ["type"],
        "measures": [{"kind": "count"}, {"kind": "sum", "field": "value"}],
    }
    saved = api.post("/api/explorations", json={"name": f"Orders {stamp}", "question": question, "shared": True})
    assert saved.status_code == 201, saved.text
    # The purchases reach the exploration's daily counts once the stream has handed them on.
    deadline = time.monotonic() + 20
    while api.post("/api/explore", json=question).json()["rows"] != [[kind, 2, 75.0]] and time.monotonic() < deadline:
        time.sleep(0.2)

    page.goto("/plan")
    page.get_by_test_id("program-new").click()
    name = f"Orders {stamp}"
    page.get_by_test_id("program-name").fill(name)
    page.get_by_test_id("program-kpi").click()
    page.get_by_role("option", name="An exploration's result").click()
    # The exploration is asked for, next to its field, before anything is saved.
    page.get_by_test_id("program-save").click()
    expect(page.get_by_text("Pick the saved exploration to track.")).to_be_visible()
    page.get_by_test_id("program-exploration").click()
    page.get_by_role("option", name=f"Orders {stamp}").click()
    page.get_by_test_id("program-cell").click()
    page.get_by_role("option", name=kind).click()
    page.get_by_test_id("program-measure").click()
    page.get_by_role("option", name="Sum of value").click()
    page.get_by_test_id("program-target").fill("100")
    check_accessibility(page, "program form tracking an exploration")
    page.get_by_test_id("program-save").click()
    expect(page.get_by_test_id("program-form")).to_be_hidden()

    program = next(p for p in api.get("/api/programs", params={"limit": 200}).json()["items"] if p["name"] == name)
    assert program["kpi"] == {
        "metric": "exploration",
        "segment_id": None,
        "exploration_id": saved.json()["id"],
        "cell": [kind],
        "measure": 1,
    }
    expect(page.get_by_test_id(f"program-{program['id']}")).to_contain_text("An exploration's result")
    expect(page.get_by_test_id(f"program-{program['id']}-value")).to_contain_text("75")
    expect(page.get_by_test_id(f"program-{program['id']}-value")).to_contain_text("of 100 targeted")
    assert api.get(f"/api/programs/{program['id']}/progress").json()["value"] == 75.0

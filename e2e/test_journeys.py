"""A marketer builds a journey on the canvas from nothing (drag and drop, connections from
labelled exits), tests it, publishes it and watches contacts move; starts another from a
template; and a journey that is not ready is refused with its problems shown on the steps."""

import re
import time
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact


def audience(api: httpx.Client, name: str, size: int) -> dict[str, Any]:
    """A static segment of `size` contacts who accept marketing emails."""
    stamp = time.monotonic_ns()
    people = [
        create_contact(
            api,
            email=f"walker{i}.{stamp}@example.org",
            first_name=f"Walker{i}",
            email_opt_in=True,
            consent_level="marketing",
        )
        for i in range(size)
    ]
    segment = api.post("/api/segments", json={"name": name, "kind": "static"}).json()
    response = api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [p["id"] for p in people]})
    assert response.status_code < 300, response.text
    return {**segment, "people": people}


def email(api: httpx.Client, name: str) -> dict[str, Any]:
    response = api.post(
        "/api/emails", json={"name": name, "subject": name, "from_name": "Parcours", "from_email": "news@example.fr"}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def new_journey(page: Page, card: str, name: str = "") -> int:
    page.goto("/journeys")
    page.get_by_test_id("journeys-new").click()
    if name:
        page.get_by_test_id("journey-new-name").fill(name)
    page.get_by_test_id(f"journey-template-{card}").click()
    expect(page.get_by_test_id("journey-canvas")).to_be_visible()
    return int(re.search(r"/journeys/(\d+)", page.url).group(1))  # type: ignore[union-attr]


def selected_node(page: Page) -> str:
    panel = page.get_by_test_id("node-panel")
    expect(panel).to_be_visible()
    return str(panel.get_attribute("data-node"))


def drop(page: Page, kind: str, x: float, y: float) -> str:
    """Drag a step from the palette onto the canvas at (x, y) from its top left corner."""
    before = (
        page.get_by_test_id("node-panel").get_attribute("data-node")
        if page.get_by_test_id("node-panel").count()
        else None
    )
    page.get_by_test_id(f"palette-{kind}").drag_to(page.locator(".react-flow__pane"), target_position={"x": x, "y": y})
    expect(page.get_by_test_id("node-panel")).not_to_have_attribute("data-node", before or "")
    return selected_node(page)


def connect(page: Page, source_handle: str, target_handle: str) -> None:
    """Drag from an exit's handle to a step's entry handle, as a marketer draws a connection."""
    start = page.get_by_test_id(source_handle).bounding_box()
    end = page.get_by_test_id(target_handle).bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            start["x"] + (end["x"] - start["x"]) * step / 10 + start["width"] / 2,
            start["y"] + (end["y"] - start["y"]) * step / 10 + start["height"] / 2,
        )
    page.mouse.up()


def pick(page: Page, test_id: str, option: str) -> None:
    page.get_by_test_id(test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def edges_of(api: httpx.Client, journey_id: int) -> set[tuple[str, str, str | None]]:
    definition = api.get(f"/api/journeys/{journey_id}").json()["definition"]
    return {(e["source"], e["target"], e.get("label")) for e in definition["edges"]}


def test_a_marketer_builds_tests_and_publishes_a_journey(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    segment = audience(api, f"Walkers {stamp}", 3)
    welcome, offer, news = (email(api, f"{what} {stamp}") for what in ("Welcome", "Offer", "News"))
    journey_id = new_journey(page, "blank", f"Walkers welcome {stamp}")

    entry = drop(page, "entry-segment", 420, 60)
    pick(page, "node-config-segment_id", segment["name"])
    first = drop(page, "action-email", 420, 230)
    expect(page.get_by_test_id("node-config-email_id")).to_have_attribute("aria-invalid", "true")
    pick(page, "node-config-email_id", welcome["name"])
    connect(page, f"handle-out-{entry}", f"handle-in-{first}")
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    # A click adds the step below the selected one, already connected.
    page.get_by_test_id("palette-flow-wait").click()
    wait = selected_node(page)
    page.get_by_test_id("node-config-duration").fill("2")
    expect(page.get_by_test_id(f"node-{wait}")).to_contain_text("Wait 2 days")
    page.get_by_test_id("palette-flow-condition").click()
    condition = selected_node(page)
    page.get_by_test_id("node-panel").get_by_test_id("builder-add-group").click()
    pick(page, "condition-0-0-field", "Email opens (30 days)")
    pick(page, "condition-0-0-operator", "is more than")
    page.get_by_test_id("condition-0-0-value").fill("0")
    expect(page.get_by_test_id(f"node-{condition}")).to_contain_text("Email opens (30 days) is more than 0")
    # Pan the canvas up (drag an empty spot) to make room below the condition.
    pane = page.locator(".react-flow__pane").bounding_box()
    assert pane
    page.mouse.move(pane["x"] + 60, pane["y"] + pane["height"] - 40)
    page.mouse.down()
    page.mouse.move(pane["x"] + 60, pane["y"] + pane["height"] - 200, steps=5)
    page.mouse.move(pane["x"] + 60, pane["y"] + pane["height"] - 400, steps=5)
    page.mouse.up()

    box = page.get_by_test_id(f"node-{condition}").bounding_box()
    assert box
    below = box["y"] - pane["y"] + box["height"] + 80
    yes = drop(page, "action-email", box["x"] - pane["x"] - 130, below)
    pick(page, "node-config-email_id", offer["name"])
    no = drop(page, "action-email", box["x"] - pane["x"] + box["width"] - 60, below)
    pick(page, "node-config-email_id", news["name"])
    connect(page, f"handle-out-{condition}-yes", f"handle-in-{yes}")
    connect(page, f"handle-out-{condition}-no", f"handle-in-{no}")
    expect(page.locator(".react-flow__edge")).to_have_count(5)
    page.get_by_test_id("journey-autolayout").click()

    expect(page.get_by_test_id("journey-save-state")).to_have_attribute("data-state", "saved")
    assert edges_of(api, journey_id) == {
        (entry, first, None),
        (first, wait, None),
        (wait, condition, None),
        (condition, yes, "yes"),
        (condition, no, "no"),
    }
    at = {n["id"]: n["position"] for n in api.get(f"/api/journeys/{journey_id}").json()["definition"]["nodes"]}
    assert (
        at[yes]["x"] < at[no]["x"]
        and at[entry]["y"] < at[first]["y"] < at[wait]["y"] < at[condition]["y"] < at[yes]["y"]
    )

    # A test run follows one contact through the draft and lights up its path.
    page.get_by_test_id("journey-test-open").click()
    walker = segment["people"][0]["email"]
    page.get_by_test_id("contact-picker").fill(walker)
    page.get_by_role("option", name=re.compile(re.escape(walker))).click()
    page.get_by_test_id("journey-test-run").click()
    expect(page.get_by_test_id("journey-test-outcome")).to_have_text("Finished the journey")
    expect(page.get_by_test_id("journey-test-effects")).to_contain_text(f"Would send the email 'Welcome {stamp}'")
    expect(page.get_by_test_id(f"node-{no}")).to_have_attribute("data-on-path", "yes")
    expect(page.get_by_test_id(f"node-{yes}")).to_have_attribute("data-on-path", "no")
    page.get_by_test_id("journey-test-clear").click()
    page.keyboard.press("Escape")

    page.get_by_test_id("journey-publish").click()
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "published")
    expect(page.get_by_test_id(f"node-count-{entry}")).to_contain_text("3 in", timeout=20_000)
    expect(page.get_by_test_id(f"node-count-{wait}")).to_contain_text("3 waiting", timeout=20_000)
    expect(page.get_by_test_id(f"node-count-{yes}")).to_contain_text("0 in")

    page.get_by_test_id("journey-tab-stats").click()
    expect(page.get_by_test_id("journey-stats-entered")).to_contain_text("3")
    expect(page.get_by_test_id(f"journey-email-stats-{first}")).to_contain_text(f"Welcome {stamp}")

    page.get_by_test_id("journey-pause").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "paused")
    page.get_by_test_id("journey-resume").click()
    page.get_by_test_id("journey-stop").click()
    page.get_by_test_id("journey-stop-confirm").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "stopped")

    page.get_by_test_id("journey-back").click()
    row = page.get_by_test_id(f"journey-row-{journey_id}")
    expect(row.get_by_test_id("journey-row-status")).to_have_text("Stopped")
    expect(row.get_by_test_id("journey-row-entered")).to_have_text("3")


def test_a_template_starts_a_journey_and_its_problems_lead_to_the_steps(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    segment = audience(api, f"Newcomers {stamp}", 2)
    email(api, f"Sender {stamp}")  # the template's emails take the latest sender
    journey_id = new_journey(page, "welcome-series")
    expect(page.locator(".react-flow__node")).to_have_count(6)
    expect(page.get_by_test_id("journey-name")).to_have_value("Welcome series")
    expect(page.get_by_test_id("node-engaged")).to_contain_text("If/else")
    expect(page.get_by_test_id("node-wait")).to_contain_text("Wait 2 days")

    page.get_by_test_id("journey-validate").click()
    problems = page.get_by_test_id("journey-problems")
    expect(problems).to_contain_text("Choose a segment")
    expect(page.get_by_test_id("node-entry")).to_have_attribute("data-problem", "yes")
    problems.get_by_text("Choose a segment").click()
    expect(page.get_by_test_id("node-entry")).to_have_attribute("data-selected", "yes")
    pick(page, "node-config-segment_id", segment["name"])
    expect(problems).to_contain_text("Ready to publish")
    expect(page.get_by_test_id("node-entry")).to_have_attribute("data-problem", "no")

    page.get_by_test_id("journey-publish").click()
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "published")
    expect(page.get_by_test_id("node-count-wait")).to_contain_text("2 waiting", timeout=20_000)
    assert api.get(f"/api/journeys/{journey_id}").json()["template_key"] == "welcome-series"


def test_a_journey_that_is_not_ready_is_refused_with_its_problems(page: Page, api: httpx.Client) -> None:
    journey_id = new_journey(page, "blank")
    page.get_by_test_id("palette-action-email").click()
    step = selected_node(page)

    # Undo and redo every change; copy, paste and delete from the keyboard.
    page.get_by_test_id("journey-undo").click()
    expect(page.locator(".react-flow__node")).to_have_count(0)
    page.get_by_test_id("journey-redo").click()
    expect(page.get_by_test_id(f"node-{step}")).to_be_visible()
    # Moving a step is one undo step too.
    node = page.get_by_test_id(f"node-{step}")
    before = node.bounding_box()
    assert before
    page.mouse.move(before["x"] + 60, before["y"] + 15)
    page.mouse.down()
    page.mouse.move(before["x"] + 160, before["y"] + 115, steps=8)
    page.mouse.up()
    top = f"document.querySelector('[data-testid=\"node-{step}\"]').getBoundingClientRect().y"
    page.wait_for_function(f"() => {top} > {before['y'] + 50}")
    page.get_by_test_id("journey-undo").click()
    page.wait_for_function(f"() => Math.abs({top} - {before['y']}) < 2")
    node.click()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.locator(".react-flow__node")).to_have_count(2)
    page.keyboard.press("Delete")
    expect(page.locator(".react-flow__node")).to_have_count(1)
    page.keyboard.press("Control+z")
    expect(page.locator(".react-flow__node")).to_have_count(2)
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(".react-flow__node")).to_have_count(1)
    expect(page.get_by_test_id("journey-save-state")).to_have_attribute("data-state", "saved")

    page.get_by_test_id("journey-publish").click()
    problems = page.get_by_test_id("journey-problems")
    expect(problems).to_contain_text("exactly one entry step")
    expect(problems).to_contain_text("Choose an email")
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "draft")
    page.locator("body").click(position={"x": 5, "y": 5})
    problems.get_by_text("Choose an email").click()
    expect(page.get_by_test_id(f"node-{step}")).to_have_attribute("data-selected", "yes")
    expect(page.get_by_test_id(f"node-{step}")).to_have_attribute("data-problem", "yes")
    expect(page.get_by_test_id("node-panel")).to_contain_text("Choose an email")
    assert api.get(f"/api/journeys/{journey_id}").json()["status"] == "draft"


def test_a_journey_registers_its_contacts_for_an_event(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    segment = audience(api, f"Guests {stamp}", 3)
    starts = "2031-06-01T15:00:00+00:00"
    event = api.post(
        "/api/events",
        json={
            "name": f"Launch {stamp}",
            "type": "webinar",
            "starts_at": starts,
            "ends_at": "2031-06-01T16:00:00+00:00",
            "capacity": 2,
            "status": "published",
        },
    ).json()
    new_journey(page, "blank", f"Guests to the launch {stamp}")
    entry = drop(page, "entry-segment", 420, 60)
    pick(page, "node-config-segment_id", segment["name"])
    page.get_by_test_id("palette-action-event_register").click()  # added below the entry, connected
    register = selected_node(page)
    expect(page.get_by_test_id("node-config-event_id")).to_have_attribute("aria-invalid", "true")
    pick(page, "node-config-event_id", f"Launch {stamp}")
    expect(page.get_by_test_id(f"node-{register}")).to_contain_text(f"Launch {stamp}")
    expect(page.get_by_test_id("node-config-event-link")).to_have_attribute("href", f"/events/{event['id']}")
    expect(page.get_by_test_id("journey-save-state")).to_have_attribute("data-state", "saved")

    page.get_by_test_id("journey-publish").click()
    page.get_by_test_id("audience-confirm").click()
    expect(page.get_by_test_id("journey-status")).to_have_attribute("data-status", "published")
    expect(page.get_by_test_id(f"node-count-{entry}")).to_contain_text("3 in", timeout=20_000)

    # Two seats, then the waitlist: the event's own registrations list shows them.
    page.goto(f"/events/{event['id']}")
    page.get_by_test_id("event-tab-registrations").click()
    rows = page.locator("[data-testid^='registration-row-']")
    expect(rows).to_have_count(3, timeout=20_000)
    statuses = sorted(r["status"] for r in api.get(f"/api/events/{event['id']}/registrations").json()["items"])
    assert statuses == ["confirmed", "confirmed", "waitlisted"]


def test_a_step_can_listen_to_one_events_interactions(page: Page, api: httpx.Client) -> None:
    stamp = time.monotonic_ns()
    api.post(
        "/api/events",
        json={
            "name": f"Summit {stamp}",
            "type": "in_person",
            "starts_at": "2031-09-01T08:00:00+00:00",
            "ends_at": "2031-09-01T17:00:00+00:00",
            "status": "published",
        },
    )
    new_journey(page, "blank", f"Summit follow-up {stamp}")
    entry = drop(page, "entry-interaction", 420, 60)
    pick(page, "node-config-type", "Attended an event")
    expect(page.get_by_test_id("node-config-event_id")).to_have_attribute("placeholder", "Any event")
    expect(page.get_by_test_id(f"node-{entry}")).to_contain_text("Attended an event")
    pick(page, "node-config-event_id", f"Summit {stamp}")
    expect(page.get_by_test_id(f"node-{entry}")).to_contain_text(f"Attended an event: Summit {stamp}")
    pick(page, "node-config-type", "Email opened")  # other interactions are about no event
    expect(page.get_by_test_id("node-config-event_id")).to_have_count(0)
    expect(page.get_by_test_id(f"node-{entry}")).not_to_contain_text("Summit")

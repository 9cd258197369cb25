"""The journey canvas takes the screen: it fills the space beside the palette and the side panel
down to the bottom, without a page scroll; the header fits at 1280 px in French; the check's
problems stand beside the canvas instead of pushing it down; the map opens and closes with a
labelled toggle, and "fit view" keeps every step clear of it."""

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Server, login
from e2e.test_journeys import audience, email

Box = dict[str, float]
NAVBAR, MAIN_PADDING = 220, 16


def busy_journey(api: httpx.Client, stamp: int) -> dict[str, Any]:
    """A running welcome series with unpublished changes: the header shows everything at once
    (live status, version, save state, pause, stop, publish changes)."""
    segment = audience(api, f"Canvas audience {stamp}", 1)
    email(api, f"Canvas sender {stamp}")
    template = next(
        t for t in api.get("/api/templates", params={"kind": "journey"}).json() if t["key"] == "welcome-series"
    )
    journey = api.post("/api/journeys", json={"name": f"Welcome {stamp}", "template_id": template["id"]}).json()
    definition = journey["definition"]
    for node in definition["nodes"]:
        if node["id"] == "entry":
            node["config"]["segment_id"] = segment["id"]
    assert api.patch(f"/api/journeys/{journey['id']}", json={"definition": definition}).status_code == 200
    published = api.post(f"/api/journeys/{journey['id']}/publish")
    assert published.status_code == 200, published.text
    for node in definition["nodes"]:
        if node["id"] == "wait":
            node["config"]["duration"] = "P3D"
    assert api.patch(f"/api/journeys/{journey['id']}", json={"definition": definition}).status_code == 200
    return dict(journey)


def open_as(browser: Browser, server: Server, api: httpx.Client, language: str, width: int, height: int) -> Page:
    context = browser.new_context(base_url=server.base_url, locale="en-US", viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    page = context.new_page()
    user = {
        "email": f"canvas.{language}.{time.monotonic_ns()}@example.org",
        "password": "canvas-password-1",
        "role": "marketer",
        "name": "Camille",
        "language": language,
    }
    assert api.post("/api/users", json=user).status_code == 201
    page.goto("/login")
    login(page, user["email"], user["password"])
    return page


def box_of(page: Page, test_id: str) -> Box:
    box = page.get_by_test_id(test_id).first.bounding_box()
    assert box, test_id
    return box


def overlaps(a: Box, b: Box) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def node_boxes(page: Page) -> list[Box]:
    boxes = [page.locator(".react-flow__node").nth(i).bounding_box() for i in range(6)]
    assert all(boxes)
    return [b for b in boxes if b]


def settled(page: Page) -> list[Box]:
    """The steps' places once the view stops moving (fitting the view is animated)."""
    before: list[Box] = []
    for _ in range(20):
        page.wait_for_timeout(150)
        now = node_boxes(page)
        if now == before:
            return now
        before = now
    return before


def assert_steps_in_view_and_clear_of_the_map(page: Page) -> None:
    canvas = box_of(page, "journey-canvas")
    steps = settled(page)
    minimap = page.locator(".react-flow__minimap")
    for step in steps:
        assert canvas["x"] <= step["x"] and step["x"] + step["width"] <= canvas["x"] + canvas["width"], step
        assert canvas["y"] <= step["y"] and step["y"] + step["height"] <= canvas["y"] + canvas["height"], step
        if minimap.count():
            shown = minimap.bounding_box()
            assert shown and not overlaps(step, shown), (step, shown)
        assert not overlaps(step, box_of(page, "journey-map-toggle"))


WORDS = {
    "en": {"live": "Live", "show": "Show the map", "hide": "Hide the map", "check": "Check", "stop": "Stop"},
    "fr": {
        "live": "En cours",
        "show": "Afficher le plan",
        "hide": "Masquer le plan",
        "check": "Vérifier",
        "stop": "Arrêter",
    },
}


@pytest.mark.parametrize(
    ("language", "width", "height"), [("fr", 1280, 800), ("en", 1280, 800), ("fr", 1400, 900), ("en", 1400, 900)]
)
def test_the_canvas_takes_the_screen_and_the_header_fits(
    browser: Browser, server: Server, api: httpx.Client, language: str, width: int, height: int
) -> None:
    words = WORDS[language]
    journey = busy_journey(api, time.monotonic_ns())
    page = open_as(browser, server, api, language, width, height)
    page.goto(f"/journeys/{journey['id']}")
    expect(page.locator(".react-flow__node")).to_have_count(6)
    expect(page.get_by_test_id("journey-status")).to_have_text(words["live"], ignore_case=True)
    expect(page.get_by_test_id("journey-publish")).to_be_visible()
    expect(page.get_by_test_id("journey-save-state")).to_have_attribute("data-state", "saved")
    page.screenshot(path=f"/tmp/canvas-journey-{language}-{width}.png")

    # The canvas fills the space between the palette and the side panel, down to the page's end.
    canvas, palette, side = (box_of(page, t) for t in ("journey-canvas", "journey-palette", "journey-side"))
    assert abs(canvas["x"] - (palette["x"] + palette["width"])) <= 3
    assert abs(canvas["x"] + canvas["width"] - side["x"]) <= 2
    assert (
        abs(palette["x"] - (NAVBAR + MAIN_PADDING)) <= 2
        and abs(side["x"] + side["width"] - (width - MAIN_PADDING)) <= 2
    )
    assert abs(canvas["y"] + canvas["height"] - (height - MAIN_PADDING)) <= 2
    assert canvas["height"] >= height - 200, canvas
    assert page.evaluate("document.documentElement.scrollHeight") <= height, "the page scrolls"

    # The header stays on one row inside the screen, every button whole, the status unclipped.
    header = box_of(page, "journey-header")
    assert header["height"] <= 60, header
    for test_id in ("journey-status", "journey-save-state", "journey-pause", "journey-stop", "journey-publish"):
        shown = box_of(page, test_id)
        assert shown["x"] + shown["width"] <= width - MAIN_PADDING + 1, test_id
        assert shown["y"] + shown["height"] <= header["y"] + header["height"] + 1, test_id
    clipped = page.get_by_test_id("journey-status").evaluate(
        "badge => [badge, ...badge.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth)"
    )
    assert not clipped, "the status badge is cut"
    expect(page.get_by_test_id("journey-validate")).to_have_text(words["check"])
    expect(page.get_by_test_id("journey-stop")).to_have_text(words["stop"])
    assert box_of(page, "journey-validate")["x"] + box_of(page, "journey-validate")["width"] <= width - MAIN_PADDING + 1

    # The map waits, closed, on a canvas this narrow; opened, fitting the view keeps steps clear of it.
    toggle = page.get_by_test_id("journey-map-toggle")
    expect(toggle).to_have_text(words["show"])
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".react-flow__minimap")).to_have_count(0)
    assert_steps_in_view_and_clear_of_the_map(page)
    toggle.click()
    expect(toggle).to_have_text(words["hide"])
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    page.locator(".react-flow__controls-fitview").click()
    assert_steps_in_view_and_clear_of_the_map(page)
    page.screenshot(path=f"/tmp/canvas-journey-{language}-{width}-map.png")

    # Tidying up moves the steps and shows them all again.
    page.get_by_test_id("journey-autolayout").click()
    assert_steps_in_view_and_clear_of_the_map(page)
    assert box_of(page, "journey-header")["height"] <= 60, "the header wraps while the change waits to be saved"

    # The check's problems stand beside the canvas: it keeps its place and size.
    before = box_of(page, "journey-canvas")
    page.get_by_test_id("journey-validate").click()
    expect(page.get_by_test_id("journey-side").get_by_test_id("journey-problems")).to_be_visible()
    assert box_of(page, "journey-canvas") == before
    page.screenshot(path=f"/tmp/canvas-journey-{language}-{width}-problems.png")
    page.context.close()


def test_a_wide_canvas_opens_its_map_and_keeps_the_steps_clear_of_it(
    browser: Browser, server: Server, api: httpx.Client
) -> None:
    journey = busy_journey(api, time.monotonic_ns())
    page = open_as(browser, server, api, "en", 1920, 1080)
    page.goto(f"/journeys/{journey['id']}")
    expect(page.locator(".react-flow__node")).to_have_count(6)
    expect(page.locator(".react-flow__minimap")).to_be_visible()
    expect(page.get_by_test_id("journey-map-toggle")).to_have_attribute("aria-expanded", "true")
    assert_steps_in_view_and_clear_of_the_map(page)
    page.screenshot(path="/tmp/canvas-journey-en-1920.png")
    page.get_by_test_id("journey-map-toggle").click()
    expect(page.locator(".react-flow__minimap")).to_have_count(0)
    assert_steps_in_view_and_clear_of_the_map(page)
    page.context.close()

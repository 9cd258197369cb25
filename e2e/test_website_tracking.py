"""The tracking script in a real browser, on a website that asks for consent first."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import create_contact


def site_page(base_url: str) -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pricing</title>
<script src="{base_url}/t.js" data-consent="required" async></script></head>
<body><main><h1>Our prices</h1>
<button type="button" id="accept" style="padding:8px" onclick="parcours.consent(true)">Accept statistics</button>
<form id="signup"><label for="email">Email</label><input id="email" name="email" type="email">
<input type="hidden" name="anonymous_id"></form></main></body></html>"""


@pytest.fixture
def site(api: httpx.Client) -> Iterator[str]:
    """A website of its own (another origin on this machine) that includes the script."""
    body = site_page(str(api.base_url).rstrip("/")).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_script_waits_for_consent_then_its_visitor_joins_the_contact(
    anonymous_page: Page, api: httpx.Client, site: str
) -> None:
    page = anonymous_page
    SITE = site
    page.goto(f"{SITE}/pricing?pc=not-a-real-token&plan=pro")
    page.wait_for_function("() => window.parcours !== undefined")
    expect(page).to_have_url(f"{SITE}/pricing?plan=pro")  # the contact token never stays in the address
    assert page.evaluate("() => parcours.anonymousId()") is None  # nothing before consent
    assert page.locator("input[name=anonymous_id]").input_value() == ""

    page.get_by_role("button", name="Accept statistics").click()
    expect(page.locator("input[name=anonymous_id]")).to_have_value(re.compile(r"^[0-9a-f]{32}$"))
    visitor = page.locator("input[name=anonymous_id]").input_value()
    with page.expect_response(lambda r: r.url.endswith("/t/collect")) as sent:  # batched: within a second
        page.evaluate("() => parcours.track('added_to_cart', {sku: 'PRO-1'})")
    assert sent.value.status == 202

    contact = create_contact(api)
    copied, deadline = 0, time.monotonic() + 15
    while copied < 2 and time.monotonic() < deadline:
        answer = api.post("/t/identify", json={"anonymous_id": visitor, "email": contact["email"]})
        assert answer.status_code == 200 and answer.json()["outcome"] in ("attach", "same"), answer.text
        copied += answer.json()["copied"]
        time.sleep(0.2)
    assert copied == 2
    timeline = api.get(f"/api/contacts/{contact['id']}/interactions").json()["items"]
    visit = next(i for i in timeline if i["type"] == "page_visited")
    assert visit["properties"]["url"] == f"{SITE}/pricing?plan=pro" and visit["properties"]["title"] == "Pricing"
    assert any(i["type"] == "added_to_cart" and i["properties"]["sku"] == "PRO-1" for i in timeline)

    # Do Not Track: consent or not, the script keeps no id and sends nothing.
    other = page.context.new_page()
    other.add_init_script("Object.defineProperty(navigator, 'doNotTrack', {get: () => '1'})")
    other.goto(f"{SITE}/pricing")
    other.wait_for_function("() => window.parcours !== undefined")
    other.get_by_role("button", name="Accept statistics").click()
    assert other.evaluate("() => parcours.anonymousId()") is None
    other.close()

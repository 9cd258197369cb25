"""An administrator subscribes a local receiver to new contacts from the Webhooks screen: the
secret is shown, a test call that the receiver refuses (500) is logged with its answer, a new
contact reaches the receiver signed once it answers, and the refused test is replayed from the log."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import Server, check_accessibility, create_contact, login, start_server


class Receiver:
    """The system a webhook tells: answers `status`, keeps what it receives."""

    def __init__(self) -> None:
        self.status = 500
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append({"headers": headers, "body": body, "json": json.loads(body)})
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/parcours"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, event: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["json"]["event"] == event]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()


@pytest.fixture(scope="module")
def local_server() -> Iterator[Server]:
    """A product that may call addresses on this machine, where the receiver listens."""
    with tempfile.TemporaryDirectory(prefix="parcours-e2e-hooks-") as tmp:
        running = start_server(Path(tmp) / "var", webhook_private_networks="true")
        yield running
        running.process.terminate()
        try:
            running.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            running.process.kill()


@pytest.fixture(scope="module")
def local_api(local_server: Server) -> Iterator[httpx.Client]:
    key = local_server.cli("apikey", "create", "--name", "e2e", "--role", "admin").strip().splitlines()[-1]
    with httpx.Client(base_url=local_server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        yield client


@pytest.fixture
def admin_page(browser: Browser, local_server: Server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=local_server.base_url, locale="en-US", viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    login(page)
    yield page
    context.close()


def test_an_admin_subscribes_a_receiver_and_follows_its_deliveries(
    admin_page: Page, local_api: httpx.Client, receiver: Receiver
) -> None:
    page = admin_page
    page.goto("/settings/webhooks")
    page.get_by_test_id("webhooks-empty-new").click()
    page.get_by_test_id("webhook-name").fill("Our CRM")
    page.get_by_test_id("webhook-url").fill(receiver.url)
    # The events are offered in words; new contacts are ticked to start with.
    expect(page.get_by_label("A contact is created")).to_be_checked()
    page.get_by_label("A contact unsubscribes").check()
    page.get_by_test_id("webhook-save").click()

    secret = page.get_by_test_id("webhook-created-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    page.get_by_test_id("webhook-created-close").click()
    row = page.get_by_test_id("webhook-row-Our CRM")
    expect(row).to_contain_text("A contact is created")
    expect(row).to_contain_text("A contact unsubscribes")
    (hook,) = local_api.get("/api/webhooks").json()["items"]
    assert (hook["url"], sorted(hook["events"])) == (receiver.url, ["contact.created", "contact.unsubscribed"])

    # The test call is refused by the receiver: the log says so, with its answer and timing.
    expect(page.get_by_test_id("webhook-detail")).to_be_visible()
    expect(page.get_by_test_id("webhook-secret")).to_have_value(secret)
    page.get_by_test_id("webhook-test").click()
    refused = page.locator('[data-event="webhook.test"]')
    expect(refused.get_by_test_id("delivery-code")).to_have_text("500", timeout=20_000)
    expect(refused.get_by_test_id("delivery-status")).to_have_text("Pending")
    expect(refused.get_by_test_id("delivery-time")).to_have_text(re.compile(r"^\d+ ms$"))

    # The receiver recovers: a new contact reaches it, signed with the secret shown.
    receiver.status = 200
    person = create_contact(local_api, first_name="Zoé")
    created = page.locator('[data-event="contact.created"]')
    expect(created.get_by_test_id("delivery-status")).to_have_text("Delivered", timeout=20_000)
    expect(created.get_by_test_id("delivery-code")).to_have_text("200")
    (call,) = receiver.events("contact.created")
    expected = "sha256=" + hmac.new(secret.encode(), call["body"], hashlib.sha256).hexdigest()
    assert call["headers"]["x-parcours-signature"] == expected
    assert call["json"]["contact"]["email"] == person["email"] and call["json"]["contact"]["first_name"] == "Zoé"

    # The refused test is sent again from the log, and arrives.
    refused.first.get_by_test_id("delivery-replay").click()
    expect(page.locator('[data-event="webhook.test"][data-status="delivered"]')).to_have_count(1, timeout=20_000)
    assert len(receiver.events("webhook.test")) >= 2
    expect(page.get_by_text("Sent again: a new delivery is in the log.")).to_have_count(0, timeout=10_000)
    page.locator('[data-event="contact.created"]').get_by_test_id("delivery-payload").click()
    expect(page.get_by_test_id("delivery-payload-json")).to_contain_text(person["email"])
    check_accessibility(page, "webhooks screen with the payload shown")
    page.keyboard.press("Escape")
    check_accessibility(page, "webhooks screen")

"""Messages leave through a real SMTP server (aiosmtpd) when PARCOURS_SMTP_URL is set."""

import email
import time
from email import policy
from typing import Any

import msgspec
from litestar.testing import TestClient

from parcours.app import create_app
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

SENDER = {"from_name": "Parcours", "from_email": "news@example.fr"}
MJML = (
    "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text>"
    '<mj-button href="https://shop.example.fr/">Shop</mj-button></mj-column></mj-section></mj-body></mjml>'
)


def test_a_real_smtp_server_receives_a_valid_message(app_settings: Any, smtp_server: Any) -> None:
    settings = msgspec.structs.replace(
        app_settings, smtp_url=smtp_server.url, redis_url=app_settings.redis_url.rsplit("/", 1)[0] + "/7"
    )
    with TestClient(create_app(settings, migrate=True)) as client:
        login = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        client.headers["x-csrf-token"] = login.json()["csrf_token"]
        email_id = client.post(
            "/api/emails", json={"name": "SMTP", "subject": "Réunion à Paris", **SENDER, "mjml": MJML}
        ).json()["id"]
        before = len(smtp_server.received)
        queued = client.post(f"/api/emails/{email_id}/test-send", json={"to": "inbox@example.org"}).json()
        deadline = time.monotonic() + 20
        while len(smtp_server.received) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        message = {}
        while message.get("status") != "sent" and time.monotonic() < deadline:
            message = client.get(f"/api/outbox/{queued['outbox_id']}").json()
    assert message["status"] == "sent"
    sender, recipients, raw = smtp_server.received[-1]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert recipients == ["inbox@example.org"] and "news@example.fr" in sender
    assert parsed["Subject"] == "Réunion à Paris" and parsed.get_content_type() == "multipart/alternative"
    assert "Hi Camille" in parsed.get_body(("plain",)).get_content()
    assert parsed["List-Unsubscribe"].strip().startswith("<http") and parsed["Message-ID"] == message["message_id"]

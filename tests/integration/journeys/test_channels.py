"""Journeys send text messages through a Twilio-compatible provider and call webhooks: both are
checked against a real local HTTP server standing in for the third party."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import msgspec
import pytest
from litestar.testing import TestClient

from parcours.app import create_app
from parcours.channels.webhook import signature
from parcours.queue import free_port
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Api
from tests.integration.journeys.test_journeys import chain, journey, published


class Receiver:
    """Answers 201 like Twilio's Messages endpoint and 200 to webhooks; keeps every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                failing = self.path.startswith("/broken")
                self.send_response(500 if failing else 201)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"sid": "SM123"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].startswith(path)]


@pytest.fixture(scope="module")
def receiver(backend: str) -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def api(app_settings: Any, receiver: Receiver) -> Iterator[Api]:
    sms_url = f"http://AC42:secret-token@127.0.0.1:{receiver.port}/2010-04-01/Accounts/AC42/Messages.json"
    settings = msgspec.structs.replace(app_settings, sms_url=sms_url, sms_from="+33100000000",
                                       webhook_private_networks=True)  # the receiver listens on 127.0.0.1
    with TestClient(create_app(settings, migrate=True)) as client:
        login = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        client.headers["x-csrf-token"] = login.json()["csrf_token"]
        yield Api(client)


def outbox(api: Api, journey_id: int) -> dict[str, dict[str, Any]]:
    rows = api.get("/api/outbox", params={"limit": 200}).json()["items"]
    return {r["channel"]: r for r in rows if r.get("journey_id") == journey_id}


def test_text_messages_and_webhooks_reach_the_provider_and_the_address(api: Api, receiver: Receiver, make_contact: Any) -> None:
    person = make_contact(first_name="Zoé", phone="+33612345678", sms_opt_in=True, consent_level="marketing")
    definition = chain(("start", "entry.interaction", {"type": "form_submitted"}),
                       ("text", "action.sms", {"text": "Bonjour {{ contact.first_name }}, merci !"}),
                       ("hook", "action.webhook", {"url": f"http://127.0.0.1:{receiver.port}/hooks/sales"}))
    made = journey(api, definition)
    published(api, made["id"])
    api.post("/api/interactions", json={"contact_id": person["id"], "type": "form_submitted"})
    assert api.eventually(lambda: receiver.to("/hooks/sales") and receiver.to("/2010-04-01"), 20), (
        api.get(f"/api/journeys/{made['id']}/runs").text, api.get("/api/outbox").text)
    sms = receiver.to("/2010-04-01/Accounts/AC42/Messages.json")[0]
    assert parse_qs(sms["body"].decode()) == {"To": ["+33612345678"], "From": ["+33100000000"], "Body": ["Bonjour Zoé, merci !"]}
    assert {k.lower(): v for k, v in sms["headers"].items()}["authorization"] == "Basic " + base64.b64encode(b"AC42:secret-token").decode()
    hook = receiver.to("/hooks/sales")[0]
    payload = json.loads(hook["body"])
    assert (payload["journey_id"], payload["node_id"], payload["contact"]["email"]) == (made["id"], "hook", person["email"])
    secret = api.client.app.state.runtime.secret_key
    assert {k.lower(): v for k, v in hook["headers"].items()}["x-parcours-signature"] == signature(secret, hook["body"])
    sent = api.eventually(lambda: (o := outbox(api, made["id"])) and all(m["status"] == "sent" for m in o.values()) and o)
    assert set(sent) == {"sms", "webhook"}


def test_no_consent_no_text_and_a_failing_address_is_reported(api: Api, receiver: Receiver, make_contact: Any) -> None:
    person = make_contact(phone="+33612345679", sms_opt_in=False, consent_level="marketing")
    definition = chain(("start", "entry.interaction", {"type": "page_visited"}),
                       ("text", "action.sms", {"text": "Hi"}),
                       ("hook", "action.webhook", {"url": f"http://127.0.0.1:{receiver.port}/broken"}))
    made = journey(api, definition)
    published(api, made["id"])
    before = len(receiver.to("/2010-04-01"))
    api.post("/api/interactions", json={"contact_id": person["id"], "type": "page_visited"})
    done = api.eventually(lambda: (o := outbox(api, made["id"])) and len(o) == 2
                          and all(m["status"] not in ("queued", "sending") for m in o.values()) and o)
    assert done, outbox(api, made["id"])
    assert (done["sms"]["status"], done["sms"]["reason"]) == ("suppressed", "The contact has not opted in to text messages.")
    assert (done["webhook"]["status"], done["webhook"]["reason"]) == ("failed", "The address answered 500.")
    assert len(receiver.to("/2010-04-01")) == before


"""Outgoing webhooks against a real local receiver that is first down (connection refused), then
answers 500, then recovers: each call signed, retried with exponential backoff as the clock
moves, logged with its status and response time, replayable; failed after a day of retries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec
import pytest

from parcours.channels.webhook import signature
from parcours.clock import clock
from parcours.queue import free_port
from tests import factories
from tests.conftest import Api

EVENTS = ["contact.created", "contact.updated", "contact.unsubscribed", "opportunity.won"]


class Receiver:
    """A webhook receiver on a port of its own; nothing listens there until `start`. Answers
    `status` and keeps every request."""

    def __init__(self) -> None:
        self.port = free_port()
        self.status = 500
        self.requests: list[dict[str, Any]] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
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

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def about(self, email: str, event: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.requests
            if r["json"]["event"] == event and (r["json"]["contact"] or {}).get("email") == email
        ]


@pytest.fixture(scope="module")
def receiver(backend: str) -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def app_settings(app_settings: Any) -> Any:
    return msgspec.structs.replace(app_settings, webhook_private_networks=True)  # the receiver is on 127.0.0.1


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    yield
    clock.reset()


def webhook(api: Api, url: str, events: list[str] = EVENTS) -> dict[str, Any]:
    response = api.post("/api/webhooks", json={"name": "CRM", "url": url, "events": events})
    assert response.status_code == 201, response.text
    return dict(response.json())


def deliveries(api: Api, webhook_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/webhooks/{webhook_id}/deliveries", params={"limit": 500})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def delivery_of(api: Api, webhook_id: int, event: str, email: str) -> dict[str, Any] | None:
    found = [
        d
        for d in deliveries(api, webhook_id)
        if d["event"] == event and (d["payload"]["contact"] or {}).get("email") == email
    ]
    return found[0] if found else None


def when(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def test_a_receiver_down_then_failing_then_back_gets_each_contact_signed(api: Api, receiver: Receiver) -> None:
    hook = webhook(api, receiver.url)
    assert hook["secret"].startswith("whsec_") and hook["active"] is True
    first = factories.contact(api, first_name="Grace")

    # Nobody listens yet: the call is refused, logged, and tried again a minute later.
    refused = api.eventually(
        lambda: (d := delivery_of(api, hook["id"], "contact.created", first["email"])) and d["attempts"] >= 1 and d
    )
    assert refused, deliveries(api, hook["id"])
    assert (refused["status"], refused["status_code"]) == ("pending", None)
    assert "could not be reached" in refused["error"]
    assert when(refused["next_attempt_at"]) - when(refused["last_attempt_at"]) == timedelta(minutes=1)

    # Up, but answering 500: the second try is logged with its status, the next one 2 minutes on.
    receiver.start()
    clock.advance(timedelta(minutes=1, seconds=1))
    failing = api.eventually(
        lambda: (d := delivery_of(api, hook["id"], "contact.created", first["email"])) and d["attempts"] >= 2 and d
    )
    assert failing and (failing["status"], failing["status_code"]) == ("pending", 500), failing
    assert failing["error"] == "The address answered 500." and failing["response_ms"] is not None
    assert when(failing["next_attempt_at"]) - when(failing["last_attempt_at"]) == timedelta(minutes=2)
    assert len(receiver.about(first["email"], "contact.created")) == 1

    # Back: the third try, when it falls due, delivers it.
    receiver.status = 200
    clock.advance(timedelta(minutes=1))
    assert not api.eventually(lambda: len(receiver.about(first["email"], "contact.created")) > 1, timeout=7), (
        "tried again before its time"
    )
    clock.advance(timedelta(minutes=1, seconds=1))
    delivered = api.eventually(
        lambda: (
            (d := delivery_of(api, hook["id"], "contact.created", first["email"])) and d["status"] == "delivered" and d
        )
    )
    assert delivered and (delivered["attempts"], delivered["status_code"]) == (3, 200), delivered
    assert delivered["next_attempt_at"] is None and delivered["error"] == ""
    assert delivered["response_ms"] is not None and delivered["response_ms"] >= 0

    # Signed with the webhook's secret, over the very bytes received.
    assert len(receiver.about(first["email"], "contact.created")) == 2  # the 500, then this one
    call = receiver.about(first["email"], "contact.created")[-1]
    assert call["headers"]["x-parcours-signature"] == signature(hook["secret"], call["body"])
    assert call["headers"]["x-parcours-signature"] != signature("another secret", call["body"])
    assert call["headers"]["x-parcours-event"] == "contact.created"
    assert call["json"]["contact"]["id"] == first["id"] and call["json"]["contact"]["first_name"] == "Grace"
    assert call["json"]["id"] == delivered["payload"]["id"]

    # Every new contact reaches it, each once.
    others = [factories.contact(api) for _ in range(3)]
    assert api.eventually(lambda: all(receiver.about(c["email"], "contact.created") for c in others))
    assert all(len(receiver.about(c["email"], "contact.created")) == 1 for c in others)

    # Replayed from the log: the same event (same body id), as a new delivery of its own.
    replayed = api.post(f"/api/webhooks/{hook['id']}/deliveries/{delivered['id']}/replay")
    assert replayed.status_code == 201, replayed.text
    assert replayed.json()["replay_of"] == delivered["id"] and replayed.json()["id"] != delivered["id"]
    assert api.eventually(lambda: len(receiver.about(first["email"], "contact.created")) == 3)
    again = receiver.about(first["email"], "contact.created")[-1]
    assert again["json"] == call["json"] and again["headers"]["x-parcours-delivery"] == str(replayed.json()["id"])
    missing = api.post(f"/api/webhooks/{hook['id']}/deliveries/{2**31 - 1}/replay")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "delivery_id"


def test_unsubscribing_changes_and_won_opportunities_are_sent(api: Api, receiver: Receiver) -> None:
    receiver.status = 200
    if receiver.server is None:
        receiver.start()
    hook = webhook(api, receiver.url)
    person = factories.contact(api)
    assert api.patch(f"/api/contacts/{person['id']}", json={"unsubscribed": True}).status_code == 200
    unsubscribed = api.eventually(lambda: receiver.about(person["email"], "contact.unsubscribed"))
    assert unsubscribed and unsubscribed[0]["json"]["contact"]["unsubscribed"] is True
    # Each event is its own delivery: the update may reach the receiver after the unsubscription.
    updated = api.eventually(lambda: receiver.about(person["email"], "contact.updated"))
    assert updated and updated[0]["json"]["data"]["fields"] == ["unsubscribed"]

    won = api.post("/api/opportunities", json={"name": "Big deal", "contact_id": person["id"], "stage": "won"})
    assert won.status_code == 201, won.text
    calls = api.eventually(lambda: receiver.about(person["email"], "opportunity.won"))
    assert calls and calls[0]["json"]["data"]["opportunity"]["id"] == won.json()["id"]
    # A second save of the won opportunity is not a second win.
    assert api.patch(f"/api/opportunities/{won.json()['id']}", json={"stage": "won"}).status_code == 200
    assert len([d for d in deliveries(api, hook["id"]) if d["event"] == "opportunity.won"]) == 1

    # Erasing the contact erases what the log says of it. Its interactions were the newest: the
    # next contact's must still reach the stream (ids are never given again, even on SQLite).
    assert any((d["payload"]["contact"] or {}).get("id") == person["id"] for d in deliveries(api, hook["id"]))
    assert api.delete(f"/api/contacts/{person['id']}").status_code == 204
    assert not any((d["payload"]["contact"] or {}).get("id") == person["id"] for d in deliveries(api, hook["id"]))

    # A test call reaches the address; a paused webhook hears nothing of new contacts.
    tested = api.post(f"/api/webhooks/{hook['id']}/test")
    assert tested.status_code == 201 and tested.json()["event"] == "webhook.test"
    assert api.eventually(
        lambda: any(
            r["json"]["event"] == "webhook.test" and r["json"]["id"] == tested.json()["payload"]["id"]
            for r in receiver.requests
        )
    )
    assert api.patch(f"/api/webhooks/{hook['id']}", json={"active": False}).json()["active"] is False
    webhook(api, receiver.url, ["contact.created"])
    quiet = factories.contact(api)
    # The active one hears of it: by then the stream has handed the contact to both.
    assert api.eventually(lambda: receiver.about(quiet["email"], "contact.created"))
    assert delivery_of(api, hook["id"], "contact.created", quiet["email"]) is None
    # What an administrator asks for still goes to a paused webhook: a replay.
    sent = next(d for d in deliveries(api, hook["id"]) if d["event"] == "webhook.test")
    replayed = api.post(f"/api/webhooks/{hook['id']}/deliveries/{sent['id']}/replay").json()
    assert api.eventually(
        lambda: next(d for d in deliveries(api, hook["id"]) if d["id"] == replayed["id"])["status"] == "delivered"
    )


def test_a_receiver_that_never_answers_fails_after_a_day(api: Api) -> None:
    down = Receiver()  # nothing ever listens on its port
    hook = webhook(api, down.url, ["contact.created"])
    person = factories.contact(api)
    assert api.eventually(
        lambda: (d := delivery_of(api, hook["id"], "contact.created", person["email"])) and d["attempts"] == 1
    )
    clock.advance(timedelta(hours=24, minutes=1))
    failed = api.eventually(
        lambda: (
            (d := delivery_of(api, hook["id"], "contact.created", person["email"])) and d["status"] == "failed" and d
        )
    )
    assert failed and failed["attempts"] == 2 and failed["next_attempt_at"] is None, failed
    failures = api.get(f"/api/webhooks/{hook['id']}/deliveries", params={"status": "failed"}).json()
    assert [d["id"] for d in failures["items"]] == [failed["id"]] and failures["total"] == 1

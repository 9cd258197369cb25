"""Journeys send text messages through a Twilio-compatible provider and call webhooks: both are
checked against a real local HTTP server standing in for the third party."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import msgspec
import pytest

from parcours.channels.webhook import signature
from tests.factories import chain, journey, outbox_by_channel, published, runs
from tests.scenarios.harness import Scenario
from tests.scenarios.receiver import Receiver


@pytest.fixture(scope="module")
def receiver(backend: str) -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def app_settings(app_settings: Any, receiver: Receiver) -> Any:
    sms_url = f"http://AC42:secret-token@127.0.0.1:{receiver.port}/2010-04-01/Accounts/AC42/Messages.json"
    # The receiver listens on 127.0.0.1; a failure is final at the first try here (the retries are
    # tests/integration/faults' concern).
    return msgspec.structs.replace(
        app_settings, sms_url=sms_url, sms_from="+33100000000", webhook_private_networks=True, send_attempts=1
    )


def test_text_messages_and_webhooks_reach_the_provider_and_the_address(
    scenario: Scenario, receiver: Receiver, make_contact: Any
) -> None:
    api = scenario.api
    person = make_contact(first_name="Zoé", phone="+33612345678", sms_opt_in=True, consent_level="marketing")
    definition = chain(
        ("start", "entry.interaction", {"type": "form_submitted"}),
        ("text", "action.sms", {"text": "Bonjour {{ contact.first_name }}, merci !"}),
        ("hook", "action.webhook", {"url": f"http://127.0.0.1:{receiver.port}/hooks/sales"}),
    )
    made = journey(api, definition)
    published(api, made["id"])
    scenario.submit({"contact_id": person["id"], "type": "form_submitted"})
    assert receiver.to("/hooks/sales") and receiver.to("/2010-04-01"), (
        runs(api, made["id"]),
        api.get("/api/outbox").text,
    )
    sms = receiver.to("/2010-04-01/Accounts/AC42/Messages.json")[0]
    assert parse_qs(sms["body"].decode()) == {
        "To": ["+33612345678"],
        "From": ["+33100000000"],
        "Body": ["Bonjour Zoé, merci !"],
    }
    assert {k.lower(): v for k, v in sms["headers"].items()}["authorization"] == "Basic " + base64.b64encode(
        b"AC42:secret-token"
    ).decode()
    hook = receiver.to("/hooks/sales")[0]
    payload = json.loads(hook["body"])
    assert (payload["journey_id"], payload["node_id"], payload["contact"]["email"]) == (
        made["id"],
        "hook",
        person["email"],
    )
    secret = scenario.runtime.secret_key
    assert {k.lower(): v for k, v in hook["headers"].items()}["x-parcours-signature"] == signature(secret, hook["body"])
    sent = outbox_by_channel(api, made["id"])
    assert all(m["status"] == "sent" for m in sent.values()), sent
    assert set(sent) == {"sms", "webhook"}


def test_no_consent_no_text_and_a_failing_address_is_reported(
    scenario: Scenario, receiver: Receiver, make_contact: Any
) -> None:
    api = scenario.api
    person = make_contact(phone="+33612345679", sms_opt_in=False, consent_level="marketing")
    definition = chain(
        ("start", "entry.interaction", {"type": "page_visited"}),
        ("text", "action.sms", {"text": "Hi"}),
        ("hook", "action.webhook", {"url": f"http://127.0.0.1:{receiver.port}/broken"}),
    )
    made = journey(api, definition)
    published(api, made["id"])
    before = len(receiver.to("/2010-04-01"))
    scenario.submit({"contact_id": person["id"], "type": "page_visited"})
    done = outbox_by_channel(api, made["id"])
    assert len(done) == 2 and all(m["status"] not in ("queued", "sending") for m in done.values()), done
    assert (done["sms"]["status"], done["sms"]["reason"]) == (
        "suppressed",
        "The contact has not opted in to text messages.",
    )
    assert (done["webhook"]["status"], done["webhook"]["reason"]) == ("failed", "The address answered 500.")
    assert len(receiver.to("/2010-04-01")) == before

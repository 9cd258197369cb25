"""Webhook addresses are set by marketers: by default they may not lead to this machine or a
private network, where they could reach internal services through the worker."""

from __future__ import annotations

from typing import Any

import pytest

from parcours.channels.webhook import private_address
from tests.conftest import Api
from tests.integration.journeys.test_channels import Receiver, outbox
from tests.integration.journeys.test_journeys import chain, journey, published


def test_a_webhook_to_this_machine_is_refused_and_never_called(api: Api, make_contact: Any) -> None:
    receiver = Receiver()
    try:
        person = make_contact(consent_level="marketing")
        definition = chain(("start", "entry.interaction", {"type": "quote_requested"}),
                           ("hook", "action.webhook", {"url": f"http://127.0.0.1:{receiver.port}/hooks/internal"}))
        made = journey(api, definition)
        published(api, made["id"])
        api.post("/api/interactions", json={"contact_id": person["id"], "type": "quote_requested"})
        done = api.eventually(lambda: (o := outbox(api, made["id"])).get("webhook", {}).get("status") == "failed" and o)
        assert done, outbox(api, made["id"])
        assert done["webhook"]["reason"].startswith("The address 127.0.0.1 is on a private network")
        assert receiver.requests == []
    finally:
        receiver.server.shutdown()


@pytest.mark.parametrize("url", ["http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]:8000/",
                                 "http://[::ffff:192.168.1.10]/", "http://localhost:6379/", "ftp://example.com/"])
async def test_private_and_odd_addresses_are_refused(url: str) -> None:
    assert await private_address(url)


async def test_a_public_address_is_allowed() -> None:
    assert await private_address("https://93.184.216.34/hooks") is None

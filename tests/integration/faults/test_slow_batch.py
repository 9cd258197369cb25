"""A batch slower to send than a claim's life (a sluggish SMTP server; here the stale-claim limit is
made 1 s, against 15 minutes by default): the worker's own messages still waiting for their turn,
or sent and not yet recorded, are not queued again behind its back. Each person gets the campaign
once, every message is tried once and recorded as sent.

The SMTP server is real (FaultySmtp); the sender in front of it takes its time before each batch."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import pytest

from parcours.channels.mime import Mime
from parcours.channels.senders import Outcome
from tests import factories
from tests.conftest import Api, signed_in
from tests.factories import unique_email
from tests.integration.faults.servers import FaultySmtp, SenderInFront
from tests.integration.faults.test_postgres_killed import audience

STALE_SECONDS = 1
SLOW_SECONDS = 1.5  # each batch: the batch claimed meanwhile is stale before its own turn comes


class SlowSender(SenderInFront):
    def __init__(self, delivery: Any) -> None:
        super().__init__(delivery)
        self.batches = 0

    async def send_many(self, messages: Sequence[tuple[Mime, str]]) -> list[Outcome]:
        self.batches += 1
        await asyncio.sleep(SLOW_SECONDS)
        return await super().send_many(messages)


@pytest.fixture(scope="module")
def api(app_settings: Any, smtp: FaultySmtp) -> Iterator[Api]:
    settings = msgspec.structs.replace(
        app_settings, smtp_url=smtp.url, smtp_domain_rate=0.0, stale_claim_seconds=STALE_SECONDS
    )
    with signed_in(settings) as api:
        yield api


@pytest.fixture(scope="module")
def sender(api: Api) -> SlowSender:
    return SlowSender(api.app.state.product.delivery)


def test_a_batch_slower_than_a_claims_life_is_not_sent_twice(api: Api, smtp: FaultySmtp, sender: SlowSender) -> None:
    tag = unique_email("slow").split("@")[0]
    # Three batches of at most 200: the third is claimed while the second waits its turn.
    ids, segment_id = audience(api, tag, 450)
    created = api.post("/api/campaigns", json={"email_id": factories.email(api, tag), "segment_ids": [segment_id]})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]

    def all_done() -> list[dict[str, Any]] | None:
        items = api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 500}).json()["items"]
        return (
            items if len(items) == len(ids) and all(m["status"] not in ("queued", "sending") for m in items) else None
        )

    messages = api.eventually(all_done, timeout=90)
    assert messages, api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 5}).json()
    assert sender.batches >= 3  # a batch was claimed while the one before it waited its turn
    assert Counter(m["status"] for m in messages) == {"sent": len(ids)}
    assert Counter(m["attempts"] for m in messages) == {1: len(ids)}
    received = Counter(rcpt for rcpt, _raw in smtp.received if rcpt.startswith(f"{tag}."))
    assert len(received) == len(ids) and set(received.values()) == {1}
    campaign = api.eventually(
        lambda: (c := api.get(f"/api/campaigns/{campaign_id}").json())["status"] == "sent" and c, 30
    )
    assert campaign, api.get(f"/api/campaigns/{campaign_id}").json()

"""A batch of messages whose sending fails as a whole (an error, not an SMTP answer per message):
its messages are released at once, their try counted, and go out on the next pass, each once,
instead of staying claimed until their claim is stale (15 minutes). A batch that fails every time
ends failed with the reason after the tries allowed.

The SMTP server is real (FaultySmtp); what fails is the sender in front of it, made to raise for
chosen batches before handing anything on, as a crash in a mail library would."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import pytest

from parcours.channels.mime import Mime
from parcours.channels.senders import Outcome, Sender, sender_for
from tests import factories
from tests.conftest import Api, signed_in
from tests.factories import unique_email
from tests.integration.faults.servers import FaultySmtp
from tests.integration.faults.test_postgres_killed import audience

ATTEMPTS = 3
STALE_SECONDS = 900  # the default: a message still claimed would wait this long


class CrashingSender:
    """The product's SMTP sender, except that a batch raises before anything is sent: the next
    `crashes` batches, and every batch with a message to one of `poisoned`."""

    def __init__(self, real: Sender) -> None:
        self.real = real
        self.crashes = 0
        self.poisoned: set[str] = set()
        self.crashed = 0

    async def send_many(self, messages: Sequence[tuple[Mime, str]]) -> list[Outcome]:
        if self.crashes or any(to in self.poisoned for _mime, to in messages):
            self.crashes = max(0, self.crashes - 1)
            self.crashed += 1
            raise RuntimeError("the mail library crashed")
        return await self.real.send_many(messages)

    async def close(self) -> None:
        await self.real.close()


@pytest.fixture(scope="module")
def api(app_settings: Any, smtp: FaultySmtp) -> Iterator[Api]:
    settings = msgspec.structs.replace(
        app_settings,
        smtp_url=smtp.url,
        smtp_domain_rate=0.0,
        send_attempts=ATTEMPTS,
        stale_claim_seconds=STALE_SECONDS,
    )
    with signed_in(settings) as api:
        yield api


@pytest.fixture(scope="module")
def sender(api: Api) -> CrashingSender:
    delivery = api.app.state.product.delivery
    crashing = CrashingSender(sender_for(delivery.settings))
    delivery.sender = lambda: crashing
    return crashing


def test_a_failed_batch_goes_out_on_the_next_pass_each_message_once(
    api: Api, smtp: FaultySmtp, sender: CrashingSender
) -> None:
    tag = unique_email("crash").split("@")[0]
    # More than a batch (200): the first fails while the next one is already claimed.
    ids, segment_id = audience(api, tag, 260)
    sender.crashes = 1
    started = time.monotonic()
    created = api.post("/api/campaigns", json={"email_id": factories.email(api, tag), "segment_ids": [segment_id]})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]

    def all_sent() -> list[dict[str, Any]] | None:
        items = api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 500}).json()["items"]
        return items if len(items) == len(ids) and all(m["status"] == "sent" for m in items) else None

    messages = api.eventually(all_sent, timeout=60)
    elapsed = time.monotonic() - started
    assert messages, api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 5}).json()
    assert sender.crashed == 1
    # Soon: the next pass (the sweeper's, every 10 s), not the stale claim's 15 minutes.
    assert elapsed < 60 < STALE_SECONDS
    received = Counter(rcpt for rcpt, _raw in smtp.received if rcpt.startswith(f"{tag}."))
    assert len(received) == len(ids) and set(received.values()) == {1}
    # The failed try is counted: the messages of the failed batch were claimed twice.
    attempts = Counter(m["attempts"] for m in messages)
    assert set(attempts) <= {1, 2} and attempts[2] >= 1
    campaign = api.eventually(
        lambda: (c := api.get(f"/api/campaigns/{campaign_id}").json())["status"] == "sent" and c, 30
    )
    assert campaign, api.get(f"/api/campaigns/{campaign_id}").json()


def test_a_batch_that_always_fails_ends_failed_with_the_reason_after_the_tries_allowed(
    api: Api, smtp: FaultySmtp, sender: CrashingSender
) -> None:
    to = unique_email("poison")
    sender.poisoned.add(to)
    queued = api.post(f"/api/emails/{factories.email(api, 'Poison')}/test-send", json={"to": to})
    assert queued.status_code in (200, 201, 202), queued.text
    outbox_id = queued.json()["outbox_id"]
    waiting = api.eventually(
        lambda: (m := api.get(f"/api/outbox/{outbox_id}").json())["reason"].startswith("Try") and m, 30
    )
    # Between two passes the outbox shows the failed try and why.
    assert waiting["status"] in ("queued", "sending") and waiting["reason_code"] == "error"
    assert "RuntimeError: the mail library crashed" in waiting["reason"]
    message = api.eventually(lambda: (m := api.get(f"/api/outbox/{outbox_id}").json())["status"] == "failed" and m, 60)
    assert message, api.get(f"/api/outbox/{outbox_id}").json()
    assert message["attempts"] == ATTEMPTS and message["reason"].startswith(f"Failed after {ATTEMPTS} tries")
    assert "the mail library crashed" in message["reason"]
    assert to not in {rcpt for rcpt, _raw in smtp.received}

"""A sluggish SMTP server: a batch takes longer to send than a claim's life (here the stale-claim
limit is made 1 s, against 15 minutes by default). The messages a worker holds, waiting for their
turn or sent and not yet recorded, are not queued again behind its back, neither by itself nor by
another worker sending the same campaign: each person gets it once, every message is tried once and
recorded as sent.

The SMTP server is real (FaultySmtp, answering each message late); the second worker is a real
`parcours worker` process beside the one in the test's process."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from tests import factories
from tests.conftest import Api, signed_in
from tests.factories import unique_email
from tests.integration.faults.servers import FaultySmtp
from tests.integration.journeys.test_reliability import Workers, audience

STALE_SECONDS = 1
# Per message, over the sender's 6 connections: a batch of 200 takes about 2 s, twice a claim's life.
DELAY_SECONDS = 0.06


@pytest.fixture(scope="module")
def settings(app_settings: Any, smtp: FaultySmtp) -> Any:
    smtp.delay = DELAY_SECONDS
    return msgspec.structs.replace(
        app_settings, smtp_url=smtp.url, smtp_domain_rate=0.0, stale_claim_seconds=STALE_SECONDS, frequency_cap=0
    )


@pytest.fixture(scope="module")
def api(settings: Any) -> Iterator[Api]:
    with signed_in(settings) as api:
        yield api


def _outbox(api: Api, campaign_id: int) -> list[dict[str, Any]]:
    """The campaign's messages in the Outbox screen, page after page."""
    messages: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"campaign_id": campaign_id, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/outbox", params=params).json()
        messages += page["items"]
        if not (cursor := page["next_cursor"]):
            return messages


def _campaign_sent_once_each(api: Api, smtp: FaultySmtp, tag: str, count: int) -> None:
    segment_id = audience(api, tag, count)
    created = api.post("/api/campaigns", json={"email_id": factories.email(api, tag), "segment_ids": [segment_id]})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]

    def all_done() -> list[dict[str, Any]] | None:
        items = _outbox(api, campaign_id)
        return items if len(items) == count and all(m["status"] not in ("queued", "sending") for m in items) else None

    messages = api.eventually(all_done, timeout=120)
    assert messages, Counter(m["status"] for m in _outbox(api, campaign_id))
    assert Counter(m["status"] for m in messages) == {"sent": count}
    assert Counter(m["attempts"] for m in messages) == {1: count}
    received = Counter(rcpt for rcpt, _raw in smtp.received if rcpt.startswith(f"{tag}."))
    assert len(received) == count and set(received.values()) == {1}
    campaign = api.eventually(
        lambda: (c := api.get(f"/api/campaigns/{campaign_id}").json())["status"] == "sent" and c, 30
    )
    assert campaign, api.get(f"/api/campaigns/{campaign_id}").json()


def test_one_worker_keeps_the_batches_it_holds(api: Api, smtp: FaultySmtp) -> None:
    # Three batches of at most 200: the third is claimed while the second waits its turn.
    _campaign_sent_once_each(api, smtp, unique_email("slow").split("@")[0].replace(".", ""), 450)


def test_another_worker_does_not_take_the_batches_one_holds(api: Api, smtp: FaultySmtp, settings: Any) -> None:
    workers = Workers(settings)
    workers.env.update(
        {
            "PARCOURS_STALE_CLAIM_SECONDS": str(STALE_SECONDS),
            "PARCOURS_SMTP_URL": smtp.url,
            "PARCOURS_SMTP_DOMAIN_RATE": "0",
        }
    )
    workers.start()
    try:
        # Five batches of 200: each worker, called for help by the other, claims while it sends.
        _campaign_sent_once_each(api, smtp, unique_email("slow2").split("@")[0].replace(".", ""), 1000)
    finally:
        workers.stop_all()

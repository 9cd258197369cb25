"""A real SMTP server that greylists, drops the connection in the middle of DATA, refuses or is down:
messages are tried again with a growing wait, with the same Message-ID each time, up to
PARCOURS_SEND_ATTEMPTS tries, then marked failed with the reason; a 5xx fails at once. The outbox
shows the tries, and /metrics counts the server's answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from tests.conftest import Api, signed_in
from tests.factories import unique_email
from tests.integration.faults.servers import FaultySmtp

MJML = "<mjml><mj-body><mj-section><mj-column><mj-text>Hello</mj-text></mj-column></mj-section></mj-body></mjml>"
TOKEN = "metrics-token-for-faults"
ATTEMPTS = 4


@pytest.fixture(scope="module")
def api(app_settings: Any, smtp: FaultySmtp) -> Iterator[Api]:
    settings = msgspec.structs.replace(
        app_settings, smtp_url=smtp.url, send_attempts=ATTEMPTS, retry_seconds=0.3, metrics_token=TOKEN
    )
    with signed_in(settings) as api:
        yield api


@pytest.fixture(scope="module")
def email_id(api: Api) -> int:
    created = api.post(
        "/api/emails",
        json={"name": "Faults", "subject": "Hello", "from_name": "Shop", "from_email": "news@example.fr", "mjml": MJML},
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def send(api: Api, email_id: int, to: str) -> int:
    queued = api.post(f"/api/emails/{email_id}/test-send", json={"to": to})
    assert queued.status_code in (200, 201, 202), queued.text
    return int(queued.json()["outbox_id"])


def settled(api: Api, outbox_id: int) -> dict[str, Any]:
    """The message once it is sent or failed for good."""

    def done() -> dict[str, Any] | None:
        message = api.get(f"/api/outbox/{outbox_id}").json()
        return message if message["status"] in ("sent", "failed") else None

    message = api.eventually(done, timeout=40)
    assert message, api.get(f"/api/outbox/{outbox_id}").json()
    return dict(message)


def test_a_greylisted_message_is_tried_again_and_sent_once(api: Api, smtp: FaultySmtp, email_id: int) -> None:
    to = unique_email("greylisted")
    smtp.plan[to].extend(["greylist", "greylist"])
    message = settled(api, send(api, email_id, to))
    assert message["status"] == "sent" and message["attempts"] == 3
    assert [action for rcpt, action, _ in smtp.tries if rcpt == to] == ["greylist", "greylist", "accept"]
    assert [rcpt for rcpt, _raw in smtp.received].count(to) == 1


def test_a_connection_dropped_during_data_is_tried_again_with_the_same_message_id(
    api: Api, smtp: FaultySmtp, email_id: int
) -> None:
    to = unique_email("dropped")
    smtp.plan[to].extend(["drop", "drop"])
    message = settled(api, send(api, email_id, to))
    assert message["status"] == "sent" and message["attempts"] == 3
    tries = [(action, message_id) for rcpt, action, message_id in smtp.tries if rcpt == to]
    assert [action for action, _ in tries] == ["drop", "drop", "accept"]
    # Each try carried the same Message-ID: a server that had kept a dropped one drops the copy.
    assert {message_id for _, message_id in tries} == {message["message_id"]}


def test_a_message_greylisted_every_time_fails_with_the_reason_after_the_last_try(
    api: Api, smtp: FaultySmtp, email_id: int
) -> None:
    to = unique_email("never")
    smtp.plan[to].extend(["greylist"] * ATTEMPTS)
    message = settled(api, send(api, email_id, to))
    assert message["status"] == "failed" and message["attempts"] == ATTEMPTS
    assert message["reason_code"] == "451"
    assert message["reason"].startswith(f"Failed after {ATTEMPTS} tries") and "Greylisted" in message["reason"]
    assert to not in [rcpt for rcpt, _raw in smtp.received]
    shown = api.get("/api/outbox", params={"status": "failed", "to": to}).json()["items"]
    assert [(m["id"], m["attempts"], m["reason_code"]) for m in shown] == [(message["id"], ATTEMPTS, "451")]


def test_a_refused_recipient_fails_at_once(api: Api, smtp: FaultySmtp, email_id: int) -> None:
    to = unique_email("refused")
    smtp.plan[to].append("reject")
    message = settled(api, send(api, email_id, to))
    assert message["status"] == "failed" and message["attempts"] == 1 and message["reason_code"] == "550"
    assert "No such user" in message["reason"] and not message["reason"].startswith("Failed after")


def test_a_server_down_delays_the_message_until_it_is_back(api: Api, smtp: FaultySmtp, email_id: int) -> None:
    to = unique_email("down")
    smtp.stop()
    try:
        outbox_id = send(api, email_id, to)
        waiting = api.eventually(
            lambda: (m := api.get(f"/api/outbox/{outbox_id}").json())["reason"].startswith("Try") and m
        )
        # While it waits, the outbox shows the try, what it got and when the next one is.
        assert waiting["status"] == "queued" and waiting["attempts"] >= 1
        assert waiting["reason_code"] == "unreachable" and "could not be reached" in waiting["reason"]
        assert waiting["send_after"] > waiting["created_at"]
    finally:
        smtp.start()
    message = settled(api, outbox_id)
    assert message["status"] == "sent" and 1 < message["attempts"] <= ATTEMPTS
    assert [rcpt for rcpt, _raw in smtp.received].count(to) == 1


def test_metrics_count_the_smtp_answers(api: Api) -> None:
    scraped = api.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200
    counts = {
        line.split('code="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
        for line in scraped.text.splitlines()
        if line.startswith("parcours_smtp_responses_total{")
    }
    assert counts["451"] >= 2 + ATTEMPTS and counts["550"] >= 1 and counts["250"] >= 3

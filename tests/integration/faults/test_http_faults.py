"""A journey's webhook address or SMS provider (a real local HTTP server) that answers 500 or does
not answer in time: the call is tried again, then fails with the reason; the contact's journey goes
on with the error noted, or stops there, as the step says (`on_failure`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from tests.conftest import Api, signed_in
from tests.factories import chain, contact, journey, outbox_by_channel, published, runs, unique_type
from tests.integration.faults.servers import FaultyHttp, running

ATTEMPTS = 3
SMS_PATH = "/2010-04-01/Accounts/AC1/Messages.json"


@pytest.fixture(scope="module")
def http() -> Iterator[FaultyHttp]:
    with running(FaultyHttp(slow_seconds=2.0)) as server:
        yield server


@pytest.fixture(scope="module")
def api(app_settings: Any, http: FaultyHttp) -> Iterator[Api]:
    settings = msgspec.structs.replace(
        app_settings,
        sms_url=f"http://AC1:token@127.0.0.1:{http.port}{SMS_PATH}",
        sms_from="+33100000000",
        webhook_private_networks=True,  # the endpoint listens on 127.0.0.1
        send_attempts=ATTEMPTS,
        retry_seconds=0.3,
        http_timeout=0.5,
    )
    with signed_in(settings) as api:
        yield api


def entered(api: Api, step: tuple[str, str, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """A published journey whose contact takes `step`, then waits a day; one contact entered."""
    kind = unique_type("fault")
    made = journey(
        api,
        chain(("start", "entry.interaction", {"type": kind}), step, ("later", "flow.wait", {"duration": "P1D"})),
    )
    published(api, made["id"])
    person = contact(api, phone="+33612345678", sms_opt_in=True, consent_level="marketing")
    response = api.post("/api/interactions", json={"batch": [{"contact_id": person["id"], "type": kind}]})
    assert response.status_code < 300, response.text
    return int(made["id"]), person


def settled(api: Api, journey_id: int, channel: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        message = outbox_by_channel(api, journey_id).get(channel)
        return message if message and message["status"] in ("sent", "failed") else None

    message = api.eventually(done, timeout=40)
    assert message, outbox_by_channel(api, journey_id)
    return dict(message)


def test_a_webhook_answering_500_is_called_again_until_it_takes_the_call(api: Api, http: FaultyHttp) -> None:
    # The server outlives the module's runs on each database: only this run's calls count.
    earlier = len(http.calls)
    http.plan["/hooks/flaky"].extend(["500", "500"])
    journey_id, _person = entered(api, ("hook", "action.webhook", {"url": http.url("/hooks/flaky")}))
    message = settled(api, journey_id, "webhook")
    assert (message["status"], message["attempts"], message["reason_code"]) == ("sent", 3, ""), (message, http.calls)
    assert [action for path, action in http.calls[earlier:] if path == "/hooks/flaky"] == ["500", "500", "200"]
    (run,) = runs(api, journey_id)
    assert (run["status"], run["node_id"], run["error"]) == ("waiting", "later", "")


def test_a_webhook_that_never_answers_in_time_fails_and_the_journey_goes_on(api: Api, http: FaultyHttp) -> None:
    http.plan["/hooks/slow"].extend(["slow"] * ATTEMPTS)
    journey_id, _person = entered(
        api, ("hook", "action.webhook", {"url": http.url("/hooks/slow"), "on_failure": "continue"})
    )
    message = settled(api, journey_id, "webhook")
    assert (message["status"], message["attempts"], message["reason_code"]) == ("failed", ATTEMPTS, "timeout")
    assert message["reason"] == f"Failed after {ATTEMPTS} tries: The address did not answer in time."
    run = api.eventually(lambda: (found := runs(api, journey_id)) and found[0]["error"] and found[0])
    assert (run["status"], run["node_id"]) == ("waiting", "later")
    assert run["error"] == f"hook: {message['reason']}"


def test_a_text_message_the_provider_keeps_refusing_stops_the_journey_when_the_step_says_so(
    api: Api, http: FaultyHttp
) -> None:
    http.plan[SMS_PATH].extend(["500"] * ATTEMPTS)
    journey_id, _person = entered(api, ("text", "action.sms", {"text": "Hello", "on_failure": "stop"}))
    message = settled(api, journey_id, "sms")
    assert (message["status"], message["attempts"], message["reason_code"]) == ("failed", ATTEMPTS, "500")
    assert "The SMS provider refused the message (500)" in message["reason"]
    run = api.eventually(lambda: (found := runs(api, journey_id)) and found[0]["status"] == "exited" and found[0])
    assert run, runs(api, journey_id)
    assert run["error"].startswith("text: Failed after 3 tries: The SMS provider refused the message (500)")
    # It stopped where it stood when the failure was known: waiting after the text message.
    stats = api.get(f"/api/journeys/{journey_id}/stats").json()
    assert (stats["exited"], stats["nodes"]["later"]["exited"]) == (1, 1), stats

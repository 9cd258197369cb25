"""Emails to registrants through the real app and worker: the confirmation with its calendar file,
the waitlist notice, the promotion after a cancellation, reminders (once, never to a cancelled
registration), each read back from the MIME the Outbox captured."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from parcours.clock import clock
from parcours.events.tasks import promote_waitlist, queue_reminders
from tests.conftest import Api
from tests.factories import unique_email

START = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def make_event(api: Api) -> Callable[..., dict[str, Any]]:
    def make(**fields: Any) -> dict[str, Any]:
        body = {
            "name": "Pricing, explained",
            "type": "webinar",
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(hours=1)).isoformat(),
            "timezone": "Europe/Paris",
            "capacity": 1,
            "status": "published",
            "online_url": "https://meet.example.org/pricing",
            **fields,
        }
        response = api.post("/api/events", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


def register(api: Api, event_id: int, **fields: Any) -> dict[str, Any]:
    response = api.post(f"/api/events/{event_id}/registrations", json={"email": unique_email("guest"), **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def emails_to(api: Api, address: str) -> list[dict[str, Any]]:
    return list(api.get("/api/outbox", params={"to": address, "limit": 50}).json()["items"])


def captured(api: Api, address: str, count: int = 1) -> list[EmailMessage]:
    """The messages the worker captured for this address, once there are `count` of them."""
    found = api.eventually(
        lambda: len(m := [x for x in emails_to(api, address) if x["status"] == "captured"]) >= count and m
    )
    assert found, emails_to(api, address)
    out = []
    for item in sorted(found, key=lambda x: x["id"]):
        raw = api.get(f"/api/outbox/{item['id']}/raw")
        assert raw.status_code == 200
        out.append(message_from_bytes(raw.content, policy=policy.default))
    return out  # type: ignore[return-value]


def text_of(message: EmailMessage) -> str:
    return str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def calendar_of(message: EmailMessage) -> dict[str, str]:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() and part.get_filename().endswith(".ics")  # type: ignore[union-attr]
    text = part.get_content()
    unfolded = text.replace("\r\n ", "").split("\r\n")
    assert unfolded[0] == "BEGIN:VCALENDAR" and "BEGIN:VEVENT" in unfolded
    return dict(line.split(":", 1) for line in unfolded if ":" in line)


def test_confirmation_has_the_calendar_file_and_the_cancel_link(
    api: Api, make_event: Callable[..., dict[str, Any]]
) -> None:
    event = make_event(capacity=5)
    seat = register(api, event["id"], first_name="Ada")
    assert seat["status"] == "confirmed"
    [message] = captured(api, seat["email"])
    assert message.get_content_type() == "multipart/mixed" and not message.defects
    assert message["Subject"] == "You are registered: Pricing, explained"
    assert str(message["From"]).startswith('"Pricing, explained"')
    text = text_of(message)
    assert "2031-03-04 10:30 - 11:30 (Europe/Paris)" in text and "https://meet.example.org/pricing" in text
    cancel_url = next(line.split(": ", 1)[1] for line in text.splitlines() if "Cancel your registration" in line)
    vevent = calendar_of(message)
    assert vevent["DTSTART"] == "20310304T093000Z" and vevent["SUMMARY"] == "Pricing\\, explained"
    # Registering again while registered is the same registration: no second email.
    again = api.post(f"/api/events/{event['id']}/registrations", json={"contact_id": seat["contact_id"]})
    assert again.status_code in (200, 201) and again.json()["id"] == seat["id"]
    # The link in the email cancels the registration.
    path = cancel_url.split("://", 1)[-1].split("/", 1)[1]
    assert api.post(f"/{path}").status_code == 200
    listed = api.get(f"/api/events/{event['id']}/registrations").json()["items"]
    assert [r["status"] for r in listed if r["id"] == seat["id"]] == ["cancelled"]
    assert len(emails_to(api, seat["email"])) == 1
    # Registering after cancelling is a new round: a new confirmation.
    assert register(api, event["id"], email=seat["email"])["id"] == seat["id"]
    assert text_of(captured(api, seat["email"], 2)[1]).startswith("You are registered for Pricing, explained.")


def test_waitlist_then_promotion_in_french(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    event = make_event(capacity=1, type="in_person", online_url=None, venue={"name": "Hall A", "address": "2 rue X"})
    first = register(api, event["id"])
    waiting = register(api, event["id"], language="fr")
    assert (first["status"], waiting["status"], waiting["position"]) == ("confirmed", "waitlisted", 1)
    [notice] = captured(api, waiting["email"])
    assert notice["Subject"] == "Vous êtes sur liste d'attente : Pricing, explained"
    assert notice.get_content_type() == "multipart/alternative"  # no calendar file without a seat
    text = text_of(notice)
    assert "en position 1" in text and "Quitter la liste d'attente: http" in text and "Hall A, 2 rue X" in text

    cancelled = api.post(f"/api/events/{event['id']}/registrations/{first['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    notice, promotion = captured(api, waiting["email"], 2)
    assert promotion["Subject"] == "Une place s'est libérée pour vous : Pricing, explained"
    assert calendar_of(promotion)["DTSTART"] == "20310304T093000Z"
    # The job run again (a retry) seats nobody twice: still one promotion email.
    runtime = api.app.state.runtime

    async def again() -> int:
        return await promote_waitlist({"runtime": runtime}, event["id"])

    assert api.blocking_portal.call(again) == 0
    assert len(emails_to(api, waiting["email"])) == 2


def test_reminder_offsets_are_checked_and_tidied(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    bad = api.post(
        "/api/events",
        json={
            "name": "x",
            "type": "webinar",
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(hours=1)).isoformat(),
            "reminders": ["PT0H"],
        },
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "reminders"
    for reminders in (["P1M"], ["1 day"], ["P1D"] * 6, ["P400D"]):
        response = api.post(
            "/api/events",
            json={
                "name": "x",
                "type": "webinar",
                "starts_at": START.isoformat(),
                "ends_at": (START + timedelta(hours=1)).isoformat(),
                "reminders": reminders,
            },
        )
        assert response.status_code == 400 and "reminders" in response.json()["error"]["field"], response.text
    event = make_event(reminders=["PT1H", "P1D", "PT24H", "P7D"])
    assert event["reminders"] == ["P7D", "P1D", "PT1H"]
    patched = api.patch(f"/api/events/{event['id']}", json={"reminders": ["P2D", "P"]})
    assert patched.status_code == 400 and patched.json()["error"]["field"].startswith("reminders")
    assert api.get(f"/api/events/{event['id']}").json()["reminders"] == ["P7D", "P1D", "PT1H"]


def test_a_due_reminder_is_queued_once_and_never_to_a_cancelled_registration(
    api: Api, make_event: Callable[..., dict[str, Any]]
) -> None:
    start = datetime.now(UTC) + timedelta(hours=3)
    event = make_event(
        capacity=10,
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=1)).isoformat(),
        reminders=["P1D", "PT1H"],
    )
    stays, leaves = register(api, event["id"]), register(api, event["id"])
    cancelled = api.post(f"/api/events/{event['id']}/registrations/{leaves['id']}/cancel")
    assert cancelled.status_code == 200
    captured(api, stays["email"])  # the confirmation
    runtime = api.app.state.runtime

    def run() -> int:
        async def job() -> int:
            return await queue_reminders({"runtime": runtime})

        return int(api.blocking_portal.call(job))

    # They registered after the one-day reminder's moment: its confirmation said it all.
    run()
    assert len(emails_to(api, stays["email"])) == 1
    clock.advance(timedelta(hours=2, minutes=30))  # half an hour before the start
    try:
        assert run() == 1
        assert run() == 0
        # Sent while the clock is moved: the reminder is due from its (moved) moment.
        _confirmation, reminder = captured(api, stays["email"], 2)
    finally:
        clock.reset()
    assert reminder["Subject"] == "Reminder: Pricing, explained starts in 1 hour"
    assert "https://meet.example.org/pricing" in text_of(reminder)
    assert len(emails_to(api, stays["email"])) == 2
    assert len(emails_to(api, leaves["email"])) == 1  # its confirmation only


def test_no_confirmation_to_an_address_that_bounced(api: Api, make_event: Callable[..., dict[str, Any]]) -> None:
    event = make_event(capacity=5)
    bounced, unsubscribed = unique_email("bounced"), unique_email("unsubscribed")
    assert api.post("/api/email-events", json={"type": "bounce", "email": bounced, "hard": True}).status_code == 200
    assert api.post("/api/contacts", json={"email": unsubscribed, "unsubscribed": True}).status_code == 201
    register(api, event["id"], email=bounced)
    register(api, event["id"], email=unsubscribed)
    # Transactional: whoever unsubscribed from marketing still gets their confirmation.
    captured(api, unsubscribed)
    [refused] = api.eventually(lambda: [m for m in emails_to(api, bounced) if m["status"] != "queued"])
    assert refused["status"] == "suppressed"
    assert "suppression list (bounced)" in refused["reason"]

"""Test data, made through the API as a marketer would: contacts, segments, emails, journeys,
events, registrations. Every test module builds its data from here (fixtures stay in conftest)."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.conftest import Api

OPTED_IN = {"email_opt_in": True, "consent_level": "marketing"}
SENDER = {"from_name": "Parcours", "from_email": "news@example.fr"}
MJML = "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text></mj-column></mj-section></mj-body></mjml>"
SOON = datetime.now(UTC) + timedelta(days=7)

_numbers = itertools.count(1)


def unique_email(prefix: str = "contact") -> str:
    return f"{prefix}.{next(_numbers)}.{time.monotonic_ns()}@example.org"


def unique_type(prefix: str) -> str:
    """An interaction type no other test uses (journeys listening to it hear only this test)."""
    return f"{prefix}_{next(_numbers)}_{time.monotonic_ns()}"


# ---- contacts and segments ----------------------------------------------------------------------


def contact(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"email": unique_email(), "first_name": "Ada", "last_name": "Lovelace", **fields}
    response = api.post("/api/contacts", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def static_segment(api: Api, contact_ids: list[int]) -> int:
    segment = api.post("/api/segments", json={"name": unique_email("seg"), "kind": "static"}).json()
    if contact_ids:
        api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": contact_ids})
    return int(segment["id"])


def interactions(api: Api, contact_id: int, kind: str) -> list[dict[str, Any]]:
    """A contact's timeline, of one type."""
    page = api.get(f"/api/contacts/{contact_id}/interactions", params={"type": kind}).json()
    return [i for i in page["items"] if i["type"] == kind]


# ---- emails and the outbox ----------------------------------------------------------------------


def email(api: Api, name: str) -> int:
    response = api.post("/api/emails", json={"name": name, "subject": name, **SENDER, "mjml": MJML})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def outbox_of(api: Api, email_id: int) -> list[dict[str, Any]]:
    return list(api.get("/api/outbox", params={"email_id": email_id, "limit": 200}).json()["items"])


def outbox_by_channel(api: Api, journey_id: int) -> dict[str, dict[str, Any]]:
    """A journey's outgoing messages other than emails, by channel (sms, webhook)."""
    rows = api.get("/api/outbox", params={"limit": 200}).json()["items"]
    return {r["channel"]: r for r in rows if r.get("journey_id") == journey_id}


# ---- journeys -----------------------------------------------------------------------------------


def chain(
    *nodes: tuple[str, str, dict[str, Any]], edges: list[tuple[str, str, str | None]] | None = None
) -> dict[str, Any]:
    """A journey definition: nodes given as (id, type, config); edges default to one after the other."""
    if edges is None:
        edges = [(a[0], b[0], None) for a, b in itertools.pairwise(nodes)]
    return {
        "nodes": [{"id": i, "type": t, "config": c} for i, t, c in nodes],
        "edges": [{"source": s, "target": t, **({"label": lab} if lab else {})} for s, t, lab in edges],
    }


def journey(api: Api, definition: dict[str, Any], **settings: Any) -> dict[str, Any]:
    response = api.post(
        "/api/journeys", json={"name": unique_email("journey"), "definition": definition, "settings": settings}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def published(api: Api, journey_id: int) -> dict[str, Any]:
    response = api.post(f"/api/journeys/{journey_id}/publish")
    assert response.status_code == 200, response.text
    return dict(response.json())


def stats(api: Api, journey_id: int) -> dict[str, Any]:
    return dict(api.get(f"/api/journeys/{journey_id}/stats").json())


def runs(api: Api, journey_id: int) -> list[dict[str, Any]]:
    return list(api.get(f"/api/journeys/{journey_id}/runs").json())


def waiting_run(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """A published journey (a segment's entry, then a wait of two days) and the run of its one
    contact, waiting on the node "wait"."""
    segment_id = static_segment(api, [contact(api, **OPTED_IN)["id"]])
    journey_row = journey(
        api, chain(("start", "entry.segment", {"segment_id": segment_id}), ("wait", "flow.wait", {"duration": "P2D"}))
    )
    published(api, journey_row["id"])
    return journey_row, api.eventually(lambda: runs(api, journey_row["id"]))[0]


# ---- events -------------------------------------------------------------------------------------


def event_body(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Growth webinar",
        "type": "webinar",
        "starts_at": SOON.isoformat(),
        "ends_at": (SOON + timedelta(hours=1)).isoformat(),
        "timezone": "Europe/Paris",
        "capacity": 2,
        "status": "published",
        **fields,
    }


def event(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/events", json=event_body(**fields))
    assert response.status_code == 201, response.text
    return dict(response.json())


def register(api: Api, event_id: int, **body: Any) -> Any:
    """The answer to a registration (made with a new address unless the body says otherwise)."""
    return api.post(f"/api/events/{event_id}/registrations", json=body or {"email": unique_email("reg")})


def registrations_of(api: Api, event_id: int) -> list[dict[str, Any]]:
    return list(api.get(f"/api/events/{event_id}/registrations").json()["items"])


def attend(api: Api, event_id: int, contact_id: int) -> None:
    seat = api.post(f"/api/events/{event_id}/registrations", json={"contact_id": contact_id}).json()
    assert api.post(f"/api/events/{event_id}/registrations/{seat['id']}/check-in").status_code == 200

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import unique_email


def test_single_and_batch_ingestion_fill_the_timeline(api: Any, make_contact: Any) -> None:
    contact = make_contact()
    one = api.post(
        "/api/interactions",
        json={"type": "page_visited", "contact_id": contact["id"], "properties": {"url": "/pricing"}},
    )
    assert one.status_code == 202 and one.json() == {"accepted": 1}
    earlier = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    batch = api.post(
        "/api/interactions",
        json={
            "batch": [
                {"type": "email_opened", "email": contact["email"], "occurred_at": earlier},
                {"type": "webinar_watched", "contact_id": contact["id"], "properties": {"minutes": 42}},
            ]
        },
    )
    assert batch.json() == {"accepted": 2}
    timeline = api.get(f"/api/contacts/{contact['id']}/interactions").json()
    assert timeline["total"] == 4
    assert [i["type"] for i in timeline["items"][-2:]] == ["contact_created", "email_opened"]
    assert {i["type"] for i in timeline["items"][:2]} == {"page_visited", "webinar_watched"}
    page = api.get(f"/api/contacts/{contact['id']}/interactions", params={"limit": 2}).json()
    rest = api.get(
        f"/api/contacts/{contact['id']}/interactions", params={"limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [i["id"] for i in timeline["items"]]
    only = api.get(f"/api/contacts/{contact['id']}/interactions", params={"type": "email_opened"}).json()
    assert [i["type"] for i in only["items"]] == ["email_opened"]


def test_computed_fields_follow_interactions(api: Any, make_contact: Any) -> None:
    contact = make_contact()
    long_ago = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    api.post(
        "/api/interactions",
        json={
            "batch": [
                {"type": "email_opened", "contact_id": contact["id"]},
                {"type": "email_opened", "contact_id": contact["id"]},
                {"type": "email_opened", "contact_id": contact["id"], "occurred_at": long_ago},
                {"type": "email_clicked", "contact_id": contact["id"]},
                {"type": "purchase", "contact_id": contact["id"], "properties": {"amount": 120.5}},
                {
                    "type": "purchase",
                    "contact_id": contact["id"],
                    "properties": {"amount": 30},
                    "occurred_at": long_ago,
                },
            ]
        },
    )

    def computed() -> dict[str, Any] | None:
        current = api.get(f"/api/contacts/{contact['id']}").json()
        return current if current["purchases"] == 2 else None

    current = api.eventually(computed)
    assert current, "computed fields were not updated by the worker"
    assert (current["opens_30d"], current["clicks_30d"], current["purchases"], current["total_revenue"]) == (
        2,
        1,
        2,
        150.5,
    )
    assert current["first_seen_at"][:10] == long_ago[:10]
    assert current["last_purchase_at"] and current["last_interaction_at"]


def test_unknown_contact_rejects_the_whole_batch(api: Any, make_contact: Any) -> None:
    contact = make_contact()
    response = api.post(
        "/api/interactions",
        json={
            "batch": [
                {"type": "page_visited", "contact_id": contact["id"]},
                {"type": "page_visited", "email": unique_email("nobody")},
            ]
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "batch[1].email"
    assert api.get(f"/api/contacts/{contact['id']}/interactions").json()["total"] == 1  # contact_created only
    missing = api.post("/api/interactions", json={"type": "page_visited", "contact_id": 99999999})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "contact_id"


def test_create_contact_on_first_interaction(api: Any) -> None:
    email = unique_email("new.visitor")
    response = api.post(
        "/api/interactions", json={"type": "form_submitted", "email": email.upper(), "create_contact": True}
    )
    assert response.status_code == 202
    contact = api.get("/api/contacts", params={"q": email}).json()["items"][0]
    assert contact["source"] == "interaction"
    assert api.get(f"/api/contacts/{contact['id']}/interactions").json()["items"][0]["type"] == "form_submitted"


def test_bad_interactions_name_the_field(api: Any, make_contact: Any) -> None:
    contact = make_contact()
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    cases = [
        ({"type": "Page Visited", "contact_id": contact["id"]}, "type"),
        ({"contact_id": contact["id"]}, "type"),
        ({"type": "page_visited"}, "contact_id"),
        ({"type": "page_visited", "contact_id": contact["id"], "occurred_at": future}, "occurred_at"),
        ({"type": "purchase", "contact_id": contact["id"], "properties": {"amount": "lots"}}, "properties.amount"),
        ({"batch": []}, "batch"),
        ({"batch": [{"type": "x1", "contact_id": contact["id"]}] * 1001}, "batch"),
        ({"batch": [{"type": "ok_type", "contact_id": "seven"}]}, "batch[0].contact_id"),
        ({"type": "page_visited", "email": "not an email"}, "email"),
    ]
    for body, field in cases:
        response = api.post("/api/interactions", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
        assert response.json()["error"]["field"] == field, (body, response.json())
    assert api.get(f"/api/contacts/{contact['id']}/interactions").json()["total"] == 1  # contact_created only


def test_requests_sharing_a_transaction_succeed_or_fail_alone(api: Any, make_contact: Any) -> None:
    import asyncio

    from parcours.errors import Unprocessable
    from parcours.interactions.schemas import InteractionPost
    from parcours.interactions.service import prepare

    contacts = [make_contact() for _ in range(5)]
    newcomer = unique_email("newcomer")
    posts = [InteractionPost(type="page_visited", contact_id=c["id"]) for c in contacts]
    posts += [
        InteractionPost(type="page_visited", contact_id=99999999),
        InteractionPost(type="form_submitted", email=newcomer, create_contact=True),
    ]

    async def burst() -> list[Any]:
        committer = api.app.state.product.ingestion
        return await asyncio.gather(*(committer.submit(prepare(p)) for p in posts), return_exceptions=True)

    outcomes = api.blocking_portal.call(burst)
    assert outcomes[:5] == [1] * 5 and outcomes[6] == 1
    assert isinstance(outcomes[5], Unprocessable) and outcomes[5].field == "contact_id"
    for contact in contacts:
        assert (
            api.get(f"/api/contacts/{contact['id']}/interactions", params={"type": "page_visited"}).json()["total"] == 1
        )
    assert api.get("/api/contacts", params={"q": newcomer}).json()["total"] == 1

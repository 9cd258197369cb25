from typing import Any

from tests.factories import unique_email

SENDER = {"from_name": "Parcours", "from_email": "news@example.fr"}
MJML = (
    "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text>"
    '<mj-button href="https://shop.example.fr/">Shop</mj-button></mj-column></mj-section></mj-body></mjml>'
)


def audience(api: Any, make_contact: Any, tag: str, **people: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], int]:
    made = {
        name: make_contact(email=f"{tag}.{name}@example.net", first_name=name.title(), **fields)
        for name, fields in people.items()
    }
    segment = api.post("/api/segments", json={"name": f"Audience {tag}", "kind": "static"}).json()
    api.post(f"/api/segments/{segment['id']}/members", json={"contact_ids": [c["id"] for c in made.values()]})
    return made, segment["id"]


def new_email(api: Any, **body: Any) -> int:
    response = api.post("/api/emails", json={"name": "Campaign", "subject": "Hi", **SENDER, "mjml": MJML, **body})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def finished(api: Any, campaign_id: int) -> dict[str, Any]:
    return api.eventually(lambda: (c := api.get(f"/api/campaigns/{campaign_id}").json())["status"] == "sent" and c, 30)


OPTED_IN = {"email_opt_in": True, "consent_level": "marketing"}


def test_a_campaign_checks_consent_at_send_time_and_counts(api: Any, make_contact: Any) -> None:
    tag = unique_email("camp").split("@")[0]
    people, segment_id = audience(
        api,
        make_contact,
        tag,
        ann=OPTED_IN,
        bob=OPTED_IN,
        cid={"email_opt_in": False, "consent_level": "marketing"},
        dan={**OPTED_IN, "unsubscribed": True},
        eve=OPTED_IN,
    )
    excluded = api.post("/api/segments", json={"name": f"Excluded {tag}", "kind": "static"}).json()
    api.post(f"/api/segments/{excluded['id']}/members", json={"contact_ids": [people["eve"]["id"]]})
    created = api.post(
        "/api/campaigns",
        json={"email_id": new_email(api), "segment_ids": [segment_id], "exclude_segment_ids": [excluded["id"]]},
    )
    assert created.status_code == 201, created.text
    campaign = finished(api, created.json()["id"])
    assert campaign["audience"] == 4 and campaign["progress"] == 1.0
    totals = campaign["totals"]
    assert (totals["sent"], totals["suppressed"]) == (2, 2)
    messages = {
        m["to_address"].split("@")[0].rsplit(".", 1)[1]: m
        for m in api.get("/api/outbox", params={"campaign_id": campaign["id"]}).json()["items"]
    }
    assert messages["cid"]["reason"] == "The contact has not opted in to email."
    assert messages["dan"]["reason"] == "The contact has unsubscribed."
    assert "eve" not in messages
    # Starting again changes nothing: each contact gets the campaign once.
    assert len(api.get("/api/outbox", params={"campaign_id": campaign["id"]}).json()["items"]) == 4


def test_campaigns_refuse_bad_requests(api: Any) -> None:
    email_id = new_email(api)
    empty = api.post("/api/segments", json={"name": "Empty", "kind": "static"}).json()
    cases = [
        ({"email_id": email_id, "segment_ids": [empty["id"]]}, "segment_ids"),
        ({"email_id": email_id, "segment_ids": [987654]}, "segment_ids"),
        ({"email_id": 987654, "segment_ids": [empty["id"]]}, "email_id"),
        ({"email_id": email_id, "segment_ids": []}, "segment_ids"),
    ]
    for body, field in cases:
        response = api.post("/api/campaigns", json=body)
        assert 400 <= response.status_code < 500 and response.json()["error"]["field"] == field, (body, response.text)


def test_ab_test_on_the_subject_sends_the_winner_to_the_rest(api: Any, make_contact: Any) -> None:
    tag = unique_email("ab").split("@")[0]
    _people, segment_id = audience(api, make_contact, tag, **{f"p{i}": OPTED_IN for i in range(40)})
    ab = {
        "variable": "subject",
        "sample_percent": 50,
        "metric": "opens",
        "wait_minutes": 60,
        "variants": [{"key": "A", "subject": "Spring is here"}, {"key": "B", "subject": "Your spring offer inside"}],
    }
    mixed = {**ab, "variants": [{"key": "A", "subject": "x", "from_name": "y"}, {"key": "B", "subject": "z"}]}
    refused = api.post(
        "/api/campaigns", json={"email_id": new_email(api), "segment_ids": [segment_id], "ab_test": mixed}
    )
    assert refused.status_code == 400 and "one thing at a time" in refused.json()["error"]["message"]
    created = api.post("/api/campaigns", json={"email_id": new_email(api), "segment_ids": [segment_id], "ab_test": ab})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    testing = api.eventually(
        lambda: (
            (c := api.get(f"/api/campaigns/{campaign_id}").json())["status"] == "testing"
            and c["totals"]["queued"] + c["totals"]["sent"] == 40
            and c["totals"]["sent"] > 0
            and c
        )
    )
    variants = {v["key"]: v for v in testing["variants"]}
    assert set(variants) == {"A", "B"} and 0 < variants["A"]["audience"] + variants["B"]["audience"] < 40
    # B's readers open it: B wins when the wait is over.
    sent_b = [
        m
        for m in api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 100}).json()["items"]
        if m["variant"] == "B" and m["status"] == "captured"
    ]
    for message in sent_b:
        html = api.get(f"/api/outbox/{message['id']}").json()["html"]
        pixel = html.split('src="http://', 1)[1].split("/", 1)[1].split('"', 1)[0]
        api.get("/" + pixel)
        assert api.get(f"/api/outbox/{message['id']}").json()["subject"] == "Your spring offer inside"
    runtime = api.app.state.runtime

    async def decide() -> Any:
        from parcours.campaigns.service import decide_winner
        from parcours.db import transaction

        async with transaction(runtime.sessions) as session:
            return await decide_winner(session, campaign_id, runtime.enqueue)

    assert api.blocking_portal.call(decide) == "B"
    campaign = api.eventually(
        lambda: (c := api.get(f"/api/campaigns/{campaign_id}").json())["status"] == "sent" and c, 30
    )
    assert campaign["winner"] == "B" and campaign["winner_confidence"] > 0.9
    subjects = {
        m["subject"]
        for m in api.get("/api/outbox", params={"campaign_id": campaign_id, "limit": 100}).json()["items"]
        if m["variant"] == "B"
    }
    assert subjects == {"Your spring offer inside"} and campaign["totals"]["sent"] == 40


def test_the_frequency_cap_holds_when_campaigns_go_out_together(api: Any, make_contact: Any) -> None:
    """Six campaigns due at the same moment to one contact, five a week allowed (the default cap):
    however the worker batches them, one is held back."""
    import datetime as dt

    tag = unique_email("cap").split("@")[0]
    _people, segment_id = audience(api, make_contact, tag, zoe=OPTED_IN)
    send_at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).isoformat()
    email_id = new_email(api)
    ids = []
    for _ in range(6):
        created = api.post(
            "/api/campaigns", json={"email_id": email_id, "segment_ids": [segment_id], "send_at": send_at}
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    totals = [finished(api, campaign_id)["totals"] for campaign_id in ids]
    assert sum(t["sent"] for t in totals) == 5 and sum(t["suppressed"] for t in totals) == 1, totals
    reasons = [
        m["reason"]
        for campaign_id in ids
        for m in api.get("/api/outbox", params={"campaign_id": campaign_id}).json()["items"]
        if m["reason"]
    ]
    assert reasons == ["Frequency cap: already 5 promotional messages in 7 days."]

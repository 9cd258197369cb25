"""Before sending, a campaign says who would receive it and who the send-time rules would leave
out and why; the campaign keeps those numbers, and sending matches them."""

from typing import Any

from tests.factories import OPTED_IN, email, outbox_of, static_segment


def test_the_audience_of_a_campaign_is_explained_kept_and_matched_by_sending(api: Any, make_contact: Any) -> None:
    ok = [make_contact(**OPTED_IN) for _ in range(2)]
    unsubscribed = make_contact(**OPTED_IN, unsubscribed=True)
    bounced = make_contact(**OPTED_IN, bounced=True)
    not_opted_in = make_contact(email_opt_in=False, consent_level="marketing")
    low = make_contact(email_opt_in=True, consent_level="transactional")
    excluded = make_contact(**OPTED_IN)
    segment = static_segment(api, [p["id"] for p in (*ok, unsubscribed, bounced, not_opted_in, low, excluded)])
    mail = email(api, "Spring sale")
    body = {"email_id": mail, "segment_ids": [segment], "exclude_segment_ids": [static_segment(api, [excluded["id"]])]}
    campaigns_before = api.get("/api/campaigns").json()["total"]

    answer = api.post("/api/campaigns/audience", json=body)
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert (preview["total"], preview["receiving"]) == (6, 2)
    assert preview["left_out"] == [
        {"reason": "bounced", "count": 1},
        {"reason": "unsubscribed", "count": 1},
        {"reason": "no_email_opt_in", "count": 1},
        {"reason": "consent_below_minimum", "count": 1},
    ]
    assert preview["total"] == preview["receiving"] + sum(r["count"] for r in preview["left_out"])
    assert {s["id"] for s in preview["sample"]} == {ok[0]["id"], ok[1]["id"]}
    assert preview["first_send_at"]
    # The preview changed nothing.
    assert api.get("/api/campaigns").json()["total"] == campaigns_before
    assert outbox_of(api, mail) == []

    created = api.post("/api/campaigns", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["left_out"] == preview["left_out"] and created.json()["audience"] == preview["total"]
    campaign = api.eventually(
        lambda: (c := api.get(f"/api/campaigns/{created.json()['id']}").json())["status"] == "sent" and c, 30
    )
    assert campaign["left_out"] == preview["left_out"]
    assert campaign["totals"]["sent"] == preview["receiving"]
    assert campaign["totals"]["captured"] == preview["receiving"]  # no mail server in the tests
    codes: dict[str, int] = {}
    for message in outbox_of(api, mail):
        if message["status"] == "suppressed":
            codes[message["reason_code"]] = codes.get(message["reason_code"], 0) + 1
    assert codes == {r["reason"]: r["count"] for r in preview["left_out"]}


def test_previewing_refuses_what_creating_refuses_and_a_viewer_may_preview(api: Any, make_contact: Any) -> None:
    mail = email(api, "Preview")
    empty = static_segment(api, [])
    cases = [
        ({"email_id": mail, "segment_ids": [empty]}, "segment_ids"),
        ({"email_id": mail, "segment_ids": [987654]}, "segment_ids"),
        ({"email_id": 987654, "segment_ids": [empty]}, "email_id"),
        ({"email_id": mail, "segment_ids": []}, "segment_ids"),
        ({"email_id": mail, "segment_ids": [empty], "send_at": "2001-01-01T00:00:00Z"}, "segment_ids"),
    ]
    for body, field in cases:
        previewed = api.post("/api/campaigns/audience", json=body)
        created = api.post("/api/campaigns", json=body)
        assert previewed.status_code == created.status_code and 400 <= previewed.status_code < 500, body
        assert previewed.json()["error"]["field"] == created.json()["error"]["field"] == field, previewed.text
    segment = static_segment(api, [make_contact(**OPTED_IN)["id"]])
    past = api.post(
        "/api/campaigns/audience", json={"email_id": mail, "segment_ids": [segment], "send_at": "2001-01-01T00:00:00Z"}
    )
    assert past.status_code == 400 and past.json()["error"]["field"] == "send_at"
    viewer = api.as_key(api.new_key("viewer"))
    seen = api.post("/api/campaigns/audience", json={"email_id": mail, "segment_ids": [segment]}, headers=viewer)
    assert seen.status_code == 200 and seen.json()["receiving"] == 1
    denied = api.post("/api/campaigns", json={"email_id": mail, "segment_ids": [segment]}, headers=viewer)
    assert denied.status_code == 403

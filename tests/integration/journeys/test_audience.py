"""Before publishing, a journey says who it would enrol and who it would leave out and why; the
same numbers are kept at publication and explained in its statistics, with the contacts concerned."""

from typing import Any

from tests.factories import OPTED_IN, chain, email, journey, outbox_of, runs, static_segment, stats


def added_up(audience: dict[str, Any], entering: str = "entering") -> bool:
    return audience["total"] == audience[entering] + sum(r["count"] for r in audience["left_out"])


def test_the_audience_of_a_draft_is_explained_and_kept_at_publication(api: Any, make_contact: Any) -> None:
    ok = [make_contact(**OPTED_IN) for _ in range(2)]
    low = make_contact(email_opt_in=True, consent_level="transactional")
    held_back = make_contact(**OPTED_IN)
    unsubscribed = make_contact(**OPTED_IN, unsubscribed=True)
    # Under two reasons (consent too low, in the suppression segment): counted under the first.
    both = make_contact(email_opt_in=True, consent_level="none")
    people = [*ok, low, held_back, unsubscribed, both]
    segment = static_segment(api, [p["id"] for p in people])
    suppression = static_segment(api, [held_back["id"], both["id"]])
    mail = email(api, "Welcome")
    made = journey(
        api,
        chain(("start", "entry.segment", {"segment_id": segment}), ("mail", "action.email", {"email_id": mail})),
        suppression_segment_id=suppression,
    )

    answer = api.post(f"/api/journeys/{made['id']}/audience")
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert (preview["total"], preview["entering"]) == (6, 3)
    assert preview["left_out"] == [
        {"reason": "consent_below_minimum", "count": 2},
        {"reason": "suppression_segment", "count": 1},
    ]
    assert added_up(preview) and not preview["entries_over_time"]
    assert [s["id"] for s in preview["sample"]] == sorted([ok[0]["id"], ok[1]["id"], unsubscribed["id"]])
    assert preview["sample"][0]["email"] == ok[0]["email"] and preview["sample"][0]["name"] == "Ada Lovelace"
    assert preview["first_send_at"] is not None
    # Of those entering, the unsubscribed contact would not get the first email.
    assert preview["first_email"] == {
        "node_id": "mail",
        "receiving": 2,
        "left_out": [{"reason": "unsubscribed", "count": 1}],
    }
    # The preview changed nothing.
    assert runs(api, made["id"]) == [] and outbox_of(api, mail) == []
    assert api.get(f"/api/journeys/{made['id']}").json()["status"] == "draft"
    assert api.get(f"/api/journeys/{made['id']}/stats").json()["left_out"] == []

    published = api.post(f"/api/journeys/{made['id']}/publish").json()
    assert published["enrolled"] == preview["entering"]
    kept = published["journey"]["published_audience"]
    assert (kept["version"], kept["total"], kept["entering"], kept["left_out"]) == (
        1,
        6,
        3,
        preview["left_out"],
    )
    assert {r["contact_id"] for r in runs(api, made["id"])} == {ok[0]["id"], ok[1]["id"], unsubscribed["id"]}

    # Statistics: who did not enter and why, and the step's message not sent to the unsubscribed.
    def step_left_out() -> Any:
        found = stats(api, made["id"])
        return found if found["nodes"].get("mail", {}).get("left_out") else None

    numbers = api.eventually(step_left_out)
    assert numbers, stats(api, made["id"])
    assert numbers["left_out"] == preview["left_out"]
    assert numbers["published_audience"] == kept
    assert numbers["nodes"]["mail"]["left_out"] == preview["first_email"]["left_out"]
    below = api.get(f"/api/journeys/{made['id']}/left-out", params={"reason": "consent_below_minimum"}).json()
    assert {p["id"] for p in below} == {low["id"], both["id"]}
    at_step = api.get(
        f"/api/journeys/{made['id']}/left-out", params={"reason": "unsubscribed", "node_id": "mail"}
    ).json()
    assert [p["id"] for p in at_step] == [unsubscribed["id"]]

    # Published again: those inside are already in, and the numbers still add up.
    again = api.post(f"/api/journeys/{made['id']}/audience").json()
    assert again["entering"] == 0 and added_up(again)
    assert {"reason": "already_in_journey", "count": 3} in again["left_out"]


def test_an_entry_over_time_says_so(api: Any) -> None:
    made = journey(
        api,
        chain(("start", "entry.interaction", {"type": "form_submitted"}), ("out", "flow.exit", {})),
    )
    preview = api.post(f"/api/journeys/{made['id']}/audience").json()
    assert preview["entries_over_time"] is True
    assert (preview["total"], preview["entering"], preview["left_out"], preview["sample"]) == (0, 0, [], [])


def test_previewing_refuses_what_publishing_refuses_and_a_viewer_may_preview(api: Any, make_contact: Any) -> None:
    broken = journey(api, chain(("start", "entry.segment", {"segment_id": 987654}), ("out", "flow.exit", {})))
    refused = api.post(f"/api/journeys/{broken['id']}/audience")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "definition"
    assert refused.json()["error"]["problems"][0]["field"] == "segment_id"
    missing = api.post("/api/journeys/987654/audience")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "journey_id"
    bad_reason = api.get(f"/api/journeys/{broken['id']}/left-out", params={"reason": ""})
    assert bad_reason.status_code == 400

    segment = static_segment(api, [make_contact(**OPTED_IN)["id"]])
    made = journey(api, chain(("start", "entry.segment", {"segment_id": segment}), ("out", "flow.exit", {})))
    viewer = api.as_key(api.new_key("viewer"))
    seen = api.post(f"/api/journeys/{made['id']}/audience", headers=viewer)
    assert seen.status_code == 200 and seen.json()["entering"] == 1
    assert api.post(f"/api/journeys/{made['id']}/publish", headers=viewer).status_code == 403
    assert runs(api, made["id"]) == []

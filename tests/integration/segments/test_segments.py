import csv
import io
from typing import Any

import pytest

from tests.factories import unique_email


def tag() -> str:
    return unique_email("s").split("@")[0].replace(".", "")


def create(api: Any, **body: Any) -> dict[str, Any]:
    response = api.post("/api/segments", json={"kind": "dynamic", "name": f"Segment {tag()}", **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


def members(api: Any, segment_id: int, **params: Any) -> list[int]:
    page = api.get(f"/api/segments/{segment_id}/members", params={"limit": 500, **params}).json()
    return sorted(c["id"] for c in page["items"])


def settled(api: Any, segment_id: int, expected: list[int]) -> list[int]:
    return (
        api.eventually(lambda: members(api, segment_id) == sorted(expected))
        and sorted(expected)
        or members(api, segment_id)
    )


def test_fields_describe_the_context_in_both_languages(api: Any) -> None:
    api.post(
        "/api/custom-fields", json={"name": "tier", "label": "Tier", "type": "choice", "choices": ["Gold", "Silver"]}
    )
    fields = {f["name"]: f for f in api.get("/api/rules/fields").json()}
    assert fields["opens_30d"]["type"] == "number" and fields["opens_30d"]["label_fr"].startswith("Ouvertures")
    assert {c["value"] for c in fields["lifecycle_stage"]["choices"]} >= {"lead", "customer"}
    assert fields["custom_tier"]["choices"][0]["value"] == "Gold" and fields["first_name"]["nullable"] is True


@pytest.mark.parametrize(
    ("rule", "words", "position"),
    [
        ('country == "FR" and opens = 2', "not written correctly", 26),
        ('countri == "FR"', "no field named 'countri'", 0),
        ('opens_30d > "many"', "different kinds", None),
        ('email =~ "(unclosed"', "not a valid regular expression", 10),
        ('first_name =~ "^A"', "may be empty", 0),
        ("opens_30d * 2 > 4", "arithmetic", None),
    ],
)
def test_validate_explains_with_a_position(api: Any, rule: str, words: str, position: int | None) -> None:
    response = api.post("/api/rules/validate", json={"rule": rule})
    assert response.status_code == 400
    error = response.json()["error"]
    assert words in error["message"] and error["field"] == "rule"
    if position is not None:
        assert error["position"] == position


def test_validate_accepts_a_good_rule(api: Any) -> None:
    response = api.post("/api/rules/validate", json={"rule": 'country == "FR" and opens_30d > 0'})
    assert response.status_code == 200 and response.json() == {"valid": True, "fields": ["country", "opens_30d"]}


def test_builder_and_text_convert_both_ways(api: Any) -> None:
    builder = {
        "match": "all",
        "groups": [
            {
                "match": "all",
                "conditions": [
                    {"field": "country", "operator": "is", "value": "FR"},
                    {"field": "last_interaction_at", "operator": "in_last_days", "value": 30},
                ],
            }
        ],
    }
    rule = api.post("/api/rules/build", json={"builder": builder}).json()["rule"]
    assert rule.startswith('(country == "FR" and ')
    assert api.post("/api/rules/parse", json={"rule": rule}).json()["builder"] == builder
    assert api.post("/api/rules/parse", json={"rule": '(city ?? "") =~ "^Pa.*s$"'}).json()["builder"] is None
    bad = api.post(
        "/api/rules/build",
        json={"builder": {"groups": [{"conditions": [{"field": "opens_30d", "operator": "gt", "value": "many"}]}]}},
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "builder"


def test_dynamic_segment_fills_previews_and_follows_changes(api: Any, make_contact: Any) -> None:
    t = tag()
    fr_lead = make_contact(email=f"{t}a@example.net", country="FR", lifecycle_stage="lead")
    fr_ready = make_contact(email=f"{t}b@example.net", country="FR", lifecycle_stage="sales_ready")
    make_contact(email=f"{t}c@example.net", country="DE", lifecycle_stage="lead")
    rule = f'"{t}" in email and country == "FR" and lifecycle_stage != "sales_ready"'
    preview = api.post("/api/segments/preview", json={"rule": rule}).json()
    assert preview["count"] == 1 and [c["id"] for c in preview["sample"]] == [fr_lead["id"]]
    segment = create(api, rule=rule)
    assert settled(api, segment["id"], [fr_lead["id"]]) == [fr_lead["id"]]
    assert api.get(f"/api/segments/{segment['id']}").json()["member_count"] == 1
    # A change to one contact moves it in or out at once, without a refresh.
    api.patch(f"/api/contacts/{fr_ready['id']}", json={"lifecycle_stage": "lead"})
    assert settled(api, segment["id"], [fr_lead["id"], fr_ready["id"]]) == sorted([fr_lead["id"], fr_ready["id"]])
    api.patch(f"/api/contacts/{fr_lead['id']}", json={"country": "Belgique"})
    assert settled(api, segment["id"], [fr_ready["id"]]) == [fr_ready["id"]]
    timeline = api.get(
        f"/api/contacts/{fr_lead['id']}/interactions", params={"type": ["segment_entered", "segment_exited"]}
    ).json()
    assert [i["type"] for i in timeline["items"]] == ["segment_exited", "segment_entered"]
    assert timeline["items"][0]["properties"]["segment_id"] == segment["id"]


def test_an_interaction_brings_a_contact_into_a_segment_in_real_time(api: Any, make_contact: Any) -> None:
    t = tag()
    contact = make_contact(email=f"{t}@example.net", country="FR")
    segment = create(api, rule=f'"{t}" in email and opens_30d > 0')
    assert settled(api, segment["id"], []) == []
    api.post("/api/interactions", json={"type": "email_opened", "contact_id": contact["id"]})
    assert settled(api, segment["id"], [contact["id"]]) == [contact["id"]]


def test_real_time_follows_an_edited_rule_at_once(api: Any, make_contact: Any) -> None:
    t = tag()
    segment = create(api, rule=f'"{t}" in email and country == "FR"')
    first = make_contact(email=f"{t}1@example.net", country="FR")
    assert settled(api, segment["id"], [first["id"]]) == [first["id"]]
    assert (
        api.patch(f"/api/segments/{segment['id']}", json={"rule": f'"{t}" in email and country == "BE"'}).status_code
        == 200
    )
    assert settled(api, segment["id"], []) == []  # the refresh after the edit
    # Contacts created afterwards are judged by the new rule, not a remembered old one.
    belgian, french = (
        make_contact(email=f"{t}2@example.net", country="BE"),
        make_contact(email=f"{t}3@example.net", country="FR"),
    )
    assert settled(api, segment["id"], [belgian["id"]]) == [belgian["id"]]
    assert french["id"] not in [m["id"] for m in api.get(f"/api/segments/{segment['id']}/members").json()["items"]]


def test_include_and_exclude(api: Any, make_contact: Any) -> None:
    t = tag()
    a, b, c = (make_contact(email=f"{t}{x}@example.net") for x in "abc")
    picked = create(api, kind="static")
    api.post(f"/api/segments/{picked['id']}/members", json={"contact_ids": [c["id"]]})
    removed = create(api, kind="static")
    api.post(f"/api/segments/{removed['id']}/members", json={"contact_ids": [b["id"]]})
    combined = create(api, rule=f'"{t}a" in email or "{t}b" in email', include=[picked["id"]], exclude=[removed["id"]])
    assert settled(api, combined["id"], [a["id"], c["id"]]) == sorted([a["id"], c["id"]])
    # The included static segment changes: the dynamic one follows.
    api.request("DELETE", f"/api/segments/{picked['id']}/members", json={"contact_ids": [c["id"]]})
    assert settled(api, combined["id"], [a["id"]]) == [a["id"]]


def test_static_members_are_checked(api: Any, make_contact: Any) -> None:
    static = create(api, kind="static")
    contact = make_contact()
    added = api.post(f"/api/segments/{static['id']}/members", json={"contact_ids": [contact["id"], contact["id"]]})
    assert added.json() == {"added": 1, "removed": 0, "member_count": 1}
    again = api.post(f"/api/segments/{static['id']}/members", json={"contact_ids": [contact["id"]]})
    assert again.json()["added"] == 0 and again.json()["member_count"] == 1
    missing = api.post(f"/api/segments/{static['id']}/members", json={"contact_ids": [99999999]})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "contact_ids"
    dynamic = create(api, rule="opens_30d > 1000")
    refused = api.post(f"/api/segments/{dynamic['id']}/members", json={"contact_ids": [contact["id"]]})
    assert refused.status_code == 400
    assert api.post("/api/segments", json={"name": "x", "kind": "static", "rule": "opens_30d > 1"}).status_code == 400


def test_cycles_unknown_segments_and_deleting_a_used_segment(api: Any) -> None:
    first = create(api, rule="opens_30d > 1")
    second = create(api, include=[first["id"]])
    loop = api.patch(f"/api/segments/{first['id']}", json={"exclude": [second["id"]]})
    assert loop.status_code == 400 and "loop" in loop.json()["error"]["message"]
    via_rule = api.patch(f"/api/segments/{first['id']}", json={"rule": f"{second['id']} in segments"})
    assert via_rule.status_code == 400 and "loop" in via_rule.json()["error"]["message"]
    assert api.post("/api/segments", json={"name": "x", "kind": "dynamic", "include": [987654]}).status_code == 400
    used = api.delete(f"/api/segments/{first['id']}")
    assert used.status_code == 409 and second["name"] in used.json()["error"]["message"]
    assert api.delete(f"/api/segments/{second['id']}").status_code == 204
    assert api.delete(f"/api/segments/{first['id']}").status_code == 204
    bad_rule = api.post("/api/segments", json={"name": "x", "kind": "dynamic", "rule": "nope == 1"})
    assert bad_rule.status_code == 400 and bad_rule.json()["error"]["position"] == 0


def test_refresh_job_members_csv_and_snapshot(api: Any, make_contact: Any) -> None:
    t = tag()
    contact = make_contact(email=f"{t}@example.net", first_name="Émile")
    segment = create(api, rule=f'"{t}" in email')
    job = api.post(f"/api/segments/{segment['id']}/refresh")
    assert job.status_code == 202
    done = api.wait_job(job.json()["job_id"])
    assert done["status"] == "done"
    exported = api.get(f"/api/segments/{segment['id']}/members.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [(r["email"], r["first_name"]) for r in rows] == [(contact["email"], "Émile")]
    frozen = api.post(f"/api/segments/{segment['id']}/snapshot").json()
    assert frozen["kind"] == "static" and members(api, frozen["id"]) == [contact["id"]]


def test_presets_create_segments_in_one_click(api: Any) -> None:
    presets = {p["key"]: p for p in api.get("/api/segments/presets").json()}
    assert {
        "engaged-30-days",
        "inactive-90-days",
        "new-subscribers-this-week",
        "high-value-customers",
        "opted-in-marketing",
    } <= set(presets)
    for preset in presets.values():
        assert api.post("/api/rules/validate", json={"rule": preset["rule"]}).status_code == 200, preset["key"]
    created = api.post("/api/segments/presets/high-value-customers")
    assert created.status_code == 201 and created.json()["preset"] == "high-value-customers"
    assert api.post("/api/segments/presets/nope").status_code == 404

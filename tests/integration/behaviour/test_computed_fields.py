"""Behavioural fields through the API: definitions and their checks, each aggregate kept by the
stream, windows expiring as the clock moves, the backfill job, rules reading them, and deleting
one while a rule reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parcours.behaviour import service
from parcours.clock import clock
from tests.factories import unique_type


def define(api: Any, **fields: Any) -> dict[str, Any]:
    body = {"label": fields.get("name", "field"), **fields}
    response = api.post("/api/computed-fields", json=body)
    assert response.status_code == 201, response.text
    field = response.json()
    assert api.wait_job(field["backfill"]["job_id"])["status"] == "done"
    return dict(field)


def interact(api: Any, contact_id: int, kind: str, at: datetime | None = None, **properties: Any) -> None:
    body = {"type": kind, "contact_id": contact_id, "properties": properties}
    if at is not None:
        body["occurred_at"] = at.isoformat()
    response = api.post("/api/interactions", json=body)
    assert response.status_code == 202, response.text


def values_of(api: Any, contact_id: int) -> dict[str, Any]:
    return dict(api.get(f"/api/contacts/{contact_id}").json()["scores"])


def value_becomes(api: Any, contact_id: int, field: str, expected: Any) -> None:
    found = api.eventually(lambda: values_of(api, contact_id).get(field) == expected)
    assert found, (field, values_of(api, contact_id).get(field), expected)


def selected(api: Any, rule: str) -> set[int]:
    response = api.post("/api/segments/preview", json={"rule": rule})
    assert response.status_code == 200, response.text
    return {c["id"] for c in response.json()["sample"]}


def test_each_aggregate_is_kept_by_the_stream(api: Any, make_contact: Any) -> None:
    kind = unique_type("bought")
    fields = {
        aggregate: define(
            api,
            name=f"{aggregate}_{kind}"[:40],
            aggregate=aggregate,
            interaction_type=kind,
            **({"property": "quantity"} if aggregate in ("sum", "min", "max") else {}),
        )["field"]
        for aggregate in ("count", "sum", "min", "max", "first", "last", "exists")
    }
    last_amount = define(api, name=f"lastamt_{kind}"[:40], aggregate="last", interaction_type=kind, property="quantity")
    shoes = define(
        api, name=f"shoes_{kind}"[:40], aggregate="count", interaction_type=kind, filter='category == "shoes"'
    )
    buyer, idle = make_contact(), make_contact()
    early, late = datetime.now(UTC) - timedelta(days=3), datetime.now(UTC) - timedelta(days=1)
    interact(api, buyer["id"], kind, at=late, quantity=30, category="shoes")
    interact(api, buyer["id"], kind, at=early, quantity=12.5, category="hats")
    interact(api, buyer["id"], kind, quantity="many", category="shoes")
    value_becomes(api, buyer["id"], fields["count"], 3)
    found = values_of(api, buyer["id"])
    assert found[fields["sum"]] == 42.5 and found[fields["min"]] == 12.5 and found[fields["max"]] == 30
    assert found[fields["exists"]] is True and found[shoes["field"]] == 2
    first = datetime.fromisoformat(found[fields["first"]])
    assert abs((first.replace(tzinfo=first.tzinfo or UTC) - early).total_seconds()) < 0.001
    assert found[last_amount["field"]] is None  # the latest has no numeric amount
    assert values_of(api, idle["id"]).get(fields["count"]) is None
    # Rules read them, with their defaults for the contact who did nothing.
    tag = f'"{buyer["email"]}" == email or "{idle["email"]}" == email'
    assert selected(api, f"({tag}) and {fields['count']} >= 3") == {buyer["id"]}
    assert selected(api, f"({tag}) and {fields['count']} == 0 and not {fields['exists']}") == {idle["id"]}
    assert selected(api, f'({tag}) and ({fields["first"]} ?? $now) < $now - t"P2D"') == {buyer["id"]}
    assert selected(api, f"({tag}) and {fields['max']} == null") == {idle["id"]}
    assert selected(api, f"({tag}) and {shoes['field']} == 2 and {fields['sum']} > 40") == {buyer["id"]}


def test_a_window_drops_what_leaves_it_as_time_passes(api: Any, make_contact: Any) -> None:
    kind = unique_type("visited")
    field = define(api, name=f"w_{kind}"[:40], aggregate="count", interaction_type=kind, window_days=7)["field"]
    contact = make_contact()
    interact(api, contact["id"], kind, at=datetime.now(UTC) - timedelta(days=6))
    interact(api, contact["id"], kind, at=datetime.now(UTC) - timedelta(hours=1))
    interact(api, contact["id"], kind, at=datetime.now(UTC) - timedelta(days=30))
    value_becomes(api, contact["id"], field, 2)
    runtime = api.app.state.runtime

    async def roll() -> int:
        return await service.roll_windows(runtime.sessions)

    clock.advance(timedelta(days=2))
    try:
        api.blocking_portal.call(roll)
        assert values_of(api, contact["id"])[field] == 1
        clock.advance(timedelta(days=6))
        api.blocking_portal.call(roll)
        assert values_of(api, contact["id"])[field] is None  # nothing left: rules read 0
        assert selected(api, f'email == "{contact["email"]}" and {field} == 0') == {contact["id"]}
    finally:
        clock.reset()


def test_the_backfill_job_fills_what_was_there_before(api: Any, make_contact: Any) -> None:
    kind = unique_type("attended")
    contacts = [make_contact() for _ in range(3)]
    for n, contact in enumerate(contacts):
        for _ in range(n):
            interact(api, contact["id"], kind, url=f"https://example.com/pricing/{n}")
    timeline = f"/api/contacts/{contacts[2]['id']}/interactions"
    assert api.eventually(lambda: len(api.get(timeline).json()["items"]) >= 2)
    field = define(api, name=f"b_{kind}"[:40], aggregate="count", interaction_type=kind, filter='url =~~ "/pricing"')
    assert field["backfilled_at"] is None  # as answered when created; the job sets it
    again = api.get(f"/api/computed-fields/{field['id']}").json()
    assert again["backfilled_at"] is not None and again["backfill"]["status"] == "done"
    # The backfill counts what the stream has handed on; the stream adds the rest when it gets there.
    for contact, expected in zip(contacts, [None, 1, 2], strict=True):
        value_becomes(api, contact["id"], field["field"], expected)
    # A change of definition backfills again.
    changed = api.patch(f"/api/computed-fields/{field['id']}", json={"filter": 'url =~~ "/pricing/2"'})
    assert changed.status_code == 200, changed.text
    assert api.wait_job(changed.json()["backfill"]["job_id"])["status"] == "done"
    for contact, expected in zip(contacts, [None, None, 2], strict=True):
        value_becomes(api, contact["id"], field["field"], expected)


def test_listed_as_rule_fields_and_refused_while_a_segment_reads_them(api: Any) -> None:
    kind = unique_type("clicked")
    field = define(api, name=f"u_{kind}"[:40], label="Pricing clicks", aggregate="count", interaction_type=kind)
    listed = {f["name"]: f for f in api.get("/api/rules/fields").json()}
    assert listed[field["field"]]["label_en"] == "Pricing clicks" and listed[field["field"]]["type"] == "number"
    segment = api.post(
        "/api/segments", json={"name": f"Clickers {kind}", "kind": "dynamic", "rule": f"{field['field']} >= 2"}
    )
    assert segment.status_code == 201, segment.text
    refused = api.delete(f"/api/computed-fields/{field['id']}")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["used_by"] == [f"segment 'Clickers {kind}'"]
    assert api.delete(f"/api/segments/{segment.json()['id']}").status_code == 204
    assert api.delete(f"/api/computed-fields/{field['id']}").status_code == 204
    assert api.get(f"/api/computed-fields/{field['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"aggregate": "average"}, "aggregate"),
        ({"aggregate": "sum"}, "property"),
        ({"aggregate": "count", "property": "amount"}, "property"),
        ({"filter": 'url =~~ "('}, "filter"),
        ({"filter": "url +"}, "filter"),
        ({"window_days": 0}, "window_days"),
        ({"name": "Has Spaces"}, "name"),
        ({"interaction_type": "Not A Type"}, "interaction_type"),
    ],
)
def test_bad_definitions_are_refused_naming_the_field(api: Any, body: dict[str, Any], field: str) -> None:
    full = {"name": "bad_one", "label": "Bad", "aggregate": "count", "interaction_type": "purchase", **body}
    # A preview reads no name: only the definition itself is checked there.
    paths = ["/api/computed-fields"] + (["/api/computed-fields/preview"] if field != "name" else [])
    for path in paths:
        response = api.post(path, json=full)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["field"] == field, response.json()
    assert all(f["name"] != "bad_one" for f in api.get("/api/computed-fields").json()["items"])


def test_preview_shows_the_spread_before_saving(api: Any, make_contact: Any) -> None:
    kind = unique_type("opened")
    contacts = [make_contact() for _ in range(3)]
    for n, contact in enumerate(contacts):
        for _ in range(n + 1):
            interact(api, contact["id"], kind)
    timeline = f"/api/contacts/{contacts[2]['id']}/interactions"
    assert api.eventually(lambda: len(api.get(timeline).json()["items"]) >= 3)
    preview = api.post(
        "/api/computed-fields/preview",
        json={"name": "x", "label": "x", "aggregate": "count", "interaction_type": kind},
    )
    assert preview.status_code == 200, preview.text
    found = preview.json()
    assert found["with_value"] == 3 and found["low"] == 1 and found["high"] == 3
    assert [(b["label"], b["contacts"]) for b in found["buckets"][1:]] == [("1", 1), ("2", 1), ("3", 1)]
    assert found["buckets"][0]["contacts"] == found["contacts"] - 3


def test_the_builder_condition_reuses_one_field(api: Any) -> None:
    body = {"interaction_type": "email_clicked", "filter": 'url =~~ "/pricing"', "window_days": 7}
    first = api.post("/api/computed-fields/conditions", json=body)
    second = api.post("/api/computed-fields/conditions", json=body)
    assert first.status_code == second.status_code == 200, first.text
    assert first.json()["id"] == second.json()["id"] and first.json()["origin"] == "condition"
    listed = api.get("/api/computed-fields", params={"origin": "screen"}).json()["items"]
    assert first.json()["id"] not in [f["id"] for f in listed]


def test_shipped_fields_exist(api: Any) -> None:
    names = {f["name"] for f in api.get("/api/computed-fields", params={"limit": 500}).json()["items"]}
    assert {"emails_opened_90d", "last_purchase_amount", "events_attended"} <= names

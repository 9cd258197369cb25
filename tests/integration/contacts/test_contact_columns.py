"""The contact list's extra columns: behavioural and RFM fields per row (GET /api/contacts?fields=),
read for the page's contacts, and a bad field name refused naming `fields`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import unique_type


def test_rows_carry_the_behavioural_and_rfm_fields_asked_for(api: Any, make_contact: Any) -> None:
    kind = unique_type("attended")
    created = api.post(
        "/api/computed-fields",
        json={"name": f"col_{kind}"[:40], "label": "Attended", "aggregate": "count", "interaction_type": kind},
    )
    assert created.status_code == 201, created.text
    field = created.json()["field"]
    assert api.wait_job(created.json()["backfill"]["job_id"])["status"] == "done"
    buyer, idle = make_contact(), make_contact()
    when = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    batch = [
        {"type": kind, "contact_id": buyer["id"], "properties": {}},
        {"type": kind, "contact_id": buyer["id"], "properties": {}},
        {"type": "purchase", "contact_id": buyer["id"], "occurred_at": when, "properties": {"amount": 80.0}},
    ]
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)
    timeline = f"/api/contacts/{buyer['id']}/interactions"
    assert api.eventually(lambda: len(api.get(timeline).json()["items"]) >= 3), api.get(timeline).json()
    # The timeline shows what is stored; the field counts what the stream has handed on, a moment later.
    scores = f"/api/contacts/{buyer['id']}"
    assert api.eventually(lambda: api.get(scores).json()["scores"].get(field) == 2), api.get(scores).json()
    recompute = api.post("/api/rfm/recompute")
    assert recompute.status_code == 202, recompute.text
    assert api.wait_job(recompute.json()["job_id"])["status"] == "done"

    wanted = f"{field},rfm_segment,rfm_score"
    response = api.get("/api/contacts", params={"q": buyer["email"], "fields": wanted})
    assert response.status_code == 200, response.text
    [row] = response.json()["items"]
    rfm = api.get(f"/api/rfm/contacts/{buyer['id']}").json()
    assert rfm["segment"] is not None
    assert row["fields"] == {field: 2, "rfm_segment": rfm["segment"], "rfm_score": rfm["score"]}
    [other] = api.get("/api/contacts", params={"q": idle["email"], "fields": wanted}).json()["items"]
    assert other["fields"] == {field: None, "rfm_segment": None, "rfm_score": None}
    # Not asked: no extra fields.
    [plain] = api.get("/api/contacts", params={"q": buyer["email"]}).json()["items"]
    assert plain["fields"] == {}


@pytest.mark.parametrize("fields", ["computed_no_such_field", "email", "rfm_segment,nope", "custom_x"])
def test_a_field_the_list_cannot_show_is_refused_naming_fields(api: Any, fields: str) -> None:
    response = api.get("/api/contacts", params={"fields": fields})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "fields"

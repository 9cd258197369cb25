"""A scoring model, a behavioural field or a scheduled export deleted right after it was created
(or run): its job finds it gone and says so, and the database stays free for everyone else's
writes meanwhile (on SQLite, one writer at a time: a job holding the write lock while it waited
for a second one of its own blocked every write for the busy timeout, then failed on "database is
locked")."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.factories import static_segment, unique_email, unique_type

GRADES = [{"grade": "A", "min": 10}, {"grade": "B", "min": 0}]


def scoring_model(api: Any, n: int) -> tuple[str, str]:
    kind = unique_type("clicked")
    rule = {"id": "click", "label": "Clicked", "kind": "interaction", "interaction_type": kind, "points": 5}
    body = {"key": f"gone{n}", "name": f"Gone {n}", "threshold": 10, "grades": GRADES, "rules": [rule]}
    created = api.post("/api/scoring/models", json=body)
    assert created.status_code == 201, created.text
    return f"/api/scoring/models/{created.json()['id']}", created.json()["recompute"]["job_id"]


def computed_field(api: Any, n: int) -> tuple[str, str]:
    kind = unique_type("clicked")
    body = {"name": f"gone_{n}_{kind}"[:40], "label": "Gone", "aggregate": "count", "interaction_type": kind}
    created = api.post("/api/computed-fields", json=body)
    assert created.status_code == 201, created.text
    return f"/api/computed-fields/{created.json()['id']}", created.json()["backfill"]["job_id"]


def scheduled_export(api: Any, n: int) -> tuple[str, str]:
    segment_id = static_segment(api, [])
    body = {"name": f"Gone {n}", "segment_id": segment_id, "fields": ["email"], "kind": "directory", "directory": "out"}
    created = api.post("/api/exports/scheduled", json=body)
    assert created.status_code == 201, created.text
    path = f"/api/exports/scheduled/{created.json()['id']}"
    started = api.post(f"{path}/run")
    assert started.status_code == 202, started.text
    return path, started.json()["job_id"]


@pytest.mark.parametrize("create", [scoring_model, computed_field, scheduled_export])
def test_deleting_right_after_creating_leaves_the_database_writable(api: Any, create: Any) -> None:
    assert api.post("/api/contacts", json={"email": unique_email()}).status_code == 201
    for n in range(3):
        path, job_id = create(api, n)
        assert api.delete(path).status_code == 204
        started = time.monotonic()
        response = api.post("/api/contacts", json={"email": unique_email()})
        assert response.status_code == 201, response.text
        assert time.monotonic() - started < 5
        job = api.wait_job(job_id, timeout=20)
        assert job["status"] == "done" or (job["status"] == "failed" and job["message"]), job
        assert "locked" not in job["message"], job

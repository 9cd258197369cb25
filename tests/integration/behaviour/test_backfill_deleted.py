"""A behavioural field deleted while its backfill job runs leaves no value behind in contacts'
scores: the backfill stops at its next chunk, and the job says why."""

from __future__ import annotations

from typing import Any

import pytest

from parcours.behaviour import service
from parcours.contacts import service as contacts
from parcours.db import transaction
from parcours.jobs.service import JobProgress
from tests.factories import unique_type


class DeletingAfterFirstChunk(JobProgress):
    """The real job progress, with the marketer deleting the field once the first chunk is written."""

    def __init__(self, sessions: Any, job_id: str, field_id: int) -> None:
        super().__init__(sessions, job_id)
        self.sessions, self.field_id, self.deleted = sessions, field_id, False

    async def report(self, progress: float, message: str | None = None) -> None:
        await super().report(progress, message)
        if not self.deleted:
            async with transaction(self.sessions) as session:
                await service.delete_field(session, self.field_id)
            self.deleted = True


def test_a_field_deleted_during_its_backfill_leaves_no_values(
    api: Any, make_contact: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = unique_type("clicked")
    make_contact()  # so that the contacts below are past the first chunk
    doers = [make_contact(), make_contact()]
    batch = [{"type": kind, "contact_id": c["id"], "properties": {}} for c in doers]
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)
    timeline = f"/api/contacts/{doers[1]['id']}/interactions"
    assert api.eventually(lambda: len(api.get(timeline).json()["items"]) >= 1)
    created = api.post(
        "/api/computed-fields",
        json={"name": f"gone_{kind}"[:40], "label": "Gone", "aggregate": "count", "interaction_type": kind},
    )
    assert created.status_code == 201, created.text
    field, job_id = created.json(), created.json()["backfill"]["job_id"]
    assert api.wait_job(job_id)["status"] == "done"
    name = field["field"]
    assert all(api.get(f"/api/contacts/{c['id']}").json()["scores"].get(name) == 1 for c in doers)

    runtime = api.app.state.runtime

    async def backfill_while_deleting() -> int:
        async with transaction(runtime.sessions) as session:
            low, _ = await contacts.id_bounds(session) or (0, 0)
        # The first chunk ends before the contacts who did it: they are written after the delete.
        monkeypatch.setattr(service, "BACKFILL_CHUNK", doers[0]["id"] - low)
        progress = DeletingAfterFirstChunk(runtime.sessions, job_id, field["id"])
        return await service.backfill(runtime.sessions, progress, field["id"])

    api.blocking_portal.call(backfill_while_deleting)

    assert api.get(f"/api/computed-fields/{field['id']}").status_code == 404
    for contact in doers:
        assert name not in api.get(f"/api/contacts/{contact['id']}").json()["scores"]
    job = api.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "failed" and "deleted" in job["message"], job

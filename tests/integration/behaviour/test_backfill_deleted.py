"""A behavioural field deleted while its backfill job runs leaves no value behind in contacts'
scores: the backfill stops at its next chunk, and the job says why. A new label, which changes
no value, lets it finish."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.behaviour import service
from parcours.contacts import service as contacts
from parcours.db import Sessions, transaction
from parcours.jobs.service import JobProgress
from tests.factories import contact, unique_type

Action = Callable[[AsyncSession, int], Awaitable[Any]]


class ActingAfterFirstChunk(JobProgress):
    """The real job progress, with the marketer acting on the field once the first chunk is written."""

    def __init__(self, sessions: Sessions, job_id: str, field_id: int, action: Action) -> None:
        super().__init__(sessions, job_id)
        self.sessions, self.field_id, self.action, self.acted = sessions, field_id, action, False

    async def report(self, progress: float, message: str | None = None) -> None:
        await super().report(progress, message)
        if not self.acted:
            async with transaction(self.sessions) as session:
                await self.action(session, self.field_id)
            self.acted = True


async def delete(session: AsyncSession, field_id: int) -> None:
    await service.delete_field(session, field_id)


async def relabel(session: AsyncSession, field_id: int) -> None:
    row = await service.get_field(session, field_id, lock=True)
    row.label = "Renamed while computed"


def backfill_while(api: Any, monkeypatch: pytest.MonkeyPatch, action: Action) -> tuple[dict[str, Any], list[int]]:
    """A field counted for two contacts, backfilled again with `action` done after its first chunk
    (which ends before those contacts)."""
    kind = unique_type("clicked")
    contact(api)  # the first chunk's contact
    doers = [contact(api)["id"], contact(api)["id"]]
    batch = [{"type": kind, "contact_id": cid, "properties": {}} for cid in doers]
    assert api.post("/api/interactions", json={"batch": batch}).status_code in (200, 202)
    timeline = f"/api/contacts/{doers[1]}/interactions"
    assert api.eventually(lambda: len(api.get(timeline).json()["items"]) >= 1)
    body = {"name": f"gone_{kind}"[:40], "label": "Gone", "aggregate": "count", "interaction_type": kind}
    created = api.post("/api/computed-fields", json=body)
    assert created.status_code == 201, created.text
    field = created.json()
    assert api.wait_job(field["backfill"]["job_id"])["status"] == "done"
    # The backfill counts what the stream has handed on; the stream adds the rest when it gets there.
    assert api.eventually(
        lambda: all(api.get(f"/api/contacts/{cid}").json()["scores"].get(field["field"]) == 1 for cid in doers)
    )
    runtime = api.app.state.runtime

    async def run() -> int:
        async with transaction(runtime.sessions) as session:
            low, _ = await contacts.id_bounds(session) or (0, 0)
        monkeypatch.setattr(service, "BACKFILL_CHUNK", doers[0] - low)
        progress = ActingAfterFirstChunk(runtime.sessions, field["backfill"]["job_id"], field["id"], action)
        return await service.backfill(runtime.sessions, progress, field["id"])

    api.blocking_portal.call(run)
    return field, doers


def test_a_field_deleted_during_its_backfill_leaves_no_values(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    field, doers = backfill_while(api, monkeypatch, delete)
    assert api.get(f"/api/computed-fields/{field['id']}").status_code == 404
    for cid in doers:
        assert field["field"] not in api.get(f"/api/contacts/{cid}").json()["scores"]
    job = api.get(f"/api/jobs/{field['backfill']['job_id']}").json()
    assert job["status"] == "failed" and "deleted" in job["message"], job


def test_a_new_label_during_its_backfill_lets_it_finish(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    field, doers = backfill_while(api, monkeypatch, relabel)
    for cid in doers:
        assert api.get(f"/api/contacts/{cid}").json()["scores"][field["field"]] == 1
    job = api.get(f"/api/jobs/{field['backfill']['job_id']}").json()
    assert job["status"] == "done", job
    again = api.get(f"/api/computed-fields/{field['id']}").json()
    assert again["label"] == "Renamed while computed" and again["backfilled_at"] is not None

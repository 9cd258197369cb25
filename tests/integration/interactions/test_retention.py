"""Retention of interactions (PARCOURS_INTERACTION_RETENTION_DAYS): the daily job deletes those
older than the setting, from the timeline and the export; the reports' daily rollups keep
counting them. The clock is moved back to make interactions old."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from parcours.clock import clock
from parcours.db import transaction
from parcours.interactions.tasks import purge_interactions
from parcours.reports import rollups
from parcours.reports.filters import ReportFilters
from tests import factories
from tests.conftest import Api, signed_in

RETENTION_DAYS = 90


@pytest.fixture(scope="module")
def api(app_settings: Any) -> Iterator[Api]:
    with signed_in(msgspec.structs.replace(app_settings, interaction_retention_days=RETENTION_DAYS)) as api:
        yield api


def types_of(api: Api, contact_id: int) -> list[str]:
    return sorted(i["type"] for i in api.get(f"/api/contacts/{contact_id}/export").json()["interactions"])


def test_old_interactions_leave_and_the_reports_keep_their_counts(api: Api) -> None:
    source = factories.unique_type("retention")
    clock.advance(timedelta(days=-(RETENTION_DAYS + 30)))
    try:
        old_day = clock.now().date()
        contact = factories.contact(api, source=source)
        api.post("/api/interactions", json={"type": "page_visited", "contact_id": contact["id"]})
    finally:
        clock.reset()
    api.post("/api/interactions", json={"type": "purchase", "contact_id": contact["id"]})
    runtime = api.app.state.runtime
    period = ReportFilters(start=old_day, end=clock.now().date())

    async def leads() -> float:
        async with transaction(runtime.sessions) as session:
            found = await rollups.totals(session, "source", period, ids=[source])
        return found.get(source, {}).get("leads", 0.0)

    # The stream has counted the old lead in the rollups.
    assert api.eventually(lambda: api.blocking_portal.call(leads) == 1.0)
    assert types_of(api, contact["id"]) == ["contact_created", "page_visited", "purchase"]

    async def purge() -> int:
        return await purge_interactions({"runtime": runtime})  # type: ignore[typeddict-item]

    assert api.blocking_portal.call(purge) >= 2
    assert types_of(api, contact["id"]) == ["purchase"]
    assert api.blocking_portal.call(leads) == 1.0
    # Nothing older is left: a second run deletes nothing.
    assert api.blocking_portal.call(purge) == 0


def test_without_a_retention_every_interaction_is_kept(api: Api) -> None:
    contact = factories.contact(api)
    clock.advance(timedelta(days=-3650))
    try:
        api.post("/api/interactions", json={"type": "page_visited", "contact_id": contact["id"]})
    finally:
        clock.reset()
    runtime = api.app.state.runtime
    # The same product, set as it is by default (keep everything).
    keeping = dataclasses.replace(
        runtime, settings=msgspec.structs.replace(runtime.settings, interaction_retention_days=0)
    )

    async def purge() -> int:
        return await purge_interactions({"runtime": keeping})  # type: ignore[typeddict-item]

    assert api.blocking_portal.call(purge) == 0
    assert "page_visited" in types_of(api, contact["id"])

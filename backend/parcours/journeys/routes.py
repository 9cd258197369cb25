"""/api/journeys: drafts on the canvas, publication, lifecycle, statistics, test runs."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, changes
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.channels.schemas import Someone
from parcours.journeys import audience, service
from parcours.journeys.models import Journey
from parcours.journeys.schemas import (
    JourneyAudience,
    JourneyIn,
    JourneyOut,
    JourneyPatch,
    JourneyStats,
    JourneySummary,
    PublishOut,
    RunOut,
    TestIn,
    TestOut,
    definition_of,
)
from parcours.runtime import Runtime


def _out(journey: Journey) -> JourneyOut:
    values = {f: getattr(journey, f) for f in JourneyOut.__struct_fields__}
    return JourneyOut(
        **{
            **values,
            "definition": definition_of(journey.definition),
            "published_audience": service.published_audience(journey),
        }
    )


class JourneysController(Controller):
    path = "/journeys"
    tags = ["journeys"]

    @get("/", summary="Journeys, last changed first, with how many contacts entered and are inside")
    async def list_journeys(self, db: AsyncSession) -> list[JourneySummary]:
        return await service.list_journeys(db)

    @post("/", summary="Create a draft journey (blank, or from a journey template with template_id)")
    async def create_journey(self, data: JourneyIn, db: AsyncSession, actor: Actor) -> JourneyOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return _out(await service.create_journey(db, values, actor))

    @get("/{journey_id:int}", summary="A journey: its draft canvas and settings")
    async def get_journey(self, journey_id: IdParam, db: AsyncSession) -> JourneyOut:
        return _out(await service.get_journey(db, journey_id))

    @patch(
        "/{journey_id:int}",
        summary="Save the draft (a published journey keeps running its version until published again)",
    )
    async def update_journey(self, journey_id: IdParam, data: JourneyPatch, db: AsyncSession) -> JourneyOut:
        return _out(await service.update_journey(db, journey_id, changes(data)))

    @delete("/{journey_id:int}", summary="Delete a journey that is not running")
    async def delete_journey(self, journey_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("journey", journey_id, (await service.get_journey(db, journey_id)).name)
        await service.delete_journey(db, journey_id)
        await audit.record(db, actor, "journey.deleted", target)

    @post(
        "/{journey_id:int}/publish",
        status_code=200,
        summary="Validate the draft and run it as a new version (422 with the problems when it is not ready)",
    )
    async def publish(self, journey_id: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor) -> PublishOut:
        journey, enrolled = await service.publish(
            db, journey_id, actor, runtime.enqueue, frequency_cap=runtime.settings.frequency_cap
        )
        return PublishOut(journey=_out(journey), problems=[], enrolled=enrolled)

    @post(
        "/{journey_id:int}/audience",
        status_code=200,
        opt={"role": "viewer"},
        summary="Who publishing the draft now would enrol, and who it would leave out and why (changes nothing)",
    )
    async def audience(self, journey_id: IdParam, db: AsyncSession, runtime: Runtime) -> JourneyAudience:
        return await service.preview_audience(db, journey_id, runtime.settings.frequency_cap)

    @get(
        "/{journey_id:int}/left-out",
        summary="The contacts left out (for one reason, or any): at the entry, or by a step's messages not sent (node_id)",
    )
    async def left_out(
        self,
        journey_id: IdParam,
        db: AsyncSession,
        reason: str | None = Parameter(default=None, min_length=1, max_length=32),
        node_id: str | None = Parameter(default=None, max_length=64),
        limit: int = Parameter(default=200, ge=1, le=500),
    ) -> list[Someone]:
        await service.get_journey(db, journey_id)
        return await audience.left_out_people(db, journey_id, reason, node_id, limit)

    @post(
        "/{journey_id:int}/validate",
        status_code=200,
        opt={"role": "viewer"},
        summary="What would stop the draft from being published (an empty list when it is ready)",
    )
    async def validate(self, journey_id: IdParam, db: AsyncSession) -> PublishOut:
        journey = await service.get_journey(db, journey_id)
        problems, _program = await service.problems_of(db, journey)
        return PublishOut(journey=_out(journey), problems=problems)

    @post("/{journey_id:int}/pause", status_code=200, summary="Pause: nobody enters or moves until resumed")
    async def pause(self, journey_id: IdParam, db: AsyncSession, runtime: Runtime) -> JourneyOut:
        return _out(await service.move(db, journey_id, "pause", runtime.enqueue))

    @post("/{journey_id:int}/resume", status_code=200, summary="Resume a paused journey")
    async def resume(self, journey_id: IdParam, db: AsyncSession, runtime: Runtime) -> JourneyOut:
        return _out(await service.move(db, journey_id, "resume", runtime.enqueue))

    @post("/{journey_id:int}/stop", status_code=200, summary="Stop: every contact inside leaves; nobody enters")
    async def stop(self, journey_id: IdParam, db: AsyncSession, runtime: Runtime) -> JourneyOut:
        return _out(await service.move(db, journey_id, "stop", runtime.enqueue))

    @get(
        "/{journey_id:int}/stats",
        summary="Counts per step (keyed by node id), emails' statistics, goal conversions, funnel",
    )
    async def stats(self, journey_id: IdParam, db: AsyncSession) -> JourneyStats:
        return await service.stats(db, journey_id)

    @post(
        "/{journey_id:int}/test",
        status_code=200,
        summary="Run the draft for one contact with time compressed, and show the path it takes",
    )
    async def test(
        self, journey_id: IdParam, data: TestIn, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> TestOut:
        return await service.test_run(db, journey_id, data, actor, runtime.enqueue)

    @get("/{journey_id:int}/runs", summary="The contacts' runs through this journey, newest first")
    async def runs(
        self, journey_id: IdParam, db: AsyncSession, limit: int = Parameter(default=100, ge=1, le=500)
    ) -> list[RunOut]:
        await service.get_journey(db, journey_id)
        return [_run(run, version) for run, version in await service.runs_of(db, journey_id=journey_id, limit=limit)]

    @get("/runs", summary="A contact's runs through every journey", opt={"role": "viewer"})
    async def contact_runs(
        self, db: AsyncSession, contact_id: IdParam, limit: int = Parameter(default=100, ge=1, le=500)
    ) -> list[RunOut]:
        return [_run(run, version) for run, version in await service.runs_of(db, contact_id=contact_id, limit=limit)]


def _run(run: object, version: int) -> RunOut:
    return RunOut(version=version, **{f: getattr(run, f) for f in RunOut.__struct_fields__ if f != "version"})

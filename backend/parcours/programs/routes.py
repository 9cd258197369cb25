"""/api/programs: the relationship plan (programs, their KPI's progress, the annual calendar, the
shipped templates) and the scenario briefs of journeys (/api/programs/briefs/{journey_id})."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post, put
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.programs import kpis, service, templates
from parcours.programs.schemas import (
    BriefIn,
    BriefOut,
    KpiChoice,
    Owner,
    ProgramCalendar,
    ProgramIn,
    ProgramOfItem,
    ProgramOut,
    ProgramPage,
    ProgramPatch,
    ProgramProgress,
    ProgramTemplate,
)
from parcours.runtime import Runtime

YearParam = Annotated[int | None, Parameter(ge=2000, le=2100, description="The year shown (this year by default)")]


def _values(data: ProgramIn | ProgramPatch) -> dict[str, object]:
    values = changes(data) if isinstance(data, ProgramPatch) else {f: getattr(data, f) for f in data.__struct_fields__}
    if "kpi" in values:
        kpi = values["kpi"]
        values["kpi"] = {f: getattr(kpi, f) for f in kpi.__struct_fields__ if getattr(kpi, f) is not None}
    return values


class ProgramsController(Controller):
    path = "/programs"
    tags = ["programs"]

    @get("/", summary="Programs of the relationship plan, latest start first")
    async def list_programs(self, db: AsyncSession, limit: int = limit_param(50), cursor: Cursor = None) -> ProgramPage:
        rows, next_cursor, total = await service.list_programs(db, limit, cursor)
        return ProgramPage(items=await service.outs(db, rows), next_cursor=next_cursor, total=total)

    @post("/", summary="Create a program (its KPI, target, period, owner, journeys, campaigns and events)")
    async def create_program(self, data: ProgramIn, db: AsyncSession, actor: Actor) -> ProgramOut:
        program = await service.create_program(db, _values(data), actor.label)
        return (await service.outs(db, [program]))[0]

    @get("/{program_id:int}", summary="One program")
    async def get_program(self, program_id: IdParam, db: AsyncSession) -> ProgramOut:
        return (await service.outs(db, [await service.get_program(db, program_id)]))[0]

    @patch("/{program_id:int}", summary="Change a program (only the fields sent; a list sent replaces the old one)")
    async def update_program(self, program_id: IdParam, data: ProgramPatch, db: AsyncSession) -> ProgramOut:
        program = await service.update_program(db, program_id, _values(data))
        return (await service.outs(db, [program]))[0]

    @delete("/{program_id:int}", summary="Delete a program (its journeys, campaigns and events stay)")
    async def delete_program(self, program_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("program", program_id, (await service.get_program(db, program_id)).name)
        await service.delete_program(db, program_id)
        await audit.record(db, actor, "program.deleted", target)

    @get("/{program_id:int}/progress", summary="The program's KPI so far against its target, month by month")
    async def progress(self, program_id: IdParam, db: AsyncSession) -> ProgramProgress:
        return await service.progress(db, program_id)

    @get("/calendar", summary="The annual calendar: each program's journeys, campaigns and events across a year")
    async def calendar(self, db: AsyncSession, year: YearParam = None) -> ProgramCalendar:
        return await service.calendar(db, year or utcnow().year)

    @get("/kpis", summary="The KPI catalogue: what each KPI counts and divides by")
    async def kpis(self) -> list[KpiChoice]:
        return [
            KpiChoice(
                metric=k.metric,
                is_rate=k.is_rate,
                counts=k.counts,
                divided_by=k.divided_by,
                needs_segment=k.needs_segment,
                needs_exploration=k.needs_exploration,
                available=k.available,
            )
            for k in kpis.CATALOGUE.values()
        ]

    @get("/owners", summary="The users who may own a program (active ones)")
    async def owners(self, db: AsyncSession) -> list[Owner]:
        return await service.owners(db)

    @get("/templates", summary="The shipped programs to start from, in a language")
    async def program_templates(self, runtime: Runtime, language: Literal["en", "fr"] = "en") -> list[ProgramTemplate]:
        return templates.shipped(runtime.settings.templates_path, language)

    @get("/of/{kind:str}/{item_id:int}", summary="The program a journey, campaign or event belongs to (null: none)")
    async def program_of(
        self, kind: Annotated[str, Parameter(pattern="^(journey|campaign|event)$")], item_id: IdParam, db: AsyncSession
    ) -> ProgramOfItem | None:
        return await service.program_of(db, kind, item_id)

    @get("/briefs/{journey_id:int}", summary="A journey's scenario brief (empty until written)")
    async def get_brief(self, journey_id: IdParam, db: AsyncSession) -> BriefOut:
        return await service.get_brief(db, journey_id)

    @put("/briefs/{journey_id:int}", summary="Write a journey's scenario brief (goal, audience, data, messages, KPI)")
    async def put_brief(self, journey_id: IdParam, data: BriefIn, db: AsyncSession, actor: Actor) -> BriefOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        values["messages"] = [{"name": m.name, "channel": m.channel, "when": m.when} for m in data.messages]
        return await service.put_brief(db, journey_id, values, actor.label)

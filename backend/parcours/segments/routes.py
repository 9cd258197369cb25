"""/api/segments: definitions, previews, refreshes, members, presets."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Stream
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import IdParam, changes, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.contacts import exports
from parcours.contacts import service as contacts
from parcours.contacts.routes import contact_filters
from parcours.contacts.schemas import ContactFilters, ContactPage, ContactSort, JobAccepted
from parcours.db import transaction
from parcours.rules import service as rules
from parcours.runtime import Runtime
from parcours.segments import service
from parcours.segments.schemas import (
    MembersChanged,
    MembersIn,
    Preset,
    PreviewIn,
    PreviewOut,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)


class SegmentsController(Controller):
    path = "/segments"
    tags = ["segments"]

    @get("/", summary="Segments, with their sizes and last refresh")
    async def list_segments(self, db: AsyncSession) -> list[SegmentOut]:
        return [to_out(s, SegmentOut) for s in await service.list_segments(db)]

    @post("/", summary="Create a static or dynamic segment (a dynamic one is filled at once, as a job)")
    async def create_segment(self, data: SegmentIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> SegmentOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return to_out(await service.create_segment(db, values, actor, runtime.enqueue), SegmentOut)

    @post(
        "/preview",
        status_code=200,
        opt={"role": "viewer"},
        summary="How many contacts a definition selects, and a sample of them",
    )
    async def preview(self, data: PreviewIn, db: AsyncSession) -> PreviewOut:
        rule = data.rule
        if data.builder is not None:
            rule = rules.builder_text(data.builder, await rules.current_schema(db)) or None
        count, sample = await service.preview(db, rule, data.include, data.exclude)
        return PreviewOut(count=count, sample=sample, rule=rule)

    @get("/presets", summary="Ready-made segments that can be created in one click")
    async def presets(self, runtime: Runtime) -> list[Preset]:
        return service.load_presets(runtime.settings.rules_path)

    @post("/presets/{key:str}", summary="Create a segment from a preset, named in your language")
    async def from_preset(self, key: str, db: AsyncSession, runtime: Runtime, actor: Actor) -> SegmentOut:
        segment = await service.create_from_preset(
            db, runtime.settings.rules_path, key, actor.language, actor, runtime.enqueue
        )
        return to_out(segment, SegmentOut)

    @get("/{segment_id:int}", summary="A segment")
    async def get_segment(self, segment_id: IdParam, db: AsyncSession) -> SegmentOut:
        return to_out(await service.get_segment(db, segment_id), SegmentOut)

    @patch("/{segment_id:int}", summary="Change a segment (a new definition refreshes its members)")
    async def update_segment(
        self, segment_id: IdParam, data: SegmentPatch, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> SegmentOut:
        segment = await service.update_segment(db, segment_id, changes(data), actor, runtime.enqueue)
        return to_out(segment, SegmentOut)

    @delete("/{segment_id:int}", summary="Delete a segment (refused while other segments use it)")
    async def delete_segment(self, segment_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("segment", segment_id, (await service.get_segment(db, segment_id)).name)
        await service.delete_segment(db, segment_id)
        await audit.record(db, actor, "segment.deleted", target)

    @post("/{segment_id:int}/refresh", status_code=202, summary="Recompute the members now, as a job")
    async def refresh(self, segment_id: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor) -> JobAccepted:
        segment = await service.get_segment(db, segment_id)
        return JobAccepted(job_id=await service.start_refresh(db, segment, actor, runtime.enqueue))

    @post("/{segment_id:int}/snapshot", summary="A static copy of today's members")
    async def snapshot(self, segment_id: IdParam, db: AsyncSession, actor: Actor) -> SegmentOut:
        return to_out(await service.snapshot(db, segment_id, actor), SegmentOut)

    @get(
        "/{segment_id:int}/members",
        dependencies={"filters": Provide(contact_filters, sync_to_thread=False)},
        summary="The members, as a contact list (same search, filters and pages)",
    )
    async def members(
        self,
        segment_id: IdParam,
        db: AsyncSession,
        filters: ContactFilters,
        sort: ContactSort = "-id",
        limit: int = Parameter(default=50, ge=1, le=contacts.MAX_PAGE),
        cursor: str | None = None,
    ) -> ContactPage:
        await service.get_segment(db, segment_id)
        return await contacts.list_contacts(db, filters, sort, limit, cursor, among=service.member_ids(segment_id))

    @get(
        "/{segment_id:int}/members.csv",
        dependencies={"filters": Provide(contact_filters, sync_to_thread=False)},
        media_type="text/csv",
        summary="The members as CSV",
    )
    async def members_csv(
        self, segment_id: IdParam, db: AsyncSession, runtime: Runtime, filters: ContactFilters, actor: Actor
    ) -> Stream:
        segment = await service.get_segment(db, segment_id)
        asked = {k: v for k, v in msgspec.structs.asdict(filters).items() if v is not None}
        # Reads may go to a replica: the entry is written on its own, before the data leaves.
        async with transaction(runtime.sessions) as session:
            target = Target("segment", segment_id, segment.name)
            await audit.record(session, actor, "contacts.exported", target, after={"filters": asked})
        name = "".join(c if c.isalnum() else "-" for c in segment.name).strip("-").lower() or "segment"
        return Stream(
            exports.contacts_csv(runtime.report_sessions, filters, among=service.member_ids(segment_id)),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    @post("/{segment_id:int}/members", status_code=200, summary="Add contacts to a static segment")
    async def add_members(self, segment_id: IdParam, data: MembersIn, db: AsyncSession) -> MembersChanged:
        added, count = await service.add_members(db, segment_id, data.contact_ids)
        return MembersChanged(added=added, member_count=count)

    @delete("/{segment_id:int}/members", status_code=200, summary="Remove contacts from a static segment")
    async def remove_members(self, segment_id: IdParam, data: MembersIn, db: AsyncSession) -> MembersChanged:
        removed, count = await service.remove_members(db, segment_id, data.contact_ids)
        return MembersChanged(removed=removed, member_count=count)

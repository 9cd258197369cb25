"""/api/imports/sources (files imported on a schedule, their runs) and /api/exports (a segment's
members as CSV: downloaded now, or written on a schedule to a server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter
from litestar.response import Stream
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.dataflows import exporting, service
from parcours.dataflows.schemas import (
    ConnectionTest,
    ConnectionTestIn,
    ExportAccepted,
    ExportIn,
    ExportOut,
    ExportPage,
    ExportPatch,
    ImportRunAccepted,
    ImportRunPage,
    SourceIn,
    SourceOut,
    SourcePage,
    SourcePatch,
)
from parcours.db import transaction
from parcours.runtime import Runtime
from parcours.segments import service as segments

# Sources and destinations hold credentials and reach other servers or the server's disk.
_ADMIN = {"role": "admin"}


def _values(data: Any) -> dict[str, Any]:
    return {f: getattr(data, f) for f in data.__struct_fields__}


class ImportSourcesController(Controller):
    path = "/imports/sources"
    tags = ["imports"]

    @get("/", summary="Scheduled import sources, newest first")
    async def list_sources(self, db: AsyncSession, limit: int = limit_param(50), cursor: Cursor = None) -> SourcePage:
        return await service.list_sources(db, limit, cursor)

    @post("/", summary="Create an import source (SFTP or server directory) with its mapping and schedule", opt=_ADMIN)
    async def create_source(self, data: SourceIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> SourceOut:
        return service.source_out(await service.create_source(db, runtime, _values(data), actor))

    @post(
        "/test",
        status_code=200,
        summary="Try a connection: log in, open the directory, list the files the pattern finds",
        opt=_ADMIN,
    )
    async def test_connection(self, data: ConnectionTestIn, db: AsyncSession, runtime: Runtime) -> ConnectionTest:
        return await service.test_connection(db, runtime, data)

    @get("/{source_id:int}", summary="An import source (its password and key are never returned)")
    async def get_source(self, source_id: IdParam, db: AsyncSession) -> SourceOut:
        return service.source_out(await service.get_source(db, source_id))

    @patch("/{source_id:int}", summary="Change an import source (only the fields sent)", opt=_ADMIN)
    async def update_source(
        self, source_id: IdParam, data: SourcePatch, db: AsyncSession, runtime: Runtime
    ) -> SourceOut:
        return service.source_out(await service.update_source(db, runtime, source_id, changes(data)))

    @delete("/{source_id:int}", summary="Delete an import source and its runs (imported contacts stay)", opt=_ADMIN)
    async def delete_source(self, source_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("import_source", source_id, (await service.get_source(db, source_id)).name)
        await service.delete_source(db, source_id)
        await audit.record(db, actor, "import_source.deleted", target)

    @post("/{source_id:int}/run", status_code=202, summary="Run the source now; follow it at /api/jobs/{job_id}")
    async def run_now(self, source_id: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor) -> ImportRunAccepted:
        source = await service.get_source(db, source_id)
        run, job_id = await service.start_run(db, runtime.enqueue, source, "manual", actor.label)
        assert run.id is not None
        return ImportRunAccepted(run_id=run.id, job_id=job_id)

    @get("/{source_id:int}/runs", summary="A source's runs, newest first, with each file's import results")
    async def list_runs(
        self, source_id: IdParam, db: AsyncSession, limit: int = limit_param(20, 100), cursor: Cursor = None
    ) -> ImportRunPage:
        return await service.list_runs(db, source_id, limit, cursor)


FieldsParam = Annotated[
    list[Annotated[str, Parameter(max_length=200)]] | None,
    Parameter(
        min_items=1,
        max_items=200,
        description="Rule fields, in the order of the columns (absent: email, first name, last name)",
    ),
]
# What a download holds when it names no field.
DEFAULT_FIELDS = ("email", "first_name", "last_name")


class ExportsController(Controller):
    path = "/exports"
    tags = ["exports"]

    @get(
        "/segments/{segment_id:int}/csv",
        media_type="text/csv",
        summary="A segment's members as CSV with the chosen fields (any rule field: computed, scores…)",
        opt={"role": "marketer"},
    )
    async def download(self, segment_id: IdParam, runtime: Runtime, actor: Actor, fields: FieldsParam = None) -> Stream:
        columns = fields or list(DEFAULT_FIELDS)
        # Checked and logged in one writing transaction (a GET's own is a reader's, and SQLite
        # writes one at a time): the entry is kept only if the download goes ahead.
        async with transaction(runtime.sessions) as session:
            await service.check_export_fields(session, segment_id, columns)
            target = Target("segment", segment_id, (await segments.get_segment(session, segment_id)).name)
            await audit.record(session, actor, "contacts.exported", target, after={"columns": columns})

        async def lines() -> AsyncIterator[str]:
            async with transaction(runtime.report_sessions) as session:
                async for text, _count in exporting.segment_lines(session, segment_id, columns):
                    yield text

        return Stream(
            lines(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="segment-{segment_id}.csv"'},
        )

    @get("/scheduled", summary="Scheduled exports, newest first")
    async def list_exports(self, db: AsyncSession, limit: int = limit_param(50), cursor: Cursor = None) -> ExportPage:
        return await service.list_exports(db, limit, cursor)

    @post("/scheduled", summary="Export a segment on a schedule to an SFTP server or a server directory", opt=_ADMIN)
    async def create_export(self, data: ExportIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> ExportOut:
        return service.export_out(await service.create_export(db, runtime, _values(data), actor))

    @get("/scheduled/{export_id:int}", summary="A scheduled export (its password and key are never returned)")
    async def get_export(self, export_id: IdParam, db: AsyncSession) -> ExportOut:
        return service.export_out(await service.get_export(db, export_id))

    @patch("/scheduled/{export_id:int}", summary="Change a scheduled export (only the fields sent)", opt=_ADMIN)
    async def update_export(
        self, export_id: IdParam, data: ExportPatch, db: AsyncSession, runtime: Runtime
    ) -> ExportOut:
        return service.export_out(await service.update_export(db, runtime, export_id, changes(data)))

    @delete("/scheduled/{export_id:int}", summary="Delete a scheduled export", opt=_ADMIN)
    async def delete_export(self, export_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("scheduled_export", export_id, (await service.get_export(db, export_id)).name)
        await service.delete_export(db, export_id)
        await audit.record(db, actor, "scheduled_export.deleted", target)

    @post("/scheduled/{export_id:int}/run", status_code=202, summary="Export now; follow it at /api/jobs/{job_id}")
    async def run_now(self, export_id: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor) -> ExportAccepted:
        export = await service.get_export(db, export_id)
        job_id = await service.start_export(db, runtime.enqueue, export, "manual", actor.label)
        # Run by hand, an export is one person's act of sending contact data out (scheduled runs
        # follow the schedule an administrator set, whose creation is what stands for them).
        target = Target("scheduled_export", export_id, export.name)
        after = {
            "segment_id": export.segment_id,
            "columns": export.fields,
            "destination": f"sftp://{export.host}/{export.directory.lstrip('/')}"
            if export.kind == "sftp"
            else export.directory,
        }
        await audit.record(db, actor, "contacts.exported", target, after=after)
        return ExportAccepted(job_id=job_id)

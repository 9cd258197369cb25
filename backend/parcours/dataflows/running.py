"""The runs: an import source's (take each new file through the manual import) and a scheduled
export's (write the segment's CSV to its destination)."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlmodel import col

from parcours.auth.service import system_actor
from parcours.clock import utcnow
from parcours.contacts import import_service
from parcours.contacts.importing import ImportOptions
from parcours.dataflows import exporting, remote, service
from parcours.dataflows.models import ImportedFile, ImportRun, ImportSource, ScheduledExport
from parcours.db import insert_ignoring_duplicates, transaction
from parcours.errors import InvalidInput
from parcours.jobs.service import JobProgress
from parcours.runtime import Runtime

log = logging.getLogger(__name__)
UNEXPECTED = "The run stopped on an unexpected error; the details are in the server log."


class _Source(msgspec.Struct, frozen=True):
    """What a run needs of its source, read once."""

    id: int
    name: str
    pattern: str
    mapping: dict[str, str | None] | None
    options: ImportOptions
    after_read: str
    connection: remote.Connection


async def _seen(runtime: Runtime, source_id: int, file: remote.RemoteFile) -> bool:
    async with transaction(runtime.read_sessions) as session:
        found = await session.execute(
            select(col(ImportedFile.id)).where(
                col(ImportedFile.source_id) == source_id,
                col(ImportedFile.name) == file.name,
                col(ImportedFile.size) == file.size,
                col(ImportedFile.mtime) == file.mtime,
            )
        )
        return found.first() is not None


async def _take(
    runtime: Runtime, store: remote.Store, source: _Source, run_id: int, file: remote.RemoteFile
) -> dict[str, Any] | None:
    """Import one file unless it was taken before; None when it was."""
    if await _seen(runtime, source.id, file):
        return None
    entry: dict[str, Any] = {"name": file.name, "size": file.size, "mtime": file.mtime}
    # The manual import's limit: a larger file is refused (once) without being downloaded.
    too_large = file.size > runtime.settings.max_upload_mb * 1024 * 1024
    content = b"" if too_large else await store.read(file.name)
    async with transaction(runtime.sessions) as session:
        # The file is remembered in the transaction that creates its import: taken once, even when
        # two runs meet or this one stops halfway.
        taken = await insert_ignoring_duplicates(
            session,
            ImportedFile,
            [{**entry, "source_id": source.id, "run_id": run_id, "taken_at": utcnow()}],
        )
        if not taken:
            return None
        if too_large:
            limit = runtime.settings.max_upload_mb
            entry |= {"status": "refused", "message": f"The file is larger than {limit} MB (PARCOURS_MAX_UPLOAD_MB)."}
            return entry
        try:
            job_id = await import_service.start_import(
                session,
                runtime.enqueue,
                filename=file.name,
                content=content,
                mapping=source.mapping,
                options=source.options,
                actor=system_actor(f"import source: {source.name}"[:320]),
            )
        except InvalidInput as exc:
            entry |= {"status": "refused", "message": exc.message}
        else:
            entry |= {"status": "importing", "job_id": job_id}
            await session.execute(
                update(ImportedFile)
                .where(col(ImportedFile.source_id) == source.id, col(ImportedFile.name) == file.name)
                .where(col(ImportedFile.size) == file.size, col(ImportedFile.mtime) == file.mtime)
                .values(job_id=job_id)
            )
    # Its content is in the database now: the import finishes even if the file goes away.
    try:
        entry["moved_to"] = (
            await store.move_to_processed(file.name) if source.after_read == "move" else await store.mark(file.name)
        )
    except (OSError, remote.RemoteError) as exc:
        entry["message"] = (entry.get("message", "") + f" The file could not be moved or marked: {exc}").strip()
    return entry


async def run_source(runtime: Runtime, job_id: str) -> None:
    progress = JobProgress(runtime.sessions, job_id)
    job = await progress.load()
    if job.status in ("done", "failed"):
        return
    problem = ""
    async with transaction(runtime.sessions) as session:
        run = await session.get(ImportRun, job.params["run_id"])
        row = await session.get(ImportSource, run.source_id) if run is not None else None
        if run is None or row is None:
            source = None
        else:
            run.status, run.started_at = "running", utcnow()
            try:
                connection = service.connection_of(row, runtime.encryption_key)
            except ValueError as exc:
                connection = None
                problem = str(exc)
            source = _Source(
                id=row.id or 0,
                name=row.name,
                pattern=row.pattern,
                mapping=row.mapping,
                options=msgspec.convert(row.options, ImportOptions),
                after_read=row.after_read,
                connection=connection or remote.Connection(kind="broken", directory=""),
            )
    if run is None or source is None:
        await progress.fail("This import source was deleted.")
        return
    await progress.start(f"Connecting to {source.name}")
    files: list[dict[str, Any]] = []
    error: str | None = None
    try:
        if source.connection.kind == "broken":
            raise remote.RemoteError(problem)
        async with remote.open_store(source.connection, runtime.settings.files_path) as store:
            if store.host_key and store.host_key != source.connection.host_key:
                async with transaction(runtime.sessions) as session:
                    await session.execute(
                        update(ImportSource).where(col(ImportSource.id) == source.id).values(host_key=store.host_key)
                    )
            listed = await store.list(source.pattern)
            for index, file in enumerate(listed):
                await progress.report(index / max(1, len(listed)), f"Reading {file.name}")
                entry = await _take(runtime, store, source, run.id or 0, file)
                if entry is not None:
                    files.append(entry)
    except (remote.RemoteError, OSError) as exc:
        error = str(exc)
    except Exception:
        # Recorded on the run like any failure: a run left "running" would hold its source back.
        log.exception("import source %s: run %s failed", source.id, run.id)
        error = UNEXPECTED
    async with transaction(runtime.sessions) as session:
        await session.execute(
            update(ImportRun)
            .where(col(ImportRun.id) == run.id)
            .values(status="failed" if error else "done", files=files, error=error, finished_at=utcnow())
        )
        row = await session.get(ImportSource, source.id)
        if row is not None:
            await service.record_outcome(session, row, error)
    result = {"run_id": run.id, "files": len(files)}
    if error:
        await progress.fail(error, result)
    else:
        taken = f"{len(files)} new file{'' if len(files) == 1 else 's'}"
        await progress.finish(result, f"{taken} taken from {source.name}")


def _file_name(name: str, moment: Any) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "export"
    return f"{slug[:60]}-{moment:%Y%m%d-%H%M%S}.csv"


async def run_export(runtime: Runtime, job_id: str) -> None:
    progress = JobProgress(runtime.sessions, job_id)
    job = await progress.load()
    if job.status in ("done", "failed"):
        return
    # Read-only: on SQLite a write transaction here would hold the write lock that
    # progress.fail below waits for, blocking every write for the busy timeout.
    async with transaction(runtime.read_sessions) as session:
        export = await session.get(ScheduledExport, job.params["export_id"])
        if export is None:
            await progress.fail("This scheduled export was deleted.")
            return
        name, segment_id, fields = export.name, export.segment_id, list(export.fields)
        try:
            connection: remote.Connection | None = service.connection_of(export, runtime.encryption_key)
            error: str | None = None
        except ValueError as exc:
            connection, error = None, str(exc)
    await progress.start(f"Exporting {name}")
    filename, rows = _file_name(name, utcnow()), 0
    if connection is not None:
        parts: list[str] = []
        async with transaction(runtime.report_sessions) as session:
            async for text, count in exporting.segment_lines(session, segment_id, fields):
                parts.append(text)
                rows += count
        try:
            async with remote.open_store(connection, runtime.settings.files_path) as store:
                if store.host_key and store.host_key != connection.host_key:
                    async with transaction(runtime.sessions) as session:
                        await session.execute(
                            update(ScheduledExport)
                            .where(col(ScheduledExport.id) == job.params["export_id"])
                            .values(host_key=store.host_key)
                        )
                await store.write(filename, "".join(parts).encode())
        except (remote.RemoteError, OSError) as exc:
            error = str(exc)
    async with transaction(runtime.sessions) as session:
        export = await session.get(ScheduledExport, job.params["export_id"])
        if export is not None:
            await service.record_outcome(session, export, error)
            if error is None:
                await session.execute(
                    update(ScheduledExport)
                    .where(col(ScheduledExport.id) == export.id)
                    .values(last_file=filename, last_rows=rows)
                )
    if error:
        await progress.fail(error)
    else:
        await progress.finish({"file": filename, "rows": rows}, f"{rows} contacts written to {filename}")

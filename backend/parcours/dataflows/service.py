"""Scheduled data flows: import sources and segment exports (saving them, checking them, starting
their runs) and the sweeper that starts what its schedule says is due."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import custom_fields
from parcours.contacts.importing import ImportOptions, obtained_at
from parcours.contacts.normalize import normalize_country
from parcours.contacts.vocabulary import IMPORTABLE_FIELDS
from parcours.dataflows import remote, schedule
from parcours.dataflows.models import ImportRun, ImportSource, ScheduledExport
from parcours.dataflows.schemas import (
    ConnectionTest,
    ConnectionTestIn,
    ExportOut,
    ExportPage,
    ImportRunFile,
    ImportRunOut,
    ImportRunPage,
    SourceOut,
    SourcePage,
)
from parcours.dataflows.secrets import seal, unseal, unseal_former
from parcours.errors import InvalidInput, NotFound
from parcours.jobs import service as jobs
from parcours.jobs.enqueue import Enqueue
from parcours.jobs.names import JobName
from parcours.organization import service as organization
from parcours.rules import service as rules
from parcours.runtime import Runtime
from parcours.segments import service as segments

RUN_KIND = "import_source_run"
STALE_RUN = timedelta(minutes=10)
EXPORT_KIND = "segment_export"
_SECRETS = ("password", "private_key")
_CONNECTION = ("kind", "host", "port", "username", "directory")

Flow = ImportSource | ScheduledExport


# ---- checking what is saved ----------------------------------------------------------------------


def _check_connection(values: dict[str, Any], runtime: Runtime) -> None:
    """A connection that can work: refused naming the field otherwise."""
    if values["kind"] == "directory":
        try:
            remote.inside(runtime.settings.files_path, values["directory"])
        except ValueError as exc:
            raise InvalidInput(str(exc), "directory") from None
        return
    if not values["host"].strip():
        raise InvalidInput("Give the SFTP server's address.", "host")
    if not values["username"].strip():
        raise InvalidInput("Give the user name to log in to the SFTP server with.", "username")
    if not values.get("password") and not values.get("private_key"):
        raise InvalidInput("Give a password or a private key to log in to the SFTP server.", "password")
    if values.get("private_key"):
        try:
            remote.read_private_key(values["private_key"])
        except ValueError as exc:
            raise InvalidInput(str(exc), "private_key") from None


async def _check_mapping(session: AsyncSession, mapping: dict[str, str | None] | None) -> None:
    if mapping is None:
        return
    known = set(IMPORTABLE_FIELDS) | {f"custom.{f.name}" for f in await custom_fields.list_fields(session)}
    chosen = [field for field in mapping.values() if field is not None]
    for field in chosen:
        if field not in known:
            raise InvalidInput(f"'{field}' is not a field a file can fill.", "mapping")
    if "email" not in chosen:
        raise InvalidInput("Choose the column that holds the email address.", "mapping")
    if len(set(chosen)) != len(chosen):
        raise InvalidInput("Two columns fill the same field: choose one.", "mapping")


async def _checked_options(session: AsyncSession, options: ImportOptions) -> dict[str, Any]:
    """The manual import's checks, at once, so that a run does not fail on a choice saved weeks ago."""
    if options.segment_id is not None:
        await segments.require_static(session, options.segment_id, "options.segment_id")
    if options.default_country:
        try:
            options = msgspec.structs.replace(options, default_country=normalize_country(options.default_country))
        except ValueError as exc:
            raise InvalidInput(str(exc), "options.default_country") from None
    if options.consent is not None:
        try:
            obtained_at(options.consent.obtained_at, utcnow())
        except ValueError as exc:
            raise InvalidInput(str(exc), "options.consent.obtained_at") from None
    return dict(msgspec.to_builtins(options))


async def _check_fields(session: AsyncSession, fields: list[str]) -> None:
    schema = await rules.current_schema(session)
    for name in fields:
        if name not in schema.fields:
            raise InvalidInput(f"There is no field '{name}': choose one from the list.", "fields")
    if len(set(fields)) != len(fields):
        raise InvalidInput("A field is chosen twice.", "fields")


async def _check_segment(session: AsyncSession, segment_id: int) -> None:
    try:
        await segments.get_segment(session, segment_id)
    except NotFound:
        raise InvalidInput(f"There is no segment with id {segment_id}.", "segment_id") from None


def _sealed(values: dict[str, Any], key: str) -> dict[str, Any]:
    """Passwords and keys leave as their encrypted form only."""
    out = {k: v for k, v in values.items() if k not in _SECRETS}
    for name in _SECRETS:
        if name in values:
            out[f"{name}_secret"] = seal(key, values[name]) if values[name] else None
    return out


def _merged_secrets(flow: Flow | None, values: dict[str, Any], key: str) -> dict[str, Any]:
    """The connection's values with the saved password and key where none is given."""
    merged = dict(values)
    for name in _SECRETS:
        if name not in merged and flow is not None:
            try:
                merged[name] = unseal(key, getattr(flow, f"{name}_secret"))
            except ValueError as exc:
                raise InvalidInput(str(exc), name) from None
    return merged


async def reseal(session: AsyncSession, key: str, signing_keys: Sequence[str]) -> tuple[int, int]:
    """Passwords and keys saved before the encryption key existed (sealed with a key derived from
    the signing key) sealed again with it. Returns (sealed again, unreadable with any key)."""
    resealed = unreadable = 0
    for model in (ImportSource, ScheduledExport):
        flows = (await session.execute(select(model))).scalars().all()
        for flow in flows:
            for name in _SECRETS:
                sealed = getattr(flow, f"{name}_secret")
                if sealed is None:
                    continue
                try:
                    unseal(key, sealed)
                    continue
                except ValueError:
                    pass
                value = next((v for k in signing_keys if (v := unseal_former(k, sealed)) is not None), None)
                if value is None:
                    unreadable += 1
                else:
                    setattr(flow, f"{name}_secret", seal(key, value))
                    resealed += 1
    await session.flush()
    return resealed, unreadable


async def _next_run(session: AsyncSession, flow: Flow, now: datetime) -> datetime:
    return schedule.next_run(now, flow.frequency, flow.time_of_day, await organization.timezone(session))


def fingerprint(host_key: str | None) -> str | None:
    if not host_key:
        return None
    try:
        blob = base64.b64decode(host_key.split()[1])
    except (IndexError, ValueError):
        return None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _connection_out(flow: Flow) -> dict[str, Any]:
    return {
        "kind": flow.kind,
        "host": flow.host,
        "port": flow.port,
        "username": flow.username,
        "has_password": flow.password_secret is not None,
        "has_private_key": flow.private_key_secret is not None,
        "host_key_fingerprint": fingerprint(flow.host_key),
        "directory": flow.directory,
        "frequency": flow.frequency,
        "time_of_day": flow.time_of_day,
        "enabled": flow.enabled,
        "next_run_at": flow.next_run_at,
        "failures": flow.failures,
        "last_error": flow.last_error,
        "last_run_at": flow.last_run_at,
        "created_at": flow.created_at,
        "updated_at": flow.updated_at,
    }


def source_out(source: ImportSource) -> SourceOut:
    assert source.id is not None
    return SourceOut(
        id=source.id,
        name=source.name,
        pattern=source.pattern,
        mapping=source.mapping,
        options=source.options,
        after_read=source.after_read,
        **_connection_out(source),
    )


def export_out(export: ScheduledExport) -> ExportOut:
    assert export.id is not None
    return ExportOut(
        id=export.id,
        name=export.name,
        segment_id=export.segment_id,
        fields=export.fields,
        last_file=export.last_file,
        last_rows=export.last_rows,
        **_connection_out(export),
    )


def connection_of(flow: Flow, key: str) -> remote.Connection:
    return remote.Connection(
        kind=flow.kind,
        directory=flow.directory,
        host=flow.host,
        port=flow.port,
        username=flow.username,
        password=unseal(key, flow.password_secret),
        private_key=unseal(key, flow.private_key_secret),
        host_key=flow.host_key,
    )


# ---- import sources ------------------------------------------------------------------------------


async def get_source(session: AsyncSession, source_id: int) -> ImportSource:
    source = await session.get(ImportSource, source_id)
    if source is None:
        raise NotFound("This import source does not exist.", "source_id")
    return source


async def list_sources(session: AsyncSession, limit: int, cursor: str | None) -> SourcePage:
    order = [(col(ImportSource.id), True)]
    query = select(ImportSource)
    last = read_cursor(cursor, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(col(ImportSource.id).desc()).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda s: [s.id])
    total = (await session.execute(select(func.count()).select_from(ImportSource))).scalar_one()
    return SourcePage(items=[source_out(s) for s in page], next_cursor=next_cursor, total=int(total))


async def _source_values(session: AsyncSession, values: dict[str, Any]) -> dict[str, Any]:
    await _check_mapping(session, values.get("mapping"))
    if "options" in values:
        values["options"] = await _checked_options(session, values["options"])
    return values


async def create_source(session: AsyncSession, runtime: Runtime, values: dict[str, Any], actor: Actor) -> ImportSource:
    _check_connection(values, runtime)
    values = await _source_values(session, values)
    source = ImportSource(**_sealed(values, runtime.encryption_key), created_by=actor.label)
    source.next_run_at = await _next_run(session, source, utcnow())
    session.add(source)
    await session.flush()
    return source


def _apply(flow: Flow, changes: dict[str, Any], runtime: Runtime) -> None:
    if any(k in changes and changes[k] != getattr(flow, k) for k in ("host", "port", "kind")):
        flow.host_key = None  # another server: its key is learnt again
    for name, value in _sealed(changes, runtime.encryption_key).items():
        setattr(flow, name, value)
    flow.updated_at = utcnow()


def _connection_values(flow: Flow, changes: dict[str, Any], key: str) -> dict[str, Any]:
    current = {name: getattr(flow, name) for name in _CONNECTION}
    return _merged_secrets(
        flow, {**current, **{k: v for k, v in changes.items() if k in _CONNECTION or k in _SECRETS}}, key
    )


async def update_source(
    session: AsyncSession, runtime: Runtime, source_id: int, changes: dict[str, Any]
) -> ImportSource:
    source = await get_source(session, source_id)
    _check_connection(_connection_values(source, changes, runtime.encryption_key), runtime)
    changes = await _source_values(session, changes)
    _apply(source, changes, runtime)
    if {"frequency", "time_of_day", "enabled"} & set(changes):
        source.next_run_at = await _next_run(session, source, utcnow())
    await session.flush()
    return source


async def delete_source(session: AsyncSession, source_id: int) -> None:
    await session.delete(await get_source(session, source_id))


async def start_run(
    session: AsyncSession, enqueue: Enqueue, source: ImportSource, trigger: str, by: str
) -> tuple[ImportRun, str]:
    run = ImportRun(source_id=source.id or 0, trigger=trigger, created_by=by)
    session.add(run)
    await session.flush()
    job = await jobs.create_job(
        session,
        kind=RUN_KIND,
        task=JobName.RUN_IMPORT_SOURCE,
        params={"run_id": run.id},
        created_by=by,
        enqueue=enqueue,
    )
    run.job_id = job.id
    return run, job.id


async def _file_out(session: AsyncSession, entry: dict[str, Any]) -> ImportRunFile:
    """A file of a run, with where its import job stands now."""
    out = msgspec.convert(entry, ImportRunFile)
    if out.job_id is None:
        return out
    try:
        job = await jobs.get_job(session, out.job_id)
    except NotFound:
        return out
    result = job.result or {}
    status = {"done": "imported", "failed": "failed"}.get(job.status, "importing")
    return msgspec.structs.replace(
        out,
        status=status,
        message=job.message or out.message,
        created=result.get("created"),
        updated=result.get("updated"),
        rejected_rows=result.get("rejected_rows"),
        error_count=result.get("error_count"),
    )


async def run_out(session: AsyncSession, run: ImportRun) -> ImportRunOut:
    assert run.id is not None
    return ImportRunOut(
        id=run.id,
        source_id=run.source_id,
        job_id=run.job_id,
        status=run.status,
        trigger=run.trigger,
        files=[await _file_out(session, f) for f in run.files],
        error=run.error,
        created_by=run.created_by,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
    )


async def list_runs(session: AsyncSession, source_id: int, limit: int, cursor: str | None) -> ImportRunPage:
    await get_source(session, source_id)
    order = [(col(ImportRun.id), True)]
    query = select(ImportRun).where(col(ImportRun.source_id) == source_id)
    last = read_cursor(cursor, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(col(ImportRun.id).desc()).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda r: [r.id])
    total = (
        await session.execute(select(func.count()).select_from(ImportRun).where(col(ImportRun.source_id) == source_id))
    ).scalar_one()
    return ImportRunPage(items=[await run_out(session, r) for r in page], next_cursor=next_cursor, total=int(total))


# ---- scheduled exports ---------------------------------------------------------------------------


async def get_export(session: AsyncSession, export_id: int) -> ScheduledExport:
    export = await session.get(ScheduledExport, export_id)
    if export is None:
        raise NotFound("This scheduled export does not exist.", "export_id")
    return export


async def list_exports(session: AsyncSession, limit: int, cursor: str | None) -> ExportPage:
    order = [(col(ScheduledExport.id), True)]
    query = select(ScheduledExport)
    last = read_cursor(cursor, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(col(ScheduledExport.id).desc()).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda s: [s.id])
    total = (await session.execute(select(func.count()).select_from(ScheduledExport))).scalar_one()
    return ExportPage(items=[export_out(s) for s in page], next_cursor=next_cursor, total=int(total))


async def create_export(
    session: AsyncSession, runtime: Runtime, values: dict[str, Any], actor: Actor
) -> ScheduledExport:
    _check_connection(values, runtime)
    await _check_segment(session, values["segment_id"])
    await _check_fields(session, values["fields"])
    export = ScheduledExport(**_sealed(values, runtime.encryption_key), created_by=actor.label)
    export.next_run_at = await _next_run(session, export, utcnow())
    session.add(export)
    await session.flush()
    return export


async def update_export(
    session: AsyncSession, runtime: Runtime, export_id: int, changes: dict[str, Any]
) -> ScheduledExport:
    export = await get_export(session, export_id)
    _check_connection(_connection_values(export, changes, runtime.encryption_key), runtime)
    if "segment_id" in changes:
        await _check_segment(session, changes["segment_id"])
    if "fields" in changes:
        await _check_fields(session, changes["fields"])
    _apply(export, changes, runtime)
    if {"frequency", "time_of_day", "enabled"} & set(changes):
        export.next_run_at = await _next_run(session, export, utcnow())
    await session.flush()
    return export


async def delete_export(session: AsyncSession, export_id: int) -> None:
    await session.delete(await get_export(session, export_id))


async def start_export(session: AsyncSession, enqueue: Enqueue, export: ScheduledExport, trigger: str, by: str) -> str:
    job = await jobs.create_job(
        session,
        kind=EXPORT_KIND,
        task=JobName.RUN_EXPORT,
        params={"export_id": export.id, "trigger": trigger},
        created_by=by,
        enqueue=enqueue,
    )
    return job.id


async def check_export_fields(session: AsyncSession, segment_id: int, fields: list[str]) -> None:
    """The checks of a download: the segment and the fields exist."""
    await _check_segment(session, segment_id)
    await _check_fields(session, fields)


# ---- connection test -----------------------------------------------------------------------------


async def test_connection(session: AsyncSession, runtime: Runtime, data: ConnectionTestIn) -> ConnectionTest:
    saved: Flow | None = None
    if data.source_id is not None:
        saved = await get_source(session, data.source_id)
    elif data.export_id is not None:
        saved = await get_export(session, data.export_id)
    values = {name: getattr(data, name) for name in _CONNECTION}
    values |= {name: getattr(data, name) for name in _SECRETS if getattr(data, name) is not None}
    values = _merged_secrets(saved, values, runtime.encryption_key)
    _check_connection(values, runtime)
    same_server = saved is not None and all(getattr(saved, k) == values[k] for k in ("kind", "host", "port"))
    connection = remote.Connection(
        kind=data.kind,
        directory=data.directory,
        host=data.host,
        port=data.port,
        username=data.username,
        password=values.get("password"),
        private_key=values.get("private_key"),
        host_key=saved.host_key if same_server and saved else None,
    )
    try:
        async with remote.open_store(connection, runtime.settings.files_path) as store:
            found = await store.list(data.pattern)
    except remote.RemoteError as exc:
        return ConnectionTest(ok=False, message=str(exc))
    names = [f.name for f in found]
    message = f"Connected: {len(names)} file{'' if len(names) == 1 else 's'} match{'es' if len(names) == 1 else ''} '{data.pattern}'."
    return ConnectionTest(ok=True, message=message, files=names[:50])


# ---- the schedule --------------------------------------------------------------------------------


async def start_due(session: AsyncSession, enqueue: Enqueue) -> int:
    """Start every enabled source and export whose time has come (a retry after a failure, or its
    schedule), unless a run of it is still under way. Returns how many it started."""
    now = utcnow()
    zone = await organization.timezone(session)
    started = 0
    unfinished_jobs = await jobs.unfinished_jobs(session)
    live = [j.id for j in unfinished_jobs if j.kind == RUN_KIND]
    # A run whose job ended without finishing it (its worker met an error it could not record)
    # is closed, so that its source runs again.
    await session.execute(
        update(ImportRun)
        .where(col(ImportRun.status).in_(["queued", "running"]), col(ImportRun.job_id).not_in(live))
        # Not one started a moment ago, whose job this transaction may not see yet.
        .where(col(ImportRun.created_at) < now - STALE_RUN)
        .values(status="failed", error="The run stopped before its end; the details are in the server log.")
    )
    busy = select(col(ImportRun.source_id)).where(col(ImportRun.status).in_(["queued", "running"]))
    due = select(ImportSource).where(
        col(ImportSource.enabled), col(ImportSource.next_run_at) <= now, col(ImportSource.id).not_in(busy)
    )
    for source in (await session.execute(due.with_for_update(skip_locked=True))).scalars().all():
        trigger = "retry" if source.failures else "schedule"
        source.next_run_at = schedule.next_run(now, source.frequency, source.time_of_day, zone)
        await start_run(session, enqueue, source, trigger, "schedule")
        started += 1
    unfinished = {j.params.get("export_id") for j in unfinished_jobs if j.kind == EXPORT_KIND}
    due_exports = select(ScheduledExport).where(col(ScheduledExport.enabled), col(ScheduledExport.next_run_at) <= now)
    for export in (await session.execute(due_exports.with_for_update(skip_locked=True))).scalars().all():
        if export.id in unfinished:
            continue
        trigger = "retry" if export.failures else "schedule"
        export.next_run_at = schedule.next_run(now, export.frequency, export.time_of_day, zone)
        await start_export(session, enqueue, export, trigger, "schedule")
        started += 1
    return started


async def record_outcome(session: AsyncSession, flow: Flow, error: str | None) -> None:
    """After a run: on success the schedule goes on; on failure the flow is tried again sooner,
    a little later after each failure in a row."""
    now = utcnow()
    values: dict[str, Any] = {"last_run_at": now}
    if error is None:
        values |= {"failures": 0, "last_error": None, "next_run_at": await _next_run(session, flow, now)}
    else:
        failures = flow.failures + 1
        values |= {"failures": failures, "last_error": error, "next_run_at": now + schedule.retry_after(failures)}
    table = type(flow)
    await session.execute(update(table).where(col(table.id) == flow.id).values(**values))

"""/api/audit: the audit log, for administrators only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, Page, limit_param, to_out
from parcours.audit import service
from parcours.audit.schemas import AuditActionsOut, AuditEntryOut
from parcours.audit.service import AuditFilters
from parcours.errors import InvalidInput

# The most rows one CSV export holds (narrow the period for more).
MAX_CSV_ROWS = 100_000
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting so


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("Give a date such as 2026-11-01.", field) from None


def audit_filters(
    # Named `by` here: `actor` is the app's dependency of who is calling.
    by: str | None = Parameter(query="actor", default=None, max_length=320, description="Part of who acted"),
    action: Annotated[str | None, Parameter(max_length=64, description="An action, such as user.updated")] = None,
    target_kind: Annotated[str | None, Parameter(max_length=32, description="user, api_key, contact...")] = None,
    target_id: Annotated[str | None, Parameter(max_length=64)] = None,
    from_: str | None = Parameter(query="from", default=None, max_length=10, description="First day (ISO date)"),
    to: str | None = Parameter(default=None, max_length=10, description="Last day, included (ISO date)"),
) -> AuditFilters:
    first, last = _day(from_, "from"), _day(to, "to")
    if first and last and first > last:
        raise InvalidInput("The period starts after it ends.", "from")
    return AuditFilters(
        actor=by or None,
        action=action or None,
        target_kind=target_kind or None,
        target_id=target_id or None,
        since=datetime.combine(first, time(), UTC) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), UTC) if last else None,
    )


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict):
        value = msgspec.json.encode(value).decode()
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


_COLUMNS = list(AuditEntryOut.__struct_fields__)


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]
    opt = {"role": "admin"}
    dependencies = {"filters": Provide(audit_filters, sync_to_thread=False)}

    @get("/", summary="The audit log, newest first: who did what, when, from where (admin)")
    async def list_entries(
        self, db: AsyncSession, filters: AuditFilters, limit: int = limit_param(), cursor: Cursor = None
    ) -> Page[AuditEntryOut]:
        rows, next_cursor, total = await service.page(db, filters, limit, cursor)
        return Page(items=[to_out(r, AuditEntryOut) for r in rows], next_cursor=next_cursor, total=total)

    @get("/actions", summary="The actions the log holds, for its filter (admin)")
    async def list_actions(self, db: AsyncSession) -> AuditActionsOut:
        return AuditActionsOut(actions=await service.actions(db))

    @get("/export.csv", media_type="text/csv", summary="The audit log's entries the filters match, as CSV (admin)")
    async def export_csv(self, db: AsyncSession, filters: AuditFilters) -> Response[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(_COLUMNS)
        for row in await service.entries(db, filters, MAX_CSV_ROWS):
            writer.writerow([_cell(getattr(row, c)) for c in _COLUMNS])
        return Response(
            "\ufeff" + buffer.getvalue(),  # a BOM lets Excel open accented names correctly
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )

"""The audit log: what other features call when an administrator or a destructive action changes
something (`record`, in the action's own transaction), and what the admin screen reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import ColumnElement, delete, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.audit.models import AuditEntry
from parcours.audit.redaction import changed_only
from parcours.clock import utcnow

if TYPE_CHECKING:  # auth records its own changes here: no import at run time
    from parcours.auth.service import Actor

PURGE_BATCH = 5000

# The client address of the request being served, set by audit.context for the request's duration.
request_address: ContextVar[str] = ContextVar("request_address", default="")


@dataclass(frozen=True)
class Target:
    kind: str  # user | api_key | custom_field | organization | topic | contact | segment ...
    id: int | str
    label: str = ""


async def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    target: Target,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """One entry for `action` on `target`, kept or rolled back with the caller's transaction.
    A change (both before and after given) keeps only the fields that moved; secrets never."""
    old, new = changed_only(before, after)
    if before is not None and after is not None and not old:
        return  # a change that changed nothing
    session.add(
        AuditEntry(
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_name=actor.name[:320],
            action=action,
            target_kind=target.kind,
            target_id=str(target.id)[:64],
            target_label=target.label[:320],
            before=old,
            after=new,
            address=request_address.get()[:64],
        )
    )


def snapshot(row: Any, fields: Sequence[str]) -> dict[str, Any]:
    """Some fields of a record, as an entry's before or after."""
    return {f: getattr(row, f) for f in fields}


class AuditFilters(msgspec.Struct, frozen=True, kw_only=True):
    actor: str | None = None
    action: str | None = None
    target_kind: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _where(filters: AuditFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.actor:
        where.append(func.lower(col(AuditEntry.actor_name)).contains(filters.actor.lower(), autoescape=True))
    if filters.action:
        where.append(col(AuditEntry.action) == filters.action)
    if filters.target_kind:
        where.append(col(AuditEntry.target_kind) == filters.target_kind)
    if filters.target_id:
        where.append(col(AuditEntry.target_id) == filters.target_id)
    if filters.since:
        where.append(col(AuditEntry.at) >= filters.since)
    if filters.until:
        where.append(col(AuditEntry.at) < filters.until)
    return where


_ORDER = [(col(AuditEntry.id), True)]  # ids grow with time: newest first


async def page(
    session: AsyncSession, filters: AuditFilters, limit: int, cursor: str | None
) -> tuple[list[AuditEntry], str | None, int]:
    where = _where(filters)
    query = select(AuditEntry).where(*where)
    start = read_cursor(cursor, int)
    if start is not None:
        query = query.where(after(_ORDER, start))
    rows = (await session.execute(query.order_by(col(AuditEntry.id).desc()).limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(AuditEntry).where(*where))).scalar_one()
    items, next_cursor = cut(rows, limit, lambda r: [r.id])
    return items, next_cursor, int(total)


async def entries(session: AsyncSession, filters: AuditFilters, most: int) -> Sequence[AuditEntry]:
    """The newest `most` entries the filters match (the CSV export)."""
    query = select(AuditEntry).where(*_where(filters)).order_by(col(AuditEntry.id).desc()).limit(most)
    return (await session.execute(query)).scalars().all()


async def actions(session: AsyncSession) -> list[str]:
    """The actions recorded so far (the screen's filter offers them)."""
    rows = await session.execute(select(col(AuditEntry.action)).distinct().order_by(col(AuditEntry.action)))
    return list(rows.scalars().all())


async def purge(session: AsyncSession, retention_days: int) -> int:
    """Entries older than `retention_days`, up to PURGE_BATCH of them; returns how many went."""
    cutoff = utcnow() - timedelta(days=retention_days)
    ids = (
        (await session.execute(select(col(AuditEntry.id)).where(col(AuditEntry.at) < cutoff).limit(PURGE_BATCH)))
        .scalars()
        .all()
    )
    if ids:
        await session.execute(delete(AuditEntry).where(col(AuditEntry.id).in_(ids)))
    return len(ids)

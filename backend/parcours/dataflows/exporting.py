"""A segment's members as CSV, with the rule fields the marketer chose (computed fields and scores
included: whatever the rules catalog lists)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import service as contacts
from parcours.rules import service as rules
from parcours.rules.context import context_values
from parcours.segments import service as segments

BATCH = 1000


def cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | list | tuple):
        return ";".join(cell(v) for v in sorted(value, key=str))
    return str(value)


def line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


async def segment_lines(session: AsyncSession, segment_id: int, fields: list[str]) -> AsyncIterator[tuple[str, int]]:
    """The header, then the members' lines by batches, each with how many members it holds."""
    schema = await rules.current_schema(session)
    chosen = {name: schema.fields[name] for name in fields}
    # A BOM lets Excel open accented names correctly.
    yield "\ufeff" + line(fields), 0
    members = segments.member_ids(segment_id).subquery()
    last = 0
    while True:
        ids = list(
            (
                await session.execute(
                    select(members.c.contact_id)
                    .where(members.c.contact_id > last)
                    .order_by(members.c.contact_id)
                    .limit(BATCH)
                )
            ).scalars()
        )
        if not ids:
            return
        last = ids[-1]
        rows = await contacts.rule_rows(session, ids)
        memberships = (
            await segments.segment_ids_by_contact(session, ids)
            if any(f.type == "segments" for f in chosen.values())
            else {}
        )
        chunk = []
        for cid in ids:
            if cid not in rows:
                continue  # erased meanwhile
            contact, account = rows[cid]
            values = context_values(contact, account, memberships.get(cid, set()), chosen)
            chunk.append(line([cell(values[name]) for name in fields]))
        yield "".join(chunk), len(chunk)

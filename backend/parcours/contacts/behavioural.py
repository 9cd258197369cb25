"""Behavioural fields' values (computed_<name>), kept by behaviour in their own narrow table
(contact_computed): written set-wise, read with a contact's row as rules and answers see them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    FromClause,
    Integer,
    Select,
    String,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts.models import CONTACT_COMPUTED
from parcours.db import UTCDateTime, dialect_name
from parcours.rules.fields import COMPUTED_PREFIX

# Where a value goes: counts, sums, min/max and property values are numbers, "exists" a flag,
# first/last times a moment.
Kind = Literal["number", "flag", "moment"]
KINDS: tuple[Kind, ...] = ("number", "flag", "moment")
_EMPTY: dict[Kind, ColumnElement[Any]] = {
    "number": cast(null(), Float()),
    "flag": cast(null(), Boolean()),
    "moment": cast(null(), UTCDateTime()),
}


def _one(name: str, contact_id: ColumnElement[Any], value: ColumnElement[Any], kind: Kind) -> Select[Any]:
    typed = {k: _EMPTY[k] for k in KINDS}
    typed[kind] = cast(value, Float()) if kind == "number" else value
    return select(literal(name).label("name"), contact_id.label("contact_id"), *(typed[k].label(k) for k in KINDS))


async def store_values(session: AsyncSession, source: FromClause, fields: Sequence[tuple[str, Kind]]) -> int:
    """Set-wise: the values of `source` (contact_id, then one column per field of `fields`, in
    order: (name, kind)) stored in one upsert, a NULL included (the contact did something of
    the type, nothing counted: rules read the default). Rows already holding the value are left.
    Returns how many were written."""
    if not fields:
        return 0
    if len(fields) == 1:
        rows: Any = _one(fields[0][0], source.c.contact_id, source.c[1], fields[0][1])
    else:
        # One pass over the aggregate (a CTE read once per field), one row per contact and field.
        shared = select(source).cte("computed_source")
        rows = union_all(
            *(_one(name, shared.c.contact_id, shared.c[i + 1], kind) for i, (name, kind) in enumerate(fields))
        )
    table = CONTACT_COMPUTED
    dialect = await dialect_name(session)
    # SQLite reads ON CONFLICT after a SELECT without WHERE as a join's ON: hence the WHERE true.
    every = rows.subquery("computed_rows")
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).from_select(
        ["name", "contact_id", *KINDS], select(every).where(true())
    )
    changed = [table.c[k].is_distinct_from(upsert.excluded[k]) for k in KINDS]
    written = await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[table.c.name, table.c.contact_id],
            set_={k: upsert.excluded[k] for k in KINDS},
            where=or_(*changed),
        )
    )
    return max(0, int(getattr(written, "rowcount", 0) or 0))


async def forget_values(session: AsyncSession, name: str, low: int | None = None, high: int | None = None) -> None:
    """Remove a field's values (of the contacts of ids in [low, high) when given)."""
    table = CONTACT_COMPUTED
    where = [table.c.name == name]
    where += [table.c.contact_id >= low] if low is not None else []
    where += [table.c.contact_id < high] if high is not None else []
    await session.execute(delete(table).where(*where))


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """A contact gone (merged away, erased): its values with it."""
    await session.execute(delete(CONTACT_COMPUTED).where(CONTACT_COMPUTED.c.contact_id == contact_id))


def as_read(number: float | None, flag: bool | None, moment: Any) -> float | bool | str | None:
    """A stored value as answers and rules read it: a number, true, a moment's ISO text, or null."""
    if number is not None:
        return number
    if flag is not None:
        return bool(flag)
    return moment.isoformat() if moment is not None else None


async def values_of(session: AsyncSession, contact_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each contact's behavioural values by computed_<name> (contacts without any are left out)."""
    ids = sorted(set(contact_ids))
    found: dict[int, dict[str, Any]] = {}
    table = CONTACT_COMPUTED
    for start in range(0, len(ids), 1000):
        query = select(table.c.contact_id, table.c.name, *(table.c[k] for k in KINDS)).where(
            table.c.contact_id.in_(ids[start : start + 1000])
        )
        for cid, name, number, flag, moment in (await session.execute(query)).tuples():
            found.setdefault(cid, {})[COMPUTED_PREFIX + name] = as_read(number, flag, moment)
    return found


def with_values(scores: dict[str, Any] | None, values: dict[str, Any] | None) -> dict[str, Any]:
    """A contact's scores as answers and rules have always read them: behavioural values included."""
    return {**(scores or {}), **values} if values else dict(scores or {})


Combine = Literal["add", "least", "greatest", "set"]
# The columns each way of combining applies to (a field's values are all of one kind).
_COMBINED: dict[Combine, tuple[Kind, ...]] = {
    "add": ("number",),
    "set": ("flag",),
    "least": ("number", "moment"),
    "greatest": ("number", "moment"),
}


def _combined(stored: ColumnElement[Any], new: ColumnElement[Any], how: Combine) -> ColumnElement[Any]:
    if how == "add":
        return func.coalesce(stored + new, new, stored)
    if how == "set":
        return func.coalesce(new, stored)
    beyond = new < stored if how == "least" else new > stored
    return case((or_(stored.is_(None), beyond), new), else_=stored)


async def add_values(
    session: AsyncSession,
    rows: Sequence[tuple[str, int, float | None, bool | None, datetime | None]],
    combine: Mapping[str, Combine],
) -> None:
    """Combine values with the stored ones: rows are (name, contact id, number, flag, moment),
    one per field and contact, and `combine` says by field how (a count adds, a last time keeps
    the greatest...); one upsert per way of combining. A contact without a value takes the row's."""
    by_how: dict[Combine, list[tuple[str, int, float | None, bool | None, datetime | None]]] = {}
    for row in rows:
        by_how.setdefault(combine[row[0]], []).append(row)
    dialect = await dialect_name(session)
    table = CONTACT_COMPUTED
    for how, some in sorted(by_how.items()):
        if dialect == "postgresql":
            # One statement whatever the batch: the rows as five arrays, unnested side by side.
            columns = list(zip(*some, strict=True))
            types: list[Any] = [String(), Integer(), Float(), Boolean(), DateTime(timezone=True)]
            arrays = [
                func.unnest(bindparam(f"computed_{i}", list(values), type_=ARRAY(kind)))
                for i, (values, kind) in enumerate(zip(columns, types, strict=True))
            ]
            upsert: Any = postgresql.insert(table).from_select(["name", "contact_id", *KINDS], select(*arrays))
            params: Any = None
        else:
            upsert = sqlite.insert(table)
            params = [{"name": n, "contact_id": c, "number": x, "flag": f, "moment": m} for n, c, x, f, m in some]
        combined = {
            k: _combined(table.c[k], upsert.excluded[k], how) if k in _COMBINED[how] else upsert.excluded[k]
            for k in KINDS
        }
        statement = upsert.on_conflict_do_update(index_elements=[table.c.name, table.c.contact_id], set_=combined)
        await session.execute(statement, params)

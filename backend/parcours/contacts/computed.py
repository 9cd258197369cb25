"""The contact fields other features compute and keep: counters from interactions
(COMPUTED_FIELDS) and scores and grades (contacts.scores, kept by scoring)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    FromClause,
    String,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts.bulk import lock_in_id_order
from parcours.contacts.models import CONTACT_RFM, CONTACTS, Contact
from parcours.contacts.vocabulary import COMPUTED_FIELDS
from parcours.db import dialect_name


async def set_computed(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Store computed fields: each row is {"id": contact id, field: value, ...} for COMPUTED_FIELDS."""
    if not rows:
        return
    fields = [f for f in rows[0] if f != "id"]
    unknown = set(fields) - set(COMPUTED_FIELDS)
    assert not unknown, f"not computed fields: {unknown}"
    # Core executemany by id: the ORM's bulk update would also re-evaluate the session's objects,
    # which costs as much as the update itself when the worker writes thousands of contacts.
    statement = (
        update(CONTACTS).where(CONTACTS.c.id == bindparam("b_id")).values({f: bindparam(f"b_{f}") for f in fields})
    )
    await session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


async def set_scores(session: AsyncSession, values: dict[int, dict[str, Any]]) -> None:
    """Merge score_<key>/grade_<key> values into contacts' scores (kept by scoring)."""
    if not values:
        return
    # Read and locked in id order (see bulk.lock_in_id_order): no other writer changes them meanwhile.
    rows = await session.execute(
        select(col(Contact.id), col(Contact.scores))
        .where(col(Contact.id).in_(list(values)))
        .order_by(col(Contact.id))
        .with_for_update(key_share=True)
    )
    statement = update(CONTACTS).where(CONTACTS.c.id == bindparam("b_id")).values(scores=bindparam("b_scores"))
    await session.execute(
        statement, [{"b_id": cid, "b_scores": {**(scores or {}), **values[cid]}} for cid, scores in rows.all()]
    )


async def set_scores_from(
    session: AsyncSession, source: FromClause, names: tuple[str, str], grade: ColumnElement[Any]
) -> None:
    """Set-wise: score and grade of each contact of `source` (a table of contact_id, score);
    `grade` is an SQL expression over source.c.score."""
    score_name, grade_name = names
    merged: ColumnElement[Any]
    if await dialect_name(session) == "postgresql":
        merged = CONTACTS.c.scores.op("||")(func.jsonb_build_object(score_name, source.c.score, grade_name, grade))
    else:
        merged = func.json_set(CONTACTS.c.scores, f"$.{score_name}", source.c.score, f"$.{grade_name}", grade)
    await lock_in_id_order(session, select(source.c.contact_id))
    await session.execute(update(CONTACTS).where(CONTACTS.c.id == source.c.contact_id).values(scores=merged))


async def remove_scores(session: AsyncSession, names: Sequence[str]) -> None:
    """Forget these score fields on every contact (their model was deleted)."""
    if await dialect_name(session) == "postgresql":
        kept: ColumnElement[Any] = CONTACTS.c.scores
        for name in names:
            kept = kept.op("-")(literal(name, String()))
        holding = CONTACTS.c.scores.op("?|")(literal(list(names), ARRAY(String)))
        await lock_in_id_order(session, select(CONTACTS.c.id).where(holding))
        await session.execute(update(CONTACTS).where(holding).values(scores=kept))
    else:
        paths = [f"$.{name}" for name in names]
        await session.execute(
            update(CONTACTS)
            .where(func.json_extract(CONTACTS.c.scores, paths[0]).isnot(None))
            .values(scores=func.json_remove(CONTACTS.c.scores, *paths))
        )


def _sqlite_json(value: ColumnElement[Any], boolean: bool) -> ColumnElement[Any]:
    """SQLite has no booleans: a true flag is stored as JSON true (not 1), as PostgreSQL stores it."""
    return case((value.isnot(None), func.json(case((value != 0, "true"), else_="false")))) if boolean else value


async def set_value_from(session: AsyncSession, source: FromClause, name: str, boolean: bool = False) -> None:
    """Set-wise: one key of contacts.scores for each contact of `source` (contact_id, value)."""
    merged: ColumnElement[Any]
    if await dialect_name(session) == "postgresql":
        merged = CONTACTS.c.scores.op("||")(func.jsonb_build_object(name, source.c.value))
    else:
        merged = func.json_set(CONTACTS.c.scores, f"$.{name}", _sqlite_json(source.c.value, boolean))
    await lock_in_id_order(session, select(source.c.contact_id))
    await session.execute(update(CONTACTS).where(CONTACTS.c.id == source.c.contact_id).values(scores=merged))


async def forget_value(session: AsyncSession, name: str, low: int | None = None, high: int | None = None) -> None:
    """Remove one key of contacts.scores from the contacts of ids in [low, high) that hold it."""
    in_range = [CONTACTS.c.id >= low] if low is not None else []
    in_range += [CONTACTS.c.id < high] if high is not None else []
    if await dialect_name(session) == "postgresql":
        holding = CONTACTS.c.scores.op("?")(literal(name, String()))
        await lock_in_id_order(session, select(CONTACTS.c.id).where(holding, *in_range))
        await session.execute(
            update(CONTACTS).where(holding, *in_range).values(scores=CONTACTS.c.scores.op("-")(literal(name, String())))
        )
    else:
        path = f"$.{name}"
        await session.execute(
            update(CONTACTS)
            .where(func.json_type(CONTACTS.c.scores, path).isnot(None), *in_range)
            .values(scores=func.json_remove(CONTACTS.c.scores, path))
        )


async def set_values_from_many(
    session: AsyncSession,
    source: FromClause,
    names: Sequence[str],
    contact_ids: Sequence[int],
    booleans: Collection[str] = (),
) -> None:
    """Set-wise: several keys of contacts.scores for each contact of `source` (contact_id, then
    one column per name, in order), the contacts of `contact_ids` locked first in id order;
    `booleans` name the true/false ones."""
    values = [source.c[i + 1] for i in range(len(names))]
    merged: ColumnElement[Any] = CONTACTS.c.scores
    if await dialect_name(session) == "postgresql":
        # jsonb_build_object takes at most 100 arguments: 50 keys per call.
        for start in range(0, len(names), 50):
            pairs = [
                x for name, value in zip(names[start : start + 50], values[start : start + 50]) for x in (name, value)
            ]
            merged = merged.op("||")(func.jsonb_build_object(*pairs))
    else:
        merged = func.json_set(
            merged,
            *[x for name, value in zip(names, values) for x in (f"$.{name}", _sqlite_json(value, name in booleans))],
        )
    await lock_in_id_order(session, select(CONTACTS.c.id).where(CONTACTS.c.id.in_(list(contact_ids))))
    await session.execute(update(CONTACTS).where(CONTACTS.c.id == source.c.contact_id).values(scores=merged))


RFM_COLUMNS = ("rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score", "rfm_segment")


async def set_rfm_from(session: AsyncSession, source: FromClause) -> int:
    """Set-wise: the RFM fields of each contact of `source` (contact_id and RFM_COLUMNS), written
    only where they changed; every other contact's are emptied. Returns how many contacts changed."""
    rfm, key = CONTACT_RFM, CONTACT_RFM.c.contact_id
    emptied = await session.execute(delete(rfm).where(key.not_in(select(source.c.contact_id))))
    # One upsert rather than an update and an insert of the missing rows: "not exists in
    # contact_rfm" while inserting into it, with the table still empty, was planned as a scan of
    # the table per row, every page the insert had added included (minutes at 400,000 customers).
    dialect = await dialect_name(session)
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(rfm).from_select(
        ["contact_id", *RFM_COLUMNS],
        # A contact deleted since its purchases were read is left out.
        select(source.c.contact_id, *(source.c[name] for name in RFM_COLUMNS)).where(
            exists().where(CONTACTS.c.id == source.c.contact_id)
        ),
    )
    written = await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[key],
            set_={name: upsert.excluded[name] for name in RFM_COLUMNS},
            where=rfm.c.rfm_score.is_distinct_from(upsert.excluded.rfm_score),
        )
    )
    counts: list[int] = [result.rowcount for result in (emptied, written)]  # type: ignore[attr-defined]
    return sum(counts)


async def rfm_of(session: AsyncSession, contact_id: int) -> dict[str, Any]:
    """A contact's RFM fields (each None when the contact has no purchase scored)."""
    row = (await session.execute(select(CONTACT_RFM).where(CONTACT_RFM.c.contact_id == contact_id))).mappings().first()
    return {name: row[name] if row else None for name in RFM_COLUMNS}


async def rfm_of_many(session: AsyncSession, contact_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The RFM fields of these contacts, by contact id (only those with purchases scored)."""
    if not contact_ids:
        return {}
    rows = (
        await session.execute(select(CONTACT_RFM).where(CONTACT_RFM.c.contact_id.in_(list(contact_ids))))
    ).mappings()
    return {row["contact_id"]: {name: row[name] for name in RFM_COLUMNS} for row in rows}

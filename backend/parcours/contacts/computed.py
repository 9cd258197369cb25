"""The contact fields other features compute and keep: counters from interactions
(COMPUTED_FIELDS) and scores and grades (contacts.scores, kept by scoring)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    FromClause,
    String,
    bindparam,
    delete,
    exists,
    func,
    literal,
    or_,
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


async def set_scores_from(session: AsyncSession, source: FromClause) -> None:
    """Set-wise: the scores and grades of `source` (rows of contact_id, score_field, score,
    grade_field, grade), any number of models per contact, each contact's row rewritten once."""
    c = source.c
    fields: Any
    if postgres := await dialect_name(session) == "postgresql":
        fields = func.jsonb_object_agg(c.score_field, c.score).op("||")(func.jsonb_object_agg(c.grade_field, c.grade))
    else:
        scores, grades = func.json_group_object(c.score_field, c.score), func.json_group_object(c.grade_field, c.grade)
        fields = func.json_patch(scores, grades)
    per_contact = select(c.contact_id, fields.label("fields")).group_by(c.contact_id).subquery()
    merged = (
        CONTACTS.c.scores.op("||")(per_contact.c.fields)
        if postgres
        else func.json_patch(CONTACTS.c.scores, per_contact.c.fields)
    )
    await lock_in_id_order(session, select(c.contact_id))
    await session.execute(update(CONTACTS).where(CONTACTS.c.id == per_contact.c.contact_id).values(scores=merged))


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


RFM_COLUMNS = ("rfm_recency", "rfm_frequency", "rfm_monetary", "rfm_score", "rfm_segment")
# Kept beside the scores for the RFM report; not rule fields.
RFM_MEASURES = ("last_purchase_at", "period_revenue", "lifetime_revenue")


async def set_rfm_from(session: AsyncSession, source: FromClause) -> int:
    """Set-wise: the RFM fields of each contact of `source` (contact_id, RFM_COLUMNS and
    RFM_MEASURES), written only where they changed; every other contact's are emptied. Returns how
    many contacts changed."""
    rfm, key = CONTACT_RFM, CONTACT_RFM.c.contact_id
    emptied = await session.execute(delete(rfm).where(key.not_in(select(source.c.contact_id))))
    # One upsert rather than an update and an insert of the missing rows: "not exists in
    # contact_rfm" while inserting into it, with the table still empty, was planned as a scan of
    # the table per row, every page the insert had added included (minutes at 400,000 customers).
    dialect = await dialect_name(session)
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(rfm).from_select(
        ["contact_id", *RFM_COLUMNS, *RFM_MEASURES],
        # A contact deleted since its purchases were read is left out.
        select(source.c.contact_id, *(source.c[name] for name in (*RFM_COLUMNS, *RFM_MEASURES))).where(
            exists().where(CONTACTS.c.id == source.c.contact_id)
        ),
    )
    written = await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[key],
            set_={name: upsert.excluded[name] for name in (*RFM_COLUMNS, *RFM_MEASURES)},
            where=or_(
                rfm.c.rfm_score.is_distinct_from(upsert.excluded.rfm_score),
                rfm.c.last_purchase_at.is_distinct_from(upsert.excluded.last_purchase_at),
                # Sums added in another order may differ in the last digits: not a change.
                func.abs(rfm.c.period_revenue - upsert.excluded.period_revenue) >= 0.005,
                func.abs(rfm.c.lifetime_revenue - upsert.excluded.lifetime_revenue) >= 0.005,
            ),
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

"""Scoring a whole base in SQL: a model's points for every contact, set-wise, by chunks of ids.

Behavioural points are counted from the interactions table (GROUP BY contact, and cap period
when capped), attribute points from the rule compiler's WHERE clauses: nothing is stored per
interaction, so changing a model's points, caps or decay re-reads history exactly. The same
query answers the preview (a distribution, nothing written) and the recompute job (changed
scores written with their history).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (BigInteger, Boolean, Column, Float, Integer, MetaData, Select, String, Table, and_, case, cast,
                        exists, func, insert, literal, literal_column, or_, select, text, true, type_coerce, union_all)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import service as contacts
from parcours.db import dialect_name
from parcours.interactions.models import Interaction
from parcours.pipeline.stages import FUNNEL, SALES_READY
from parcours.rules.fields import GRADE_PREFIX, SCORE_PREFIX, Field
from parcours.rules.language import compile_rule
from parcours.scoring.models import ContactScore, ScoreChange
from parcours.scoring.points import DAY, Compiled, GradeBand, grade_of

HISTOGRAM_BUCKETS = 15
BEFORE_SALES_READY = FUNNEL[:FUNNEL.index(SALES_READY)]

_scratch = MetaData()
FRESH = Table("scoring_fresh", _scratch, Column("contact_id", BigInteger, primary_key=True),
              Column("score", BigInteger, nullable=False), prefixes=["TEMPORARY"])
CHANGED = Table("scoring_changed", _scratch, Column("contact_id", BigInteger, primary_key=True),
                Column("previous", BigInteger, nullable=False), Column("score", BigInteger, nullable=False),
                prefixes=["TEMPORARY"])


class PropertyColumns:
    """Where an interaction filter's properties live in SQL: a text property that is not a JSON
    string reads as "", a number that is not a JSON number as 0 (as points.property_values)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def column(self, field: Field) -> Any:
        number = field.type == "number"
        if self.dialect == "postgresql":
            element = Interaction.properties[field.name]  # type: ignore[index]
            kind = func.jsonb_typeof(element)
            value = case((kind == "number", element.as_float()), else_=0.0) if number else \
                case((kind == "string", element.as_string()), else_="")
        else:
            path = f'$."{field.name}"'
            kind = func.json_type(Interaction.properties, path)
            raw = func.json_extract(Interaction.properties, path)
            value = case((kind.in_(["integer", "real"]), raw), else_=0.0) if number else \
                case((kind == "text", raw), else_="")
        return type_coerce(value, Float() if number else String())

    def member_of(self, segment_id: int) -> Any:
        raise AssertionError("interaction filters have no segments")


def _period(dialect: str, days: int) -> Any:
    """points.period_of in SQL: whole periods of `days` since 1970-01-01 UTC."""
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", Interaction.occurred_at) / (days * DAY)), BigInteger())
    return cast((func.julianday(Interaction.occurred_at) - 2440587.5) / days, BigInteger())


def _least(dialect: str, a: Any, b: Any) -> Any:
    return func.least(a, b) if dialect == "postgresql" else func.min(a, b)


def point_parts(model: Compiled, dialect: str, now: dt.datetime, low: int | None, high: int | None) -> list[Select[Any]]:
    """One query per rule, each giving (contact_id, points) rows for contacts in [low, high).
    (Counting every rule in one pass over the interactions, per contact and day, was tried: it
    evaluates every rule's condition on every row and re-aggregates per capped rule, and took
    4 times longer than reading each rule's interaction type on its own.)"""
    parts: list[Select[Any]] = []
    for rule, checked, schema in model.interaction_rules:
        where = [Interaction.type == rule.interaction_type]
        if low is not None:
            where.append(Interaction.contact_id >= low)  # type: ignore[arg-type]
        if high is not None:
            where.append(Interaction.contact_id < high)  # type: ignore[arg-type]
        if rule.decay_days is not None:
            where.append(Interaction.occurred_at >= now - dt.timedelta(days=float(rule.decay_days)))  # type: ignore[arg-type]
        if checked is not None:
            where.append(compile_rule(checked, schema, PropertyColumns(dialect), now))  # type: ignore[arg-type]
        points = int(rule.points)
        if rule.cap is not None and rule.cap_days is not None:
            periods = (select(Interaction.contact_id, func.count().label("n")).where(*where)
                       .group_by(Interaction.contact_id, _period(dialect, int(rule.cap_days))).subquery())
            parts.append(select(periods.c.contact_id, _least(dialect, literal(int(rule.cap), BigInteger()),
                                                             periods.c.n * points)))
        else:
            parts.append(select(Interaction.contact_id, func.count() * points).where(*where)
                         .group_by(Interaction.contact_id))
    for attribute, check in model.attribute_rules:
        columns = contacts.RuleColumns(dialect, None)
        condition = compile_rule(check, model.contact_schema, columns, now)
        ids = contacts.matching_ids(columns, and_(condition, contacts.id_between(low, high)))
        parts.append(ids.add_columns(literal(int(attribute.points), BigInteger())))
    return parts


def scores_query(model: Compiled, dialect: str, now: dt.datetime, low: int | None = None,
                 high: int | None = None) -> Select[Any] | None:
    """(contact_id, score) of every contact with at least one rule giving points (else None)."""
    parts = point_parts(model, dialect, now, low, high)
    if not parts:
        return None
    points = union_all(*parts).subquery()
    contact_id, value = points.c[0], points.c[1]
    return select(contact_id.label("contact_id"), func.sum(value).label("score")).group_by(contact_id)


def grade_sql(score: Any, grades: Sequence[GradeBand]) -> Any:
    """points.grade_of in SQL (bands ordered from the highest minimum)."""
    if len(grades) == 1:
        return literal_column(_quoted(grades[0].grade), String())
    return case(*[(score >= band.min, literal_column(_quoted(band.grade), String())) for band in grades[:-1]],
                else_=literal_column(_quoted(grades[-1].grade), String()))


def _quoted(text_value: str) -> str:
    return "'" + text_value.replace("'", "''") + "'"


# ---- preview --------------------------------------------------------------------------------


async def distribution(session: AsyncSession, model: Compiled, now: dt.datetime) -> dict[str, Any]:
    """How the base would score under a model: totals, per grade, and a histogram."""
    dialect = await dialect_name(session)
    total = await contacts.count_contacts(session)
    query = scores_query(model, dialect, now)
    by_score: list[tuple[int, int]] = []
    if query is not None:
        scored = query.subquery()
        rows = await session.execute(select(scored.c.score, func.count()).group_by(scored.c.score))
        by_score = [(int(s), int(n)) for s, n in rows.all()]
    unscored = total - sum(n for _, n in by_score)
    if unscored:
        by_score.append((0, unscored))
    by_grade = {band.grade: 0 for band in model.grades}
    for value, n in by_score:
        by_grade[grade_of(value, model.grades)] += n
    sales_ready = sum(n for value, n in by_score if value >= model.threshold)
    return {"total": total, "sales_ready": sales_ready if total else 0, "by_grade": by_grade,
            "histogram": histogram(by_score)}


def histogram(by_score: Sequence[tuple[int, int]]) -> list[dict[str, int]]:
    if not by_score:
        return []
    low, high = min(v for v, _ in by_score), max(v for v, _ in by_score)
    width = max(1, math.ceil((high - low + 1) / HISTOGRAM_BUCKETS))
    buckets = [{"from": low + i * width, "to": low + (i + 1) * width, "count": 0}
               for i in range((high - low) // width + 1)]
    for value, n in by_score:
        buckets[(value - low) // width]["count"] += n
    return buckets


# ---- recompute ------------------------------------------------------------------------------


async def _scratch_tables(session: AsyncSession, dialect: str) -> None:
    for table in (FRESH, CHANGED):
        await session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
        bigint = "BIGINT" if dialect == "postgresql" else "INTEGER"
        columns = ", ".join(f"{c.name} {bigint}{' PRIMARY KEY' if c.primary_key else ' NOT NULL'}" for c in table.columns)
        suffix = " ON COMMIT DROP" if dialect == "postgresql" else ""
        await session.execute(text(f"CREATE TEMPORARY TABLE {table.name} ({columns}){suffix}"))


async def roomy(session: AsyncSession, dialect: str) -> None:
    """Counting a chunk's interactions per contact and day takes more than PostgreSQL's default
    4 MB of sort and hash memory: with it, the counts spilled to disk and took 5 times longer."""
    if dialect == "postgresql":
        await session.execute(text("SET LOCAL work_mem = '64MB'"))


def _upsert(dialect: str) -> Any:
    return postgresql.insert(ContactScore) if dialect == "postgresql" else sqlite.insert(ContactScore)


async def recompute_chunk(session: AsyncSession, model_id: int, model: Compiled, drives_stage: bool, by: str,
                          reason: str, now: dt.datetime, low: int, high: int) -> tuple[int, int]:
    """Score contacts with ids in [low, high) and store what changed. Returns (changed, promoted)."""
    dialect = await dialect_name(session)
    await roomy(session, dialect)
    await _scratch_tables(session, dialect)
    query = scores_query(model, dialect, now, low, high)
    if query is not None:
        await session.execute(insert(FRESH).from_select(["contact_id", "score"], query))
    stored = ContactScore.__table__  # type: ignore[attr-defined]
    fresh_grade = grade_sql(FRESH.c.score, model.grades)
    joined = FRESH.outerjoin(stored, and_(stored.c.contact_id == FRESH.c.contact_id, stored.c.model_id == model_id))
    differs = or_(
        and_(stored.c.id.is_(None), FRESH.c.score != 0),
        stored.c.score != FRESH.c.score, stored.c.grade != fresh_grade,
        stored.c.sales_ready != (FRESH.c.score >= model.threshold))
    changed_or_new = select(FRESH.c.contact_id, func.coalesce(stored.c.score, 0), FRESH.c.score).select_from(joined).where(differs)
    lost = select(stored.c.contact_id, stored.c.score, literal(0, BigInteger())).where(
        stored.c.model_id == model_id, stored.c.contact_id >= low, stored.c.contact_id < high,
        or_(stored.c.score != 0, stored.c.grade != model.grades[-1].grade, stored.c.sales_ready != (0 >= model.threshold)),
        ~exists().where(FRESH.c.contact_id == stored.c.contact_id))
    await session.execute(insert(CHANGED).from_select(["contact_id", "previous", "score"], union_all(changed_or_new, lost)))
    count = int((await session.execute(select(func.count()).select_from(CHANGED))).scalar_one())
    promoted = 0
    if count:
        history = ScoreChange.__table__  # type: ignore[attr-defined]
        await session.execute(insert(history).from_select(
            ["contact_id", "model_id", "previous", "score", "reason", "at"],
            select(CHANGED.c.contact_id, literal(model_id, Integer()), CHANGED.c.previous, CHANGED.c.score,
                   literal(reason[:300], String()), literal(now, stored.c.updated_at.type))
            .where(CHANGED.c.previous != CHANGED.c.score)))
        grade = grade_sql(CHANGED.c.score, model.grades)
        upsert = _upsert(dialect).from_select(
            ["contact_id", "model_id", "score", "grade", "sales_ready", "updated_at"],
            select(CHANGED.c.contact_id, literal(model_id, Integer()), CHANGED.c.score, grade,
                   type_coerce(CHANGED.c.score >= model.threshold, Boolean()), literal(now, stored.c.updated_at.type))
            .where(true()))
        await session.execute(upsert.on_conflict_do_update(
            index_elements=["contact_id", "model_id"],
            set_={c: upsert.excluded[c] for c in ("score", "grade", "sales_ready", "updated_at")}))
        await contacts.set_scores_from(session, CHANGED, (SCORE_PREFIX + model.key, GRADE_PREFIX + model.key), grade)
        if drives_stage:
            crossing = select(CHANGED.c.contact_id).where(CHANGED.c.previous < model.threshold,
                                                          CHANGED.c.score >= model.threshold)
            promoted = await contacts.move_stage_for_select(session, crossing, SALES_READY, BEFORE_SALES_READY, by)
    for table in (FRESH, CHANGED):
        await session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))
    return count, promoted

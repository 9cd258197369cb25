"""Scoring a whole base in SQL: a model's points for every contact, set-wise, by chunks of ids.

Behavioural points are counted from the interactions table (GROUP BY contact, and cap period
when capped), attribute points from the rule compiler's conditions: nothing is stored per
interaction, so changing a model's points, caps or decay re-reads history exactly. The same
query answers the preview (a distribution, nothing written) and the recompute job (changed
scores written with their history). The job copies each chunk's interactions of the model's
types once into a temporary table, so that each rule reads only its chunk's rows of its type
(read from the interactions table, each rule would scan its type across the whole base for
every chunk: a cost growing with the square of the base).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts import service as contacts
from parcours.db import dialect_name
from parcours.interactions import service as interactions
from parcours.pipeline.stages import FUNNEL, SALES_READY
from parcours.rules.fields import GRADE_PREFIX, SCORE_PREFIX, Field
from parcours.rules.language import Checked, Schema, compile_rule
from parcours.scoring.models import ContactScore, ScoreChange
from parcours.scoring.points import DAY, Compiled, GradeBand, InteractionRule, grade_of, unscored

HISTOGRAM_BUCKETS = 15
BEFORE_SALES_READY = FUNNEL[: FUNNEL.index(SALES_READY)]

_scratch = MetaData()
FRESH = Table(
    "scoring_fresh",
    _scratch,
    Column("contact_id", BigInteger, primary_key=True),
    Column("score", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
)
CHANGED = Table(
    "scoring_changed",
    _scratch,
    Column("contact_id", BigInteger, primary_key=True),
    Column("previous", BigInteger, nullable=False),
    Column("score", BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
)
# The scores and grades a recompute found changed, model by model, written into contacts at once.
SCORED = Table(
    "scoring_scored",
    _scratch,
    Column("contact_id", BigInteger, nullable=False),
    Column("score_field", String, nullable=False),
    Column("score", BigInteger, nullable=False),
    Column("grade_field", String, nullable=False),
    Column("grade", String, nullable=False),
    prefixes=["TEMPORARY"],
)
_INTERACTIONS = interactions.table()
# A chunk's interactions of the model's types, with the columns rules read (typed as in interactions).
EVENTS = Table(
    "scoring_events",
    _scratch,
    *(
        Column(name, _INTERACTIONS.c[name].type, nullable=False)
        for name in ("contact_id", "type", "occurred_at", "properties")
    ),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


class PropertyColumns:
    """Where an interaction filter's properties live in SQL: a text property that is not a JSON
    string reads as "", a number that is not a JSON number as 0 (as points.property_values)."""

    def __init__(self, dialect: str, properties: Any) -> None:
        self.dialect, self.properties = dialect, properties

    def column(self, field: Field) -> Any:
        number = field.type == "number"
        if self.dialect == "postgresql":
            element = self.properties[field.name]
            kind = func.jsonb_typeof(element)
            value = (
                case((kind == "number", element.as_float()), else_=0.0)
                if number
                else case((kind == "string", element.as_string()), else_="")
            )
        else:
            path = f'$."{field.name}"'
            kind = func.json_type(self.properties, path)
            raw = func.json_extract(self.properties, path)
            value = (
                case((kind.in_(["integer", "real"]), raw), else_=0.0)
                if number
                else case((kind == "text", raw), else_="")
            )
        return type_coerce(value, Float() if number else String())

    def member_of(self, segment_id: int) -> Any:
        raise AssertionError("interaction filters have no segments")


def _period(dialect: str, occurred_at: Any, days: int) -> Any:
    """points.period_of in SQL: whole periods of `days` since 1970-01-01 UTC."""
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", occurred_at) / (days * DAY)), BigInteger())
    return cast((func.julianday(occurred_at) - 2440587.5) / days, BigInteger())


def _least(dialect: str, a: Any, b: Any) -> Any:
    return func.least(a, b) if dialect == "postgresql" else func.min(a, b)


def point_parts(
    model: Compiled, dialect: str, now: dt.datetime, low: int | None, high: int | None, events: Table = _INTERACTIONS
) -> list[Select[Any]]:
    """Queries giving (contact_id, points) rows for contacts in [low, high): one per interaction
    type and cap period (its rules counted in one pass, each with its own FILTER), one for all
    attribute rules. (Counting every interaction rule in one pass over all the interactions was
    tried: it evaluated every rule's condition on every row, and took 4 times longer than
    reading each rule's interaction type on its own.)"""
    parts: list[Select[Any]] = []
    groups: dict[tuple[str, int | None], list[tuple[InteractionRule, Checked | None, Schema | None]]] = {}
    for rule, checked, schema in model.interaction_rules:
        cap_days = int(rule.cap_days) if rule.cap is not None and rule.cap_days is not None else None
        groups.setdefault((rule.interaction_type, cap_days), []).append((rule, checked, schema))
    for (interaction_type, cap_days), rules in groups.items():
        where = [events.c.type == interaction_type]
        if low is not None:
            where.append(events.c.contact_id >= low)
        if high is not None:
            where.append(events.c.contact_id < high)
        edges = [
            now - dt.timedelta(days=float(rule.decay_days)) if rule.decay_days is not None else None
            for rule, _, _ in rules
        ]
        if None not in edges:
            where.append(events.c.occurred_at >= min(e for e in edges if e is not None))
        counts = []
        for i, ((rule, checked, schema), edge) in enumerate(zip(rules, edges, strict=True)):
            condition = [events.c.occurred_at >= edge] if edge is not None else []
            if checked is not None:
                properties = PropertyColumns(dialect, events.c.properties)
                assert schema is not None, "a checked filter comes with its schema"
                condition.append(compile_rule(checked, schema, properties, now))
            counted = func.count().filter(and_(*condition)) if condition else func.count()
            counts.append(counted.label(f"n{i}"))
        keys = [events.c.contact_id] + ([_period(dialect, events.c.occurred_at, cap_days)] if cap_days else [])
        counted_rows = select(events.c.contact_id, *counts).where(*where).group_by(*keys).subquery()
        points: Any = None
        for i, (rule, _, _) in enumerate(rules):
            given = counted_rows.c[f"n{i}"] * int(rule.points)
            if cap_days:
                given = _least(dialect, literal(int(rule.cap or 0), BigInteger()), given)
            points = given if points is None else points + given
        parts.append(select(counted_rows.c.contact_id, points))
    if model.attribute_rules:
        # One pass over the contacts, each rule's points when its condition holds (one query per
        # rule read the contacts, and the accounts joined to them, once per rule).
        columns = contacts.RuleColumns(dialect, None)
        per_rule = [
            case(
                (compile_rule(check, model.contact_schema, columns, now), literal(int(attribute.points), BigInteger())),
                else_=literal(0, BigInteger()),
            )
            for attribute, check in model.attribute_rules
        ]
        total: ColumnElement[Any] = per_rule[0]
        for more in per_rule[1:]:
            total = total + more
        parts.append(contacts.matching_ids(columns, contacts.id_between(low, high)).add_columns(total))
    return parts


def scores_query(
    model: Compiled,
    dialect: str,
    now: dt.datetime,
    low: int | None = None,
    high: int | None = None,
    events: Table = _INTERACTIONS,
) -> Select[Any] | None:
    """(contact_id, score) of contacts that may have points (a contact missing has 0); None when
    the model has no rule."""
    parts = point_parts(model, dialect, now, low, high, events)
    if not parts:
        return None
    points = union_all(*parts).subquery()
    contact_id, value = points.c[0], points.c[1]
    return select(contact_id.label("contact_id"), func.sum(value).label("score")).group_by(contact_id)


def grade_sql(score: Any, grades: Sequence[GradeBand]) -> Any:
    """points.grade_of in SQL (bands ordered from the highest minimum)."""
    if len(grades) == 1:
        return literal_column(_quoted(grades[0].grade), String())
    return case(
        *[(score >= band.min, literal_column(_quoted(band.grade), String())) for band in grades[:-1]],
        else_=literal_column(_quoted(grades[-1].grade), String()),
    )


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
    return {
        "total": total,
        "sales_ready": sales_ready if total else 0,
        "by_grade": by_grade,
        "histogram": histogram(by_score),
    }


def histogram(by_score: Sequence[tuple[int, int]]) -> list[dict[str, int]]:
    if not by_score:
        return []
    low, high = min(v for v, _ in by_score), max(v for v, _ in by_score)
    width = max(1, math.ceil((high - low + 1) / HISTOGRAM_BUCKETS))
    buckets = [
        {"from": low + i * width, "to": low + (i + 1) * width, "count": 0} for i in range((high - low) // width + 1)
    ]
    for value, n in by_score:
        buckets[(value - low) // width]["count"] += n
    return buckets


# ---- recompute ------------------------------------------------------------------------------


async def _scratch_tables(session: AsyncSession, dialect: str) -> None:
    await _drop_scratch(session)
    for table in (FRESH, CHANGED):
        bigint = "BIGINT" if dialect == "postgresql" else "INTEGER"
        columns = ", ".join(
            f"{c.name} {bigint}{' PRIMARY KEY' if c.primary_key else ' NOT NULL'}" for c in table.columns
        )
        suffix = " ON COMMIT DROP" if dialect == "postgresql" else ""
        await session.execute(text(f"CREATE TEMPORARY TABLE {table.name} ({columns}){suffix}"))
    await session.execute(CreateTable(EVENTS))


async def _drop_scratch(session: AsyncSession) -> None:
    for table in (FRESH, CHANGED, EVENTS):
        await session.execute(text(f"DROP TABLE IF EXISTS {table.name}"))


async def roomy(session: AsyncSession, dialect: str) -> None:
    """Counting a chunk's interactions per contact and day takes more than PostgreSQL's default
    4 MB of sort and hash memory: with it, the counts spilled to disk and took 5 times longer."""
    if dialect == "postgresql":
        await session.execute(text("SET LOCAL work_mem = '64MB'"))


def score_insert(dialect: str) -> Any:
    table = ContactScore.metadata.tables[ContactScore.__tablename__]
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def replacing_scores(upsert: Any) -> Any:
    """An insert into contact_scores that replaces the contact's score for the model."""
    return upsert.on_conflict_do_update(
        index_elements=["contact_id", "model_id"],
        set_={c: upsert.excluded[c] for c in ("score", "grade", "sales_ready", "updated_at")},
    )


async def _copy_events(session: AsyncSession, model: Compiled, now: dt.datetime, low: int, high: int) -> None:
    """The chunk's interactions that rules may count, read once through the (contact, time) index."""
    source = _INTERACTIONS.c
    where = [source.contact_id >= low, source.contact_id < high, source.type.in_(sorted(model.interaction_types))]
    oldest = model.window(now)
    if oldest is not None:
        where.append(source.occurred_at >= oldest)
    names = [c.name for c in EVENTS.columns]
    await session.execute(insert(EVENTS).from_select(names, select(*(source[n] for n in names)).where(*where)))
    await session.execute(text(f"CREATE INDEX {EVENTS.name}_type ON {EVENTS.name} (type)"))


async def _analyzed(session: AsyncSession, dialect: str, table: Table) -> None:
    """Temporary tables have no statistics until analyzed: without them PostgreSQL guesses their
    size and picks worse joins against contacts."""
    if dialect == "postgresql":
        await session.execute(text(f"ANALYZE {table.name}"))


class Scoring(NamedTuple):
    """A model as a recompute applies it."""

    model_id: int
    model: Compiled
    drives_stage: bool
    by: str  # who the stage moves it makes are made by


async def recompute_chunk(
    session: AsyncSession, scorings: Sequence[Scoring], reason: str, now: dt.datetime, low: int, high: int
) -> tuple[int, int]:
    """Score contacts with ids in [low, high) with each model and store what changed. Returns
    (changed, promoted). Each contact's row is rewritten once for all the models: its scores are
    one column, and rewriting a contact (every index of the table) once per model cost more than
    the scoring itself."""
    dialect = await dialect_name(session)
    await roomy(session, dialect)
    await session.execute(text(f"DROP TABLE IF EXISTS {SCORED.name}"))
    await session.execute(CreateTable(SCORED))
    changed = promoted = 0
    for scoring in scorings:
        more_changed, more_promoted = await _recompute_model(session, dialect, scoring, reason, now, low, high)
        changed, promoted = changed + more_changed, promoted + more_promoted
    await contacts.set_scores_from(session, SCORED)
    await session.execute(text(f"DROP TABLE {SCORED.name}"))
    return changed, promoted


async def _recompute_model(
    session: AsyncSession, dialect: str, scoring: Scoring, reason: str, now: dt.datetime, low: int, high: int
) -> tuple[int, int]:
    model_id, model = scoring.model_id, scoring.model
    await _scratch_tables(session, dialect)
    if model.interaction_rules:
        await _copy_events(session, model, now, low, high)
    query = scores_query(model, dialect, now, low, high, EVENTS)
    if query is not None:
        await session.execute(insert(FRESH).from_select(["contact_id", "score"], query))
    stored = ContactScore.metadata.tables[ContactScore.__tablename__]
    fresh_grade = grade_sql(FRESH.c.score, model.grades)
    joined = FRESH.outerjoin(stored, and_(stored.c.contact_id == FRESH.c.contact_id, stored.c.model_id == model_id))
    differs = or_(
        and_(stored.c.id.is_(None), FRESH.c.score != 0),
        stored.c.score != FRESH.c.score,
        stored.c.grade != fresh_grade,
        stored.c.sales_ready != (FRESH.c.score >= model.threshold),
    )
    changed_or_new = (
        select(FRESH.c.contact_id, func.coalesce(stored.c.score, 0), FRESH.c.score).select_from(joined).where(differs)
    )
    nothing = unscored(model)
    lost = select(stored.c.contact_id, stored.c.score, literal(0, BigInteger())).where(
        stored.c.model_id == model_id,
        stored.c.contact_id >= low,
        stored.c.contact_id < high,
        or_(stored.c.score != nothing[0], stored.c.grade != nothing[1], stored.c.sales_ready != nothing[2]),
        ~exists().where(FRESH.c.contact_id == stored.c.contact_id),
    )
    await session.execute(
        insert(CHANGED).from_select(["contact_id", "previous", "score"], union_all(changed_or_new, lost))
    )
    count = int((await session.execute(select(func.count()).select_from(CHANGED))).scalar_one())
    promoted = 0
    if count:
        await _analyzed(session, dialect, CHANGED)
        grade = grade_sql(CHANGED.c.score, model.grades)
        # contacts first, locked in id order: another writer of the same contacts (an import,
        # another model's recompute) waits instead of deadlocking; the rows written next
        # reference them, and their foreign-key checks find each contact already locked.
        await contacts.lock_in_id_order(session, select(CHANGED.c.contact_id))
        await session.execute(
            insert(SCORED).from_select(
                [c.name for c in SCORED.columns],
                select(
                    CHANGED.c.contact_id,
                    literal(SCORE_PREFIX + model.key, String()),
                    CHANGED.c.score,
                    literal(GRADE_PREFIX + model.key, String()),
                    grade,
                ),
            )
        )
        history = ScoreChange.metadata.tables[ScoreChange.__tablename__]
        await session.execute(
            insert(history).from_select(
                ["contact_id", "model_id", "previous", "score", "reason", "at"],
                select(
                    CHANGED.c.contact_id,
                    literal(model_id, Integer()),
                    CHANGED.c.previous,
                    CHANGED.c.score,
                    literal(reason[:300], String()),
                    literal(now, stored.c.updated_at.type),
                ).where(CHANGED.c.previous != CHANGED.c.score),
            )
        )
        upsert = score_insert(dialect).from_select(
            ["contact_id", "model_id", "score", "grade", "sales_ready", "updated_at"],
            select(
                CHANGED.c.contact_id,
                literal(model_id, Integer()),
                CHANGED.c.score,
                grade,
                type_coerce(CHANGED.c.score >= model.threshold, Boolean()),
                literal(now, stored.c.updated_at.type),
            ).where(true()),
        )
        await session.execute(replacing_scores(upsert))
        if scoring.drives_stage:
            crossing = select(CHANGED.c.contact_id).where(
                CHANGED.c.previous < model.threshold, CHANGED.c.score >= model.threshold
            )
            if (await session.execute(select(crossing.exists()))).scalar():
                promoted = await contacts.move_stage_for_select(
                    session, crossing, SALES_READY, BEFORE_SALES_READY, scoring.by
                )
    await _drop_scratch(session)
    return count, promoted

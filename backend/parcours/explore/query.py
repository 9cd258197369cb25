"""A marketer's question as one SQL statement: the question is checked against a catalogue of
datasets, dimensions and measures, and built with SQLAlchemy Core. Nothing the marketer types
becomes SQL text: field names are looked up, values are bound parameters, rules go through the
segments' rule compiler. Pure: values in, a statement out."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    BigInteger,
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    true,
)
from sqlalchemy import String as SqlString

from parcours.contacts.service import RuleColumns, with_rule_joins
from parcours.contacts.service import table as contacts_table
from parcours.errors import InvalidInput
from parcours.explore.schemas import ExploreColumn, ExploreMeasure, ExploreQuestion, Source
from parcours.rules.language import Schema, compile_rule
from parcours.rules.service import check

ROW_LIMIT = 1000  # groups per answer; more is `truncated`
TIME_BUCKETS = ("day", "week", "month")
PROPERTY, SEGMENT = "property:", "segment:"
PURCHASE = "purchase"
_PATH = re.compile(r"^[A-Za-z0-9_\-]{1,64}(\.[A-Za-z0-9_\-]{1,64}){0,4}$")
_GROUPABLE = {"string", "choice", "country", "language", "boolean", "number"}
# What each dataset offers besides the contact's fields: dimensions, and numbers to sum.
_OWN_DIMENSIONS = {
    "contacts": (),
    "interactions": ("type",),
    "purchases": ("product", "category"),
    "opportunities": ("stage",),
}
_OWN_NUMBERS = {
    "contacts": (),
    "interactions": ("value",),
    "purchases": ("amount", "quantity"),
    "opportunities": ("budget", "estimated_revenue", "actual_revenue"),
}
MemberIds = Callable[[int], Select[Any]]


@dataclass
class Tables:
    """The tables a question reads, as their features hand them out (read-only use)."""

    interactions: Any
    opportunities: Any
    member_ids: MemberIds  # a segment's member ids, as a query
    daily: Any = None  # explore_daily: interactions counted by (UTC day, type)
    monthly: Any = None  # explore_monthly: distinct contacts counted by (UTC month, type)


@dataclass
class Built:
    statement: Select[Any]
    columns: list[ExploreColumn]
    medians: list[int] = field(default_factory=list)  # measures finished in Python (SQLite)
    segment_ids: dict[int, str] = field(default_factory=dict)  # segment id -> the field naming it
    # Or "daily": the counts by day and type (explore.rollup); "monthly": the distinct contacts by
    # month and type (explore.monthly).
    source: Source = "interactions"


def _refuse(message: str, where: str) -> InvalidInput:
    return InvalidInput(message, where)


class _Builder:
    def __init__(self, question: ExploreQuestion, schema: Schema, dialect: str, tables: Tables, now: datetime) -> None:
        self.q, self.schema, self.dialect, self.tables, self.now = question, schema, dialect, tables, now
        self.contacts = contacts_table()
        self.rule_columns = RuleColumns(dialect, lambda sid, cid: cid.in_(tables.member_ids(sid)))
        self.base = {
            "contacts": self.contacts,
            "interactions": tables.interactions,
            "purchases": tables.interactions,
            "opportunities": tables.opportunities,
        }[question.dataset]
        self.needs_contact = question.dataset == "contacts"
        self.segment_ids: dict[int, str] = {}

    # where things live ---------------------------------------------------------------------

    @property
    def contact_id(self) -> ColumnElement[Any]:
        return self.contacts.c.id if self.q.dataset == "contacts" else self.base.c.contact_id

    def date_column(self) -> ColumnElement[Any]:
        if self.q.dataset == "contacts":
            return self.contacts.c.created_at
        return self.base.c.close_date if self.q.dataset == "opportunities" else self.base.c.occurred_at

    def contact_field(self, name: str) -> Any:
        found = self.schema.fields.get(name)
        if found is not None:
            self.needs_contact = True
        return found

    def property_path(self, name: str, where: str) -> Any:
        if self.q.dataset not in ("interactions", "purchases"):
            raise _refuse("Only interactions and purchases have properties.", where)
        path = name[len(PROPERTY) :]
        if not _PATH.match(path):
            raise _refuse("Name a property with letters, digits, _ or -, and dots for nested ones.", where)
        parts = tuple(path.split("."))
        return self.base.c.properties[parts if len(parts) > 1 else parts[0]]

    def property_text(self, name: str, where: str) -> ColumnElement[Any]:
        return self.property_path(name, where).as_string()

    def property_number(self, name: str, where: str) -> ColumnElement[Any]:
        element = self.property_path(name, where)
        if self.dialect == "postgresql":
            # Only JSON numbers: casting a text property to a number would fail the whole question.
            return case((func.jsonb_typeof(element) == "number", cast(element.as_string(), Float)), else_=None)
        return cast(element.as_float(), Float)

    # dimensions --------------------------------------------------------------------------------

    def truncated(self, unit: str) -> ColumnElement[Any]:
        """PostgreSQL: the start of the day, week or month, in UTC (a timestamp)."""
        moment = self.date_column()
        stamp = cast(moment, TIMESTAMP) if self.q.dataset == "opportunities" else func.timezone("UTC", moment)
        return func.date_trunc(unit, stamp)

    def grouping(self, name: str, where: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        """(what the answer shows, what the rows are grouped by). On PostgreSQL a time bucket is
        grouped as a timestamp and written as text once per group: writing it for every row took
        a third of "interactions by month x type" (1.2 s instead of 0.75 s at 1M interactions)."""
        if name in TIME_BUCKETS and self.dialect == "postgresql":
            grouped = self.truncated(name)
            return func.to_char(grouped, "YYYY-MM" if name == "month" else "YYYY-MM-DD"), grouped
        dimension = self.dimension(name, where)
        return dimension, dimension

    def time_bucket(self, unit: str) -> ColumnElement[Any]:
        moment = self.date_column()
        if self.dialect == "postgresql":
            return func.to_char(self.truncated(unit), "YYYY-MM" if unit == "month" else "YYYY-MM-DD")
        if unit == "week":  # the Monday of the week
            return func.date(moment, "weekday 0", "-6 days")
        return func.strftime("%Y-%m" if unit == "month" else "%Y-%m-%d", moment)

    def dimension(self, name: str, where: str) -> ColumnElement[Any]:
        if name in TIME_BUCKETS:
            return self.time_bucket(name)
        if name.startswith(PROPERTY):
            return self.property_text(name, where)
        if name.startswith(SEGMENT):
            try:
                segment_id = int(name[len(SEGMENT) :])
            except ValueError:
                raise _refuse("Write a segment as segment:<its id>.", where) from None
            self.segment_ids[segment_id] = where
            member = self.contact_id.in_(self.tables.member_ids(segment_id))
            return case((member, literal("in")), else_=literal("out"))
        if name in _OWN_DIMENSIONS[self.q.dataset]:
            if self.q.dataset == "purchases":
                return self.property_text(PROPERTY + name, where)
            return self.base.c[name]
        found = self.contact_field(name)
        if found is None:
            raise _refuse(f"There is nothing called {name!r} to group {self.q.dataset} by.", where)
        if found.type not in _GROUPABLE:
            raise _refuse(f"{found.label_en} cannot be a group: pick a text, choice, yes/no or number.", where)
        return self.rule_columns.column(found)

    # measures ----------------------------------------------------------------------------------

    def number(self, name: str | None, where: str) -> ColumnElement[Any]:
        if not name:
            raise _refuse("Name the number to add up or average.", where)
        if name.startswith(PROPERTY):
            return self.property_number(name, where)
        if name in _OWN_NUMBERS[self.q.dataset]:
            if self.q.dataset == "purchases":
                return self.base.c.value if name == "amount" else self.property_number(PROPERTY + name, where)
            return self.base.c[name]
        found = self.contact_field(name)
        if found is None:
            raise _refuse(f"There is no number called {name!r} in {self.q.dataset}.", where)
        if found.type != "number":
            raise _refuse(f"{found.label_en} is not a number.", where)
        return self.rule_columns.column(found)

    def measure(self, measure: ExploreMeasure, index: int) -> ColumnElement[Any]:
        where = f"measures[{index}]"
        if measure.kind == "count":
            return func.count()
        if measure.kind == "contacts":
            return func.count(self.contact_id.distinct())
        value = self.number(measure.field, where + ".field")
        if measure.kind == "sum":
            return func.sum(value)
        if measure.kind == "avg":
            return func.avg(value)
        if self.dialect == "postgresql":
            return func.percentile_cont(0.5).within_group(value)
        # SQLite has no median: the group's values come back as one JSON list, finished in Python.
        return func.json_group_array(value).filter(value.is_not(None))

    # filters -----------------------------------------------------------------------------------

    def filters(self) -> list[ColumnElement[bool]]:
        f, dataset, where = self.q.filters, self.q.dataset, []
        if f.rule and f.rule.strip():
            checked = check(f.rule, self.schema, "filters.rule")
            self.needs_contact = True
            where.append(compile_rule(checked, self.schema, self.rule_columns, self.now))
        if dataset == "purchases":
            where.append(self.base.c.type == PURCHASE)
        if f.types:
            if dataset != "interactions":
                raise _refuse("Only interactions are filtered by type.", "filters.types")
            where.append(self.base.c.type.in_(f.types))
        if f.properties:
            for key, value in f.properties.items():
                where.append(self.property_text(PROPERTY + key, "filters.properties") == value)
        if f.stages:
            if dataset != "opportunities":
                raise _refuse("Only opportunities have a stage.", "filters.stages")
            where.append(self.base.c.stage.in_(f.stages))
        if f.from_ and f.to and f.from_ > f.to:
            raise _refuse("The period starts after it ends.", "filters.from")
        moment = self.date_column()
        if f.from_:
            where.append(moment >= self.bound(f.from_))
        if f.to:
            where.append(moment < self.bound(f.to + timedelta(days=1)))
        return where

    def bound(self, day: date) -> Any:
        if self.q.dataset == "opportunities":
            return day
        return datetime.combine(day, time(), tzinfo=UTC)

    # the statement -----------------------------------------------------------------------------

    def from_clause(self) -> Any:
        if self.q.dataset == "contacts":
            joined = self.contacts
        elif self.needs_contact:
            joined = self.base.join(self.contacts, self.contacts.c.id == self.base.c.contact_id)
        else:
            return self.base
        return with_rule_joins(self.rule_columns, joined)


def _measure_name(measure: ExploreMeasure) -> str:
    return f"{measure.kind}({measure.field})" if measure.field else measure.kind


def build(question: ExploreQuestion, schema: Schema, dialect: str, tables: Tables, now: datetime) -> Built:
    """The question's statement: one row per group (at most ROW_LIMIT + 1, to tell truncation)."""
    counted = _from_daily(question, dialect, tables) or _from_monthly(question, dialect, tables)
    if counted is not None:
        return counted
    builder = _Builder(question, schema, dialect, tables, now)
    if len(set(question.group_by)) != len(question.group_by):
        raise _refuse("Group by two different things.", "group_by[1]")
    pairs = [builder.grouping(name, f"group_by[{i}]") for i, name in enumerate(question.group_by)]
    shown, groups = [p[0] for p in pairs], [p[1] for p in pairs]
    measures = [builder.measure(m, i) for i, m in enumerate(question.measures)]
    where = builder.filters()
    labelled = [g.label(f"group_{i}") for i, g in enumerate(shown)]
    labelled += [m.label(f"measure_{i}") for i, m in enumerate(measures)]
    statement = select(*labelled).select_from(builder.from_clause()).where(and_(true(), *where))
    statement = _ordered(statement, question, groups, measures[0])
    medians = [i for i, m in enumerate(question.measures) if m.kind == "median" and dialect != "postgresql"]
    return Built(statement.limit(ROW_LIMIT + 1), _columns(question), medians, builder.segment_ids)


def _columns(question: ExploreQuestion) -> list[ExploreColumn]:
    columns = [ExploreColumn(key=f"group_{i}", role="dimension", name=n) for i, n in enumerate(question.group_by)]
    return columns + [
        ExploreColumn(key=f"measure_{i}", role="measure", name=_measure_name(m))
        for i, m in enumerate(question.measures)
    ]


def _ordered(statement: Select[Any], question: ExploreQuestion, groups: list[Any], first: Any) -> Select[Any]:
    if not groups:
        return statement
    statement = statement.group_by(*groups)
    timed = any(name in TIME_BUCKETS for name in question.group_by)
    if not timed and question.measures[0].kind != "median":
        # The largest groups first: what a row limit should keep.
        return statement.order_by(first.desc(), *groups)
    return statement.order_by(*groups)


def _by_time_and_type(question: ExploreQuestion) -> bool:
    """Whether the question is over interactions or purchases, filtered only by period and type,
    with a valid period and its groups named once: what kept counts by time and type may answer."""
    f, dataset, groups = question.filters, question.dataset, question.group_by
    if dataset not in ("interactions", "purchases") or f.rule or f.properties or f.stages:
        return False
    if (f.types and dataset != "interactions") or (f.from_ and f.to and f.from_ > f.to):
        return False
    return len(set(groups)) == len(groups)


def fits_daily(question: ExploreQuestion) -> bool:
    """Whether the counts by day and type answer the question exactly: it cuts only by time and
    type, filters only by period and type, and adds things up (count, sum or average of the
    value; distinct contacts and medians do not add up across days)."""
    if not _by_time_and_type(question):
        return False
    dataset = question.dataset
    dimensions = set(TIME_BUCKETS) | ({"type"} if dataset == "interactions" else set())
    number = "value" if dataset == "interactions" else "amount"
    return set(question.group_by) <= dimensions and all(
        m.kind == "count" or (m.kind in ("sum", "avg") and m.field == number) for m in question.measures
    )


def _from_daily(question: ExploreQuestion, dialect: str, tables: Tables) -> Built | None:
    if tables.daily is None or not fits_daily(question):
        return None
    daily = tables.daily
    shown, groups = [], []
    for name in question.group_by:
        if name == "type":
            shown.append(daily.c.type)
            groups.append(daily.c.type)
        elif dialect == "postgresql":
            grouped = func.date_trunc(name, cast(daily.c.day, TIMESTAMP))
            shown.append(func.to_char(grouped, "YYYY-MM" if name == "month" else "YYYY-MM-DD"))
            groups.append(grouped)
        else:
            bucket = (
                func.date(daily.c.day, "weekday 0", "-6 days")
                if name == "week"
                else func.strftime("%Y-%m" if name == "month" else "%Y-%m-%d", daily.c.day)
            )
            shown.append(bucket)
            groups.append(bucket)
    values = func.sum(daily.c.value_count)
    measures: list[ColumnElement[Any]] = []
    for m in question.measures:
        if m.kind == "count":
            measures.append(cast(func.coalesce(func.sum(daily.c.count), 0), BigInteger))
        elif m.kind == "sum":
            measures.append(case((values > 0, cast(func.sum(daily.c.value_sum), Float)), else_=None))
        else:
            measures.append(case((values > 0, cast(func.sum(daily.c.value_sum), Float) / values), else_=None))
    return _from_counts(question, daily, daily.c.day, (shown, groups, measures), "daily")


def _from_counts(
    question: ExploreQuestion,
    counts: Any,
    day: Any,
    parts: tuple[list[Any], list[Any], list[ColumnElement[Any]]],
    source: Source,
    *where: ColumnElement[bool],
) -> Built:
    """A question answered from kept counts by type and time (`day`: their day or month column):
    `parts` are what the answer shows, what it is grouped by, and its measures."""
    (shown, groups, measures), f, kept = parts, question.filters, list(where)
    if question.dataset == "purchases":
        kept.append(counts.c.type == PURCHASE)
    if f.types:
        kept.append(counts.c.type.in_(f.types))
    if f.from_:
        kept.append(day >= f.from_)
    if f.to:
        kept.append(day <= f.to)
    labelled = [g.label(f"group_{i}") for i, g in enumerate(shown)]
    labelled += [m.label(f"measure_{i}") for i, m in enumerate(measures)]
    statement = select(*labelled).select_from(counts).where(and_(true(), *kept))
    statement = _ordered(statement, question, groups, measures[0])
    return Built(statement.limit(ROW_LIMIT + 1), _columns(question), source=source)


def fits_monthly(question: ExploreQuestion) -> bool:
    """Whether the distinct contacts by month and type answer the question exactly: it counts
    distinct contacts by month (and type), over whole months, of one type or type by type (a
    contact active in two types is one contact of the month, not two)."""
    f, dataset, groups = question.filters, question.dataset, question.group_by
    if not _by_time_and_type(question):
        return False
    if "month" not in groups or not set(groups) <= {"month", "type" if dataset == "interactions" else "month"}:
        return False
    one_type = "type" in groups or dataset == "purchases" or len(set(f.types or ())) == 1
    whole_months = (not f.from_ or f.from_.day == 1) and (not f.to or (f.to + timedelta(days=1)).day == 1)
    return one_type and whole_months and all(m.kind == "contacts" for m in question.measures)


def _from_monthly(question: ExploreQuestion, dialect: str, tables: Tables) -> Built | None:
    if tables.monthly is None or not fits_monthly(question):
        return None
    monthly = tables.monthly
    month = (
        func.to_char(monthly.c.month, "YYYY-MM") if dialect == "postgresql" else func.strftime("%Y-%m", monthly.c.month)
    )
    shown = [month if name == "month" else monthly.c.type for name in question.group_by]
    groups = [monthly.c.month if name == "month" else monthly.c.type for name in question.group_by]
    contacts = cast(func.coalesce(func.sum(monthly.c.contacts), 0), BigInteger)
    measures: list[ColumnElement[Any]] = [contacts for _ in question.measures]
    return _from_counts(
        question, monthly, monthly.c.month, (shown, groups, measures), "monthly", monthly.c.contacts > 0
    )


def contacts_behind(
    question: ExploreQuestion, values: list[Any], schema: Schema, dialect: str, tables: Tables, now: datetime
) -> tuple[Select[Any], dict[int, str]]:
    """The distinct contacts of one group of the question (a row of its answer)."""
    if len(values) != len(question.group_by):
        raise _refuse("Give one value per group of the question.", "values")
    builder = _Builder(question, schema, dialect, tables, now)
    where = builder.filters()
    for i, (name, value) in enumerate(zip(question.group_by, values, strict=True)):
        dimension = builder.dimension(name, f"question.group_by[{i}]")
        if value is None:
            where.append(dimension.is_(None))
        elif isinstance(value, bool):
            where.append(dimension.is_(True) if value else dimension.is_(False))
        elif isinstance(value, int | float):
            where.append(dimension == value)
        elif isinstance(value, str):
            where.append(cast(dimension, SqlString) == value)
        else:
            raise _refuse("A group value is a text, a number, yes/no or null.", f"values[{i}]")
    ids = select(builder.contact_id.distinct()).select_from(builder.from_clause()).where(and_(true(), *where))
    return ids, builder.segment_ids


def finish(row: Any, medians: list[int], groups: int) -> list[Any]:
    """A result row as the answer shows it: medians computed from their JSON lists, averages and
    sums rounded to cents."""
    out = list(row)
    for i in medians:
        raw = out[groups + i]
        values = [float(v) for v in json.loads(raw)] if raw else []
        out[groups + i] = statistics.median(values) if values else None
    for i in range(groups, len(out)):
        if isinstance(out[i], float):
            out[i] = round(out[i], 2)
        elif out[i] is not None and not isinstance(out[i], int | bool):
            out[i] = round(float(out[i]), 2)  # PostgreSQL's numeric sums and averages
    return out

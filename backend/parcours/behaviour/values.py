"""Behavioural fields' values in SQL: one GROUP BY over the interactions gives each contact's
value, for a range of contact ids (the backfill), a list of contacts (the stream, windows rolling)
or the whole base (the preview). The same query serves all three, so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, func, literal, select, type_coerce

from parcours.behaviour.definition import Definition, compiled_filter
from parcours.interactions import service as interactions
from parcours.rules.language import compile_rule
from parcours.scoring.bulk import PropertyColumns

EVENTS = interactions.table()
# The interactions the stream has handed on: (its cursor's position, the ids below it still awaited).
Seen = tuple[int, list[int]]


def _number(dialect: str, name: str) -> ColumnElement[Any]:
    """A property's value when it is a JSON number, else NULL (a sum or a max skips the others)."""
    if dialect == "postgresql":
        element = EVENTS.c.properties[name]
        return case((func.jsonb_typeof(element) == "number", element.as_float()), else_=None)
    path = f'$."{name}"'
    kind = func.json_type(EVENTS.c.properties, path)
    return type_coerce(case((kind.in_(["integer", "real"]), func.json_extract(EVENTS.c.properties, path))), Float())


def conditions(
    definition: Definition,
    dialect: str,
    now: dt.datetime,
    contact_ids: list[int] | None = None,
    low: int | None = None,
    high: int | None = None,
    seen: Seen | None = None,
) -> list[ColumnElement[bool]]:
    """The interactions a definition reads, for the contacts asked (all when nothing is given);
    with `seen`, only those the stream has handed on (it adds the others as it reaches them)."""
    where = [EVENTS.c.type == definition.interaction_type]
    if seen is not None:
        where.append(EVENTS.c.id <= seen[0])
        if seen[1]:
            where.append(EVENTS.c.id.not_in(seen[1]))
    if definition.window_days is not None:
        where.append(EVENTS.c.occurred_at >= now - dt.timedelta(days=definition.window_days))
    if contact_ids is not None:
        where.append(EVENTS.c.contact_id.in_(contact_ids))
    if low is not None:
        where.append(EVENTS.c.contact_id >= low)
    if high is not None:
        where.append(EVENTS.c.contact_id < high)
    found = compiled_filter(definition.filter, lambda: now)
    if found is not None:
        checked, schema = found
        where.append(compile_rule(checked, schema, PropertyColumns(dialect, EVENTS.c.properties), now))
    return where


def ranked(definition: Definition) -> bool:
    """A first/last property value: read from the first (last) row, not by an aggregate."""
    return definition.aggregate in ("first", "last") and definition.property is not None


def many_query(
    definitions: list[Definition], dialect: str, now: dt.datetime, contact_ids: list[int], seen: Seen | None = None
) -> Select[Any]:
    """(contact_id, value of each definition) for these contacts in one pass over their
    interactions, each aggregate with its own FILTER (ranked ones excepted: see values_query).
    A contact without a read interaction has NULL (a count 0, "exists" NULL): the default. The
    values are ready to be stored (contacts.store_values), as values_query's."""
    columns: list[ColumnElement[Any]] = []
    for definition in definitions:
        assert not ranked(definition), "first/last property values are read by values_query"
        only = and_(*conditions(definition, dialect, now, seen=seen))
        aggregate, prop = definition.aggregate, definition.property
        value: ColumnElement[Any]
        if aggregate == "count":
            value = func.nullif(func.count().filter(only), 0)
        elif aggregate == "exists":
            value = case((func.count().filter(only) > 0, literal(True) if dialect == "postgresql" else literal(1)))
        elif aggregate in ("first", "last"):
            value = (func.min if aggregate == "first" else func.max)(EVENTS.c.occurred_at).filter(only)
        else:
            assert prop is not None, "checked: sum, min and max read a property"
            number = _number(dialect, prop)
            chosen = (
                func.sum(number) if aggregate == "sum" else func.min(number) if aggregate == "min" else func.max(number)
            )
            value = chosen.filter(only)
        columns.append(value)
    kinds = sorted({d.interaction_type for d in definitions})
    return (
        select(EVENTS.c.contact_id, *columns)
        .where(EVENTS.c.contact_id.in_(contact_ids), EVENTS.c.type.in_(kinds))
        .group_by(EVENTS.c.contact_id)
    )


def values_query(
    definition: Definition,
    dialect: str,
    now: dt.datetime,
    contact_ids: list[int] | None = None,
    low: int | None = None,
    high: int | None = None,
    seen: Seen | None = None,
) -> Select[Any]:
    """(contact_id, value) of each contact with at least one interaction read; the others read
    the field's default. `value` is ready to be stored (contacts.store_values)."""
    where = and_(*conditions(definition, dialect, now, contact_ids, low, high, seen))
    aggregate, prop = definition.aggregate, definition.property
    if prop is not None and ranked(definition):
        # The property of the first (last) interaction: the row numbered 1 in time order.
        order = EVENTS.c.occurred_at.asc() if aggregate == "first" else EVENTS.c.occurred_at.desc()
        tie = EVENTS.c.id.asc() if aggregate == "first" else EVENTS.c.id.desc()
        numbered = (
            select(
                EVENTS.c.contact_id,
                _number(dialect, prop).label("value"),
                func.row_number().over(partition_by=EVENTS.c.contact_id, order_by=(order, tie)).label("rank"),
            )
            .where(where)
            .subquery()
        )
        return select(numbered.c.contact_id, numbered.c.value).where(numbered.c.rank == 1)
    value: ColumnElement[Any]
    if aggregate == "count":
        value = func.count()
    elif aggregate == "exists":
        value = literal(True) if dialect == "postgresql" else literal(1)
    elif aggregate == "first":
        value = func.min(EVENTS.c.occurred_at)
    elif aggregate == "last":
        value = func.max(EVENTS.c.occurred_at)
    else:
        assert prop is not None, "checked: sum, min and max read a property"
        number = _number(dialect, prop)
        value = func.sum(number) if aggregate == "sum" else func.min(number) if aggregate == "min" else func.max(number)
    return select(EVENTS.c.contact_id, value.label("value")).where(where).group_by(EVENTS.c.contact_id)

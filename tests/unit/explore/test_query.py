"""The question builder's pure core: the catalogue refuses what it does not offer, naming the
field, and the statements it builds read the right columns on each database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest
from sqlalchemy.dialects import postgresql, sqlite

from parcours.errors import InvalidInput
from parcours.explore import query
from parcours.explore.schemas import ExploreQuestion
from parcours.explore.service import tables
from parcours.rules.fields import ComputedInfo, CustomFieldInfo, catalog
from parcours.rules.language import Schema

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
SCHEMA = Schema(
    catalog(
        custom=[CustomFieldInfo(name="store", label="Store", type="text")],
        computed=[ComputedInfo(name="orders", label="Orders", type="number")],
    ),
    lambda: NOW,
)
DIALECTS = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}


def question(**fields: Any) -> ExploreQuestion:
    return msgspec.convert(fields, ExploreQuestion)


def sql(built: Any, dialect: str) -> str:
    return str(built.statement.compile(dialect=DIALECTS[dialect], compile_kwargs={"literal_binds": True}))


def build(dialect: str = "postgresql", daily: bool = True, **fields: Any) -> query.Built:
    return query.build(question(**fields), SCHEMA, dialect, tables(daily), NOW)


def refused(**fields: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        build(**fields)
    return str(caught.value.field)


def test_a_question_without_groups_counts_rows() -> None:
    built = build(dataset="interactions", daily=False)
    assert [c.name for c in built.columns] == ["count"] and built.source == "interactions"
    assert "count(*)" in sql(built, "postgresql").lower()
    assert "join" not in sql(built, "postgresql").lower()  # no contact field: no join


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_time_and_type_questions_that_add_up_read_the_daily_counts(dialect: str) -> None:
    built = build(
        dialect,
        dataset="interactions",
        filters={"types": ["email_opened"], "from": "2026-01-01", "to": "2026-03-31"},
        group_by=["month", "type"],
        measures=[{"kind": "count"}, {"kind": "sum", "field": "value"}, {"kind": "avg", "field": "value"}],
    )
    text = sql(built, dialect).lower()
    assert built.source == "daily" and "from explore_daily" in text and "interactions" not in text
    assert "sum(explore_daily.count)" in text and "sum(explore_daily.value_count)" in text
    assert "explore_daily.day >= '2026-01-01'" in text and "explore_daily.day <= '2026-03-31'" in text
    purchases = build(dialect, dataset="purchases", group_by=["week"], measures=[{"kind": "sum", "field": "amount"}])
    assert purchases.source == "daily" and "explore_daily.type = 'purchase'" in sql(purchases, dialect).lower()


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_distinct_contacts_by_whole_month_and_type_read_the_monthly_counts(dialect: str) -> None:
    built = build(
        dialect,
        dataset="interactions",
        filters={"from": "2026-01-01", "to": "2026-02-28"},
        group_by=["type", "month"],
        measures=[{"kind": "contacts"}],
    )
    text = sql(built, dialect).lower()
    assert built.source == "monthly" and "from explore_monthly" in text and "interactions" not in text
    assert "explore_monthly.month >= '2026-01-01'" in text and "explore_monthly.month <= '2026-02-28'" in text
    purchases = build(dialect, dataset="purchases", group_by=["month"], measures=[{"kind": "contacts"}])
    assert purchases.source == "monthly" and "explore_monthly.type = 'purchase'" in sql(purchases, dialect).lower()


@pytest.mark.parametrize(
    "fields",
    [
        {"group_by": ["month"], "measures": [{"kind": "contacts"}]},  # two types' contacts overlap
        {"group_by": ["type"], "measures": [{"kind": "contacts"}]},  # months' contacts overlap
        {"group_by": ["month", "type"], "measures": [{"kind": "contacts"}, {"kind": "count"}]},
        {"group_by": ["month"], "measures": [{"kind": "contacts"}], "filters": {"types": ["a"], "from": "2026-01-02"}},
        {"group_by": ["month"], "measures": [{"kind": "contacts"}], "filters": {"types": ["a"], "to": "2026-01-30"}},
        {"group_by": ["month", "country"], "measures": [{"kind": "contacts"}]},
    ],
)
def test_other_distinct_contacts_questions_read_the_raw_rows(fields: dict[str, Any]) -> None:
    assert build(dataset="interactions", **fields).source == "interactions"


@pytest.mark.parametrize(
    "fields",
    [
        {"measures": [{"kind": "contacts"}]},  # distinct contacts do not add up across days
        {"measures": [{"kind": "median", "field": "value"}]},
        {"measures": [{"kind": "sum", "field": "property:price"}]},
        {"group_by": ["property:utm.source"]},
        {"group_by": ["country"]},
        {"filters": {"rule": 'country == "FR"'}},
        {"filters": {"properties": {"url": "/"}}},
    ],
)
def test_other_questions_read_the_raw_rows(fields: dict[str, Any]) -> None:
    assert build(dataset="interactions", **fields).source == "interactions"


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_revenue_by_rfm_group_joins_the_rfm_table(dialect: str) -> None:
    built = build(dialect, dataset="purchases", group_by=["rfm_segment"], measures=[{"kind": "sum", "field": "amount"}])
    text = sql(built, dialect).lower()
    assert "contact_rfm" in text and "interactions.type = 'purchase'" in text
    assert "sum(interactions.value)" in text
    assert f"limit {query.ROW_LIMIT + 1}" in text


def test_time_buckets_on_each_database() -> None:
    assert "date_trunc('month'" in sql(build(dataset="purchases", group_by=["month"]), "postgresql")
    assert "weekday 0" in sql(build("sqlite", dataset="purchases", group_by=["week"]), "sqlite")
    assert "strftime('%Y-%m'" in sql(build("sqlite", dataset="contacts", group_by=["month"]), "sqlite")


def test_medians_are_percentiles_on_postgresql_and_finished_in_python_on_sqlite() -> None:
    measures = [{"kind": "median", "field": "amount"}]
    assert (
        "percentile_cont(0.5) within group" in sql(build(dataset="purchases", measures=measures), "postgresql").lower()
    )
    built = build("sqlite", dataset="purchases", measures=measures)
    assert built.medians == [0] and "json_group_array" in sql(built, "sqlite")
    assert query.finish(("[3, 1, 10.5]",), [0], 0) == [3.0]
    assert query.finish((None,), [0], 0) == [None]


def test_custom_computed_segment_and_property_dimensions() -> None:
    built = build(dataset="interactions", group_by=["custom_store", "segment:4"])
    text = sql(built, "postgresql")
    assert "custom" in text and "segment_members" in text and "'in'" in text
    assert built.segment_ids == {4: "group_by[1]"}
    nested = sql(build(dataset="interactions", group_by=["property:utm.source"]), "postgresql")
    assert "#>>" in nested  # a JSON path, not a key named "utm.source"
    number = sql(build(dataset="interactions", measures=[{"kind": "avg", "field": "computed_orders"}]), "postgresql")
    assert "contact_computed" in number and "'orders'" in number


def test_values_are_bound_never_written_into_the_sql() -> None:
    built = build(dataset="interactions", filters={"properties": {"source": "x'; drop table contacts; --"}})
    assert "drop table" not in str(built.statement.compile(dialect=DIALECTS["postgresql"]))


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"dataset": "contacts", "group_by": ["country", "nope"]}, "group_by[1]"),
        ({"dataset": "contacts", "group_by": ["country", "country"]}, "group_by[1]"),
        ({"dataset": "contacts", "group_by": ["created_at"]}, "group_by[0]"),
        ({"dataset": "contacts", "group_by": ["segment:abc"]}, "group_by[0]"),
        ({"dataset": "opportunities", "group_by": ["property:a"]}, "group_by[0]"),
        ({"dataset": "purchases", "measures": [{"kind": "sum", "field": "first_name"}]}, "measures[0].field"),
        ({"dataset": "purchases", "measures": [{"kind": "sum", "field": "budget"}]}, "measures[0].field"),
        ({"dataset": "contacts", "filters": {"rule": "country == 3"}}, "filters.rule"),
        ({"dataset": "contacts", "filters": {"types": ["x"]}}, "filters.types"),
        ({"dataset": "opportunities", "filters": {"properties": {"a": "b"}}}, "filters.properties"),
    ],
)
def test_the_catalogue_names_what_it_refuses(fields: dict[str, Any], where: str) -> None:
    assert refused(**fields) == where


def test_the_contacts_behind_a_row() -> None:
    q = question(dataset="purchases", group_by=["category", "month"])
    ids, _ = query.contacts_behind(q, ["shoes", "2026-11"], SCHEMA, "postgresql", tables(), NOW)
    text = str(ids.compile(dialect=DIALECTS["postgresql"], compile_kwargs={"literal_binds": True})).lower()
    assert "distinct interactions.contact_id" in text and "'shoes'" in text and "'2026-11'" in text
    with pytest.raises(InvalidInput) as caught:
        query.contacts_behind(q, ["shoes"], SCHEMA, "postgresql", tables(), NOW)
    assert caught.value.field == "values"

import datetime as dt

import pytest

from parcours.rules.builder import Builder, Condition, Group, from_text, to_text
from parcours.rules.fields import CustomFieldInfo, catalog
from parcours.rules.language import RuleError, Schema, parse

SCHEMA = Schema(
    catalog(
        [CustomFieldInfo("tier", "Tier", "choice", ("Gold", "Silver")), CustomFieldInfo("renewal", "Renewal", "date")]
    ),
    lambda: dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)

CONDITIONS = [
    Condition("country", "is", "FR"),
    Condition("country", "is_not", "FR"),
    Condition("lifecycle_stage", "is_any_of", ["lead", "customer"]),
    Condition("custom_tier", "is_none_of", ["Gold"]),
    Condition("first_name", "contains", "an"),
    Condition("email", "not_contains", "@gmail"),
    Condition("last_name", "starts_with", "Mc.Do"),
    Condition("email", "ends_with", ".fr"),
    Condition("city", "is_empty"),
    Condition("phone", "is_not_empty"),
    Condition("opens_30d", "gt", 3),
    Condition("total_revenue", "gte", 99.5),
    Condition("account_size", "lt", 50),
    Condition("account_size", "between", [10, 500]),
    Condition("purchases", "between", [1, 3]),
    Condition("email_opt_in", "is_true"),
    Condition("unsubscribed", "is_false"),
    Condition("last_interaction_at", "in_last_days", 30),
    Condition("last_interaction_at", "more_than_days_ago", 90),
    Condition("created_at", "before", "2025-01-01"),
    Condition("created_at", "after", "2025-06-30"),
    Condition("birth_date", "before", "1990-01-01"),
    Condition("custom_renewal", "on", "2026-03-01"),
    Condition("segments", "in_segment", 12),
    Condition("segments", "not_in_segment", 7),
]


@pytest.mark.parametrize("condition", CONDITIONS, ids=[f"{c.field}-{c.operator}" for c in CONDITIONS])
def test_each_condition_writes_a_valid_rule_and_reads_back(condition: Condition) -> None:
    builder = Builder(groups=[Group(conditions=[condition])])
    text = to_text(builder, SCHEMA)
    parse(text, SCHEMA)
    assert from_text(text, SCHEMA) == builder


def test_groups_and_matches_round_trip() -> None:
    builder = Builder(
        match="any",
        groups=[
            Group(match="all", conditions=[Condition("country", "is", "FR"), Condition("opens_30d", "gt", 0)]),
            Group(
                match="any",
                conditions=[Condition("lifecycle_stage", "is", "customer"), Condition("purchases", "gte", 2)],
            ),
        ],
    )
    text = to_text(builder, SCHEMA)
    assert text == ('(country == "FR" and opens_30d > 0) or (lifecycle_stage == "customer" or purchases >= 2)')
    assert from_text(text, SCHEMA) == builder


def test_hand_written_rules_in_builder_shapes_are_read() -> None:
    builder = from_text(
        'country == "FR" and (last_interaction_at != null and (last_interaction_at ?? $now) >= '
        '$now - t"P30D") and not (lifecycle_stage in ["customer"])',
        SCHEMA,
    )
    assert builder is not None
    assert [c.operator for group in builder.groups for c in group.conditions] == ["is", "in_last_days", "is_none_of"]


def test_rules_of_other_shapes_stay_text_only() -> None:
    assert from_text('(first_name ?? "") =~ "^J.*n$"', SCHEMA) is None
    assert from_text("", SCHEMA) == Builder(groups=[])


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        (Condition("nope", "is", "x"), "no field"),
        (Condition("country", "gt", 3), "does not apply"),
        (Condition("opens_30d", "gt", "three"), "not a number"),
        (Condition("country", "is_any_of", []), "at least one"),
        (Condition("created_at", "before", "yesterday"), "not a date"),
        (Condition("last_interaction_at", "in_last_days", 0), "days"),
    ],
)
def test_bad_conditions_are_explained(condition: Condition, words: str) -> None:
    with pytest.raises(RuleError, match=words):
        to_text(Builder(groups=[Group(conditions=[condition])]), SCHEMA)

"""What a stream batch adds to behavioural fields, without the contacts' history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parcours.behaviour.definition import Definition
from parcours.behaviour.increments import incremental, increments
from parcours.interactions.batch import Stored

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def field(name: str, aggregate: str, **more: Any) -> Definition:
    return Definition(name=name, label=name, aggregate=aggregate, interaction_type="purchase", **more)


def bought(i: int, contact: int, days_ago: float, **properties: Any) -> Stored:
    at = NOW - dt.timedelta(days=days_ago)
    return Stored(id=i, contact_id=contact, type="purchase", occurred_at=at, properties=properties)


def test_each_aggregate_gives_the_batch_part_per_contact() -> None:
    rows = [
        bought(1, 7, 1, amount=30, category="shoes"),
        bought(2, 7, 3, amount=12.5, category="hats"),
        bought(3, 7, 0, amount="many", category="shoes"),
        bought(4, 8, 40, amount=5, category="shoes"),
        Stored(id=5, contact_id=9, type="page_visited", occurred_at=NOW, properties={}),
    ]
    fields = [
        field("n", "count"),
        field("n_7d", "count", window_days=7),
        field("shoes", "count", filter='category == "shoes"'),
        field("total", "sum", property="amount"),
        field("low", "min", property="amount"),
        field("high", "max", property="amount"),
        field("first", "first"),
        field("last", "last"),
        field("any", "exists"),
    ]
    found = {
        (name, contact): (number, flag, moment) for name, contact, number, flag, moment in increments(fields, rows, NOW)
    }
    assert found[("n", 7)] == (3.0, None, None) and found[("n", 8)] == (1.0, None, None)
    assert found[("n_7d", 7)] == (3.0, None, None) and ("n_7d", 8) not in found  # out of the window
    assert found[("shoes", 7)] == (2.0, None, None)
    assert found[("total", 7)] == (42.5, None, None) and found[("low", 7)][0] == 12.5 and found[("high", 7)][0] == 30
    assert found[("first", 7)] == (None, None, NOW - dt.timedelta(days=3))
    assert found[("last", 7)] == (None, None, NOW)
    assert found[("any", 8)] == (None, True, None)
    assert not any(contact == 9 for _, contact in found)  # another type


def test_a_sum_of_values_that_are_not_numbers_adds_nothing() -> None:
    assert increments([field("total", "sum", property="amount")], [bought(1, 7, 0, amount="many")], NOW) == []


def test_a_last_property_value_needs_the_history() -> None:
    assert not incremental(field("last_amount", "last", property="amount"))
    assert incremental(field("last", "last")) and incremental(field("total", "sum", property="amount"))

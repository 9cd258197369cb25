"""A behavioural field's definition, checked: an aggregate over a contact's interactions of one
type (optionally filtered by their properties, optionally over the last N days). Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Literal

import msgspec

from parcours.errors import InvalidInput
from parcours.rules.fields import ComputedInfo
from parcours.rules.language import Checked, Schema
from parcours.scoring.points import ModelProblem, filter_rule

Aggregate = Literal["count", "sum", "min", "max", "first", "last", "exists"]
AGGREGATES: tuple[str, ...] = ("count", "sum", "min", "max", "first", "last", "exists")
NEEDS_PROPERTY = frozenset({"sum", "min", "max"})
MAY_READ_PROPERTY = NEEDS_PROPERTY | {"first", "last"}
MAX_WINDOW_DAYS = 3650
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TYPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
PROPERTY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class Definition(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    label: str
    aggregate: str
    interaction_type: str
    property: str | None = None
    filter: str | None = None
    window_days: int | None = None


def value_type(definition: Definition) -> str:
    """What rules read: a count or a sum is a number (0 when none), "exists" a boolean, a first or
    last time a moment, a min, max, or first/last property value a number or nothing."""
    if definition.aggregate in ("count", "sum"):
        return "number"
    if definition.aggregate == "exists":
        return "boolean"
    if definition.aggregate in ("first", "last") and not definition.property:
        return "datetime"
    return "nullable_number"


def info(definition: Definition) -> ComputedInfo:
    return ComputedInfo(name=definition.name, label=definition.label, type=value_type(definition))


def compiled_filter(text: str | None, clock: Callable[[], dt.datetime]) -> tuple[Checked, Schema] | None:
    """The filter over the interaction's properties, as journeys' entry filters and scoring's
    interaction rules read it (None: no filter). Raises InvalidInput naming `filter`."""
    if text is None or not text.strip():
        return None
    try:
        return filter_rule(text, clock)
    except ModelProblem as exc:
        raise InvalidInput(f"The filter is not valid: {exc.message}", "filter", position=exc.position) from None


def check(definition: Definition, clock: Callable[[], dt.datetime]) -> Definition:
    """The definition, cleaned, or InvalidInput naming the field at fault."""
    if not NAME.match(definition.name):
        raise InvalidInput(
            "The name is 1 to 40 lower-case letters, digits or underscores, starting with a letter.", "name"
        )
    if not definition.label.strip():
        raise InvalidInput("Give the field a label.", "label")
    if definition.aggregate not in AGGREGATES:
        raise InvalidInput(f"The aggregate is one of {', '.join(AGGREGATES)}.", "aggregate")
    if not TYPE.match(definition.interaction_type):
        raise InvalidInput(
            "The interaction type is lower_snake_case (email_opened, purchase, or your own type).", "interaction_type"
        )
    prop = (definition.property or "").strip() or None
    if definition.aggregate in NEEDS_PROPERTY and prop is None:
        raise InvalidInput(f"A {definition.aggregate} needs the property it adds up or compares.", "property")
    if prop is not None and definition.aggregate not in MAY_READ_PROPERTY:
        raise InvalidInput(f"A {definition.aggregate} reads no property: leave it empty.", "property")
    if prop is not None and not PROPERTY.match(prop):
        raise InvalidInput("A property is a name such as amount or category.", "property")
    window = definition.window_days
    if window is not None and not 1 <= window <= MAX_WINDOW_DAYS:
        raise InvalidInput(f"The window is 1 to {MAX_WINDOW_DAYS} days (or none: all time).", "window_days")
    text = (definition.filter or "").strip() or None
    compiled_filter(text, clock)
    return msgspec.structs.replace(definition, label=definition.label.strip(), property=prop, filter=text)

"""What a batch of new interactions adds to behavioural fields, without reading anyone's history:
a count or a sum grows by the batch's part, a min, max, first or last time moves only if the
batch's goes beyond it, "exists" becomes true. Stored values are combined with these by one
upsert (contacts.add_values). Pure: no I/O.

A first/last property value needs the history (which interaction is the last one): those fields
are computed again from it (behaviour.service.refresh), as is every value when a window rolls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from parcours.behaviour.definition import Definition, compiled_filter
from parcours.contacts.service import Combine
from parcours.interactions.batch import Stored
from parcours.rules.language import evaluate
from parcours.scoring.points import property_values

# How a stored value and the batch's combine (contacts.add_values): by aggregate.
COMBINE: dict[str, Combine] = {
    "count": "add",
    "sum": "add",
    "min": "least",
    "first": "least",
    "max": "greatest",
    "last": "greatest",
    "exists": "set",
}

# (field name, contact id, number, flag, moment): one row of contact_computed.
Increment = tuple[str, int, float | None, bool | None, dt.datetime | None]


def incremental(definition: Definition) -> bool:
    """Whether a batch's part can be combined with the stored value (not a first/last property value)."""
    return not (definition.aggregate in ("first", "last") and definition.property is not None)


def _number(properties: dict[str, Any], name: str) -> float | None:
    raw = properties.get(name)
    return float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else None


def _reader(definition: Definition, now: dt.datetime) -> Callable[[Stored], bool]:
    """Whether an interaction is read by the definition (its type, window and filter)."""
    since = now - dt.timedelta(days=definition.window_days) if definition.window_days is not None else None
    found = compiled_filter(definition.filter, lambda: now)

    # A batch repeats the same few property values (a link, a page): each is judged once.
    judged: dict[tuple[Any, ...], bool] = {}

    def reads(row: Stored) -> bool:
        if row.type != definition.interaction_type or (since is not None and row.occurred_at < since):
            return False
        if found is None:
            return True
        checked, schema = found
        key = tuple(repr(row.properties.get(name)) for name in schema.fields)
        if key not in judged:
            judged[key] = bool(evaluate(checked, property_values(row.properties, schema)))
        return judged[key]

    return reads


def increments(definitions: Iterable[Definition], rows: Sequence[Stored], now: dt.datetime) -> list[Increment]:
    """Each (field, contact) the batch adds to, with the batch's part (nothing when it adds nothing,
    e.g. a sum of interactions without a numeric value)."""
    by_type: dict[str, list[Stored]] = {}
    for row in rows:
        by_type.setdefault(row.type, []).append(row)
    found: list[Increment] = []
    for definition in definitions:
        assert incremental(definition), "first/last property values are computed from the history"
        reads = _reader(definition, now)
        parts: dict[int, Any] = {}
        aggregate, prop = definition.aggregate, definition.property
        for row in by_type.get(definition.interaction_type, ()):
            if not reads(row):
                continue
            value: Any
            if aggregate == "count":
                value = 1.0
            elif aggregate == "exists":
                value = True
            elif aggregate in ("first", "last"):
                value = row.occurred_at
            else:
                assert prop is not None, "checked: sum, min and max read a property"
                value = _number(row.properties, prop)
                if value is None:
                    continue
            before = parts.get(row.contact_id)
            if before is None:
                parts[row.contact_id] = value
            elif COMBINE[aggregate] == "add":
                parts[row.contact_id] = before + value
            elif COMBINE[aggregate] == "least":
                parts[row.contact_id] = min(before, value)
            elif COMBINE[aggregate] == "greatest":
                parts[row.contact_id] = max(before, value)
        for contact_id, value in parts.items():
            if aggregate == "exists":
                found.append((definition.name, contact_id, None, True, None))
            elif aggregate in ("first", "last"):
                found.append((definition.name, contact_id, None, None, value))
            else:
                found.append((definition.name, contact_id, float(value), None, None))
    return sorted(found, key=lambda row: (row[0], row[1]))

"""A contact as rules see it: one flat mapping of field name to value, as the engine expects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from parcours.clock import as_utc
from parcours.rules.fields import CUSTOM_PREFIX, Field, computed_default, score_default

UTC = dt.UTC


def _moment(value: Any) -> Any:
    """Dates become midnight UTC (rules compare dates as moments); datetimes become aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return as_utc(value)
    return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)


def context_values(
    contact: Mapping[str, Any],
    account: Mapping[str, Any] | None,
    segment_ids: Iterable[int],
    fields: Mapping[str, Field],
) -> dict[str, Any]:
    """`contact` holds the contact's columns (with `custom`), `account` its account's, or None."""
    account = account or {}
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if field.group == "custom":
            raw = (contact.get("custom") or {}).get(name[len(CUSTOM_PREFIX) :])
        elif field.group == "account":
            raw = account.get("name" if name == "company" else name[len("account_") :])
        elif field.group == "score":
            raw = (contact.get("scores") or {}).get(name)
            if raw is None:
                raw = score_default(field)
        elif field.group == "computed":
            raw = (contact.get("scores") or {}).get(name)
            if raw is None:
                raw = computed_default(field)
            elif field.type == "boolean":
                raw = bool(raw)
            elif field.type == "datetime" and isinstance(raw, str):
                raw = dt.datetime.fromisoformat(raw)  # a moment, not the day _moment makes of a text
        elif field.type == "segments":
            raw = {float(s) for s in segment_ids}
        else:
            raw = contact.get(name)
        if field.type in ("date", "datetime"):
            raw = _moment(raw)
        elif field.type == "number" and raw is not None:
            raw = float(raw)
        values[name] = raw
    return values

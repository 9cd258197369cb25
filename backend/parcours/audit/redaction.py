"""What an audit entry may keep of a record: secrets never (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

REDACTED = "[redacted]"
# A key naming one of these holds a secret or what proves one (a hash is still worth cracking).
_SECRET_PARTS = ("password", "secret", "token", "hash", "api_key", "credential")


def is_secret(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in _SECRET_PARTS)


def redact(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A JSON-ready copy with every secret replaced by REDACTED, at any depth."""
    if values is None:
        return None
    return {k: REDACTED if is_secret(k) else _plain(v) for k, v in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return redact(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def changed_only(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Of two full records, the fields that differ (a change reads as what moved, not a dump)."""
    if before is None or after is None:
        return redact(before), redact(after)
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return redact({k: before.get(k) for k in keys}), redact({k: after.get(k) for k in keys})

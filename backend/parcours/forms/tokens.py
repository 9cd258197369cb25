"""Signed, expiring tokens of forms: the double opt-in confirmation link and the personal prefill
link. Signed with the app's secret (itsdangerous, as tracking/tokens.py), each for one purpose, and
carrying its own expiry, read against the product's clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeSerializer

from parcours import keys
from parcours.errors import InvalidInput

Purpose = Literal["form_confirm", "form_prefill"]
CONFIRM_DAYS = 7
PREFILL_DAYS = 30


@lru_cache(maxsize=16)
def _serializer(secret: str | tuple[str, ...], purpose: str) -> URLSafeSerializer:
    # Given several keys, itsdangerous signs with the last and verifies with any.
    return URLSafeSerializer(secret, salt=f"parcours.{purpose}")


def sign(secret: str, purpose: Purpose, payload: dict[str, Any], expires_at: datetime) -> str:
    return str(_serializer(secret, purpose).dumps({**payload, "x": int(expires_at.timestamp())}))


def read(secret: str, purpose: Purpose, token: str, now: datetime) -> dict[str, Any]:
    """The payload; InvalidInput (field `token`) when forged, altered or expired."""
    try:
        payload = _serializer(tuple(reversed(keys.accepted(secret))), purpose).loads(token)
    except BadSignature:
        raise InvalidInput("This link is not valid: it may have been changed or cut.", "token") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("x"), int):
        raise InvalidInput("This link is not valid.", "token")
    if payload["x"] < now.timestamp():
        raise InvalidInput("This link has expired.", "token", expired=True)
    return payload


def expiry(now: datetime, purpose: Purpose) -> datetime:
    return now + timedelta(days=CONFIRM_DAYS if purpose == "form_confirm" else PREFILL_DAYS)

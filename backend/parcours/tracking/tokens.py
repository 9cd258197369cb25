"""Signed tokens for public links (opens, clicks, unsubscribe, preferences): whoever holds one
may do exactly what it says, and a forged or altered token is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cached_property, lru_cache
from typing import Any

import msgspec
from itsdangerous import BadSignature, URLSafeSerializer

from parcours import keys
from parcours.errors import InvalidInput

PURPOSES = ("open", "click", "unsubscribe", "preferences", "event_cancel", "contact")
# How long the contact token added to a tracked click's destination identifies its visitor.
CONTACT_TOKEN_SECONDS = 30 * 24 * 3600


@lru_cache(maxsize=64)
def _serializer(secret: str | tuple[str, ...], purpose: str) -> URLSafeSerializer:
    # Given several keys, itsdangerous signs with the last and verifies with any.
    return URLSafeSerializer(secret, salt=f"parcours.{purpose}")


@lru_cache(maxsize=64)
def _mac(secret: str, purpose: str) -> Any:
    # itsdangerous' signer: HMAC-SHA1 keyed with sha1(salt + "signer" + secret) ("django-concat").
    key = hashlib.sha1(f"parcours.{purpose}".encode() + b"signer" + secret.encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha1)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def sign(secret: str, purpose: str, payload: dict[str, Any]) -> str:
    """What URLSafeSerializer(secret, salt).dumps(payload) writes (`verify` reads it with it), without
    its per-call key derivation and compression attempt: every message signs several tokens."""
    assert purpose in PURPOSES
    body = _b64(msgspec.json.encode(payload))
    mac = _mac(secret, purpose).copy()
    mac.update(body)
    return (body + b"." + _b64(mac.digest())).decode("ascii")


def verify(secret: str, purpose: str, token: str) -> dict[str, Any]:
    try:
        # The current key, or a retired one still in its grace period (parcours rotate-secret).
        payload = _serializer(tuple(reversed(keys.accepted(secret))), purpose).loads(token)
    except BadSignature:
        raise InvalidInput(
            "This link is not valid: it may have been changed or cut. Use the link from the email.", "token"
        ) from None
    if not isinstance(payload, dict):
        raise InvalidInput("This link is not valid.", "token")
    return payload


def contact_token(secret: str, contact_id: int, message_id: int, now: float) -> str:
    """Who clicked: added as `pc` to a tracked link's destination on the organization's own sites,
    so that the tracking script there identifies the visitor (parcours.visitors)."""
    return sign(secret, "contact", {"c": contact_id, "m": message_id, "t": int(now)})


def contact_of(secret: str, token: str, now: float) -> int | None:
    """The contact a `pc` token names, or None when it is forged, altered or expired."""
    try:
        payload = verify(secret, "contact", token)
    except InvalidInput:
        return None
    issued, contact_id = payload.get("t"), payload.get("c")
    if not isinstance(issued, int) or not isinstance(contact_id, int) or contact_id < 1:
        return None
    return contact_id if 0 <= now - issued <= CONTACT_TOKEN_SECONDS else None


class Links:
    """The public addresses of one message's tracking links (each signed once per message)."""

    def __init__(self, base_url: str, secret: str, message_id: int) -> None:
        self.base, self.secret, self.message_id = base_url, secret, message_id

    def click(self, index: int, url: str) -> str:
        return f"{self.base}/t/c/{sign(self.secret, 'click', {'m': self.message_id, 'i': index, 'u': url})}"

    @cached_property
    def open_pixel(self) -> str:
        return f"{self.base}/t/o/{sign(self.secret, 'open', {'m': self.message_id})}.gif"

    @cached_property
    def unsubscribe(self) -> str:
        return f"{self.base}/u/{sign(self.secret, 'unsubscribe', {'m': self.message_id})}"

    @cached_property
    def preferences(self) -> str:
        return f"{self.base}/preferences/{sign(self.secret, 'preferences', {'m': self.message_id})}"

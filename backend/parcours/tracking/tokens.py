"""Signed tokens for public links (opens, clicks, unsubscribe, preferences): whoever holds one
may do exactly what it says, and a forged or altered token is refused."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from parcours.errors import InvalidInput

PURPOSES = ("open", "click", "unsubscribe", "preferences")


def _serializer(secret: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=f"parcours.{purpose}")


def sign(secret: str, purpose: str, payload: dict[str, Any]) -> str:
    assert purpose in PURPOSES
    return str(_serializer(secret, purpose).dumps(payload))


def verify(secret: str, purpose: str, token: str) -> dict[str, Any]:
    try:
        payload = _serializer(secret, purpose).loads(token)
    except BadSignature:
        raise InvalidInput("This link is not valid: it may have been changed or cut. Use the link from the email.",
                           "token") from None
    if not isinstance(payload, dict):
        raise InvalidInput("This link is not valid.", "token")
    return payload


class Links:
    """The public addresses of one message's tracking links."""

    def __init__(self, base_url: str, secret: str, message_id: int) -> None:
        self.base, self.secret, self.message_id = base_url, secret, message_id

    def click(self, index: int, url: str) -> str:
        return f"{self.base}/t/c/{sign(self.secret, 'click', {'m': self.message_id, 'i': index, 'u': url})}"

    @property
    def open_pixel(self) -> str:
        return f"{self.base}/t/o/{sign(self.secret, 'open', {'m': self.message_id})}.gif"

    @property
    def unsubscribe(self) -> str:
        return f"{self.base}/u/{sign(self.secret, 'unsubscribe', {'m': self.message_id})}"

    @property
    def preferences(self) -> str:
        return f"{self.base}/preferences/{sign(self.secret, 'preferences', {'m': self.message_id})}"

"""Passwords and private keys of remote servers, kept encrypted at rest with the encryption key
(PARCOURS_ENCRYPTION_KEY, a Fernet key; parcours.keys.encryption_key): a copy of the database
alone does not give them away, and rotating the signing key leaves them readable."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

WRONG_KEY = (
    "The saved password or key cannot be read: PARCOURS_ENCRYPTION_KEY is not the key it was saved with. "
    "Set that key again, or enter the password or key again."
)


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def seal(key: str, value: str) -> str:
    return _fernet(key).encrypt(value.encode()).decode()


def unseal(key: str, sealed: str | None) -> str | None:
    if sealed is None:
        return None
    try:
        return _fernet(key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError(WRONG_KEY) from None


def unseal_former(signing_key: str, sealed: str) -> str | None:
    """A value sealed before the encryption key existed (with a key derived from the signing key),
    or None when that key does not open it."""
    derived = base64.urlsafe_b64encode(hashlib.sha256(f"parcours-dataflows:{signing_key}".encode()).digest())
    try:
        return Fernet(derived).decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None

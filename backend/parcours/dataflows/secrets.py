"""Passwords and private keys of remote servers, kept encrypted with a key derived from the
server's secret key: a copy of the database alone does not give them away."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(f"parcours-dataflows:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, value: str) -> str:
    return _fernet(secret_key).encrypt(value.encode()).decode()


def unseal(secret_key: str, sealed: str | None) -> str | None:
    if sealed is None:
        return None
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise ValueError("The saved password or key cannot be read (the secret key changed): enter it again.") from None

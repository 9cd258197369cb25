"""The signing key (links in emails, form and page tokens, cookies) and the keys it replaced; the
encryption key of the credentials kept in the database.

The current key is PARCOURS_SECRET_KEY, or `secret_key` in the data directory (generated on first
start). `parcours rotate-secret` retires it into `retired_keys.json` there, with the time: a link
signed with a retired key keeps working for PARCOURS_SECRET_GRACE_DAYS, then stops.

The encryption key is PARCOURS_ENCRYPTION_KEY (a Fernet key), or `encryption_key` in the data
directory (generated on first start: every server and worker must then share that directory).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Self

from cryptography.fernet import Fernet

from parcours.clock import utcnow
from parcours.settings import Settings

CURRENT_FILE, RETIRED_FILE, ENCRYPTION_FILE = "secret_key", "retired_keys.json", "encryption_key"


class SigningKey(str):
    """The current key, as the string everything signs with, carrying the retired keys (each with
    the time it was retired) that still verify until their grace period ends."""

    retired: tuple[tuple[str, datetime], ...]
    grace: timedelta

    def __new__(
        cls, current: str, retired: Sequence[tuple[str, datetime]] = (), grace: timedelta = timedelta(days=30)
    ) -> Self:
        key = super().__new__(cls, current)
        key.retired, key.grace = tuple(retired), grace
        return key


def accepted(secret: str) -> tuple[str, ...]:
    """The keys a signature may have been made with, the current one first."""
    if not isinstance(secret, SigningKey):
        return (secret,)
    now = utcnow()
    return (str(secret), *(key for key, retired_at in secret.retired if now < retired_at + secret.grace))


def known(secret: str) -> tuple[str, ...]:
    """Every key known, the retired ones whatever their age."""
    return (str(secret), *(key for key, _ in getattr(secret, "retired", ())))


def _write_private(path: Path, text: str) -> None:
    """Written whole or not at all, readable by this user only."""
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    temporary.replace(path)


def _retired(settings: Settings) -> list[tuple[str, datetime]]:
    path = settings.data_path / RETIRED_FILE
    if not path.exists():
        return []
    return [(item["key"], datetime.fromisoformat(item["retired_at"])) for item in json.loads(path.read_text())]


def load(settings: Settings) -> SigningKey:
    """PARCOURS_SECRET_KEY, or the one kept in the data directory (generated on first start)."""
    grace = timedelta(days=settings.secret_grace_days)
    retired = _retired(settings)
    if settings.secret_key:
        return SigningKey(settings.secret_key, retired, grace)
    path = settings.data_path / CURRENT_FILE
    if path.exists():
        return SigningKey(path.read_text().strip(), retired, grace)
    settings.data_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return SigningKey(key, retired, grace)


def rotate(settings: Settings) -> str:
    """A new current key; the old one is retired now (keys past their grace period are forgotten).
    Returns the new key. With PARCOURS_SECRET_KEY set, the new key is for the administrator to put
    there; otherwise it is kept in the data directory."""
    old = load(settings)
    now = utcnow()
    kept = [(key, at) for key, at in old.retired if now < at + old.grace and key != old]
    retired = [(str(old), now), *kept]
    new = secrets.token_urlsafe(48)
    _write_private(
        settings.data_path / RETIRED_FILE,
        json.dumps([{"key": key, "retired_at": at.isoformat()} for key, at in retired], indent=1),
    )
    if not settings.secret_key:
        _write_private(settings.data_path / CURRENT_FILE, new)
    return new


def encryption_key(settings: Settings) -> str:
    """PARCOURS_ENCRYPTION_KEY, or the one kept in the data directory (generated on first start).
    A key that is not a Fernet key stops the start with a message saying how to make one."""
    if settings.encryption_key:
        key, origin = settings.encryption_key, "PARCOURS_ENCRYPTION_KEY"
    else:
        path = settings.data_path / ENCRYPTION_FILE
        if not path.exists():
            settings.data_path.mkdir(parents=True, exist_ok=True)
            _write_private(path, Fernet.generate_key().decode())
        key, origin = path.read_text().strip(), str(path)
    try:
        Fernet(key.encode())
    except ValueError:
        raise SystemExit(
            f"The encryption key in {origin} is not valid: it must be 32 url-safe base64-encoded bytes "
            "(make one with `parcours encryption-key`)."
        ) from None
    return key

"""Proof of work with ALTCHA (protocol v2, spoken by both the Python `altcha` 2.x library and the
`altcha` 3.x widget): the browser finds a counter, the server checks it in microseconds.

A challenge is made in "deterministic" mode: the server picks a random counter below
`max_number`, derives its key, and asks for a key starting with that key's first half. The
browser tries counters from 0 (split across its Web Workers), so the work averages half of
`max_number` key derivations. Each derivation is PBKDF2-HMAC-SHA-256 with `COST` iterations,
run by the browser's native WebCrypto, so that a bot's native code is not much faster than a
visitor's browser. The derived key is also signed (`keySignature`), so checking a solution
costs one HMAC, never a derivation.

A solved challenge is good once: its signature is remembered in Redis until it expires.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import altcha
from redis.asyncio import Redis

ALGORITHM = "PBKDF2/SHA-256"
COST = 1000
# 1,500 derivations of 1,000 PBKDF2 iterations on average. Chromium with two Web Workers on two
# cores: 0.15 s median, 0.4 s at worst (bench/guard_proof.py). Native code is hardly faster
# (0.45 ms a derivation in CPython's hashlib: 0.7 s of CPU per post for a bot), which per-call
# browser overhead would not allow with cheap derivations (plain SHA-256 is 60x cheaper natively).
MAX_NUMBER = 3_000
LIFETIME = timedelta(minutes=10)
MAX_PAYLOAD = 4096  # characters: a real payload is under 1,000


def _keys(secret: str) -> tuple[bytes, bytes]:
    """Keys of their own, derived from the app secret, for the challenge and for the derived key."""

    def derive(purpose: bytes) -> bytes:
        return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()

    return derive(b"parcours.guard.altcha"), derive(b"parcours.guard.altcha-key")


def challenge(secret: str, now: datetime, *, max_number: int = MAX_NUMBER) -> dict[str, Any]:
    """A signed challenge for the widget (`{"parameters": {...}, "signature": ...}`), valid for
    `LIFETIME` from `now`."""
    challenge_key, derived_key = _keys(secret)
    made = altcha.create_challenge(
        ALGORITHM,
        COST,
        counter=secrets.randbelow(max(1, max_number)),
        expires_at=int((now + LIFETIME).timestamp()),
        hmac_secret=challenge_key,
        hmac_key_secret=derived_key,
    )
    result: dict[str, Any] = made.to_dict()
    return result


def _decoded(payload: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError, RecursionError):
        return None
    return decoded if isinstance(decoded, dict) else None


def verify(secret: str, payload: str | None, now: datetime) -> tuple[str, int] | None:
    """The signature and expiry (unix seconds) of a payload that solves a challenge of ours and
    has not expired at `now`; None otherwise. Pure: replays are `solved`'s business."""
    if not payload or len(payload) > MAX_PAYLOAD:
        return None
    decoded = _decoded(payload)
    challenge_part = decoded.get("challenge") if decoded else None
    if not isinstance(challenge_part, dict) or not isinstance(challenge_part.get("parameters"), dict):
        return None
    parameters = challenge_part["parameters"]
    expires_at = parameters.get("expiresAt")
    signature = challenge_part.get("signature")
    # Our challenges always expire and are signed: one without either was not made here.
    if type(expires_at) is not int or expires_at <= now.timestamp() or not isinstance(signature, str):
        return None
    if parameters.get("algorithm") != ALGORITHM or not parameters.get("keySignature"):
        return None  # only the fast path (one HMAC): never derive a key an attacker chose the cost of
    challenge_key, derived_key = _keys(secret)
    try:
        result = altcha.verify_solution(payload, challenge_key, hmac_key_secret=derived_key)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return (signature, expires_at) if result.verified else None


async def solved(redis: Redis, secret: str, payload: str | None, now: datetime) -> bool:
    """True once for a payload that solves an unexpired challenge of ours: the challenge is then
    remembered (SET NX) until it expires, and the same payload, or another solution of the same
    challenge, is refused."""
    checked = verify(secret, payload, now)
    if checked is None:
        return False
    signature, expires_at = checked
    ttl = max(1, expires_at - int(now.timestamp()))
    first = await redis.set(f"guard:proof:{signature}", b"1", nx=True, ex=ttl)
    return bool(first)

"""The anti-spam verdict on a post to a form: one call, `judge`, made before anything is written.

Layers: the honeypot field, the minimum time to fill (a signed timestamp the page carries), and
the proof of work (ALTCHA). The verdict is "ok", "held" (no proof of work, and the form says to
review such posts), or a spam reason ("honeypot", "too_fast", "no_proof"): spam creates nothing
and is answered as if accepted, so that robots learn nothing."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

HONEYPOT = "_hp"
STAMP = "_ts"
PROOF = "altcha"

Verdict = Literal["ok", "held", "honeypot", "too_fast", "no_proof"]


def _mac(secret: str, value: str) -> str:
    return hmac.new(f"parcours.form_stamp.{secret}".encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def stamp(secret: str, now: datetime) -> str:
    """When the page was shown, signed: the post brings it back in `_ts`."""
    at = str(int(now.timestamp()))
    return f"{at}.{_mac(secret, at)}"


def too_fast(secret: str, value: str | None, now: datetime, minimum_seconds: int) -> bool:
    """Posted sooner than `minimum_seconds` after the page was shown; a missing or altered stamp
    counts as too fast."""
    at, _, mac = (value or "").partition(".")
    if not at.isdigit() or not hmac.compare_digest(mac, _mac(secret, at)):
        return True
    return now.timestamp() - int(at) < minimum_seconds


async def proven(redis: Any, secret: str, payload: str | None, now: datetime) -> bool:
    """Whether the post carries a solved proof-of-work challenge."""
    if not payload:
        return False
    try:
        from parcours.guard import proof  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # no verifier in this installation: an unverifiable proof is no proof
        return False
    return bool(await proof.solved(redis, secret, payload, now))


async def judge(
    posted: Mapping[str, Any], settings: Mapping[str, Any], *, secret: str, redis: Any, now: datetime
) -> Verdict:
    if str(posted.get(HONEYPOT) or "").strip():
        return "honeypot"
    if too_fast(secret, _text(posted.get(STAMP)), now, int(settings.get("minimum_seconds", 3))):
        return "too_fast"
    if await proven(redis, secret, _text(posted.get(PROOF)), now):
        return "ok"
    no_script = settings.get("no_script", "review")
    return "ok" if no_script == "accept" else "held" if no_script == "review" else "no_proof"


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)

"""The anti-spam verdict on a post to a form: one call, `judge`, made before anything is written.

The layers are the guard's (parcours.guard): the honeypot field, the minimum time to fill (a
signed timestamp the page carries), the proof of work (ALTCHA, good once), and the rate limits per
address and per form (checked by the public handler before this). The verdict is "ok", "held" (no
proof of work, and the form says to review such posts), or a spam reason ("honeypot", "too_fast",
"no_proof", "bad_proof", "flood"): spam creates nothing and is counted apart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from redis.asyncio import Redis

from parcours.guard import antispam, proof

HONEYPOT = antispam.HONEYPOT
STAMP = antispam.STAMP_FIELD
PROOF = antispam.PROOF_FIELD
stamp = antispam.stamp

Verdict = Literal["ok", "held", "honeypot", "too_fast", "no_proof", "bad_proof", "flood"]


async def judge(
    posted: Mapping[str, Any], settings: Mapping[str, Any], *, secret: str, redis: Redis, now: datetime, slug: str
) -> Verdict:
    fields = {name: _text(value) for name, value in posted.items() if name in antispam.HIDDEN_FIELDS}
    solved = antispam.proof_given(fields) and await proof.solved(redis, secret, fields.get(PROOF), now)
    policy = settings.get("no_script", "review")
    judged = antispam.verdict(
        fields,
        secret=secret,
        now=now,
        proof_solved=solved,
        without_proof=policy if policy in ("accept", "review", "refuse") else "review",
        minimum_seconds=float(settings.get("minimum_seconds", antispam.DEFAULT_MINIMUM_SECONDS)),
        scope=slug,
    )
    if judged.review:
        return "held"
    return judged.reason if judged.spam and judged.reason else "ok"


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)

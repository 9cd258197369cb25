"""The judgement on one public submission: a honeypot, a minimum time to fill, a proof of work.

Pure: values in, a `Verdict` out. The proof itself is checked by `guard.proof.solved` (it needs
Redis to refuse replays); its boolean answer is handed in here.

The three hidden fields a public form carries:

- `HONEYPOT` ("website"): a text field people never see (off-screen, out of the tab order,
  `autocomplete=off`, hidden from screen readers, and labelled "leave this field empty" for
  anyone who reaches it anyway). Bots fill fields with such a name; any non-blank value is spam.
- `STAMP_FIELD` ("_ts"): `stamp(...)`, the signed time the form was shown. A post that comes
  back sooner than the form's minimum time, without a stamp, with a stamp we did not sign, or with
  a stamp older than `STAMP_MAX_AGE` (a day: an old page kept open, or a stamp harvested once and
  replayed by a bot) is "too fast". Posts without JavaScript carry it too: the stamp is plain HTML.
- `PROOF_FIELD` ("altcha"): the ALTCHA widget's payload, present only where JavaScript ran.

A plain HTML snippet pasted into another site is written once and shown for months: it carries
`snippet_stamp(secret, scope)` instead, signed for one form (the scope) and without a time. Such
a post skips the minimum time, which it cannot prove, and having no proof of work it always meets
the form's policy for posts without proof (accept, review, refuse), besides the honeypot and the
rate limits.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec

HONEYPOT = "website"
STAMP_FIELD = "_ts"
PROOF_FIELD = "altcha"
HIDDEN_FIELDS = frozenset({HONEYPOT, STAMP_FIELD, PROOF_FIELD})
STAMP_MAX_AGE = timedelta(hours=24)
# A stamp a little ahead of our clock (another API process, a clock step) still counts as shown now.
CLOCK_SKEW = timedelta(seconds=5)
DEFAULT_MINIMUM_SECONDS = 3.0

Policy = Literal["accept", "review", "refuse"]
Reason = Literal["honeypot", "too_fast", "no_proof", "bad_proof", "flood"]
FieldValue = str | Sequence[str] | None


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """`spam`: create nothing, count it as spam. `review`: a real-looking post without proof that
    the form's policy holds for a person to look at before it counts. `reason` says why either
    is set (None: a clean submission). `verdict` never says "flood": callers that refuse a post
    on a rate limit (`guard.ratelimit`) use that reason to count it with the rest of the spam."""

    spam: bool
    reason: Reason | None = None
    review: bool = False


CLEAN = Verdict(spam=False)


def _key(secret: str) -> bytes:
    # A key of its own, so that a stamp can never pass for another signed value of the product.
    return hmac.new(secret.encode(), b"parcours.guard.stamp", hashlib.sha256).digest()


def _signature(secret: str, seconds: int) -> str:
    return hmac.new(_key(secret), str(seconds).encode(), hashlib.sha256).hexdigest()[:32]


def stamp(secret: str, now: datetime) -> str:
    """The value of the hidden `_ts` field: "<unix seconds>.<signature>"."""
    seconds = int(now.timestamp())
    return f"{seconds}.{_signature(secret, seconds)}"


def stamped_at(secret: str, value: str | None) -> datetime | None:
    """When a stamp was made, or None when it is missing or was not signed by us."""
    if not value or len(value) > 64:
        return None
    seconds_text, _, signature = value.partition(".")
    if not seconds_text.isdigit() or len(seconds_text) > 12:
        return None
    seconds = int(seconds_text)
    if not hmac.compare_digest(signature.encode(), _signature(secret, seconds).encode()):
        return None
    return datetime.fromtimestamp(seconds, UTC)


def snippet_stamp(secret: str, scope: str) -> str:
    """The `_ts` of a form's plain HTML snippet: signed for that form (`scope`), timeless."""
    return f"snippet.{_snippet_signature(secret, scope)}"


def is_snippet_stamp(secret: str, stamp: str | None, scope: str | None) -> bool:
    if not stamp or scope is None or not stamp.startswith("snippet."):
        return False
    return hmac.compare_digest(stamp.removeprefix("snippet."), _snippet_signature(secret, scope))


def _snippet_signature(secret: str, scope: str) -> str:
    return hmac.new(_key(secret), f"snippet:{scope}".encode(), hashlib.sha256).hexdigest()[:32]


def too_fast(secret: str, stamp: str | None, now: datetime, minimum_seconds: float) -> bool:
    """True unless the stamp is ours and between `minimum_seconds` and `STAMP_MAX_AGE` old.
    Missing, tampered, older than a day, or from the future (beyond a few seconds of skew): too fast."""
    shown = stamped_at(secret, stamp)
    if shown is None:
        return True
    elapsed = now - shown
    if elapsed < -CLOCK_SKEW or elapsed > STAMP_MAX_AGE:
        return True
    # To the second: the stamp keeps whole seconds.
    return elapsed.total_seconds() < minimum_seconds


def honeypot_filled(fields: Mapping[str, FieldValue]) -> bool:
    return any(value.strip() for value in _values(fields.get(HONEYPOT)))


def proof_given(fields: Mapping[str, FieldValue]) -> bool:
    return any(value.strip() for value in _values(fields.get(PROOF_FIELD)))


def _values(value: FieldValue) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)]


def _first(value: FieldValue) -> str | None:
    values = _values(value)
    return values[0] if values else None


def verdict(
    fields: Mapping[str, FieldValue],
    *,
    secret: str,
    now: datetime,
    proof_solved: bool,
    without_proof: Policy,
    minimum_seconds: float = DEFAULT_MINIMUM_SECONDS,
    scope: str | None = None,
) -> Verdict:
    """Judge one submission from its raw fields (form-encoded or JSON, hidden fields included).

    `proof_solved` is `await guard.proof.solved(redis, secret, fields["altcha"], now)`;
    `without_proof` is the form's policy for posts that carry no proof (no JavaScript: the plain
    HTML snippet, a browser with scripts off, a server-side integration).

    In order, the first that applies:

    1. the honeypot holds a value: spam, "honeypot";
    2. the stamp is missing, not ours, too old, or the minimum time has not passed: spam, "too_fast"
       (a snippet stamp of this form's `scope` carries no time: it skips this step);
    3. a proof was sent and does not verify (forged, expired, already used): spam, "bad_proof";
    4. no proof was sent: per `without_proof`, "accept" is clean, "review" is held (`review`,
       "no_proof": the caller keeps it apart until someone accepts it), "refuse" is spam, "no_proof";
    5. otherwise clean.

    The honeypot and the time apply to every post, with or without JavaScript: a bot that runs a
    real browser still has to wait, and a solved proof never excuses a filled honeypot.
    """
    if honeypot_filled(fields):
        return Verdict(spam=True, reason="honeypot")
    stamp_value = _first(fields.get(STAMP_FIELD))
    snippet = is_snippet_stamp(secret, stamp_value, scope)
    if not snippet and too_fast(secret, stamp_value, now, minimum_seconds):
        return Verdict(spam=True, reason="too_fast")
    if proof_given(fields):
        return CLEAN if proof_solved else Verdict(spam=True, reason="bad_proof")
    if without_proof == "accept":
        return CLEAN
    if without_proof == "review":
        return Verdict(spam=False, reason="no_proof", review=True)
    return Verdict(spam=True, reason="no_proof")


def submitted(fields: Mapping[str, FieldValue]) -> dict[str, FieldValue]:
    """The fields without the guard's own hidden ones (what a form should store)."""
    return {name: value for name, value in fields.items() if name not in HIDDEN_FIELDS}

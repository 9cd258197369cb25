"""The anti-spam judgement: honeypot, signed time, proof, and the policy for posts without proof."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parcours.guard import antispam
from parcours.guard.antispam import Verdict, stamp, too_fast, verdict

SECRET = "unit-secret"
SHOWN = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def later(seconds: float) -> datetime:
    return SHOWN + timedelta(seconds=seconds)


def human(**extra: str) -> dict[str, str]:
    return {"email": "ana@example.com", antispam.HONEYPOT: "", antispam.STAMP_FIELD: stamp(SECRET, SHOWN), **extra}


def test_a_stamp_shown_long_enough_ago_passes() -> None:
    assert not too_fast(SECRET, stamp(SECRET, SHOWN), later(5), 3)
    assert not too_fast(SECRET, stamp(SECRET, SHOWN), later(3), 3)


@pytest.mark.parametrize(
    ("value", "now"),
    [
        (None, later(60)),  # missing
        ("", later(60)),
        (stamp(SECRET, SHOWN), later(2)),  # sooner than the minimum
        (stamp("another-secret", SHOWN), later(60)),  # not signed by us
        (stamp(SECRET, SHOWN).replace(str(int(SHOWN.timestamp())), str(int(SHOWN.timestamp()) - 600)), later(60)),
        (stamp(SECRET, SHOWN)[:-1] + "0", later(60)),  # signature altered
        ("garbage", later(60)),
        ("9" * 200, later(60)),
        (stamp(SECRET, SHOWN), later(24 * 3600 + 1)),  # older than a day
        (stamp(SECRET, later(3600)), later(60)),  # from the future
    ],
)
def test_missing_tampered_early_or_stale_stamps_are_too_fast(value: str | None, now: datetime) -> None:
    assert too_fast(SECRET, value, now, 3)


def test_a_clean_submission_with_proof() -> None:
    assert verdict(
        human(altcha="payload"), secret=SECRET, now=later(10), proof_solved=True, without_proof="refuse"
    ) == (Verdict(spam=False))


@pytest.mark.parametrize("value", ["https://spam.example", " x ", ["", "y"]])
def test_a_filled_honeypot_is_spam_even_with_a_proof(value: str | list[str]) -> None:
    fields = {**human(altcha="payload"), antispam.HONEYPOT: value}
    judged = verdict(fields, secret=SECRET, now=later(10), proof_solved=True, without_proof="accept")
    assert judged == Verdict(spam=True, reason="honeypot")


def test_a_blank_honeypot_is_fine() -> None:
    fields = {**human(altcha="payload"), antispam.HONEYPOT: "   "}
    assert not verdict(fields, secret=SECRET, now=later(10), proof_solved=True, without_proof="refuse").spam


def test_too_fast_comes_before_the_proof() -> None:
    judged = verdict(human(altcha="payload"), secret=SECRET, now=later(1), proof_solved=True, without_proof="accept")
    assert judged == Verdict(spam=True, reason="too_fast")
    assert verdict(
        human(altcha="p"), secret=SECRET, now=later(1), proof_solved=True, without_proof="accept", minimum_seconds=0
    ) == Verdict(spam=False)


def test_a_proof_that_does_not_verify_is_spam_whatever_the_policy() -> None:
    for policy in ("accept", "review", "refuse"):
        judged = verdict(human(altcha="forged"), secret=SECRET, now=later(10), proof_solved=False, without_proof=policy)
        assert judged == Verdict(spam=True, reason="bad_proof")


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("accept", Verdict(spam=False)),
        ("review", Verdict(spam=False, reason="no_proof", review=True)),
        ("refuse", Verdict(spam=True, reason="no_proof")),
    ],
)
def test_posts_without_proof_follow_the_forms_policy(policy: antispam.Policy, expected: Verdict) -> None:
    for fields in (human(), human(altcha=""), human(altcha="  ")):
        assert verdict(fields, secret=SECRET, now=later(10), proof_solved=False, without_proof=policy) == expected


def test_without_proof_the_honeypot_and_the_time_still_apply() -> None:
    no_stamp = {"email": "ana@example.com"}
    assert verdict(no_stamp, secret=SECRET, now=later(10), proof_solved=False, without_proof="accept").reason == (
        "too_fast"
    )
    filled = human(website="x")
    assert verdict(filled, secret=SECRET, now=later(10), proof_solved=False, without_proof="accept").reason == (
        "honeypot"
    )


def test_submitted_drops_the_guards_fields() -> None:
    assert antispam.submitted(human(altcha="p")) == {"email": "ana@example.com"}

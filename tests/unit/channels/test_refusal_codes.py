"""The send-time policy's reasons as codes: one per rule, the first that applies wins (what
previews count by), and the words the outbox keeps match the code."""

from parcours.channels.policy import REASONS, Recipient, explain, recipient, refusal, why_not

FINE = {"exists": True, "email_opt_in": True, "consent_level": "marketing"}


def code(who: Recipient, kind: str = "promotional") -> str | None:
    return refusal(who, kind=kind, topic="offers", minimum_consent=None, frequency_cap=5)


def test_each_rule_has_its_code_and_the_first_that_applies_wins() -> None:
    hit = {
        "contact_deleted": Recipient(exists=False),
        "bounced": Recipient(**FINE, bounced=True),
        "unsubscribed": Recipient(**FINE, unsubscribed=True),
        "no_email_opt_in": Recipient(exists=True, consent_level="marketing"),
        "consent_below_minimum": Recipient(exists=True, email_opt_in=True, consent_level="transactional"),
        "topic_opt_out": Recipient(**FINE, opted_out_topics=frozenset({"offers"})),
        "frequency_cap": Recipient(**FINE, promotional_last_7_days=5),
    }
    assert tuple(hit) == REASONS
    assert {reason: code(who) for reason, who in hit.items()} == {r: r for r in REASONS}
    assert code(Recipient(**FINE)) is None
    # Unsubscribed and not opted in: counted once, under the first reason.
    assert code(Recipient(exists=True, unsubscribed=True, consent_level="none")) == "unsubscribed"
    # A transactional message only stops at a bounced address.
    assert code(Recipient(exists=True, unsubscribed=True), kind="transactional") is None


def test_the_words_follow_the_code() -> None:
    who = recipient({"email_opt_in": True, "consent_level": "transactional"}, None, frozenset(), 0)
    reason = why_not(who, kind="promotional", topic=None, minimum_consent="marketing", frequency_cap=0)
    assert reason == explain("consent_below_minimum", who, topic=None, minimum_consent="marketing")
    assert reason == "The contact's consent (transactional) is below marketing."
    assert recipient(None, None, frozenset(), 0).exists is False

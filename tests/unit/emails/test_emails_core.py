import datetime as dt
from email import message_from_bytes, policy

import pytest

from parcours.campaigns.ab import Arm, decide
from parcours.channels.mime import Parts, build, message_id
from parcours.channels.policy import Recipient, why_not
from parcours.emails import render
from parcours.errors import InvalidInput
from parcours.tracking import tokens
from parcours.tracking.service import parse_dsn


def test_mjml_compiles_and_reports_unknown_elements() -> None:
    compiled = render.compile_mjml(
        "<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ contact.first_name }}</mj-text>"
        "<mj-txt>x</mj-txt></mj-column></mj-section></mj-body></mjml>"
    )
    assert "Hi {{ contact.first_name }}" in compiled.html and "Hi {{ contact.first_name }}" in compiled.text
    assert compiled.warnings == ["<mj-txt> is not an MJML element: it is left out of the email."]


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("<p>hello</p>", "not MJML"),
        ("<mjml><mj-body><mj-section>", "does not compile"),
        (
            "<mjml><mj-body><mj-section><mj-column><mj-text>{{ contact.first_name </mj-text></mj-column></mj-section></mj-body></mjml>",
            "not written correctly",
        ),
    ],
)
def test_bad_designs_are_refused_with_a_reason(source: str, words: str) -> None:
    with pytest.raises(render.DesignError, match=words):
        render.compile_mjml(source)


def test_personalization_escapes_what_contacts_typed_and_survives_missing_values() -> None:
    html = render.personalize(
        '<p>Hi {{ contact.first_name | default("there") }} {{ contact.nope.deeper }}!</p>'
        '{% if rule("x") %}<b>VIP</b>{% endif %}',
        {"contact": {"first_name": "<script>"}},
        html=True,
        rule=lambda _t: True,
    )
    assert html == "<p>Hi &lt;script&gt; !</p><b>VIP</b>"
    assert render.personalize("Hi {{ contact.first_name | default('there') }}", {"contact": {}}) == "Hi there"


def test_the_sandbox_keeps_python_out() -> None:
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        render.personalize("{{ contact.__class__.__mro__[1].__subclasses__() }}", {"contact": {}})


def test_links_are_rewritten_except_mailto_and_anchors() -> None:
    html = '<a href="https://a.fr/?x=1&amp;y=2">A</a><a href="mailto:x@y.fr">M</a><a href="#top">T</a>'
    out = render.rewrite_links(html, lambda i, url: f"https://t/{i}/{url}")
    assert (
        out == '<a href="https://t/0/https://a.fr/?x=1&amp;y=2">A</a><a href="mailto:x@y.fr">M</a><a href="#top">T</a>'
    )


def test_tokens_refuse_forgery() -> None:
    token = tokens.sign("secret", "click", {"m": 7, "u": "https://a.fr"})
    assert tokens.verify("secret", "click", token) == {"m": 7, "u": "https://a.fr"}
    for forged in (token[:-2] + "xx", tokens.sign("other", "click", {"m": 7}), tokens.sign("secret", "open", {"m": 7})):
        with pytest.raises(InvalidInput):
            tokens.verify("secret", "click", forged)


def test_mime_is_multipart_alternative_with_one_click_unsubscribe() -> None:
    message = build(
        Parts(
            from_name="Zoé de Parcours",
            from_email="news@example.fr",
            to="a@example.org",
            subject="Été",
            text="Hello",
            html="<p>Hello</p>",
            unsubscribe_url="https://x/u/t",
            idempotency_key="k1",
            date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["List-Unsubscribe"] == "<https://x/u/t>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Subject"] == "Été" and "Zoé de Parcours" in parsed["From"]
    assert parsed["Message-ID"] == message_id("k1", "example.fr")


OK = Recipient(exists=True, email_opt_in=True, consent_level="marketing")


@pytest.mark.parametrize(
    ("recipient", "kind", "topic", "expected"),
    [
        (OK, "promotional", None, None),
        (Recipient(exists=False), "transactional", None, "no longer exists"),
        (Recipient(exists=True, bounced=True), "transactional", None, "suppression"),
        (
            Recipient(exists=True, unsubscribed=True, email_opt_in=True, consent_level="marketing"),
            "promotional",
            None,
            "unsubscribed",
        ),
        (Recipient(exists=True, unsubscribed=True), "transactional", None, None),
        (Recipient(exists=True, email_opt_in=False, consent_level="marketing"), "promotional", None, "opted in"),
        (Recipient(exists=True, email_opt_in=True, consent_level="transactional"), "promotional", None, "below"),
        (
            Recipient(
                exists=True, email_opt_in=True, consent_level="marketing", opted_out_topics=frozenset({"offers"})
            ),
            "promotional",
            "offers",
            "topic",
        ),
        (
            Recipient(exists=True, email_opt_in=True, consent_level="marketing", promotional_last_7_days=5),
            "promotional",
            None,
            "Frequency cap",
        ),
        (
            Recipient(exists=True, suppressed="complained", email_opt_in=True, consent_level="marketing"),
            "promotional",
            None,
            "complained",
        ),
    ],
)
def test_send_time_policy(recipient: Recipient, kind: str, topic: str | None, expected: str | None) -> None:
    reason = why_not(recipient, kind=kind, topic=topic, minimum_consent=None, frequency_cap=5)
    assert (reason is None) if expected is None else (expected in (reason or ""))


def test_ab_verdict_with_confidence() -> None:
    verdict = decide([Arm("A", 1000, 200), Arm("B", 1000, 260)])
    assert verdict.winner == "B" and verdict.confidence > 0.99
    close = decide([Arm("A", 100, 20), Arm("B", 100, 21)])
    assert close.winner == "B" and 0.5 < close.confidence < 0.7
    assert decide([Arm("A", 0, 0), Arm("B", 0, 0)]).winner == "A"


def test_dsn_reports_are_read() -> None:
    raw = (
        b"From: MAILER-DAEMON@example.org\r\nTo: news@example.fr\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nIt failed.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        b"Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 no such user\r\n\r\n"
        b"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <abc@example.fr>\r\n\r\n--b--\r\n"
    )
    [item] = parse_dsn(raw)
    assert (item["address"], item["hard"], item["message_id"]) == ("gone@example.org", True, "<abc@example.fr>")
    with pytest.raises(InvalidInput):
        parse_dsn(b"Subject: hello\r\n\r\nnot a report")

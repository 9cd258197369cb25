"""What delivery writes on the wire: quoted-printable bodies, folded headers, signed tokens, DATA."""

import binascii
import datetime as dt
import random
from email import message_from_bytes, policy

import pytest
from itsdangerous import URLSafeSerializer

from parcours.channels.mime import Parts, build, quoted_printable
from parcours.channels.smtp import data_payload
from parcours.tracking import tokens

ALPHABET = "ab =.\t\n\r\xe9\u20ac<>\x01Z"


def random_text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def test_quoted_printable_decodes_to_the_text_in_short_clean_lines() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        text = random_text(rng, 300)
        encoded = quoted_printable(text)
        lines = encoded.split(b"\r\n")
        assert all(len(line) <= 76 and not line.endswith((b" ", b"\t")) for line in lines), encoded
        assert all(32 <= byte < 127 or byte in (9, 10, 13) for byte in encoded)
        assert b"\r" not in encoded.replace(b"\r\n", b"") and b"\n" not in encoded.replace(b"\r\n", b"")
        decoded = binascii.a2b_qp(encoded).replace(b"\r\n", b"\n")
        assert decoded == text.replace("\r\n", "\n").replace("\r", "\n").encode(), (text, encoded)


@pytest.mark.parametrize("name", ["Zoé de Parcours", 'Jo "the" <boss>', "Ünïcödé " * 12, "Plain"])
def test_messages_parse_back_to_what_was_built(name: str) -> None:
    rng = random.Random(name)
    for i in range(200):
        subject = random_text(rng, 200).strip() or "x"
        text = random_text(rng, 400)
        html = f"<p>{text}</p>"
        built = build(
            Parts(
                from_name=name,
                from_email="news@example.fr",
                to="a.b@example.org",
                subject=subject,
                text=text,
                html=html,
                unsubscribe_url="https://x.example/u/" + "t" * rng.randint(1, 150),
                reply_to="r@example.fr" if i % 2 else None,
                idempotency_key=f"k{i}",
                date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
        )
        raw = built.raw
        assert raw.count(b"\n") == raw.count(b"\r\n") == raw.count(b"\r")
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        message = message_from_bytes(raw, policy=policy.default)
        assert not message.defects and not any(part.defects for part in message.walk())
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]  # type: ignore[attr-defined]
        # Headers never carry a line break (no header injection): CR and LF become spaces.
        assert str(message["Subject"]) == subject.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
        assert message["From"].addresses[0].display_name == name
        assert message["Message-ID"] == built.message_id and built.sender == "news@example.fr"
        assert (message["Reply-To"] is not None) == bool(i % 2)

        def lines(value: str) -> str:
            return value.replace("\r\n", "\n").replace("\r", "\n")

        assert lines(message.get_body(("plain",)).get_content()) == lines(text)  # type: ignore[union-attr]
        assert lines(message.get_body(("html",)).get_content()) == lines(html)  # type: ignore[union-attr]


def test_tokens_are_what_itsdangerous_writes_and_reads() -> None:
    for payload in ({"m": 7}, {"m": 123456, "i": 3, "u": "https://shop.example.fr/a?b=1&c=é"}):
        token = tokens.sign("s3cret", "click", payload)
        assert token == URLSafeSerializer("s3cret", salt="parcours.click").dumps(payload)
        assert tokens.verify("s3cret", "click", token) == payload
    # A payload that itsdangerous would compress: written plain, still read back.
    long = {"m": 1, "u": "https://example.fr/" + "x" * 300}
    assert tokens.verify("s3cret", "click", tokens.sign("s3cret", "click", long)) == long


def test_data_is_dot_stuffed_and_ends_the_message() -> None:
    assert data_payload(b"A: b\r\n\r\n.hidden\r\n..two\r\nend") == b"A: b\r\n\r\n..hidden\r\n...two\r\nend\r\n.\r\n"
    assert data_payload(b".first\nbare\rlines\r\n") == b"..first\r\nbare\r\nlines\r\n.\r\n"

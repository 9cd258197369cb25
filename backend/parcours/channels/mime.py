"""A valid multipart/alternative message, with the headers mailbox providers expect."""

from __future__ import annotations

import binascii
import hashlib
import secrets
from datetime import datetime
from email.charset import BASE64, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr
from typing import Any

import msgspec


class _Wire(Compat32):
    """compat32 (several times faster than EmailMessage and the default policy, the bottleneck of
    delivery) with CRLF line endings: what goes on the wire and what DKIM signs."""

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        # Short ASCII headers (most of them) need no folding, and one without spaces (a long
        # unsubscribe address) cannot be folded: skip email.header's costly encoder.
        if (isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value
                and (len(name) + len(value) < 76 or " " not in value)):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)  # type: ignore[misc,no-any-return]


WIRE = _Wire(linesep="\r\n")
# Encoded words in base64: email.header's quoted-printable length estimate is slow, char by char.
UTF8_B64 = Charset("utf-8")
UTF8_B64.header_encoding = BASE64


class Parts(msgspec.Struct, kw_only=True):
    from_name: str
    from_email: str
    to: str
    subject: str
    text: str
    html: str
    reply_to: str | None = None
    unsubscribe_url: str | None = None
    idempotency_key: str
    date: datetime


def message_id(idempotency_key: str, domain: str) -> str:
    """Deterministic: the same message sent again carries the same Message-ID (receivers dedupe)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


class _Alternative(MIMEMultipart):
    """Serialized directly: email.generator writes line by line, a cost on every message sent."""

    def as_bytes(self, unixfrom: bool = False, policy: Any = None) -> bytes:
        def head(message: Message) -> bytes:
            return b"".join(WIRE.fold_binary(name, value) for name, value in message._headers)  # type: ignore[attr-defined]

        boundary = str(self.get_boundary()).encode()
        out = [head(self), b"\r\n"]
        for part in self.get_payload():
            out += [b"--", boundary, b"\r\n", head(part), b"\r\n", part.get_payload().encode("ascii"), b"\r\n"]
        out += [b"--", boundary, b"--\r\n"]
        return b"".join(out)


def _text(body: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, policy=WIRE, charset="utf-8")
    part["Content-Transfer-Encoding"] = "quoted-printable"
    # binascii's quoted-printable encoder is written in C, email.quoprimime's in Python; CRLF for the wire.
    lines = body.replace("\r\n", "\n").replace("\r", "\n").encode()
    part.set_payload(binascii.b2a_qp(lines).replace(b"\n", b"\r\n").decode("ascii"))
    return part


def build(parts: Parts) -> Message:
    message = _Alternative("alternative", policy=WIRE)
    # Quoted-printable writes "=" as "=3D": a boundary starting with "=_" never occurs in the parts.
    message.set_boundary(f"=_{secrets.token_hex(12)}")
    domain = parts.from_email.rsplit("@", 1)[-1]
    # formataddr writes a non-ASCII name as an encoded word; compat32 folds long headers.
    message["From"] = formataddr((parts.from_name, parts.from_email)) if parts.from_name else parts.from_email
    message["To"] = parts.to
    message["Subject"] = parts.subject if parts.subject.isascii() else Header(parts.subject, UTF8_B64)  # type: ignore[assignment]
    message["Date"] = format_datetime(parts.date)
    message["Message-ID"] = message_id(parts.idempotency_key, domain)
    if parts.reply_to:
        message["Reply-To"] = parts.reply_to
    if parts.unsubscribe_url:
        # RFC 8058: mailbox providers show an unsubscribe button that POSTs to this address.
        message["List-Unsubscribe"] = f"<{parts.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.attach(_text(parts.text, "plain"))
    message.attach(_text(parts.html, "html"))
    return message

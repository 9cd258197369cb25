"""A valid multipart/alternative message, with the headers mailbox providers expect, written
straight to bytes: email.message and its generator cost more than rendering the message.
A message with attachments is multipart/mixed: the alternative first, then each file."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import datetime
from email.utils import format_datetime, formataddr
from functools import lru_cache

import msgspec

LINE = 78  # RFC 5322's recommended header line length (998 is the hard limit)


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    filename: str
    content_type: str  # e.g. "text/calendar; method=PUBLISH"
    content: bytes


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
    attachments: tuple[Attachment, ...] = ()


class Mime(msgspec.Struct, frozen=True):
    """A message ready for the wire: CRLF line endings, what DKIM signs and SMTP sends."""

    raw: bytes
    message_id: str
    sender: str  # the envelope sender (MAIL FROM): the bare From address

    def as_bytes(self) -> bytes:
        return self.raw


def message_id(idempotency_key: str, domain: str) -> str:
    """Deterministic: the same message sent again carries the same Message-ID (receivers dedupe)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


# ---- headers -----------------------------------------------------------------------------------


def _encoded_words(value: str) -> list[str]:
    """RFC 2047 words (UTF-8, base64) of at most 75 characters, never splitting a character."""
    words: list[str] = []
    chunk: list[str] = []
    size = 0
    for char in value:
        width = len(char.encode())
        if size + width > 45:  # 45 bytes are 60 base64 characters, 72 with =?utf-8?b?...?=
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += width
    words.append("".join(chunk))
    return [f"=?utf-8?b?{base64.b64encode(word.encode()).decode('ascii')}?=" for word in words]


def _fold(name: str, value: str) -> str:
    """One header line, folded at spaces when long; text other than ASCII as encoded words."""
    value = value.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")  # never a header injection
    if value.isascii():
        if len(name) + 2 + len(value) <= LINE or " " not in value:
            return f"{name}: {value}\r\n"
        words = value.split(" ")
    else:
        words = _encoded_words(value)
    lines, current = [], f"{name}:"
    for word in words:
        if word and len(current) + 1 + len(word) > LINE and current != f"{name}:":
            lines.append(current)
            current = ""
        current += " " + word
    lines.append(current)
    return "\r\n".join(lines) + "\r\n"


@lru_cache(maxsize=8)
def _date(moment: datetime) -> str:
    return format_datetime(moment)  # a batch of messages shares its moment


@lru_cache(maxsize=256)
def _from(name: str, address: str) -> str:
    # formataddr quotes a name with specials and writes a name other than ASCII as an encoded word.
    return _fold("From", formataddr((name, address)) if name else address)


# ---- bodies ------------------------------------------------------------------------------------

# Quoted-printable (RFC 2045 6.7) with bytes.replace and one regex, both in C: binascii.b2a_qp
# walks every character and was a tenth of a worker's time. Lines end CRLF, at most 76 characters.
_LITERAL = bytes([9, 10, 13, *range(32, 61), *range(62, 127)])
_ESCAPED = [b"=%02X" % byte for byte in range(256)]
# Up to 75 characters, not ending inside an =XX escape (every "=" left starts one).
_SOFT_LINE = re.compile(rb".{1,75}(?<!=)(?<!=.)", re.DOTALL)


def quoted_printable(text: str) -> bytes:
    data = text.encode().replace(b"=", b"=3D")
    for byte in set(data.translate(None, _LITERAL)) - {61}:
        data = data.replace(bytes((byte,)), _ESCAPED[byte])
    lines = []
    for line in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        if line.endswith((b" ", b"\t")):  # trailing white space would be stripped in transit
            line = line[:-1] + _ESCAPED[line[-1]]
        if len(line) > 76:
            line = b"=\r\n".join(_SOFT_LINE.findall(line))
        lines.append(line)
    return b"\r\n".join(lines)


def _part(subtype: str, body: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode() + quoted_printable(body)


def _safe_filename(name: str) -> str:
    """An ASCII name without quotes or line breaks (it goes in a quoted header parameter)."""
    kept = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return kept.strip() or "attachment"


def _attachment(item: Attachment) -> bytes:
    kind = item.content_type.replace("\r", " ").replace("\n", " ").strip()
    if kind.startswith("text/") and "charset=" not in kind:
        kind = f'{kind}; charset="utf-8"'
    name = _safe_filename(item.filename)
    encoded = base64.encodebytes(item.content).replace(b"\n", b"\r\n").rstrip(b"\r\n")  # lines of 76
    return (
        f'Content-Type: {kind}; name="{name}"\r\nContent-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + encoded


def build(parts: Parts) -> Mime:
    # Quoted-printable writes "=" as "=3D": a boundary starting with "=_" never occurs in the parts.
    boundary = f"=_{secrets.token_hex(12)}"
    domain = parts.from_email.rsplit("@", 1)[-1]
    identifier = message_id(parts.idempotency_key, domain)
    outer = boundary
    if parts.attachments:  # the alternative becomes the first part of a multipart/mixed
        outer = f"=_{secrets.token_hex(12)}"
    head = [
        (
            f'Content-Type: multipart/{"mixed" if parts.attachments else "alternative"}; boundary="{outer}"\r\n'
            "MIME-Version: 1.0\r\n"
        ),
        _from(parts.from_name, parts.from_email),
        _fold("To", parts.to),
        _fold("Subject", parts.subject),
        f"Date: {_date(parts.date)}\r\nMessage-ID: {identifier}\r\n",
    ]
    if parts.reply_to:
        head.append(_fold("Reply-To", parts.reply_to))
    if parts.unsubscribe_url:
        # RFC 8058: mailbox providers show an unsubscribe button that POSTs to this address.
        head.append(_fold("List-Unsubscribe", f"<{parts.unsubscribe_url}>"))
        head.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
    separator = f"\r\n--{boundary}\r\n".encode()
    if not parts.attachments:
        raw = b"".join(
            (
                "".join(head).encode(),
                b"\r\n--",
                boundary.encode(),
                b"\r\n",
                _part("plain", parts.text),
                separator,
                _part("html", parts.html),
                b"\r\n--",
                boundary.encode(),
                b"--\r\n",
            )
        )
        return Mime(raw=raw, message_id=identifier, sender=parts.from_email)
    alternative = b"".join(
        (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n--{boundary}\r\n'.encode(),
            _part("plain", parts.text),
            separator,
            _part("html", parts.html),
            b"\r\n--",
            boundary.encode(),
            b"--",
        )
    )
    mixed = f"\r\n--{outer}\r\n".encode()
    raw = b"".join(
        (
            "".join(head).encode(),
            mixed,
            alternative,
            *(mixed + _attachment(item) for item in parts.attachments),
            f"\r\n--{outer}--\r\n".encode(),
        )
    )
    return Mime(raw=raw, message_id=identifier, sender=parts.from_email)

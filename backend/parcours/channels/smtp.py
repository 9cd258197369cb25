"""SMTP message transactions on the wire (RFC 5321, with PIPELINING from RFC 2920), on a
connection that aiosmtplib opened: the part of sending repeated for every message."""

from __future__ import annotations

import asyncio
import re
from collections import deque

_LINE_ENDINGS = re.compile(rb"\r\n|\n|\r(?!\n)")


def data_payload(raw: bytes) -> bytes:
    """The DATA section on the wire: CRLF lines, leading dots doubled (RFC 5321 4.5.2), "." to end."""
    if not raw.count(b"\r") == raw.count(b"\n") == raw.count(b"\r\n"):  # built messages already are CRLF
        raw = _LINE_ENDINGS.sub(b"\r\n", raw)
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    if raw.startswith(b"."):
        raw = b"." + raw
    if b"\n." in raw:
        raw = raw.replace(b"\n.", b"\n..")
    return raw + b".\r\n"


class Refused(Exception):
    """The server answered a command of the transaction with an error."""

    def __init__(self, code: int, text: str, recipient: bool = False) -> None:
        super().__init__(f"{code} {text}")
        self.code, self.text, self.recipient = code, text, recipient


class Unreachable(Exception):
    """The connection failed; `maybe_delivered`: after the message was written (never send it again)."""

    def __init__(self, detail: str, maybe_delivered: bool) -> None:
        super().__init__(detail)
        self.maybe_delivered = maybe_delivered


class Transactions(asyncio.Protocol):
    """Message transactions (MAIL, RCPT, DATA) on a connection that aiosmtplib opened (greeting,
    EHLO, STARTTLS, AUTH). aiosmtplib answers one command at a time and rewrites every message to
    normalize its line endings; here a message costs one write and one wake per reply, and with
    PIPELINING (RFC 2920) MAIL, RCPT and DATA go out together."""

    def __init__(self, transport: asyncio.Transport, pipelining: bool, timeout: float) -> None:
        self.transport, self.pipelining, self.timeout = transport, pipelining, timeout
        self.loop = asyncio.get_running_loop()
        self.buffer = bytearray()
        self.replies: deque[tuple[int, str]] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.wanted = 0
        self.lost: Exception | None = None
        # Left True by a transaction that did not finish (an error, a cancelled send): the replies
        # still to come would be read as the next message's, so the connection is dropped.
        self.in_transaction = False
        transport.set_protocol(self)

    # asyncio.Protocol
    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\n")) >= 0:
            line = bytes(self.buffer[: end + 1])
            del self.buffer[: end + 1]
            if line[3:4] == b"-":  # not the last line of a multi-line reply
                continue
            code = int(line[:3]) if line[:3].isdigit() else 0
            self.replies.append((code, line[4:].strip().decode("utf-8", "replace")))
        if self.waiter is not None and not self.waiter.done() and len(self.replies) >= self.wanted:
            self.waiter.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = exc or ConnectionResetError("the SMTP server closed the connection")
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(self.lost)

    def eof_received(self) -> bool:
        return False

    @property
    def open(self) -> bool:
        return self.lost is None and not self.transport.is_closing()

    @property
    def usable(self) -> bool:
        """Open and between transactions, with no reply nobody asked for (a 421 before closing)."""
        return self.open and not self.in_transaction and not self.replies

    def drop(self) -> None:
        self.transport.abort()

    def _write(self, data: bytes) -> None:
        if not self.open:
            raise ConnectionResetError("the SMTP connection is closed")
        self.transport.write(data)

    async def _read(self, count: int) -> list[tuple[int, str]]:
        if len(self.replies) < count:
            if self.lost is not None:
                raise self.lost
            self.wanted, self.waiter = count, self.loop.create_future()
            timer = self.loop.call_later(self.timeout, self._expire, self.waiter)
            try:
                await self.waiter
            finally:
                timer.cancel()
                self.waiter = None
        return [self.replies.popleft() for _ in range(count)]

    @staticmethod
    def _expire(waiter: asyncio.Future[None]) -> None:
        if not waiter.done():
            waiter.set_exception(TimeoutError("the SMTP server did not answer in time"))

    async def send(self, sender: str, to: str, payload: bytes) -> str:
        """One message; its payload from data_payload(). Raises Refused or Unreachable."""
        commands = [f"MAIL FROM:<{sender}>\r\n".encode(), f"RCPT TO:<{to}>\r\n".encode(), b"DATA\r\n"]
        expected = ((250,), (250, 251), (354,))
        self.in_transaction = True
        try:
            if self.pipelining:
                self._write(b"".join(commands))
                replies = await self._read(3)
            else:
                replies = []
                for command, wanted in zip(commands, expected, strict=True):
                    self._write(command)
                    replies += await self._read(1)
                    if replies[-1][0] not in wanted:
                        break
            failed = next((i for i, (code, _text) in enumerate(replies) if code not in expected[i]), None)
            if failed is not None:
                await self._abort(replies)
                raise Refused(*replies[failed], recipient=failed == 1)
        except (OSError, TimeoutError) as exc:
            raise Unreachable(str(exc) or type(exc).__name__, maybe_delivered=False) from exc
        try:
            self._write(payload)
            ((code, text),) = await self._read(1)
        except (OSError, TimeoutError) as exc:
            raise Unreachable(str(exc) or type(exc).__name__, maybe_delivered=True) from exc
        self.in_transaction = False
        if code != 250:
            raise Refused(code, text)
        return f"{code} {text}"

    async def _abort(self, replies: list[tuple[int, str]]) -> None:
        if len(replies) == 3 and replies[2][0] == 354:  # DATA accepted after all: end it empty, then reset
            self._write(b".\r\n")
            await self._read(1)
        self._write(b"RSET\r\n")
        await self._read(1)
        self.in_transaction = False

    async def quit(self) -> None:
        try:
            if self.usable:
                self.in_transaction = True
                self._write(b"QUIT\r\n")
                await self._read(1)
        except (OSError, TimeoutError):
            pass
        finally:
            self.transport.close()

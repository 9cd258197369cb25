"""Where messages go: captured in the outbox (embedded mode) or delivered by SMTP."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import unquote, urlparse

import aiosmtplib
import dkim

from parcours import metrics
from parcours.channels.mime import Mime
from parcours.channels.smtp import Refused, Transactions, Unreachable, data_payload
from parcours.settings import Settings

log = logging.getLogger(__name__)


class Outcome:
    """A sender's answer for one message: sent (or captured), or why not. `code`: the last answer
    (an SMTP or HTTP status, "timeout", "unreachable"); `temporary`: worth trying again later
    (greylisting, a server down or overloaded), as opposed to refused for good."""

    def __init__(
        self, ok: bool, detail: str = "", captured: bytes | None = None, code: str = "", temporary: bool = False
    ) -> None:
        self.ok, self.detail, self.captured = ok, detail, captured
        self.code, self.temporary = code, temporary


def unexpected(exc: Exception) -> Outcome:
    """One message's outcome when sending it raised what no answer explains (a signature that
    cannot be made, a reply that cannot be read): tried again later, like a server down, so that
    the messages of its batch sent before it are recorded as sent and never sent again."""
    log.warning("a message could not be sent", exc_info=exc)
    return Outcome(False, f"the message could not be sent: {type(exc).__name__}: {exc}", code="error", temporary=True)


class Sender(Protocol):
    async def send_many(self, messages: Sequence[tuple[Mime, str]]) -> list[Outcome]:
        """Each (message, recipient) sent, its outcome in the same order. A problem with one
        message is its outcome; raising means none of them went out (they are tried again)."""
        ...

    async def close(self) -> None: ...


class Signer:
    """DKIM signing with the domain's key, when one is configured."""

    def __init__(self, selector: str, domain: str, key: bytes) -> None:
        self.selector, self.domain, self.key = selector.encode(), domain.encode(), key

    def sign(self, raw: bytes) -> bytes:
        header = dkim.sign(
            raw,
            self.selector,
            self.domain,
            self.key,
            include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe"],
        )
        return header + raw


def signer_for(settings: Settings) -> Signer | None:
    if not (settings.dkim_selector and settings.dkim_domain and settings.dkim_key_file):
        return None
    return Signer(settings.dkim_selector, settings.dkim_domain, Path(settings.dkim_key_file).read_bytes())


class Capture:
    """Embedded mode: nothing leaves the machine; the Outbox screen shows every message."""

    def __init__(self, signer: Signer | None = None) -> None:
        self.signer = signer

    async def send_many(self, messages: Sequence[tuple[Mime, str]]) -> list[Outcome]:
        return [Outcome(True, "captured", self.signer.sign(m.raw) if self.signer else m.raw) for m, _to in messages]

    async def close(self) -> None:
        return None


# ---- SMTP ----------------------------------------------------------------------------------------

# What cannot stand between the < > of MAIL FROM and RCPT TO (no command injection).
_UNSAFE_ADDRESS = re.compile(r"[\x00-\x20<>\x7f]")


class Smtp:
    """A pool of reused connections to an SMTP relay (STARTTLS, login), paced per recipient domain.

    Each message costs several round trips (MAIL, RCPT, DATA): a batch is spread over a few
    connections, each sending one message after the other, to keep the relay busy."""

    def __init__(self, url: str, signer: Signer | None, domain_rate: float, connections: int) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "localhost", parsed.port or (465 if parsed.scheme == "smtps" else 25)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.implicit_tls = parsed.scheme == "smtps"
        # smtp+starttls: require STARTTLS; smtp: use it when the server offers it; smtps: TLS from the start.
        self.starttls: bool | None = (
            True if parsed.scheme == "smtp+starttls" else (False if self.implicit_tls else None)
        )
        self.signer, self.domain_rate = signer, domain_rate
        self.timeout = 30.0
        # Idle connections (None: not connected yet); a lane takes one and gives it back.
        self.idle: asyncio.Queue[Transactions | None] = asyncio.Queue()
        self.size = max(1, connections)
        for _ in range(self.size):
            self.idle.put_nowait(None)
        self.next_slot: dict[str, float] = defaultdict(float)

    async def _connect(self) -> Transactions:
        client = aiosmtplib.SMTP(
            hostname=self.host, port=self.port, use_tls=self.implicit_tls, start_tls=self.starttls, timeout=self.timeout
        )
        await client.connect()
        if self.username:
            await client.login(self.username, self.password or "")
        transport = client.transport
        if transport is None:
            raise ConnectionResetError("the SMTP server closed the connection")
        # aiosmtplib types it as a BaseTransport; a connected one (TCP or TLS) is a Transport.
        return Transactions(cast(asyncio.Transport, transport), client.supports_extension("pipelining"), self.timeout)

    def _slots(self, messages: Sequence[tuple[Mime, str]]) -> list[float]:
        """When each message may go (time.monotonic()): per recipient domain, at most domain_rate/s."""
        now = time.monotonic()
        if self.domain_rate <= 0:
            return [now] * len(messages)
        slots = []
        for _message, to in messages:
            domain = to.rsplit("@", 1)[-1].lower()
            slot = max(now, self.next_slot[domain])
            self.next_slot[domain] = slot + 1 / self.domain_rate
            slots.append(slot)
        return slots

    async def send_many(self, messages: Sequence[tuple[Mime, str]]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(messages)
        slots = self._slots(messages)
        order = deque(sorted(range(len(messages)), key=slots.__getitem__))

        async def lane() -> None:
            connection = await self.idle.get()
            try:
                while order:
                    index = order.popleft()
                    wait = slots[index] - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    message, to = messages[index]
                    try:
                        outcome, connection = await self._send(connection, message, to)
                    except Exception as exc:  # noqa: BLE001  (logged by `unexpected`, the message's outcome)
                        outcome = unexpected(exc)
                    outcomes[index] = outcome
            finally:
                if connection is not None and not connection.usable:
                    connection.drop()
                    connection = None
                self.idle.put_nowait(connection)

        await asyncio.gather(*(lane() for _ in range(min(self.size, len(messages)))))
        return [o or Outcome(False, "not sent") for o in outcomes]

    async def _send(
        self, connection: Transactions | None, message: Mime, to: str
    ) -> tuple[Outcome, Transactions | None]:
        if _UNSAFE_ADDRESS.search(to) or _UNSAFE_ADDRESS.search(message.sender):
            return Outcome(False, "the address cannot be written in an SMTP command"), connection
        payload = data_payload(self.signer.sign(message.raw) if self.signer else message.raw)
        for attempt in (1, 2):
            try:
                if connection is None or not connection.usable:
                    if connection is not None:
                        connection.drop()
                    connection = await self._connect()
                answer = await connection.send(message.sender, to, payload)
                metrics.SMTP_RESPONSES.labels(answer[:3]).inc()
                return Outcome(True, answer, code=answer[:3]), connection
            except Refused as exc:
                metrics.SMTP_RESPONSES.labels(str(exc.code)).inc()
                what = "refused by the server" if exc.recipient else "the SMTP server refused it"
                # 4xx: try again later (greylisting, a full mailbox...); 5xx: refused for good.
                return Outcome(False, f"{what}: {exc}", code=str(exc.code), temporary=exc.code < 500), connection
            except Unreachable as exc:
                if connection is not None:
                    connection.drop()
                connection = None
                # Not again now: once the message was written, it may have been accepted. The outbox
                # tries it again later with the same Message-ID, which a receiver drops if it has it.
                if exc.maybe_delivered:
                    detail = f"the SMTP server did not confirm the message: {exc}"
                    return Outcome(False, detail, code="dropped", temporary=True), None
                if attempt == 2:
                    detail = f"the SMTP server could not be reached: {exc}"
                    return Outcome(False, detail, code="unreachable", temporary=True), None
            except aiosmtplib.SMTPResponseException as exc:  # the greeting or the login refused
                metrics.SMTP_RESPONSES.labels(str(exc.code)).inc()
                detail = f"the SMTP server refused the connection: {exc.code} {exc.message}"
                return Outcome(False, detail, code=str(exc.code), temporary=exc.code < 500), None
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                connection = None
                if attempt == 2:
                    detail = f"the SMTP server could not be reached: {exc}"
                    return Outcome(False, detail, code="unreachable", temporary=True), None
        return Outcome(False, "not sent"), connection

    async def close(self) -> None:
        connections: list[Any] = []
        while not self.idle.empty():
            connections.append(self.idle.get_nowait())
        for connection in connections:
            if connection is not None:
                await connection.quit()
            self.idle.put_nowait(None)


def sender_for(settings: Settings) -> Sender:
    signer = signer_for(settings)
    if settings.smtp_url:
        return Smtp(settings.smtp_url, signer, settings.smtp_domain_rate, settings.smtp_connections)
    return Capture(signer)

"""Where messages go: captured in the outbox (embedded mode) or delivered by SMTP."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from email.message import Message
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

import aiosmtplib
import dkim

from parcours.settings import Settings

log = logging.getLogger(__name__)


class Outcome:
    """A sender's answer for one message: sent (or captured), or why not."""

    def __init__(self, ok: bool, detail: str = "", captured: bytes | None = None) -> None:
        self.ok, self.detail, self.captured = ok, detail, captured


class Sender(Protocol):
    async def send(self, message: Message, to: str) -> Outcome: ...

    async def close(self) -> None: ...


class Signer:
    """DKIM signing with the domain's key, when one is configured."""

    def __init__(self, selector: str, domain: str, key: bytes) -> None:
        self.selector, self.domain, self.key = selector.encode(), domain.encode(), key

    def sign(self, raw: bytes) -> bytes:
        header = dkim.sign(raw, self.selector, self.domain, self.key,
                           include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe"])
        return header + raw


def signer_for(settings: Settings) -> Signer | None:
    if not (settings.dkim_selector and settings.dkim_domain and settings.dkim_key_file):
        return None
    return Signer(settings.dkim_selector, settings.dkim_domain, Path(settings.dkim_key_file).read_bytes())


class Capture:
    """Embedded mode: nothing leaves the machine; the Outbox screen shows every message."""

    def __init__(self, signer: Signer | None = None) -> None:
        self.signer = signer

    async def send(self, message: Message, to: str) -> Outcome:
        raw = message.as_bytes()
        return Outcome(True, "captured", self.signer.sign(raw) if self.signer else raw)

    async def close(self) -> None:
        return None


class Smtp:
    """A pool of reused connections to an SMTP relay (STARTTLS, login), paced per recipient domain.

    Each message costs several round trips (MAIL, RCPT, DATA): concurrent sends over a few
    connections keep the relay busy instead of waiting on one connection at a time."""

    def __init__(self, url: str, signer: Signer | None, domain_rate: float, connections: int) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname or "localhost", parsed.port or (465 if parsed.scheme == "smtps" else 25)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.implicit_tls = parsed.scheme == "smtps"
        # smtp+starttls: require STARTTLS; smtp: use it when the server offers it; smtps: TLS from the start.
        self.starttls: bool | None = True if parsed.scheme == "smtp+starttls" else (False if self.implicit_tls else None)
        self.signer, self.domain_rate = signer, domain_rate
        # Idle connections (None: not connected yet); a send takes one and gives it back.
        self.idle: asyncio.Queue[aiosmtplib.SMTP | None] = asyncio.Queue()
        for _ in range(max(1, connections)):
            self.idle.put_nowait(None)
        self.next_slot: dict[str, float] = defaultdict(float)

    async def _connected(self, client: aiosmtplib.SMTP | None) -> aiosmtplib.SMTP:
        if client is None or not client.is_connected:
            client = aiosmtplib.SMTP(hostname=self.host, port=self.port, use_tls=self.implicit_tls,
                                     start_tls=self.starttls, timeout=30)
            await client.connect()
            if self.username:
                await client.login(self.username, self.password or "")
        return client

    async def _pace(self, to: str) -> None:
        if self.domain_rate <= 0:
            return
        domain = to.rsplit("@", 1)[-1].lower()
        now = time.monotonic()
        slot = max(now, self.next_slot[domain])
        self.next_slot[domain] = slot + 1 / self.domain_rate
        if slot > now:
            await asyncio.sleep(slot - now)

    async def send(self, message: Message, to: str) -> Outcome:
        await self._pace(to)
        raw = message.as_bytes()
        if self.signer:
            raw = self.signer.sign(raw)
        client = await self.idle.get()
        try:
            for attempt in (1, 2):
                try:
                    client = await self._connected(client)
                    errors, response = await client.sendmail(message["From"], [to], raw)
                    if errors:
                        return Outcome(False, "; ".join(f"{k}: {v}" for k, v in errors.items()))
                    return Outcome(True, response)
                except aiosmtplib.SMTPRecipientsRefused as exc:
                    return Outcome(False, f"refused by the server: {exc}")
                except (aiosmtplib.SMTPServerDisconnected, ConnectionError, OSError) as exc:
                    client = None
                    if attempt == 2:
                        return Outcome(False, f"the SMTP server could not be reached: {exc}")
                except aiosmtplib.SMTPException as exc:
                    return Outcome(False, f"the SMTP server refused it: {exc}")
            return Outcome(False, "not sent")
        finally:
            self.idle.put_nowait(client)

    async def close(self) -> None:
        clients = []
        while not self.idle.empty():
            clients.append(self.idle.get_nowait())
        for client in clients:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except aiosmtplib.SMTPException:
                    log.debug("SMTP quit failed", exc_info=True)
            self.idle.put_nowait(None)


def sender_for(settings: Settings) -> Sender:
    signer = signer_for(settings)
    if settings.smtp_url:
        return Smtp(settings.smtp_url, signer, settings.smtp_domain_rate,
                    settings.smtp_connections)
    return Capture(signer)

"""Real servers that misbehave on demand, each in a thread with its own event loop: an SMTP server
that greylists (451), refuses (550), drops the connection in the middle of DATA or is down, and an
HTTP endpoint that answers 500 or too late."""

from __future__ import annotations

import asyncio
import email
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from typing import Any

from parcours.queue import free_port


class _Loop:
    """An event loop in a thread of its own, where a server runs while the test drives the product."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class FaultySmtp:
    """An SMTP server (RFC 5321's commands, one at a time) whose answer to each message is planned
    per recipient: `plan[address]` lists what the next tries get ("greylist": 451 to RCPT, "reject":
    550 to RCPT, "drop": the message read whole, then the connection closed before any answer);
    once the list is used up, messages are accepted. `tries` keeps every try (recipient, what it
    got, Message-ID), `received` every message accepted. `delay`: seconds it takes to answer a
    message (a sluggish server)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.plan: dict[str, deque[str]] = defaultdict(deque)
        self.tries: list[tuple[str, str, str]] = []
        self.received: list[tuple[str, bytes]] = []
        self.delay = 0.0
        self._loop = _Loop()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        async def listen() -> asyncio.Server:
            return await asyncio.start_server(self._session, "127.0.0.1", self.port)

        self._server = self._loop.call(listen())

    def stop(self) -> None:
        """Down: no more connections, and those open are cut."""

        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await self._server.wait_closed()

        self._loop.call(close())

    def close(self) -> None:
        self.stop()
        self._loop.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            writer.write(b"220 faulty.example ESMTP\r\n")
            rcpt, action = "", "accept"
            while line := await reader.readline():
                command = line.decode().strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    writer.write(b"250-faulty.example\r\n250 8BITMIME\r\n")
                elif verb == "MAIL":
                    writer.write(b"250 OK\r\n")
                elif verb == "RCPT":
                    rcpt = command.split("<", 1)[1].rstrip(">")
                    planned = self.plan[rcpt]
                    action = planned.popleft() if planned else "accept"
                    if action in ("greylist", "reject"):
                        self.tries.append((rcpt, action, ""))
                        writer.write(
                            b"451 4.7.1 Greylisted, try again later\r\n"
                            if action == "greylist"
                            else b"550 5.1.1 No such user\r\n"
                        )
                    else:
                        writer.write(b"250 OK\r\n")
                elif verb == "DATA":
                    writer.write(b"354 End with .\r\n")
                    await writer.drain()
                    raw = bytearray()
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        raw += data[1:] if data.startswith(b"..") else data
                    message_id = str(email.message_from_bytes(bytes(raw), policy=policy.default)["Message-ID"])
                    self.tries.append((rcpt, action, message_id))
                    if action == "drop":
                        writer.transport.abort()
                        return
                    await asyncio.sleep(self.delay)
                    self.received.append((rcpt, bytes(raw)))
                    writer.write(b"250 2.0.0 Queued\r\n")
                elif verb == "RSET" or verb == "NOOP":
                    writer.write(b"250 OK\r\n")
                elif verb == "QUIT":
                    writer.write(b"221 Bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"502 Command not implemented\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


class FaultyHttp:
    """An HTTP endpoint whose answer to each call is planned per path: `plan[path]` lists what the
    next calls get ("500", or "slow": no answer before the client gives up); then 200. `calls`
    keeps each (path, what it got)."""

    def __init__(self, slow_seconds: float = 3.0) -> None:
        self.port = free_port()
        self.slow_seconds = slow_seconds
        self.plan: dict[str, deque[str]] = defaultdict(deque)
        self.calls: list[tuple[str, str]] = []
        self._loop = _Loop()
        self._server: asyncio.Server | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        async def listen() -> asyncio.Server:
            return await asyncio.start_server(self._answer, "127.0.0.1", self.port)

        self._server = self._loop.call(listen())

    def close(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()

        self._loop.call(close())
        self._loop.close()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await reader.readline():
                path = request.split()[1].decode()
                length = 0
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                planned = self.plan[path]
                action = planned.popleft() if planned else "200"
                self.calls.append((path, action))
                if action == "slow":
                    await asyncio.sleep(self.slow_seconds)
                    return
                status = b"500 Internal Server Error" if action == "500" else b"200 OK"
                body = b'{"sid": "SM1"}'
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\ncontent-type: application/json\r\ncontent-length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, IndexError):
            pass
        finally:
            writer.close()


@contextmanager
def running(server: FaultySmtp | FaultyHttp) -> Iterator[Any]:
    server.start()
    try:
        yield server
    finally:
        server.close()

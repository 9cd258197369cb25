"""The local SMTP server that benchmarks send their mail to, in its own process.

`python -m bench.smtp_sink --port P --status-port S [--sink lean|aiosmtpd]
[--samples-dir D --samples N --expect N]`: every message is accepted (250) and counted; with
--samples-dir, a random sample of N of the --expect messages (plus the first and the last) is
written there. The status port answers every connection with one JSON line: count, bytes,
connections, first and last reception (time.time(), comparable with the benchmark's clock) and
this process's CPU seconds.

`--sink lean` (default) serves with LeanSmtp below, with PIPELINING like a real relay and little
CPU, since it shares the machine with the worker being measured; `--sink aiosmtpd` with aiosmtpd.
`SmtpSink` is that process seen from a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import common

SINKS = ("lean", "aiosmtpd")


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.smtp_sink", description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--status-port", type=int, required=True)
    p.add_argument("--sink", choices=SINKS, default="lean")
    p.add_argument("--samples-dir", type=Path, help="write a random sample of the messages here")
    p.add_argument("--samples", type=int, default=20, help="messages sampled (with --samples-dir)")
    p.add_argument("--expect", type=int, default=0, help="messages expected, to sample among (with --samples-dir)")
    args = p.parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.samples_dir is not None and args.expect <= 0:
        p.error("--samples-dir needs --expect")

    keep: set[int] = set()
    if args.samples_dir is not None:
        args.samples_dir.mkdir(parents=True, exist_ok=True)
        rng = random.Random(5)
        keep = set(rng.sample(range(args.expect), min(args.samples, args.expect))) | {0, args.expect - 1}
    state: dict[str, Any] = {"count": 0, "bytes": 0, "first": None, "last": None, "connections": 0}

    def received(content: bytes) -> None:
        index = state["count"]
        now = time.time()
        state["count"] = index + 1
        state["first"] = state["first"] or now
        state["last"] = now
        state["bytes"] += len(content)
        if index in keep:
            (args.samples_dir / f"{index:07d}.eml").write_bytes(content)

    async def status(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        times = os.times()
        writer.write(json.dumps({**state, "cpu_seconds": times.user + times.system}).encode() + b"\n")
        await writer.drain()
        writer.close()

    protocol = lean_protocol(received) if args.sink == "lean" else aiosmtpd_protocol(received)

    def smtp() -> asyncio.BaseProtocol:
        state["connections"] += 1
        return protocol()

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        servers = [
            await loop.create_server(smtp, "127.0.0.1", args.port),
            await asyncio.start_server(status, "127.0.0.1", args.status_port),
        ]
        await stop.wait()
        for server in servers:
            server.close()

    try:
        import uvloop

        uvloop.run(serve())
    except ImportError:
        asyncio.run(serve())


def lean_protocol(received: Callable[[bytes], None]) -> Callable[[], asyncio.BaseProtocol]:
    return lambda: LeanSmtp(received)


def aiosmtpd_protocol(received: Callable[[bytes], None]) -> Callable[[], asyncio.BaseProtocol]:
    import logging

    from aiosmtpd.smtp import SMTP

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received(envelope.original_content or envelope.content)
            return "250 OK"

    handler = Handler()
    # A fixed hostname: otherwise each connection looks up this machine's FQDN.
    return lambda: SMTP(handler, hostname="sink.bench.local", ident="parcours bench sink")


class LeanSmtp(asyncio.Protocol):
    """The server side of SMTP as a relay sees it (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA, RSET,
    NOOP, QUIT, with PIPELINING, RFC 2920), for one connection. aiosmtpd reads a message line by
    line in Python, about 0.6 ms of CPU each: on this 2-core machine that was taken from the worker
    being measured, while a relay runs elsewhere. Here a message is found whole by its
    terminating CRLF.CRLF; it is un-dot-stuffed, counted and sampled as aiosmtpd would."""

    GREETING = b"220 sink.bench.local ESMTP parcours bench sink\r\n"
    EHLO = b"250-sink.bench.local\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"

    def __init__(self, received: Callable[[bytes], None]) -> None:
        self.received = received
        self.buffer = bytearray()
        self.in_data = False
        self.scanned = 0  # how much of a message's data was searched for its end already
        self.sender: bytes | None = None
        self.recipients: list[bytes] = []
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.GREETING)  # type: ignore[union-attr]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies: list[bytes] = []
        closing = False
        while not closing:
            if self.in_data:
                if self.buffer.startswith(b".\r\n"):
                    end, content = 0, b""
                else:
                    end = self.buffer.find(b"\r\n.\r\n", max(0, self.scanned - 4))
                    if end < 0:
                        self.scanned = len(self.buffer)
                        break
                    end += 2
                    content = bytes(self.buffer[:end])
                del self.buffer[: end + 3]
                self.in_data, self.scanned = False, 0
                if content.startswith(b".."):
                    content = content[1:]
                self.received(content.replace(b"\r\n..", b"\r\n."))
                self.sender, self.recipients = None, []
                replies.append(b"250 OK queued\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            line = bytes(self.buffer[:end])
            del self.buffer[: end + 2]
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.sender, self.recipients = None, []
                replies.append(self.EHLO)
            elif verb == b"HELO":
                replies.append(b"250 sink.bench.local\r\n")
            elif verb == b"MAIL" and line[4:11].upper() == b" FROM:<" and self.sender is None:
                self.sender = line[11:].split(b">", 1)[0]
                replies.append(b"250 OK\r\n")
            elif verb == b"RCPT" and line[4:9].upper() == b" TO:<" and self.sender is not None:
                self.recipients.append(line[9:].split(b">", 1)[0])
                replies.append(b"250 OK\r\n")
            elif verb == b"DATA" and self.recipients:
                self.in_data = True
                replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
            elif verb in (b"MAIL", b"RCPT", b"DATA"):
                replies.append(b"503 Bad sequence of commands\r\n")
            elif verb == b"RSET":
                self.sender, self.recipients = None, []
                replies.append(b"250 OK\r\n")
            elif verb == b"NOOP":
                replies.append(b"250 OK\r\n")
            elif verb == b"QUIT":
                replies.append(b"221 Bye\r\n")
                closing = True
            else:
                replies.append(b"502 Command not implemented\r\n")
        if replies and self.transport is not None:
            self.transport.write(b"".join(replies))
        if closing and self.transport is not None:
            self.transport.close()


class SmtpSink:
    """The sink process, seen from a benchmark: its SMTP URL, its status, and stopping it.

    With `expect`, a sample of `samples` messages is kept in `samples_dir` (for a MIME check);
    without, messages are only counted."""

    def __init__(self, workdir: Path, kind: str = "lean", expect: int = 0, samples: int = 20) -> None:
        self.port, self.status_port = common.free_port(), common.free_port()
        self.samples_dir = workdir / "received"
        self.log_path = workdir / "smtp-sink.log"
        self.kind, self.expect, self.samples = kind, expect, samples
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "bench.smtp_sink",
            "--port",
            str(self.port),
            "--status-port",
            str(self.status_port),
            "--sink",
            self.kind,
        ]
        if self.expect:
            command += [
                "--samples-dir",
                str(self.samples_dir),
                "--samples",
                str(self.samples),
                "--expect",
                str(self.expect),
            ]
        return command

    def start(self, timeout: float = 20.0) -> SmtpSink:
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                self.command(), cwd=common.ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the SMTP sink exited: {self.log_path.read_text(errors='replace')}")
            try:
                self.status()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start")

    def status(self) -> dict[str, Any]:
        with socket.create_connection(("127.0.0.1", self.status_port), timeout=5) as conn:
            data = b""
            while not data.endswith(b"\n"):
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)  # type: ignore[no-any-return]

    def stop(self) -> None:
        common.stop_process(self.process, timeout=10)
        self.process = None


if __name__ == "__main__":
    main()

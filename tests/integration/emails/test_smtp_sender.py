"""The SMTP sender against real aiosmtpd servers: with and without PIPELINING, a refused recipient,
a server that went away, and dots at the start of lines."""

import asyncio
import datetime as dt
import email
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest

from parcours.channels.mime import Parts, build
from parcours.channels.senders import Smtp
from parcours.queue import free_port


class Server:
    def __init__(self, pipelining: bool) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[tuple[str, list[str], bytes]] = []
        self.pipelining = pipelining
        outer = self

        class Handler:
            async def handle_EHLO(
                self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
            ) -> list[str]:
                session.host_name = hostname
                if pipelining:  # aiosmtpd reads one command at a time from a buffered stream
                    responses.insert(-1, "250-PIPELINING")
                return responses

            async def handle_RCPT(
                self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
            ) -> str:
                if address.startswith("refused"):
                    return "550 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                outer.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    running = Server(request.param)
    running.controller.start()
    yield running
    running.controller.stop()


def message(to: str, text: str) -> Any:
    return build(
        Parts(
            from_name="Parcours",
            from_email="news@example.fr",
            to=to,
            subject=f"For {to}",
            text=text,
            html=f"<p>{text}</p>",
            unsubscribe_url="https://x.example/u/t",
            idempotency_key=to,
            date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    )


def test_a_batch_goes_out_whole_and_a_refused_recipient_is_told(server: Server) -> None:
    addresses = [f"reader{i}@example.org" for i in range(25)]
    addresses[7] = "refused@example.org"
    text = ".a line starting with a dot\n..and two\n.\nend"

    async def send() -> list[Any]:
        smtp = Smtp(server.url, None, 0, connections=3)
        try:
            return await smtp.send_many([(message(to, text), to) for to in addresses])
        finally:
            await smtp.close()

    outcomes = asyncio.run(send())
    assert [o.ok for o in outcomes] == [to != "refused@example.org" for to in addresses]
    assert "550" in outcomes[7].detail and "refused by the server" in outcomes[7].detail
    received = {rcpts[0]: (sender, raw) for sender, rcpts, raw in server.received}
    assert sorted(received) == sorted(a for a in addresses if a != "refused@example.org")
    for to, (sender, raw) in received.items():
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert sender == "news@example.fr" and parsed["To"] == to and parsed["Subject"] == f"For {to}"
        assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == text  # type: ignore[union-attr]


def test_a_connection_the_server_closed_is_replaced(server: Server) -> None:
    async def send() -> list[bool]:
        smtp = Smtp(server.url, None, 0, connections=1)
        try:
            first = await smtp.send_many([(message("one@example.org", "1"), "one@example.org")])
            connection = smtp.idle.get_nowait()
            assert connection is not None and connection.pipelining == server.pipelining
            connection.drop()  # as if the server had closed an idle connection
            await asyncio.sleep(0.05)
            smtp.idle.put_nowait(connection)
            second = await smtp.send_many([(message("two@example.org", "2"), "two@example.org")])
            return [o.ok for o in first + second]
        finally:
            await smtp.close()

    assert asyncio.run(send()) == [True, True]
    assert [rcpts for _s, rcpts, _r in server.received] == [["one@example.org"], ["two@example.org"]]


def test_an_unreachable_server_fails_the_messages_without_raising() -> None:
    async def send() -> list[Any]:
        smtp = Smtp(f"smtp://127.0.0.1:{free_port()}", None, 0, connections=2)
        try:
            return await smtp.send_many([(message(f"r{i}@example.org", "x"), f"r{i}@example.org") for i in range(3)])
        finally:
            await smtp.close()

    outcomes = asyncio.run(send())
    assert [o.ok for o in outcomes] == [False] * 3
    assert all("could not be reached" in o.detail for o in outcomes)

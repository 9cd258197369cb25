"""Group commit for registrations: requests that arrive while a batch is being written wait for
the next one and share its transaction, in their order of arrival. Each request is answered
only once its registration is committed. The seat count stays a database guarantee (each
registration takes the event's lock and counts); this only saves a transaction, and on SQLite a
fight for the write lock, per request."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from parcours.auth.service import Actor
from parcours.db import Sessions, transaction
from parcours.errors import ParcoursError
from parcours.events import registrations
from parcours.events.outbound import Outbound, outbound, registered
from parcours.events.schemas import RegistrationOut

log = logging.getLogger(__name__)
MAX_PER_TRANSACTION = 200


@dataclass
class RegistrationRequest:
    event_id: int
    values: dict[str, Any]
    actor: Actor
    public: bool
    source: str


@dataclass
class Admitted:
    slug: str
    registration: RegistrationOut
    new: bool


class Admission:
    def __init__(self, sessions: Sessions, out: Outbound) -> None:
        self.sessions = sessions
        self.out = out
        self.waiting: list[tuple[RegistrationRequest, asyncio.Future[Admitted]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, request: RegistrationRequest) -> Admitted:
        future: asyncio.Future[Admitted] = asyncio.get_running_loop().create_future()
        self.waiting.append((request, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self.waiting:
            batch = self.waiting[:MAX_PER_TRANSACTION]
            del self.waiting[:MAX_PER_TRANSACTION]
            try:
                await self._store(batch)
            except Exception:
                # The commit itself failed: each request again alone, so one's trouble is not everyone's.
                log.warning("registration batch failed; storing requests one by one", exc_info=True)
                for item in batch:
                    if not item[1].done():
                        try:
                            await self._store([item])
                        except Exception as exc:
                            item[1].set_exception(exc)

    async def _store(self, batch: list[tuple[RegistrationRequest, asyncio.Future[Admitted]]]) -> None:
        outcomes: list[Admitted | BaseException] = []
        async with transaction(self.sessions) as session:
            for request, future in batch:
                if future.done():  # the client went away
                    outcomes.append(asyncio.CancelledError())
                    continue
                try:
                    async with session.begin_nested():  # a refused request leaves no trace
                        event, registration, new = await registrations.register(
                            session, request.event_id, request.values, request.actor, public=request.public,
                            source=request.source)
                        out = (await registrations.registrations_out(session, event.id, [registration]))[0]  # type: ignore[arg-type]
                        if new:  # the confirmation or waitlist email, committed with the registration
                            await registered(session, self.out, event, registration, out.position)
                    outcomes.append(Admitted(slug=event.slug, registration=out, new=new))
                except ParcoursError as exc:
                    outcomes.append(exc)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def admission(runtime: Any) -> Admission:
    """The runtime's registration queue, created on first use."""
    if "event_admission" not in runtime.extras:
        runtime.extras["event_admission"] = Admission(runtime.sessions, outbound(runtime))
    return runtime.extras["event_admission"]  # type: ignore[no-any-return]

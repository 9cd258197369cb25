"""Registrations share transactions (parcours.groupcommit), in their order of arrival; each request
is answered once its registration is committed. The seat count stays a database guarantee (each
registration takes the event's lock and counts); this only saves a transaction, and on SQLite a
fight for the write lock, per request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.errors import ParcoursError
from parcours.events import registrations
from parcours.events.outbound import Outbound, outbound, registered
from parcours.events.schemas import RegistrationOut
from parcours.groupcommit import GroupCommit

MAX_PER_TRANSACTION = 200
# SQLite has one write lock for everything: shorter transactions let the worker's writes through.
MAX_PER_SQLITE_TRANSACTION = 50


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


async def register_all(out: Outbound, session: AsyncSession,
                        requests: list[RegistrationRequest]) -> list[Admitted | ParcoursError]:
    outcomes: list[Admitted | ParcoursError] = []
    for request in requests:
        try:
            async with session.begin_nested():  # a refused request leaves no trace
                event, registration, new = await registrations.register(
                    session, request.event_id, request.values, request.actor, public=request.public,
                    source=request.source)
                admitted = (await registrations.registrations_out(session, event.id, [registration]))[0]  # type: ignore[arg-type]
                if new:  # the confirmation or waitlist email, committed with the registration
                    await registered(session, out, event, registration, admitted.position)
            outcomes.append(Admitted(slug=event.slug, registration=admitted, new=new))
        except ParcoursError as exc:
            outcomes.append(exc)
    return outcomes


def admission(runtime: Any) -> GroupCommit[RegistrationRequest, Admitted]:
    """The runtime's registration queue, created on first use."""
    if "event_admission" not in runtime.extras:
        sqlite = runtime.settings.sqlalchemy_url.startswith("sqlite")
        runtime.extras["event_admission"] = GroupCommit(
            runtime.sessions, partial(register_all, outbound(runtime)),
            MAX_PER_SQLITE_TRANSACTION if sqlite else MAX_PER_TRANSACTION)
    return runtime.extras["event_admission"]  # type: ignore[no-any-return]

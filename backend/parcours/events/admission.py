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
from parcours.errors import Conflict, ParcoursError
from parcours.events import registrations
from parcours.events.outbound import Outbound, outbound, registered
from parcours.events.registrations import Tally
from parcours.events.schemas import RegistrationOut
from parcours.groupcommit import GroupCommit
from parcours.runtime import Runtime

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


async def register_all(
    out: Outbound, session: AsyncSession, requests: list[RegistrationRequest]
) -> list[Admitted | ParcoursError]:
    tallies: dict[int, Tally] = {}  # each event's seats, counted once for the transaction
    outcomes: list[Admitted | ParcoursError] = []
    for request in requests:
        outcomes.append(await _admit(out, session, request, tallies))
    return outcomes


async def _admit(
    out: Outbound, session: AsyncSession, request: RegistrationRequest, tallies: dict[int, Tally]
) -> Admitted | ParcoursError:
    try:
        return await _admit_once(out, session, request, tallies)
    except Conflict:
        pass  # e.g. another process created the contact meanwhile: once more, it is there now
    except ParcoursError as exc:
        return exc
    try:
        return await _admit_once(out, session, request, tallies)
    except ParcoursError as exc:
        return exc


async def _admit_once(
    out: Outbound, session: AsyncSession, request: RegistrationRequest, tallies: dict[int, Tally]
) -> Admitted:
    async with session.begin_nested():  # a refused request leaves no trace
        placed = await registrations.register(
            session,
            request.event_id,
            request.values,
            request.actor,
            public=request.public,
            source=request.source,
            counted=tallies.get(request.event_id),
        )
        if placed.new:  # the confirmation or waitlist email, committed with the registration
            await registered(session, out, placed.tally.event, placed.registration, placed.position, placed.contact)
    tallies[request.event_id] = placed.tally  # only once the registration stands
    return Admitted(
        slug=placed.tally.event.slug,
        new=placed.new,
        registration=registrations.registration_out(placed.registration, placed.contact, placed.position),
    )


Admission = GroupCommit[RegistrationRequest, Admitted]


def group_commit(runtime: Runtime) -> Admission:
    """The process's registration queue (one per process, built by parcours.assembly)."""
    sqlite = runtime.settings.sqlalchemy_url.startswith("sqlite")
    return GroupCommit(
        runtime.sessions,
        partial(register_all, outbound(runtime)),
        MAX_PER_SQLITE_TRANSACTION if sqlite else MAX_PER_TRANSACTION,
    )

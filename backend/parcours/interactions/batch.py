"""What a consumer of the interaction stream is handed: the batch of stored interactions, and what
its consumers read about their contacts, loaded once per batch (see parcours.stream).

Only types and the batch itself live here, so that scoring, segments and journeys can import them
without importing each other: the stream module passes in how to load each part."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import msgspec
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.interactions.recording import JOURNEY_STEP
from parcours.rules.cache import RuleCache
from parcours.rules.language import Schema

# A contact's columns (with `custom` and `scores`) and its account's, as rules.context_values takes them.
RuleRow = tuple[dict[str, Any], dict[str, Any] | None]


class Stored(msgspec.Struct, frozen=True):
    """One stored interaction, as the stream hands it on."""

    id: int
    contact_id: int
    type: str
    occurred_at: datetime
    properties: dict[str, Any]


@dataclass(frozen=True)
class Sources:
    """How each part of a batch's context is read (given by the stream module)."""

    schema: Callable[[AsyncSession], Awaitable[Schema]]
    people: Callable[[AsyncSession, Iterable[int]], Awaitable[dict[int, RuleRow]]]
    memberships: Callable[[AsyncSession, list[int]], Awaitable[dict[int, set[int]]]]


class Batch:
    """A batch of new interactions, in the transaction that processes it. Each part of the context
    is read on first use, for every contact of the batch at once (journey steps aside: nobody reads
    them), then shared by the consumers; a consumer that changes a part refreshes it."""

    def __init__(self, session: AsyncSession, rows: list[Stored], sources: Sources, rules: RuleCache) -> None:
        self.session = session
        self.rows = rows
        self.rules = rules
        self.contact_ids = sorted({row.contact_id for row in rows if row.type != JOURNEY_STEP})
        self._sources = sources
        self._schema: Schema | None = None
        self._people: dict[int, RuleRow] | None = None
        self._memberships: dict[int, set[int]] | None = None

    async def schema(self) -> Schema:
        """The rule schema (standard, custom and score fields) as of this batch."""
        if self._schema is None:
            self._schema = await self._sources.schema(self.session)
        return self._schema

    async def people(self) -> dict[int, RuleRow]:
        """The batch's contacts as rules read them (an erased contact is missing)."""
        if self._people is None:
            self._people = await self._sources.people(self.session, self.contact_ids)
        return self._people

    async def memberships(self) -> dict[int, set[int]]:
        """The segments each contact of the batch is in (none: an empty set)."""
        if self._memberships is None:
            found = await self._sources.memberships(self.session, self.contact_ids)
            self._memberships = {cid: set(found.get(cid, ())) for cid in self.contact_ids}
        return self._memberships

    async def people_of(self, contact_ids: Iterable[int]) -> dict[int, RuleRow]:
        """These contacts as rules read them: the batch's from the batch, others read now."""
        known, wanted = await self.people(), set(contact_ids)
        found = {cid: known[cid] for cid in wanted if cid in known}
        others = wanted.difference(self.contact_ids)
        return found | await self._sources.people(self.session, others) if others else found

    async def memberships_of(self, contact_ids: Iterable[int]) -> dict[int, set[int]]:
        """These contacts' segments (none: missing), the batch's from the batch, others read now."""
        known, wanted = await self.memberships(), set(contact_ids)
        found = {cid: known[cid] for cid in wanted if known.get(cid)}
        others = sorted(wanted.difference(self.contact_ids))
        return found | await self._sources.memberships(self.session, others) if others else found

    async def refresh_people(self, contact_ids: Iterable[int]) -> None:
        """Read these contacts again (a consumer changed their fields or scores)."""
        ids = sorted(set(contact_ids))
        if self._people is None or not ids:
            return
        fresh = await self._sources.people(self.session, ids)
        for cid in ids:
            if cid in fresh:
                self._people[cid] = fresh[cid]
            else:
                self._people.pop(cid, None)

    def moved(self, entered: Iterable[tuple[int, int]], left: Iterable[tuple[int, int]]) -> None:
        """Memberships changed by a consumer, as (segment id, contact id) pairs."""
        if self._memberships is None:
            return
        for sid, cid in entered:
            if cid in self._memberships:
                self._memberships[cid].add(sid)
        for sid, cid in left:
            if cid in self._memberships:
                self._memberships[cid].discard(sid)

    def forget_memberships(self) -> None:
        """Memberships changed in bulk (a refresh in SQL): read them again when next asked."""
        self._memberships = None


class Consumer(Protocol):
    """One step of what happens with each batch of new interactions, in the transaction that
    processes it, once the contacts' computed fields are current."""

    async def __call__(self, batch: Batch) -> None: ...

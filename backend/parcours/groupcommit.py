"""Group commit: requests that arrive while a transaction is being written wait for the next one
and share it, in their order of arrival. Each request is answered only once its transaction is
committed, so an answer keeps its promise; the database sees one transaction per burst instead
of one per request (and on SQLite, no fight for the write lock)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import Sessions, transaction
from parcours.errors import ParcoursError

log = logging.getLogger(__name__)
Request = TypeVar("Request")
Result = TypeVar("Result")
# Writes every request of a batch in the session; one outcome per request, in order: its result, or
# the ParcoursError that refuses it alone.
Store = Callable[[AsyncSession, list[Request]], Awaitable[list[Result | ParcoursError]]]


class GroupCommit(Generic[Request, Result]):
    def __init__(self, sessions: Sessions, store: Store[Request, Result], most: int) -> None:
        self.sessions, self.store, self.most = sessions, store, most
        self.waiting: list[tuple[Request, asyncio.Future[Result]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, request: Request) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self.waiting.append((request, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self.waiting:
            batch = self.waiting[: self.most]
            del self.waiting[: self.most]
            try:
                await self._commit(batch)
            except Exception:
                # Something unexpected (a race creating the same contact...): each request again
                # alone, so that one request's trouble is not everyone's.
                log.warning("group commit failed; storing requests one by one", exc_info=True)
                for item in batch:
                    if not item[1].done():
                        try:
                            await self._commit([item])
                        except Exception as exc:  # noqa: BLE001  (handed to the waiting request)
                            item[1].set_exception(exc)

    async def _commit(self, batch: list[tuple[Request, asyncio.Future[Result]]]) -> None:
        live = [(request, future) for request, future in batch if not future.done()]  # not for clients gone
        if not live:
            return
        async with transaction(self.sessions) as session:
            outcomes = await self.store(session, [request for request, _ in live])
        for (_, future), outcome in zip(live, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, ParcoursError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

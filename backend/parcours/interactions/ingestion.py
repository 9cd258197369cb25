"""Group commit for ingestion: requests that arrive while a transaction is being written wait
for the next one and share it. Each request is still answered only after its rows are
committed, so a 202 keeps its promise; the database sees one transaction per burst instead
of one per request."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from parcours.db import Sessions, transaction
from parcours.errors import ParcoursError
from parcours.interactions import service
from parcours.interactions.service import Delivery

log = logging.getLogger(__name__)
MAX_REQUESTS_PER_TRANSACTION = 500


class GroupCommit:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.waiting: list[tuple[Delivery, asyncio.Future[int]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, delivery: Delivery) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiting.append((delivery, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        return await future

    async def _write(self) -> None:
        while self.waiting:
            batch = self.waiting[:MAX_REQUESTS_PER_TRANSACTION]
            del self.waiting[:MAX_REQUESTS_PER_TRANSACTION]
            try:
                await self._store(batch)
            except Exception:
                # Something unexpected (a race creating the same contact...): retry each request
                # alone, so that one request's trouble is not everyone's.
                log.warning("group commit failed; storing requests one by one", exc_info=True)
                for item in batch:
                    if not item[1].done():
                        try:
                            await self._store([item])
                        except Exception as exc:
                            item[1].set_exception(exc)

    async def _store(self, batch: list[tuple[Delivery, asyncio.Future[int]]]) -> None:
        async with transaction(self.sessions) as session:
            outcomes = await service.store(session, [delivery for delivery, _ in batch])
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, ParcoursError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def group_commit(runtime: Any) -> GroupCommit:
    """The runtime's group commit, created on first use."""
    if "ingestion" not in runtime.extras:
        runtime.extras["ingestion"] = GroupCommit(runtime.sessions)
    return runtime.extras["ingestion"]  # type: ignore[no-any-return]

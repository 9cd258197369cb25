"""/api/marketing-spend: what was spent per month and channel (entries, CSV import, sums)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import Parameter
from msgspec import Meta
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, Strict, limit_param, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.errors import InvalidInput
from parcours.spend import service
from parcours.spend.schemas import SpendImported, SpendIn, SpendOut, SpendPage, SpendSummary

MonthParam = Annotated[str | None, Parameter(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="A month, as 2026-11")]


class SpendCsv(Strict):
    # A file of a few thousand lines; more is not a spend sheet.
    csv: Annotated[str, Meta(max_length=1_000_000)]


def _months(first: str | None, last: str | None) -> None:
    if first and last and first > last:
        raise InvalidInput("The first month comes after the last.", "first")


class SpendController(Controller):
    path = "/marketing-spend"
    tags = ["marketing spend"]

    @get("/", summary="Spend entries, newest month first (first/last: months included; channel)")
    async def list_spend(
        self,
        db: AsyncSession,
        first: MonthParam = None,
        last: MonthParam = None,
        channel: Annotated[str | None, Parameter(max_length=60)] = None,
        limit: int = limit_param(100),
        cursor: Cursor = None,
    ) -> SpendPage:
        _months(first, last)
        rows, next_cursor, total = await service.entries(db, first, last, channel, limit, cursor)
        return SpendPage(items=[to_out(s, SpendOut) for s in rows], next_cursor=next_cursor, total=total)

    @post("/", summary="Enter what was spent in a month on a channel")
    async def add_spend(self, data: SpendIn, db: AsyncSession, actor: Actor) -> SpendOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return to_out(await service.add(db, values, actor.label), SpendOut)

    @delete("/{spend_id:int}", summary="Delete a spend entry")
    async def delete_spend(self, spend_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        entry = await service.get(db, spend_id)
        target = Target("spend", spend_id, f"{entry.month} {entry.channel}")
        before = audit.snapshot(entry, ("month", "channel", "amount"))
        await service.remove(db, spend_id)
        await audit.record(db, actor, "spend.deleted", target, before=before)

    @post("/import", summary="Add the rows of a CSV (month,channel,amount[,note]): all of them, or none")
    async def import_spend(self, data: SpendCsv, db: AsyncSession, actor: Actor) -> SpendImported:
        return SpendImported(added=await service.import_csv(db, data.csv, actor.label))

    @get("/summary", summary="Spend per month and channel, from the first month to the last")
    async def summary(self, db: AsyncSession, first: MonthParam = None, last: MonthParam = None) -> SpendSummary:
        _months(first, last)
        return await service.summary(db, first or "0000-01", last or "9999-12")

"""The API's shapes of marketing spend."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from parcours.api import Id, Page, Strict

Month = Annotated[str, Meta(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="A month, as 2026-11")]
Channel = Annotated[str, Meta(min_length=1, max_length=60)]
# Up to a billion per entry: more is a typing mistake.
Amount = Annotated[float, Meta(ge=0, le=1_000_000_000)]

# What the screen suggests; any other channel name is accepted.
CHANNELS = ("email", "paid_search", "social", "display", "events", "content", "print", "partners", "other")


class SpendIn(Strict):
    month: Month
    channel: Channel
    amount: Amount
    program_id: Id | None = None
    note: Annotated[str, Meta(max_length=300)] = ""


class SpendOut(msgspec.Struct, kw_only=True):
    id: int
    month: str
    channel: str
    amount: float
    program_id: int | None
    note: str
    created_by: str
    created_at: datetime


SpendPage = Page[SpendOut]


class SpendImported(msgspec.Struct, kw_only=True):
    """What a CSV import added; rows with a problem are listed and nothing of the file is saved."""

    added: int


class MonthSpend(msgspec.Struct, kw_only=True):
    month: str
    by_channel: dict[str, float]
    total: float


class SpendSummary(msgspec.Struct, kw_only=True):
    months: list[MonthSpend]
    by_channel: dict[str, float]
    total: float

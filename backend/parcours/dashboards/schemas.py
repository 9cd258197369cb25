"""The API of pinned tiles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from parcours.api import Id, Page, Strict

View = Literal["chart", "table", "figure"]
# A query parameter's values: a report is asked with plain strings (lists for journey_ids...).
ParamValue = str | int | float | bool | list[str | int]


class TileIn(Strict):
    title: Annotated[str, Meta(min_length=1, max_length=200)]
    report: Annotated[str, Meta(max_length=100, description="A report endpoint path, e.g. /api/reports/overview")]
    params: Annotated[
        dict[str, ParamValue], Meta(description="The report's query: from, to, kind, metric... (at most 20)")
    ] = msgspec.field(default_factory=dict)
    view: View = "table"


class TileOrder(Strict):
    ids: Annotated[list[Id], Meta(max_length=100, description="Every tile's id, in the order wanted")]


class TileOut(msgspec.Struct):
    id: int
    title: str
    report: str
    params: dict[str, ParamValue]
    view: View
    position: int
    created_at: datetime


TilePage = Page[TileOut]

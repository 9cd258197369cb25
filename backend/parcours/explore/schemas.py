"""The API's shapes of free exploration: a question, its answer, saved questions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from parcours.api import Page, Strict

Dataset = Literal["contacts", "interactions", "purchases", "opportunities"]
MeasureKind = Literal["count", "contacts", "sum", "avg", "median"]
# Where an answer's figures come from: "daily" (interactions counted by day and type as the
# stream hands them on, up to its `as_of`) or "interactions" (the raw rows, read now).
Source = Literal["daily", "monthly", "interactions"]
ChartKind = Literal["bar", "grouped_bar", "heatmap", "line", "table"]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
# "country", "computed_orders", "rfm_segment", "segment:12", "property:utm.source", "type", "month"...
Dimension = Annotated[str, Meta(min_length=1, max_length=120)]


class ExploreMeasure(Strict):
    """count (rows), contacts (distinct contacts), or sum / avg / median of a numeric field."""

    kind: MeasureKind
    field: Annotated[str, Meta(max_length=120)] | None = None


class ExploreFilters(Strict):
    rule: Annotated[str, Meta(max_length=20_000)] | None = None  # on the contact, in the rule language
    types: Annotated[list[Annotated[str, Meta(min_length=1, max_length=64)]], Meta(max_length=50)] = []
    from_: date | None = msgspec.field(default=None, name="from")  # included
    to: date | None = None  # included
    properties: Annotated[dict[str, Annotated[str, Meta(max_length=500)]], Meta(max_length=10)] = {}
    stages: Annotated[list[Annotated[str, Meta(min_length=1, max_length=16)]], Meta(max_length=20)] = []


class ExploreQuestion(Strict):
    dataset: Dataset
    filters: ExploreFilters = msgspec.field(default_factory=ExploreFilters)
    group_by: Annotated[list[Dimension], Meta(max_length=2)] = []
    measures: Annotated[list[ExploreMeasure], Meta(min_length=1, max_length=5)] = msgspec.field(
        default_factory=lambda: [ExploreMeasure(kind="count")]
    )


class ExploreColumn(msgspec.Struct, kw_only=True):
    key: str  # "group_0", "measure_1"
    role: Literal["dimension", "measure"]
    name: str  # the dimension, or the measure as "sum(amount)"


class ExploreAnswer(msgspec.Struct, kw_only=True):
    columns: list[ExploreColumn]
    rows: list[list[Any]]
    truncated: bool  # more groups than the row limit: the rows are the largest ones
    source: Source
    as_of: datetime


class CellIn(Strict):
    """One row of an answer: the question, and the row's group values in group_by's order."""

    question: ExploreQuestion
    values: Annotated[list[str | float | bool | None], Meta(max_length=2)]


class CellSegmentIn(CellIn):
    """The contacts behind one row of an answer, kept as a static segment."""

    name: Name


class CellSegmentOut(msgspec.Struct, kw_only=True):
    segment_id: int
    name: str
    size: int


class CellCountOut(msgspec.Struct, kw_only=True):
    contacts: int


class ExplorationIn(Strict):
    name: Name
    question: ExploreQuestion
    chart: ChartKind = "bar"
    shared: bool = False


class ExplorationPatch(Strict):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    question: ExploreQuestion | msgspec.UnsetType = msgspec.UNSET
    chart: ChartKind | msgspec.UnsetType = msgspec.UNSET
    shared: bool | msgspec.UnsetType = msgspec.UNSET


class ExplorationOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    question: ExploreQuestion
    chart: str
    owner: str
    shared: bool
    mine: bool
    created_at: datetime
    updated_at: datetime


ExplorationPage = Page[ExplorationOut]

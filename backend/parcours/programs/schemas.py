"""The API's shapes of the relationship plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Page, Strict
from parcours.programs.kpis import Metric

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Text = Annotated[str, Meta(max_length=2000)]
# Up to a billion: more is a typing mistake.
Target = Annotated[float, Meta(ge=0, le=1_000_000_000)]
Ids = Annotated[list[Id], Meta(max_length=200)]


# A row of a saved exploration's answer: its group values, in the question's group_by order.
Cell = Annotated[list[str | float | bool | None], Meta(max_length=2)]


class KpiIn(Strict):
    """One KPI of the catalogue, with what it needs: segment_revenue a segment (repeat_purchase_rate
    may take one, else the whole base counts), exploration a saved exploration, and when it groups,
    the row tracked (`cell`); `measure` picks one of its measures (the first by default)."""

    metric: Metric
    segment_id: Id | None = None
    exploration_id: Id | None = None
    cell: Cell | None = None
    measure: Annotated[int, Meta(ge=0, le=4)] | None = None


class ProgramIn(Strict):
    name: Name
    kpi: KpiIn
    starts_on: date
    ends_on: date
    objective: Text = ""
    target: Target | None = None
    owner: Id | None = None
    journey_ids: Ids = []
    campaign_ids: Ids = []
    event_ids: Ids = []
    template_key: Annotated[str, Meta(max_length=64)] | None = None


class ProgramPatch(Strict):
    name: Name | UnsetType = UNSET
    objective: Text | UnsetType = UNSET
    kpi: KpiIn | UnsetType = UNSET
    target: Target | None | UnsetType = UNSET
    starts_on: date | UnsetType = UNSET
    ends_on: date | UnsetType = UNSET
    owner: Id | None | UnsetType = UNSET
    journey_ids: Ids | UnsetType = UNSET
    campaign_ids: Ids | UnsetType = UNSET
    event_ids: Ids | UnsetType = UNSET


class KpiOut(msgspec.Struct, kw_only=True):
    metric: str
    segment_id: int | None = None
    exploration_id: int | None = None
    cell: list[str | float | bool | None] | None = None
    measure: int | None = None


class ProgramOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    objective: str
    kpi: KpiOut
    target: float | None
    starts_on: date
    ends_on: date
    owner: int | None
    owner_name: str | None
    journey_ids: list[int]
    campaign_ids: list[int]
    event_ids: list[int]
    template_key: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


ProgramPage = Page[ProgramOut]


class ProgressPoint(msgspec.Struct, kw_only=True):
    period: str
    value: float | None


class ProgramProgress(msgspec.Struct, kw_only=True):
    """The KPI from the program's first day to today (or its last day), and month by month."""

    metric: str
    value: float | None
    target: float | None
    # value / target (1.0: reached).
    reached: float | None
    is_rate: bool
    counts: str
    divided_by: str | None
    # The figures the value is made of (a rate's numerator and denominator, a total).
    counted: float
    denominator: float | None
    series: list[ProgressPoint]
    available: bool
    as_of: datetime


class KpiChoice(msgspec.Struct, kw_only=True):
    metric: str
    is_rate: bool
    counts: str
    divided_by: str | None
    needs_segment: bool
    needs_exploration: bool
    available: bool


class ProgramTemplate(msgspec.Struct, kw_only=True):
    key: str
    language: str
    name: str
    description: str
    objective: str
    kpi: KpiOut
    months: int


class CalendarItem(msgspec.Struct, kw_only=True):
    kind: str  # journey | campaign | event
    id: int
    name: str
    status: str
    starts_on: date
    ends_on: date


class CalendarRow(msgspec.Struct, kw_only=True):
    program_id: int
    name: str
    starts_on: date
    ends_on: date
    items: list[CalendarItem]


class ProgramCalendar(msgspec.Struct, kw_only=True):
    year: int
    programs: list[CalendarRow]
    as_of: datetime


class BriefMessage(Strict):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    channel: Literal["email", "sms", "webhook", "other"]
    when: Annotated[str, Meta(max_length=200)] = ""


class BriefIn(Strict):
    goal: Text = ""
    audience: Text = ""
    data_needed: Text = ""
    messages: Annotated[list[BriefMessage], Meta(max_length=50)] = []
    kpi: Annotated[str, Meta(max_length=500)] = ""


class BriefOut(msgspec.Struct, kw_only=True):
    journey_id: int
    goal: str
    audience: str
    data_needed: str
    messages: list[BriefMessage]
    kpi: str
    updated_by: str
    updated_at: datetime | None


class ProgramOfItem(msgspec.Struct, kw_only=True):
    """The program a journey, campaign or event belongs to (for "Program: X" on its screen)."""

    program_id: int
    name: str


class Owner(msgspec.Struct, kw_only=True):
    """A user who may own a program."""

    id: int
    name: str

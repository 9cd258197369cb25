"""API shapes of behavioural (computed) fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Page, Strict
from parcours.behaviour.definition import Aggregate

Name = Annotated[str, Meta(min_length=1, max_length=40)]
Label = Annotated[str, Meta(min_length=1, max_length=100)]
InteractionType = Annotated[str, Meta(min_length=1, max_length=64)]
Property = Annotated[str, Meta(max_length=64)]
Filter = Annotated[str, Meta(max_length=1000)]
# Checked by behaviour.definition, so that a wrong window is a 400 naming window_days.
WindowDays = int


class ComputedFieldIn(Strict):
    name: Name
    label: Label
    aggregate: Aggregate
    interaction_type: InteractionType
    property: Property | None = None
    filter: Filter | None = None
    window_days: WindowDays | None = None


class ComputedFieldPatch(Strict):
    name: Name | UnsetType = UNSET
    label: Label | UnsetType = UNSET
    aggregate: Aggregate | UnsetType = UNSET
    interaction_type: InteractionType | UnsetType = UNSET
    property: Property | None | UnsetType = UNSET
    filter: Filter | None | UnsetType = UNSET
    window_days: WindowDays | None | UnsetType = UNSET


class BehaviourConditionIn(Strict):
    """What the segment builder's behavioural condition counts: interactions of a type (of one
    email, form, event, or containing a text), over the last D days or all time."""

    interaction_type: InteractionType
    filter: Filter | None = None
    window_days: WindowDays | None = None


class Backfill(msgspec.Struct, kw_only=True):
    job_id: str
    status: str
    progress: float


class ComputedFieldOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    label: str
    aggregate: str
    interaction_type: str
    property: str | None
    filter: str | None
    window_days: int | None
    # The rule field: computed_<name>.
    field: str
    # number, boolean or datetime (a number or nothing: nullable_number)
    value_type: str
    origin: Literal["screen", "condition"]
    backfilled_at: datetime | None
    backfill: Backfill | None
    created_at: datetime
    updated_at: datetime


class ComputedFieldPage(Page[ComputedFieldOut]):
    items: list[ComputedFieldOut]


class Bucket(msgspec.Struct, kw_only=True):
    """Contacts whose value is in [low, high] (a count: one value; a moment: days ago)."""

    label: str
    low: float | None
    high: float | None
    contacts: int


class ComputedPreview(msgspec.Struct, kw_only=True):
    contacts: int
    with_value: int
    value_type: str
    # How the values spread: numbers in ranges, moments in days ago, "has done" yes/no.
    buckets: list[Bucket]
    # Days ago for moments; else the values themselves.
    low: float | None
    high: float | None
    average: float | None

"""API shapes for scoring models, contacts' scores and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Strict
from parcours.scoring.points import GradeBand, Line, Rule

ModelKind = Literal["behavioural", "demographic", "firmographic", "custom"]
Email = Annotated[str, Meta(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Url = Annotated[str, Meta(max_length=1000, pattern=r"^https?://\S+$")]
Key = Annotated[str, Meta(min_length=1, max_length=40)]
Name = Annotated[str, Meta(min_length=1, max_length=100)]
Description = Annotated[str, Meta(max_length=1000)]


class ModelIn(Strict):
    key: Key
    name: Name
    description: Description = ""
    kind: ModelKind = "custom"
    # Any number is accepted and refused by the model check when negative or not whole.
    threshold: int | float = 100
    grades: list[GradeBand] = msgspec.field(
        default_factory=lambda: [GradeBand("A", 100), GradeBand("B", 60), GradeBand("C", 30), GradeBand("D", 0)]
    )
    rules: list[Rule] = []
    active: bool = True
    drives_stage: bool = False
    notify_email: Email | None = None
    notify_webhook: Url | None = None


class ModelPreviewIn(ModelIn):
    id: Id | None = None


class ModelPatch(Strict):
    key: Key | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    kind: ModelKind | UnsetType = UNSET
    threshold: int | float | UnsetType = UNSET
    grades: list[GradeBand] | UnsetType = UNSET
    rules: list[Rule] | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    drives_stage: bool | UnsetType = UNSET
    notify_email: Email | None | UnsetType = UNSET
    notify_webhook: Url | None | UnsetType = UNSET


class Recompute(msgspec.Struct, kw_only=True):
    job_id: str
    status: str
    progress: float


class ModelOut(msgspec.Struct, kw_only=True):
    id: int
    key: str
    name: str
    description: str
    kind: str
    threshold: int
    grades: list[GradeBand]
    rules: list[Rule]
    active: bool
    drives_stage: bool
    notify_email: str | None
    notify_webhook: str | None
    created_at: datetime
    updated_at: datetime
    recompute: Recompute | None = None


class Bucket(msgspec.Struct):
    from_: int = msgspec.field(name="from")
    to: int = 0
    count: int = 0


class Preview(msgspec.Struct, kw_only=True):
    total: int
    sales_ready: int
    by_grade: dict[str, int]
    histogram: list[Bucket]


class GradeCount(msgspec.Struct):
    grade: str
    count: int


class GroupScoreOut(msgspec.Struct, kw_only=True):
    """A model's scores over a group of contacts (a company's): contacts not scored yet count as
    0 points and the lowest grade, as rules read them."""

    model_id: int
    model: str
    key: str
    kind: str
    active: bool
    contacts: int
    average: float
    max: int
    # Every grade of the model, best first, with how many of the contacts have it.
    grades: list[GradeCount]


class ContactScoreOut(msgspec.Struct, kw_only=True):
    model_id: int
    model: str
    key: str
    score: int
    grade: str
    sales_ready: bool
    breakdown: list[Line]


class ScoreChangeOut(msgspec.Struct, kw_only=True):
    model_id: int
    model: str
    score: int
    previous: int
    reason: str
    at: datetime


class ScoreHistory(msgspec.Struct, kw_only=True):
    items: list[ScoreChangeOut]

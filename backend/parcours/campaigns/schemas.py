"""API shapes for campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from parcours.api import Id, Page, Strict
from parcours.channels.schemas import LeftOut, Someone

Key = Annotated[str, Meta(pattern=r"^[A-D]$")]


class Variant(Strict):
    key: Key
    subject: Annotated[str, Meta(max_length=300)] | None = None
    from_name: Annotated[str, Meta(max_length=200)] | None = None
    email_id: Id | None = None


class AbTest(Strict):
    # One variable at a time: the variants differ only in it.
    variable: Literal["subject", "from_name", "content"]
    variants: Annotated[list[Variant], Meta(min_length=2, max_length=4)]
    # Share of the audience that receives the test; the rest gets the winner.
    sample_percent: Annotated[int, Meta(ge=5, le=50)] = 20
    metric: Literal["opens", "clicks"] = "opens"
    wait_minutes: Annotated[int, Meta(ge=1, le=10_080)] = 240
    # Send the variants to the whole audience (no winner phase).
    keep_split: bool = False


class CampaignIn(Strict):
    email_id: Id
    segment_ids: Annotated[list[Id], Meta(min_length=1, max_length=50)]
    exclude_segment_ids: Annotated[list[Id], Meta(max_length=50)] = []
    name: Annotated[str, Meta(max_length=200)] | None = None
    send_at: datetime | None = None
    ab_test: AbTest | None = None


class VariantStats(msgspec.Struct, kw_only=True):
    key: str
    audience: int
    queued: int
    sent: int
    suppressed: int
    failed: int
    delivered: int
    bounced: int
    unique_opens: int
    opens: int
    unique_clicks: int
    clicks: int
    unsubscribes: int
    # Kept in the outbox, not sent: no mail server configured (embedded mode). Counted in `sent`.
    captured: int
    open_rate: float
    click_rate: float
    click_to_open: float


class Point(msgspec.Struct):
    at: datetime
    opens: int
    clicks: int


class CampaignOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    email_id: Id
    segment_ids: list[int]
    exclude_segment_ids: list[int]
    send_at: datetime
    status: str
    ab_test: AbTest | None
    winner: str | None
    winner_confidence: float | None
    audience: int
    left_out: list[LeftOut]
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class CampaignAudience(msgspec.Struct, kw_only=True):
    """Who a campaign would reach if created now. `total` (the segments' contacts, exclusions
    removed) = `receiving` + the `left_out` counts; each contact counted under its first reason."""

    total: int
    receiving: int
    left_out: list[LeftOut]
    first_send_at: datetime
    sample: list[Someone]


class CampaignPage(Page[CampaignOut]):
    items: list[CampaignOut]  # restated so the OpenAPI document names the item type


class CampaignDetail(CampaignOut, kw_only=True):
    totals: VariantStats
    variants: list[VariantStats]
    progress: float
    over_time: list[Point]

"""Shapes of /api/journeys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from parcours.api import Id, Strict
from parcours.channels.schemas import LeftOut, Someone
from parcours.contacts.vocabulary import ConsentLevel
from parcours.journeys.graph import Edge, Problem
from parcours.journeys.steps import Step

Name = Annotated[str, Meta(min_length=1, max_length=200)]


class Goal(Strict):
    """A conversion: an interaction (e.g. purchase) or a rule met within `window` of entering."""

    type: str | None = None
    rule: str | None = None
    window: str = "P30D"
    exit: bool = False  # converted contacts leave the journey


class JourneySettings(Strict):
    target: Literal["contacts"] = "contacts"
    min_consent: ConsentLevel = "marketing"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str = "UTC"
    # once: a contact goes through the journey once; every_time: each time it qualifies;
    # after_days: again once `reentry_days` have passed since it last entered.
    reentry: Literal["once", "every_time", "after_days"] = "once"
    reentry_days: Annotated[int, Meta(ge=1, le=3650)] | None = None
    suppression_segment_id: Id | None = None
    frequency_cap: Annotated[int, Meta(ge=0, le=100)] | None = None  # promotional messages a week
    goal: Goal | None = None


class JourneyDefinition(Strict):
    """The canvas: steps (one shape per step type, told apart by `type`) and the connections
    between them (`label`: the branch of a condition, wait-for or split it leaves by)."""

    nodes: list[Step] = msgspec.field(default_factory=list)
    edges: list[Edge] = msgspec.field(default_factory=list)


class JourneyIn(Strict):
    name: Name
    description: str = ""
    definition: JourneyDefinition = msgspec.field(default_factory=JourneyDefinition)
    settings: JourneySettings = msgspec.field(default_factory=JourneySettings)
    template_id: Id | None = None  # start from a journey template instead


class JourneyPatch(Strict):
    name: Name | UnsetType = UNSET
    description: str | UnsetType = UNSET
    definition: JourneyDefinition | UnsetType = UNSET
    settings: JourneySettings | UnsetType = UNSET


class PublishedAudience(msgspec.Struct, kw_only=True):
    """The audience seen when a version was published: `total` = `entering` + the `left_out` counts."""

    version: int
    at: datetime
    total: int
    entering: int
    left_out: list[LeftOut]
    entries_over_time: bool


class FirstEmail(msgspec.Struct, kw_only=True):
    """The journey's first email (the step the first of the sample reaches first), judged now for
    everyone entering by the send-time rules: `receiving` + the `left_out` counts = `entering`."""

    node_id: str
    receiving: int
    left_out: list[LeftOut]


class JourneyAudience(msgspec.Struct, kw_only=True):
    """What publishing the draft now would do, changing nothing. For a segment (or date) entry:
    its contacts (`total`), those who would enter at once, and those left out by reason (each
    contact counted under the first reason: consent_below_minimum, suppression_segment,
    entered_recently, already_in_journey), so that total = entering + the left_out counts. For an
    entry on an event, an interaction or a form, nobody enters at publication (`entries_over_time`,
    total = entering = 0): contacts enter as it happens, by the same rules."""

    total: int
    entering: int
    left_out: list[LeftOut]
    entries_over_time: bool
    # When entries start (the journey's start date, or now).
    enters_at: datetime
    # When the first of the sample would get the journey's first message (email or text), if it gets one.
    first_send_at: datetime | None
    first_email: FirstEmail | None = None
    sample: list[Someone]


class JourneyOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    description: str
    status: str
    definition: JourneyDefinition
    settings: JourneySettings
    version: int
    has_changes: bool
    template_key: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    published_audience: PublishedAudience | None


class JourneySummary(msgspec.Struct, kw_only=True):
    id: int
    name: str
    description: str
    status: str
    version: int
    has_changes: bool
    updated_at: datetime
    published_at: datetime | None
    active: int
    entered: int


class PublishOut(msgspec.Struct, kw_only=True):
    journey: JourneyOut
    problems: list[Problem]
    enrolled: int = 0


class EmailStats(msgspec.Struct, kw_only=True):
    email_id: int | None
    queued: int
    sent: int
    suppressed: int
    failed: int
    opened: int
    clicked: int
    unsubscribed: int
    bounced: int
    # Kept in the outbox, not sent: no mail server configured (embedded mode). Counted in `sent`.
    captured: int
    open_rate: float
    click_rate: float


class NodeStats(msgspec.Struct, kw_only=True):
    entered: int = 0
    waiting: int = 0
    completed: int = 0
    exited: int = 0
    errors: int = 0
    branches: dict[str, int] = msgspec.field(default_factory=dict)
    email: EmailStats | None = None
    # Messages of this step not sent, by reason (channels.policy.REASONS...).
    left_out: list[LeftOut] = msgspec.field(default_factory=list)


class FunnelStep(msgspec.Struct, kw_only=True):
    node_id: str
    type: str
    entered: int


class JourneyStats(msgspec.Struct, kw_only=True):
    journey_id: int
    version: int
    entered: int
    active: int
    completed: int
    exited: int
    converted: int
    conversion_rate: float
    nodes: dict[str, NodeStats]
    funnel: list[FunnelStep]
    # Contacts who were to enter so far and did not, by reason (each counted once per reason).
    left_out: list[LeftOut]
    published_audience: PublishedAudience | None


class TestIn(Strict):
    contact_id: Id
    # What happens at each `flow.wait_for` step, by node id (the timeout when not given).
    events: dict[str, Literal["happened", "timeout"]] = msgspec.field(default_factory=dict)
    send_emails: bool = False  # send the journey's emails to the contact as test sends


class TestStep(msgspec.Struct, kw_only=True):
    node_id: str
    type: str
    outcome: str
    label: str | None
    detail: str
    at: datetime


class TestOut(msgspec.Struct, kw_only=True):
    contact_id: Id
    path: list[TestStep]
    effects: list[str]
    outcome: str
    problems: list[Problem]


class RunOut(msgspec.Struct, kw_only=True):
    id: int
    journey_id: int
    version: int
    contact_id: Id
    node_id: str
    status: str
    wake_at: datetime | None
    entered_at: datetime
    converted_at: datetime | None
    error: str


def settings_of(raw: dict[str, Any]) -> JourneySettings:
    return msgspec.convert(raw or {}, JourneySettings)


def definition_of(raw: dict[str, Any]) -> JourneyDefinition:
    """A stored definition as the API shows it. A draft saved before its steps were typed may hold
    settings that no longer fit: such a step shows its type's defaults (and an unknown step is left
    out) rather than the journey not showing at all."""
    try:
        return msgspec.convert(raw or {}, JourneyDefinition)
    except msgspec.ValidationError:
        pass
    nodes: list[Step] = []
    for node in (raw or {}).get("nodes") or []:
        for attempt in (node, {**node, "config": {}}):
            try:
                nodes += msgspec.convert({"nodes": [attempt]}, JourneyDefinition).nodes
                break
            except msgspec.ValidationError:
                continue
    kept = {n.id for n in nodes}
    edges = [
        e
        for e in msgspec.convert((raw or {}).get("edges") or [], list[Edge], strict=False)
        if e.source in kept and e.target in kept
    ]
    return JourneyDefinition(nodes=nodes, edges=edges)

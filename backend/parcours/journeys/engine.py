"""The journey interpreter: `step(program, state, contact, now) -> Result(effects, state, visits)`.

Pure: the caller loads the run and the contact, calls `step`, and applies what it returns (outbox
rows, field changes, the next wake time) in one transaction. A step carries a contact through
every step that takes no time and stops at the first wait or at the end.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from parcours.journeys import graph
from parcours.journeys import steps as s
from parcours.journeys.graph import Program

# Steps of no duration taken in one call at most (a published journey has no loop; this is a guard).
MOST_STEPS = 200


class RunState(msgspec.Struct, kw_only=True):
    """Where a contact stands: at `node_id`, running (active) or waiting until `wake_at`."""

    node_id: str
    status: str = "active"  # active | waiting | completed | exited
    wake_at: dt.datetime | None = None
    waiting_for: str | None = None  # the interaction a `flow.wait_for` listens to
    event: str | None = None  # set by the caller when that interaction happened


class Visit(msgspec.Struct, kw_only=True):
    """A step a contact went through: its history and the journey's per-step counts."""

    node_id: str
    outcome: str  # completed | exited
    label: str | None = None  # the branch taken: yes, no, happened, timeout, a split's branch
    detail: str = ""
    at: dt.datetime


class Effect(msgspec.Struct, tag=True, kw_only=True):
    node_id: str


class SendEmail(Effect):
    email_id: int


class SendSms(Effect):
    text: str


class CallWebhook(Effect):
    url: str


class SetField(Effect):
    field: str
    value: Any


class SetStage(Effect):
    stage: str


class AddToSegment(Effect):
    segment_id: int


class RegisterForEvent(Effect):
    event_id: int


class RemoveFromSegment(Effect):
    segment_id: int


class Converted(Effect):
    pass


@dataclass(frozen=True)
class Contact:
    """What the interpreter knows of the contact: rules are answered by `matches`."""

    run_id: int
    matches: Callable[[str], bool]
    timezone: str = "UTC"  # the journey's time zone
    own_timezone: str | None = None  # the contact's, when known


class Result(msgspec.Struct, kw_only=True):
    effects: list[Effect]
    state: RunState
    visits: list[Visit]


def step(program: Program, state: RunState, contact: Contact, now: dt.datetime) -> Result:
    state = msgspec.structs.replace(state)
    effects: list[Effect] = []
    visits: list[Visit] = []

    def leave(node_id: str, label: str | None = None, detail: str = "") -> None:
        visits.append(Visit(node_id=node_id, outcome="completed", label=label, detail=detail, at=now))
        following = program.after(node_id, label)
        state.wake_at = state.waiting_for = state.event = None
        if following is None:
            state.status = "completed"
        else:
            state.node_id, state.status = following, "active"

    for _ in range(MOST_STEPS):
        if state.status not in ("active", "waiting"):
            break
        node = program.nodes[state.node_id]
        config = program.configs[node.id]
        kind = node.type
        if kind in graph.ENTRY_TYPES:
            leave(node.id)
        elif kind.startswith("action."):
            effects.append(_action(node.id, kind, config))
            leave(node.id)
        elif kind == "flow.exit":
            visits.append(Visit(node_id=node.id, outcome="exited", at=now))
            state.status, state.wake_at = "exited", None
        elif isinstance(config, s.ConditionStepConfig):
            leave(node.id, "yes" if contact.matches(config.rule) else "no")
        elif isinstance(config, s.SplitStepConfig):
            leave(node.id, _branch(config, contact.run_id, node.id))
        elif isinstance(config, s.GoalStepConfig):
            reached = contact.matches(config.rule)
            if reached:
                effects.append(Converted(node_id=node.id))
            leave(node.id, detail="goal reached" if reached else "goal not reached")
        elif isinstance(config, s.WaitForStepConfig):
            awaited = graph.about(config.type, config.event_id, config.form_id)
            if state.status != "waiting":
                _wait(state, now + graph.duration(config.timeout), awaited)
            elif state.event == awaited and (not config.rule or contact.matches(config.rule)):
                leave(node.id, "happened")
            elif state.wake_at is not None and state.wake_at <= now:
                leave(node.id, "timeout")
            else:
                state.event = None  # not the awaited interaction (or its condition is not met): keep waiting
                break
        elif isinstance(config, (s.WaitStepConfig, s.WaitUntilStepConfig)):
            if state.status != "waiting":
                until = (
                    now + graph.duration(config.duration)
                    if isinstance(config, s.WaitStepConfig)
                    else wait_until(config, contact, now)
                )
                if until > now:
                    _wait(state, until, None)
                    break
                leave(node.id)
            elif state.wake_at is not None and state.wake_at <= now:
                leave(node.id)
            else:
                break
        if state.status == "waiting":
            break
    return Result(effects=effects, state=state, visits=visits)


def _wait(state: RunState, until: dt.datetime, waiting_for: str | None) -> None:
    state.status, state.wake_at, state.waiting_for, state.event = "waiting", until, waiting_for, None


def _action(node_id: str, kind: str, config: s.StepConfig) -> Effect:
    # A published program's required ids are set (graph.check): the asserts only tell the type checker.
    if isinstance(config, s.EmailStepConfig):
        assert config.email_id is not None
        return SendEmail(node_id=node_id, email_id=config.email_id)
    if isinstance(config, s.SmsStepConfig):
        return SendSms(node_id=node_id, text=config.text)
    if isinstance(config, s.WebhookStepConfig):
        return CallWebhook(node_id=node_id, url=config.url)
    if isinstance(config, s.UpdateFieldStepConfig):
        return SetField(node_id=node_id, field=config.field, value=config.value)
    if isinstance(config, s.StageStepConfig):
        return SetStage(node_id=node_id, stage=config.stage)
    if isinstance(config, s.EventRegisterStepConfig):
        assert config.event_id is not None
        return RegisterForEvent(node_id=node_id, event_id=config.event_id)
    if isinstance(config, s.SegmentStepConfig) and config.segment_id is not None:
        if kind == "action.segment_add":
            return AddToSegment(node_id=node_id, segment_id=config.segment_id)
        return RemoveFromSegment(node_id=node_id, segment_id=config.segment_id)
    raise ValueError(f"'{kind}' is not an action with these settings")


def _branch(config: s.SplitStepConfig, run_id: int, node_id: str) -> str:
    """The same run always takes the same branch; runs spread by the branches' percentages."""
    point = zlib.crc32(f"{run_id}:{node_id}".encode()) % 10_000 / 100
    total = 0.0
    for branch in config.branches:
        total += branch.percent
        if point < total:
            return branch.label
    return config.branches[-1].label


def zone_of(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def wait_until(config: s.WaitUntilStepConfig, contact: Contact, now: dt.datetime) -> dt.datetime:
    """When a `flow.wait_until` lets the contact go on: the moment, or the next time of day, moved
    into the send hours when it falls outside them."""
    zone = zone_of(contact.own_timezone if config.timezone == "contact" else config.timezone, contact.timezone)
    local_now = now.astimezone(zone)
    at = graph.parse_at(config.at)
    if isinstance(at, dt.time):
        target = dt.datetime.combine(local_now.date(), at.replace(tzinfo=None), tzinfo=zone)
        if target <= local_now:
            target = dt.datetime.combine(local_now.date() + dt.timedelta(days=1), at.replace(tzinfo=None), tzinfo=zone)
    else:
        target = at if at.tzinfo else at.replace(tzinfo=zone)
        target = max(target.astimezone(zone), local_now)
    if config.send_hours:
        start, end = config.send_hours
        if target.hour >= end:
            target = dt.datetime.combine(target.date() + dt.timedelta(days=1), dt.time(start), tzinfo=zone)
        elif target.hour < start:
            target = dt.datetime.combine(target.date(), dt.time(start), tzinfo=zone)
    return target.astimezone(dt.UTC)

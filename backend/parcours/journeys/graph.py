"""A journey as data: nodes, edges, each node type's settings, and the structural checks made
before publishing. Pure: no database, no clock."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

import isodate
import msgspec

from parcours.journeys.steps import (
    CONFIGS,
    SplitStepConfig,
    StepConfig,
    WaitUntilStepConfig,
    WebhookStepConfig,
)

# The name the engine's tests know `flow.wait_until`'s settings by.
WaitUntil = WaitUntilStepConfig

NODE_TYPES = tuple(CONFIGS)
ENTRY_TYPES = tuple(t for t in NODE_TYPES if t.startswith("entry."))
ACTION_TYPES = tuple(t for t in NODE_TYPES if t.startswith("action."))
FLOW_TYPES = tuple(t for t in NODE_TYPES if t.startswith("flow."))
# A wait longer than this is a mistake, not a plan.
LONGEST_WAIT = dt.timedelta(days=730)


class Node(msgspec.Struct, kw_only=True):
    id: str
    type: str
    config: dict[str, Any] = msgspec.field(default_factory=dict)
    position: dict[str, float] | None = None


class Edge(msgspec.Struct, kw_only=True):
    source: str
    target: str
    label: str | None = None


class Definition(msgspec.Struct, kw_only=True):
    nodes: list[Node] = msgspec.field(default_factory=list)
    edges: list[Edge] = msgspec.field(default_factory=list)


class Problem(msgspec.Struct, kw_only=True):
    """Why a journey cannot be published yet, attached to a node when it concerns one."""

    message: str
    node_id: str | None = None
    field: str | None = None


# ---- each node type's settings (steps.py) ---------------------------------------------------------


def about(kind: str, event_id: int | None, form_id: int | None = None) -> str:
    """What a step listens to, as the stream matches it: an interaction type, an event
    interaction about one event ("event_attended@event:12"), or a form's ("form_submitted@form:3")."""
    if form_id is not None:
        return f"{kind}@form:{form_id}"
    return kind if event_id is None else f"{kind}@event:{event_id}"


def heard(kind: str, properties: dict[str, Any] | None) -> tuple[str, ...]:
    """What an interaction answers to: its type, and for an event or a form interaction, its
    event or its form too."""
    event_id = (properties or {}).get("event_id")
    form_id = (properties or {}).get("form_id") if kind.startswith("form_") else None
    found = [kind]
    if event_id is not None:
        found.append(about(kind, event_id))
    if form_id is not None:
        found.append(about(kind, None, form_id))
    return tuple(found)


def exits_of(node: Node, config: StepConfig) -> tuple[str, ...] | None:
    """The labelled exits a node must connect, or None for a node with one plain way out."""
    if node.type == "flow.condition":
        return ("yes", "no")
    if node.type == "flow.wait_for":
        return ("happened", "timeout")
    if isinstance(config, SplitStepConfig):
        return tuple(b.label for b in config.branches)
    return None


def duration(text: str) -> dt.timedelta:
    """An ISO 8601 duration ("P2D", "PT2S", "-P7D") as a timedelta (a month counts 30 days)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a duration is required (ISO 8601, e.g. P2D for two days, PT2H for two hours)")
    return _duration(text.strip())


@functools.lru_cache(maxsize=1024)
def _duration(text: str) -> dt.timedelta:
    # Parsed once per text: the engine asks at every wait a contact reaches.
    try:
        parsed = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError):
        raise ValueError(
            f"'{text}' is not a duration (ISO 8601, e.g. P2D for two days, PT30M for 30 minutes)"
        ) from None
    if isinstance(parsed, isodate.Duration):
        parsed = parsed.tdelta + dt.timedelta(days=int(parsed.years) * 365 + int(parsed.months) * 30)
    return parsed


# ---- the program the engine runs ------------------------------------------------------------------


class Program:
    """A validated definition, indexed for the interpreter."""

    def __init__(self, definition: Definition, configs: dict[str, StepConfig]) -> None:
        self.definition = definition
        self.nodes = {n.id: n for n in definition.nodes}
        self.configs = configs
        self.next: dict[tuple[str, str | None], str] = {}
        for edge in definition.edges:
            self.next[
                (edge.source, edge.label if exits_of(self.nodes[edge.source], configs[edge.source]) else None)
            ] = edge.target
        self.entry = next(n for n in definition.nodes if n.type in ENTRY_TYPES)

    def after(self, node_id: str, label: str | None = None) -> str | None:
        return self.next.get((node_id, label))

    def order(self) -> list[str]:
        """Nodes from the entry onward, breadth first (the funnel's order)."""
        seen, queue = [self.entry.id], [self.entry.id]
        while queue:
            current = queue.pop(0)
            for edge in self.definition.edges:
                if edge.source == current and edge.target not in seen:
                    seen.append(edge.target)
                    queue.append(edge.target)
        return seen


def decode(raw: Any) -> Definition:
    try:
        return msgspec.convert(raw, Definition)
    except msgspec.ValidationError as exc:
        raise ValueError(f"The journey's definition is not valid: {exc}") from None


def config_of(node: Node) -> StepConfig | None:
    """A stored step's settings, typed; None when its type is unknown or its settings do not fit
    (graph.check says why)."""
    shape = CONFIGS.get(node.type)
    if shape is None:
        return None
    try:
        return msgspec.convert(node.config, shape)
    except msgspec.ValidationError:
        return None


def check(definition: Definition) -> tuple[list[Problem], Program | None]:
    """Structural problems (one entry, every node reachable and connected, no loop, settings well
    formed, waits bounded). References to emails, segments and rules are checked by the caller."""
    problems: list[Problem] = []
    configs: dict[str, StepConfig] = {}
    ids = [n.id for n in definition.nodes]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(message=f"Two steps share the id '{duplicate}'.", node_id=duplicate))
    for node in definition.nodes:
        if node.type not in CONFIGS:
            problems.append(Problem(message=f"Unknown step type '{node.type}'.", node_id=node.id, field="type"))
            continue
        try:
            configs[node.id] = msgspec.convert(node.config, CONFIGS[node.type])
        except msgspec.ValidationError as exc:
            problems.append(Problem(message=f"This step's settings are not valid: {exc}.", node_id=node.id))
            continue
        problems += [
            Problem(message=m, node_id=node.id, field=f) for f, m in _config_problems(node.type, configs[node.id])
        ]
    entries = [n for n in definition.nodes if n.type in ENTRY_TYPES]
    if len(entries) != 1:
        problems.append(
            Problem(
                message="A journey needs exactly one entry step (who enters)."
                if not entries
                else "A journey has exactly one entry step: remove the others."
            )
        )
    nodes = {n.id: n for n in definition.nodes}
    problems += _edge_problems(definition, nodes, configs)
    if problems or len(entries) != 1:
        return problems, None
    problems += _reach_problems(definition, entries[0].id)
    return problems, (None if problems else Program(definition, configs))


def _config_problems(kind: str, config: StepConfig) -> Iterable[tuple[str, str]]:
    required = {
        "entry.segment": ("segment_id", "a segment"),
        "action.email": ("email_id", "an email"),
        "action.segment_add": ("segment_id", "a segment"),
        "action.segment_remove": ("segment_id", "a segment"),
        "action.event_register": ("event_id", "an event"),
    }
    if kind in required and getattr(config, required[kind][0]) is None:
        yield required[kind][0], f"Choose {required[kind][1]}."
    texts = {
        "entry.interaction": "type",
        "entry.date": "field",
        "action.sms": "text",
        "action.webhook": "url",
        "action.update_field": "field",
        "action.stage": "stage",
        "flow.wait_for": "type",
        "flow.condition": "rule",
        "flow.goal": "rule",
        "flow.wait_until": "at",
    }
    if kind in texts and not str(getattr(config, texts[kind]) or "").strip():
        yield texts[kind], f"This step needs a {texts[kind].replace('_', ' ')}."
    if isinstance(config, WebhookStepConfig) and config.url and not config.url.startswith(("https://", "http://")):
        yield "url", "The address must start with https:// or http://."
    for name in {"flow.wait": ("duration",), "flow.wait_for": ("timeout",), "entry.date": ("offset",)}.get(kind, ()):
        try:
            length = duration(getattr(config, name))
        except ValueError as exc:
            yield name, str(exc)[0].upper() + str(exc)[1:] + "."
            continue
        if kind != "entry.date" and not dt.timedelta(0) < length <= LONGEST_WAIT:
            yield name, "A wait lasts more than nothing and at most two years."
    if isinstance(config, WaitUntilStepConfig) and config.at:
        try:
            parse_at(config.at)
        except ValueError as exc:
            yield "at", str(exc)
        if config.send_hours is not None and not (
            len(config.send_hours) == 2 and 0 <= config.send_hours[0] < config.send_hours[1] <= 24
        ):
            yield "send_hours", "Send hours are a start and an end hour, e.g. [9, 18]."
    if isinstance(config, SplitStepConfig):
        labels = [b.label for b in config.branches]
        if len(config.branches) < 2:
            yield "branches", "A split has at least two branches."
        elif len(set(labels)) != len(labels) or not all(label.strip() for label in labels):
            yield "branches", "Each branch needs its own name."
        elif any(b.percent < 0 for b in config.branches) or abs(sum(b.percent for b in config.branches) - 100) > 1e-6:
            yield "branches", "The branches' percentages must add up to 100."


def parse_at(text: str) -> dt.datetime | dt.time:
    """`flow.wait_until`'s moment: a date-time, or a time of day."""
    try:
        return dt.time.fromisoformat(text) if len(text) <= 8 else dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is neither a date and time (2026-12-24T09:00) nor a time of day (09:00).") from None


def _edge_problems(definition: Definition, nodes: dict[str, Node], configs: dict[str, StepConfig]) -> list[Problem]:
    problems = []
    outgoing: dict[str, list[Edge]] = {}
    for edge in definition.edges:
        if edge.source not in nodes or edge.target not in nodes:
            problems.append(
                Problem(
                    message="A connection leads to a step that does not exist.",
                    node_id=edge.source if edge.source in nodes else None,
                )
            )
            continue
        if nodes[edge.target].type in ENTRY_TYPES:
            problems.append(Problem(message="Nothing leads into the entry step.", node_id=edge.target))
        outgoing.setdefault(edge.source, []).append(edge)
    for node in definition.nodes:
        if node.id not in configs:
            continue
        edges = outgoing.get(node.id, [])
        labels = exits_of(node, configs[node.id])
        if node.type == "flow.exit":
            if edges:
                problems.append(Problem(message="An exit ends the journey: nothing can follow it.", node_id=node.id))
        elif labels is None:
            if len(edges) > 1:
                problems.append(
                    Problem(
                        message="This step has one way out: connect it to one next step "
                        "(use a condition or a split to branch).",
                        node_id=node.id,
                    )
                )
        else:
            found = [e.label for e in edges]
            for label in labels:
                if found.count(label) != 1:
                    problems.append(
                        Problem(
                            message=f"Connect the '{label}' branch to a next step (an exit if nothing should happen).",
                            node_id=node.id,
                        )
                    )
            for extra in set(found) - set(labels):
                problems.append(Problem(message=f"This step has no '{extra}' branch.", node_id=node.id))
    return problems


def _reach_problems(definition: Definition, entry: str) -> list[Problem]:
    targets: dict[str, list[str]] = {}
    for edge in definition.edges:
        targets.setdefault(edge.source, []).append(edge.target)
    reached, stack = {entry}, [entry]
    while stack:
        for target in targets.get(stack.pop(), []):
            if target not in reached:
                reached.add(target)
                stack.append(target)
    problems = [
        Problem(message="Nothing leads to this step: connect it, or delete it.", node_id=n.id)
        for n in definition.nodes
        if n.id not in reached
    ]
    # A loop would carry a contact round forever: refused.
    state: dict[str, int] = {}

    def visit(node_id: str) -> bool:
        state[node_id] = 1
        for target in targets.get(node_id, []):
            if state.get(target) == 1 or (target not in state and visit(target)):
                return True
        state[node_id] = 2
        return False

    if visit(entry):
        problems.append(Problem(message="The journey loops back on itself: a contact would never leave it."))
    return problems

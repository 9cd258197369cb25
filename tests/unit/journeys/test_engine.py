"""The interpreter, without I/O: every node type, every branch, time moving on."""

import datetime as dt
import itertools
from collections import Counter
from typing import Any

import pytest

from parcours.journeys import engine, graph
from parcours.journeys.engine import Contact, RunState, step

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def program(
    *nodes: tuple[str, str, dict[str, Any]], edges: list[tuple[str, str, str | None]] | None = None
) -> graph.Program:
    if edges is None:
        edges = [(a[0], b[0], None) for a, b in itertools.pairwise(nodes)]
    definition = graph.Definition(
        nodes=[graph.Node(id=i, type=t, config=c) for i, t, c in nodes],
        edges=[graph.Edge(source=s, target=t, label=lab) for s, t, lab in edges],
    )
    problems, built = graph.check(definition)
    assert not problems, problems
    assert built is not None
    return built


def who(*true_rules: str, run_id: int = 1, **kwargs: Any) -> Contact:
    return Contact(run_id=run_id, matches=lambda rule: rule in true_rules, **kwargs)


ENTRY = ("in", "entry.segment", {"segment_id": 1})


def test_actions_run_in_one_step_until_the_end() -> None:
    p = program(
        ENTRY,
        ("mail", "action.email", {"email_id": 7}),
        ("stage", "action.stage", {"stage": "lead"}),
        ("field", "action.update_field", {"field": "city", "value": "Lyon"}),
        ("add", "action.segment_add", {"segment_id": 3}),
        ("hook", "action.webhook", {"url": "https://x.test/h"}),
    )
    result = step(p, RunState(node_id="in"), who(), NOW)
    assert [type(e).__name__ for e in result.effects] == [
        "SendEmail",
        "SetStage",
        "SetField",
        "AddToSegment",
        "CallWebhook",
    ]
    assert result.effects[0] == engine.SendEmail(node_id="mail", email_id=7)
    assert result.state.status == "completed" and result.state.node_id == "hook"
    assert [v.node_id for v in result.visits] == ["in", "mail", "stage", "field", "add", "hook"]


def test_a_wait_stops_the_step_and_resumes_when_due() -> None:
    p = program(ENTRY, ("wait", "flow.wait", {"duration": "P2D"}), ("mail", "action.email", {"email_id": 7}))
    first = step(p, RunState(node_id="in"), who(), NOW)
    assert (first.state.status, first.state.node_id, first.state.wake_at) == (
        "waiting",
        "wait",
        NOW + dt.timedelta(days=2),
    )
    assert first.effects == []
    early = step(p, first.state, who(), NOW + dt.timedelta(days=1))
    assert (early.state, early.effects, early.visits) == (first.state, [], [])
    due = step(p, first.state, who(), NOW + dt.timedelta(days=2))
    assert due.state.status == "completed" and [type(e).__name__ for e in due.effects] == ["SendEmail"]


def test_a_condition_takes_yes_or_no() -> None:
    p = program(
        ENTRY,
        ("fr", "flow.condition", {"rule": 'country == "FR"'}),
        ("a", "flow.exit", {}),
        ("b", "action.email", {"email_id": 1}),
        edges=[("in", "fr", None), ("fr", "a", "yes"), ("fr", "b", "no")],
    )
    yes = step(p, RunState(node_id="in"), who('country == "FR"'), NOW)
    assert (yes.state.status, yes.state.node_id, yes.visits[1].label) == ("exited", "a", "yes")
    no = step(p, RunState(node_id="in"), who(), NOW)
    assert (no.state.status, no.state.node_id, no.visits[1].label) == ("completed", "b", "no")


def test_wait_for_happened_or_timeout() -> None:
    p = program(
        ("in", "entry.interaction", {"type": "cart"}),
        ("w", "flow.wait_for", {"type": "purchase", "timeout": "PT4H"}),
        ("thanks", "flow.exit", {}),
        ("remind", "action.email", {"email_id": 2}),
        edges=[("in", "w", None), ("w", "thanks", "happened"), ("w", "remind", "timeout")],
    )
    waiting = step(p, RunState(node_id="in"), who(), NOW).state
    assert (waiting.status, waiting.waiting_for, waiting.wake_at) == (
        "waiting",
        "purchase",
        NOW + dt.timedelta(hours=4),
    )
    bought = step(p, msgspec_replace(waiting, event="purchase"), who(), NOW + dt.timedelta(hours=1))
    assert (bought.state.node_id, bought.visits[0].label) == ("thanks", "happened")
    other = step(p, msgspec_replace(waiting, event="visit"), who(), NOW + dt.timedelta(hours=1))
    assert other.state.status == "waiting" and other.state.event is None and other.visits == []
    late = step(p, waiting, who(), NOW + dt.timedelta(hours=4))
    assert (late.state.node_id, late.visits[0].label, len(late.effects)) == ("remind", "timeout", 1)


def test_wait_for_with_a_rule_keeps_waiting_when_it_is_not_met() -> None:
    p = program(
        ENTRY,
        ("w", "flow.wait_for", {"type": "purchase", "rule": "total_revenue > 100", "timeout": "P1D"}),
        ("a", "flow.exit", {}),
        ("b", "flow.exit", {}),
        edges=[("in", "w", None), ("w", "a", "happened"), ("w", "b", "timeout")],
    )
    waiting = step(p, RunState(node_id="in"), who(), NOW).state
    small = step(p, msgspec_replace(waiting, event="purchase"), who(), NOW)
    assert small.state.status == "waiting"
    big = step(p, msgspec_replace(waiting, event="purchase"), who("total_revenue > 100"), NOW)
    assert big.state.node_id == "a"


def test_a_split_is_stable_per_run_and_follows_the_percentages() -> None:
    p = program(
        ENTRY,
        (
            "s",
            "flow.split",
            {
                "branches": [
                    {"label": "A", "percent": 50},
                    {"label": "B", "percent": 30},
                    {"label": "holdout", "percent": 20},
                ]
            },
        ),
        ("a", "flow.exit", {}),
        ("b", "flow.exit", {}),
        ("h", "flow.exit", {}),
        edges=[("in", "s", None), ("s", "a", "A"), ("s", "b", "B"), ("s", "h", "holdout")],
    )
    taken = Counter(step(p, RunState(node_id="in"), who(run_id=i), NOW).visits[1].label for i in range(10_000))
    assert abs(taken["A"] - 5000) < 300 and abs(taken["B"] - 3000) < 300 and abs(taken["holdout"] - 2000) < 300
    assert (
        step(p, RunState(node_id="in"), who(run_id=42), NOW).visits[1].label
        == step(p, RunState(node_id="in"), who(run_id=42), NOW).visits[1].label
    )


def test_a_goal_records_a_conversion_only_when_met() -> None:
    p = program(ENTRY, ("g", "flow.goal", {"rule": "purchases > 0"}))
    assert step(p, RunState(node_id="in"), who("purchases > 0"), NOW).effects == [engine.Converted(node_id="g")]
    assert step(p, RunState(node_id="in"), who(), NOW).effects == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"at": "09:00"},
            dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC),
        ),  # 09:00 in Paris is 08:00 UTC; 10:00 UTC is past it
        ({"at": "18:30"}, dt.datetime(2026, 11, 23, 17, 30, tzinfo=dt.UTC)),
        ({"at": "2026-12-24T07:00", "send_hours": [9, 18]}, dt.datetime(2026, 12, 24, 8, 0, tzinfo=dt.UTC)),
        ({"at": "2026-12-24T20:00", "send_hours": [9, 18]}, dt.datetime(2026, 12, 25, 8, 0, tzinfo=dt.UTC)),
        ({"at": "09:00", "timezone": "contact"}, dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)),  # 05:00 in New York
        ({"at": "2020-01-01T00:00"}, NOW),  # a moment already past lets the contact go on at once
    ],
)
def test_wait_until_in_the_right_time_zone(config: dict[str, Any], expected: dt.datetime) -> None:
    contact = who(timezone="Europe/Paris", own_timezone="America/New_York")
    assert engine.wait_until(graph.WaitUntil(**config), contact, NOW) == expected


def test_a_past_wait_until_does_not_stop() -> None:
    p = program(ENTRY, ("w", "flow.wait_until", {"at": "2020-01-01T00:00"}), ("m", "action.email", {"email_id": 1}))
    assert step(p, RunState(node_id="in"), who(), NOW).state.status == "completed"


def msgspec_replace(state: RunState, **changes: Any) -> RunState:
    import msgspec

    return msgspec.structs.replace(state, **changes)

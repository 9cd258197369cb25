"""What publishing refuses, before any database is asked."""

from typing import Any

import pytest

from parcours.journeys import graph


def check(nodes: list[tuple[str, str, dict[str, Any]]], edges: list[tuple[str, str, str | None]]) -> list[str]:
    definition = graph.Definition(
        nodes=[graph.Node(id=i, type=t, config=c) for i, t, c in nodes],
        edges=[graph.Edge(source=s, target=t, label=lab) for s, t, lab in edges],
    )
    problems, program = graph.check(definition)
    assert (program is None) == bool(problems)
    return [f"{p.node_id}: {p.message}" for p in problems]


ENTRY = ("in", "entry.segment", {"segment_id": 1})
EXIT = ("out", "flow.exit", {})


def test_a_valid_journey_has_no_problem() -> None:
    assert check([ENTRY, ("w", "flow.wait", {"duration": "P1D"}), EXIT], [("in", "w", None), ("w", "out", None)]) == []


@pytest.mark.parametrize(
    ("nodes", "edges", "expected"),
    [
        ([EXIT], [], "None: A journey needs exactly one entry step"),
        ([ENTRY, ("in2", "entry.interaction", {"type": "x"})], [], "None: A journey has exactly one entry step"),
        ([ENTRY, EXIT, ("lost", "flow.exit", {})], [("in", "out", None)], "lost: Nothing leads to this step"),
        (
            [ENTRY, ("c", "flow.condition", {"rule": "x"}), EXIT],
            [("in", "c", None), ("c", "out", "yes")],
            "c: Connect the 'no' branch",
        ),
        (
            [ENTRY, ("w", "flow.wait", {"duration": "P1D"}), ("v", "flow.wait", {"duration": "P1D"})],
            [("in", "w", None), ("w", "v", None), ("v", "w", None)],
            "None: The journey loops back on itself",
        ),
        ([ENTRY, ("w", "flow.wait", {"duration": "soon"})], [("in", "w", None)], "w: 'soon' is not a duration"),
        (
            [ENTRY, ("w", "flow.wait", {"duration": "P5Y"})],
            [("in", "w", None)],
            "w: A wait lasts more than nothing and at most two years",
        ),
        ([ENTRY, ("w", "flow.wait_for", {"type": "purchase"})], [("in", "w", None)], "w: A duration is required"),
        (
            [ENTRY, ("s", "flow.split", {"branches": [{"label": "A", "percent": 60}, {"label": "B", "percent": 30}]})],
            [("in", "s", None)],
            "s: The branches' percentages must add up to 100",
        ),
        ([ENTRY, ("m", "action.email", {})], [("in", "m", None)], "m: Choose an email"),
        (
            [ENTRY, ("m", "action.email", {"email_id": 1, "colour": "red"})],
            [("in", "m", None)],
            "m: This step's settings are not valid",
        ),
        ([ENTRY, ("x", "action.teleport", {})], [("in", "x", None)], "x: Unknown step type 'action.teleport'"),
        (
            [ENTRY, EXIT, ("after", "flow.exit", {})],
            [("in", "out", None), ("out", "after", None)],
            "out: An exit ends the journey",
        ),
        (
            [ENTRY, EXIT, ("o2", "flow.exit", {})],
            [("in", "out", None), ("in", "o2", None)],
            "in: This step has one way out",
        ),
        (
            [ENTRY, ("h", "action.webhook", {"url": "ftp://x"})],
            [("in", "h", None)],
            "h: The address must start with https://",
        ),
        ([ENTRY, ("u", "flow.wait_until", {"at": "tomorrow"})], [("in", "u", None)], "u: 'tomorrow' is neither"),
    ],
)
def test_problems_name_the_step_and_say_what_to_do(nodes: Any, edges: Any, expected: str) -> None:
    problems = check(nodes, edges)
    assert any(p.startswith(expected) for p in problems), problems


def test_durations() -> None:
    assert graph.duration("PT2S").total_seconds() == 2
    assert graph.duration("P1M").days == 30
    assert graph.duration("-P7D").days == -7

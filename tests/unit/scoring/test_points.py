"""The scoring core: model checks, points with caps and expiry, grades, breakdown, stages."""

import datetime as dt
from typing import Any

import pytest

from parcours.pipeline.stages import STAGES, transition_problem
from parcours.rules.context import context_values
from parcours.rules.fields import ScoreInfo, catalog
from parcours.rules.language import Schema, evaluate, parse
from parcours.scoring.points import (
    AttributeRule,
    Event,
    GradeBand,
    InteractionRule,
    ModelProblem,
    check_model,
    crossed,
    grade_of,
    period_of,
    score,
)

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
SCHEMA = Schema({n: f for n, f in catalog().items() if f.type != "segments"}, lambda: NOW)
GRADES = [GradeBand("A", 100), GradeBand("B", 60), GradeBand("C", 30), GradeBand("D", 0)]
PRICING = InteractionRule(
    id="pricing",
    label="Clicked a pricing link",
    interaction_type="email_clicked",
    filter='url =~~ "pricing"',
    points=10,
    cap=30,
    cap_days=7,
    decay_days=90,
)
WEBINAR = InteractionRule(id="webinar", label="Attended a webinar", interaction_type="event_attended", points=25)
DIRECTOR = AttributeRule(id="director", label="Director", rule='(job_title ?? "") =~~ "Director"', points=15)


def model(*rules: Any, threshold: Any = 100, grades: list[GradeBand] = GRADES) -> Any:
    return check_model("behavioural", threshold, grades, list(rules), SCHEMA)


def click(url: str, days_ago: float) -> Event:
    return Event(type="email_clicked", occurred_at=NOW - dt.timedelta(days=days_ago), properties={"url": url})


def values(**contact: Any) -> dict[str, Any]:
    base = {
        "email": "a@example.org",
        "lifecycle_stage": "lead",
        "consent_level": "none",
        "email_opt_in": False,
        "sms_opt_in": False,
        "unsubscribed": False,
        "bounced": False,
        "created_at": NOW,
        "updated_at": NOW,
        "opens_30d": 0,
        "clicks_30d": 0,
        "visits_30d": 0,
        "purchases": 0,
        "total_revenue": 0,
        **contact,
    }
    return context_values(base, None, (), SCHEMA.fields)


def test_points_per_interaction_are_capped_per_period_and_explained() -> None:
    # Four pricing clicks inside one 7-day period: 40 points capped at 30; a click elsewhere counts nothing.
    start = period_of(NOW, 7) * 7 * 86400
    same_week = [
        Event(
            type="email_clicked",
            occurred_at=dt.datetime.fromtimestamp(start + i * 3600, dt.UTC),
            properties={"url": "https://x.test/pricing"},
        )
        for i in range(4)
    ]
    result = score(model(PRICING), values(), [*same_week, click("https://x.test/blog", 0)], NOW)
    assert result.score == 30
    [line] = result.breakdown
    assert (line.rule_id, line.points, line.count) == ("pricing", 30, 4)
    assert line.reason.startswith("4 × email_clicked (capped at 30 per 7 days)")


def test_each_period_has_its_own_cap() -> None:
    weeks = [click("https://x.test/pricing", d) for d in (1, 1.1, 1.2, 1.3, 30, 30.1)]
    period_counts: dict[int, int] = {}
    for e in weeks:
        period_counts[period_of(e.occurred_at, 7)] = period_counts.get(period_of(e.occurred_at, 7), 0) + 1
    expected = sum(min(30, n * 10) for n in period_counts.values())
    assert score(model(PRICING), values(), weeks, NOW).score == expected


def test_points_expire_after_decay_days() -> None:
    fresh, old = click("https://x.test/pricing", 89), click("https://x.test/pricing", 91)
    assert score(model(PRICING), values(), [fresh, old], NOW).score == 10
    assert score(model(PRICING), values(), [old], NOW).score == 0


def test_attribute_rules_grades_and_threshold() -> None:
    events = [Event(type="event_attended", occurred_at=NOW, properties={})] * 4
    result = score(model(WEBINAR, DIRECTOR), values(job_title="Sales Director"), events, NOW)
    assert (result.score, result.grade, result.sales_ready) == (115, "A", True)
    assert {line.rule_id: line.points for line in result.breakdown} == {"webinar": 100, "director": 15}
    assert score(model(WEBINAR, DIRECTOR), values(job_title="Intern"), events[:1], NOW).grade == "D"


def test_grades_and_crossing() -> None:
    ordered = sorted(GRADES, key=lambda g: -g.min)
    assert [grade_of(s, ordered) for s in (-5, 0, 29, 30, 99, 100, 500)] == ["D", "D", "D", "C", "B", "A", "A"]
    assert crossed(95, 105, 100) and crossed(0, 100, 100)
    assert not crossed(100, 120, 100) and not crossed(120, 90, 100)


def test_numeric_properties_and_missing_ones_in_filters() -> None:
    rule = InteractionRule(id="big", interaction_type="purchase", filter="amount >= 100", points=5)
    events = [
        Event(type="purchase", occurred_at=NOW, properties=p)
        for p in ({"amount": 150}, {"amount": "150"}, {}, {"amount": 99.5})
    ]
    assert score(model(rule), values(), events, NOW).score == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threshold": -1}, "threshold"),
        ({"threshold": 1.5}, "threshold"),
        ({"grades": [GradeBand("A", 50), GradeBand("B", 50), GradeBand("D", 0)]}, "grades[1].min"),
        ({"grades": [GradeBand("A", 50), GradeBand("A", 10), GradeBand("D", 0)]}, "grades[1].grade"),
        ({"grades": [GradeBand("A", 50), GradeBand("B", 10)]}, "grades"),
        (
            {"rules": [InteractionRule(id="x", interaction_type="email_clicked", points=1, decay_days=0)]},
            "rules[0].decay_days",
        ),
        ({"rules": [InteractionRule(id="x", interaction_type="email_clicked", points=1.5)]}, "rules[0].points"),
        (
            {"rules": [InteractionRule(id="x", interaction_type="Email Clicked!", points=1)]},
            "rules[0].interaction_type",
        ),
        ({"rules": [InteractionRule(id="x", interaction_type="email_clicked", points=1, cap=5)]}, "rules[0].cap_days"),
        ({"rules": [DIRECTOR, AttributeRule(id="y", rule="job_titel == 1", points=1)]}, "rules[1].rule"),
        ({"rules": [DIRECTOR, DIRECTOR]}, "rules[1].id"),
        (
            {"rules": [InteractionRule(id="x", interaction_type="email_clicked", filter="url ==", points=1)]},
            "rules[0].filter",
        ),
    ],
)
def test_bad_models_name_the_field(change: dict[str, Any], field: str) -> None:
    arguments = {"threshold": 100, "grades": GRADES, "rules": [PRICING], **change}
    with pytest.raises(ModelProblem) as problem:
        check_model("behavioural", arguments["threshold"], arguments["grades"], arguments["rules"], SCHEMA)
    assert problem.value.field == field, problem.value.message


def test_bad_key() -> None:
    with pytest.raises(ModelProblem) as problem:
        check_model("Behavioural score", 10, GRADES, [], SCHEMA)
    assert problem.value.field == "key"


def test_scores_are_fields_of_the_rule_language() -> None:
    fields = catalog(scores=[ScoreInfo(key="behavioural", name="Behavioural", grades=("A", "B", "C", "D"))])
    schema = Schema(fields, lambda: NOW)
    rule = parse('score_behavioural >= 60 and grade_behavioural in ["A", "B"]', schema)
    base = {
        "email": "a@example.org",
        "lifecycle_stage": "lead",
        "scores": {"score_behavioural": 70, "grade_behavioural": "B"},
    }
    assert evaluate(rule, context_values(base, None, (), fields))
    # Not scored yet: 0 points and the lowest grade.
    unscored = context_values({**base, "scores": {}}, None, (), fields)
    assert (unscored["score_behavioural"], unscored["grade_behavioural"]) == (0.0, "D")


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        ("subscriber", "customer", True),
        ("lead", "sales_ready", True),
        ("sales_ready", "lead", True),
        ("sales_accepted", "marketing_qualified", True),
        ("opportunity", "lead", False),
        ("customer", "opportunity", False),
        ("customer", "disqualified", True),
        ("opportunity", "disqualified", True),
        ("disqualified", "lead", True),
        ("disqualified", "marketing_qualified", True),
        ("disqualified", "sales_ready", False),
        ("disqualified", "customer", False),
        ("lead", "lead", True),
    ],
)
def test_stage_transitions(current: str, wanted: str, allowed: bool) -> None:
    assert (transition_problem(current, wanted) is None) == allowed
    assert current in STAGES and wanted in STAGES

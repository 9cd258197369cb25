"""Scoring, the pure core: check a model, count the points of a contact, grade and explain them.

A model is a list of rules. An interaction rule gives points per interaction of a type (its
properties filtered by a rule), at most `cap` points per period of `cap_days` (periods are
fixed windows counted from 1970-01-01 UTC, so that SQL and Python cut them alike), and only for
interactions of the last `decay_days` (older points have expired). An attribute rule gives its
points while a rule over the contact's fields holds. No I/O here: values in, values out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from parcours.rules.fields import Field, FieldType
from parcours.rules.language import Checked, RuleError, Schema, evaluate, parse

KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
INTERACTION_TYPE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
DAY = 86_400.0
# Properties read as numbers by filters; any other property is read as a text.
NUMBER_PROPERTIES = frozenset({"amount", "value", "price", "quantity", "duration", "count", "score", "position"})


class GradeBand(msgspec.Struct, forbid_unknown_fields=True):
    grade: Annotated[str, Meta(min_length=1, max_length=8)]
    min: int


class InteractionRule(msgspec.Struct, tag_field="kind", tag="interaction", forbid_unknown_fields=True, kw_only=True):
    id: Annotated[str, Meta(max_length=64)]
    label: Annotated[str, Meta(max_length=200)] = ""
    interaction_type: Annotated[str, Meta(max_length=64)]
    filter: Annotated[str, Meta(max_length=2000)] | None = None
    # Numbers are accepted here and refused by check() when not whole, with the rule's position.
    points: int | float
    cap: int | float | None = None
    cap_days: int | float | None = None
    decay_days: int | float | None = None


class AttributeRule(msgspec.Struct, tag_field="kind", tag="attribute", forbid_unknown_fields=True, kw_only=True):
    id: Annotated[str, Meta(max_length=64)]
    label: Annotated[str, Meta(max_length=200)] = ""
    rule: Annotated[str, Meta(max_length=4000)]
    points: int | float


Rule = InteractionRule | AttributeRule


class ModelProblem(ValueError):
    """A model that cannot be saved: what is wrong and the field it concerns (e.g. rules[2].rule)."""

    def __init__(self, message: str, field: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message, self.field, self.position = message, field, position


class Event(msgspec.Struct, frozen=True):
    """An interaction as scoring reads it."""

    type: str
    occurred_at: dt.datetime
    properties: Mapping[str, Any]


class Line(msgspec.Struct, kw_only=True):
    """One rule's share of a score, with a sentence saying why."""

    rule_id: str
    label: str
    points: int
    count: int
    reason: str


class Score(msgspec.Struct, kw_only=True):
    score: int
    grade: str
    sales_ready: bool
    breakdown: list[Line]


# ---- checking ---------------------------------------------------------------------------------


# Points, thresholds, caps and days beyond a million are typos (and would not fit a score).
LIMIT = 1_000_000


def _whole(value: Any, field: str, minimum: int | None = None, what: str = "This value") -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value != math.floor(value)
    ):
        raise ModelProblem(f"{what} must be a whole number.", field)
    if minimum is not None and value < minimum:
        raise ModelProblem(f"{what} must be at least {minimum}.", field)
    if abs(value) > LIMIT:
        raise ModelProblem(f"{what} must be at most {LIMIT:,}.", field)
    return int(value)


def check_grades(grades: Sequence[GradeBand]) -> list[GradeBand]:
    """Bands ordered from the highest minimum down; the last one starts at 0."""
    if not grades:
        raise ModelProblem("Give at least one grade band (one of them starting at 0).", "grades")
    names: set[str] = set()
    mins: set[int] = set()
    for i, band in enumerate(grades):
        if band.min < 0:
            raise ModelProblem("A grade band starts at 0 or more.", f"grades[{i}].min")
        if band.min > LIMIT:
            raise ModelProblem(f"A grade band starts at {LIMIT:,} at most.", f"grades[{i}].min")
        if band.min in mins:
            raise ModelProblem(f"Two grade bands start at {band.min}: the bands overlap.", f"grades[{i}].min")
        if band.grade in names:
            raise ModelProblem(f"The grade '{band.grade}' is used twice.", f"grades[{i}].grade")
        names.add(band.grade)
        mins.add(band.min)
    if 0 not in mins:
        raise ModelProblem("One grade band must start at 0, so that every score has a grade.", "grades")
    return sorted(grades, key=lambda b: -b.min)


class Compiled(msgspec.Struct, kw_only=True):
    """A checked model, its rules parsed once: what real-time scoring evaluates per contact."""

    key: str
    threshold: int
    grades: list[GradeBand]
    interaction_rules: list[tuple[InteractionRule, Checked | None, Schema | None]]
    attribute_rules: list[tuple[AttributeRule, Checked]]
    # The contact fields attribute rules were checked against (the SQL compiler reads it again).
    contact_schema: Any

    @property
    def interaction_types(self) -> set[str]:
        return {rule.interaction_type for rule, _, _ in self.interaction_rules}

    def window(self, now: dt.datetime) -> dt.datetime | None:
        """Interactions older than this give no points (None: some rule never expires)."""
        days = [rule.decay_days for rule, _, _ in self.interaction_rules]
        if not days or any(d is None for d in days):
            return None
        return now - dt.timedelta(days=max(float(d) for d in days if d is not None))


def check_model(
    key: str, threshold: Any, grades: Sequence[GradeBand], rules: Sequence[Rule], contact_schema: Schema
) -> Compiled:
    """Check everything that can be wrong with a model; raise ModelProblem naming the field."""
    if not KEY.match(key):
        raise ModelProblem(
            "The key is made of lower-case letters, digits and underscores, starting with a letter "
            "(rules read it as score_<key>).",
            "key",
        )
    threshold = _whole(threshold, "threshold", 0, "The sales-ready threshold")
    ordered = check_grades(grades)
    seen: set[str] = set()
    interaction_rules: list[tuple[InteractionRule, Checked | None, Schema | None]] = []
    attribute_rules: list[tuple[AttributeRule, Checked]] = []
    for i, rule in enumerate(rules):
        where = f"rules[{i}]"
        if not rule.id.strip():
            raise ModelProblem("Each rule needs an id.", f"{where}.id")
        if rule.id in seen:
            raise ModelProblem(f"Two rules have the id '{rule.id}'.", f"{where}.id")
        seen.add(rule.id)
        _whole(rule.points, f"{where}.points", what="Points")
        if isinstance(rule, AttributeRule):
            attribute_rules.append((rule, _checked(rule.rule, contact_schema, f"{where}.rule")))
            continue
        if not INTERACTION_TYPE.match(rule.interaction_type):
            raise ModelProblem(
                "An interaction type is written in lower case, e.g. email_clicked.", f"{where}.interaction_type"
            )
        if rule.decay_days is not None:
            _whole(rule.decay_days, f"{where}.decay_days", 1, "Points expire after 1 day or more: decay_days")
        if (rule.cap is None) != (rule.cap_days is None):
            raise ModelProblem(
                "A cap needs both the most points (cap) and the period in days (cap_days).",
                f"{where}.cap" if rule.cap is None else f"{where}.cap_days",
            )
        if rule.cap is not None:
            _whole(rule.cap, f"{where}.cap", 1, "The cap")
            _whole(rule.cap_days, f"{where}.cap_days", 1, "The cap's period (cap_days)")
            if rule.points <= 0:
                raise ModelProblem("Only rules that give points can be capped.", f"{where}.points")
        checked, schema = (
            filter_rule(rule.filter, contact_schema.clock, f"{where}.filter")
            if rule.filter and rule.filter.strip()
            else (None, None)
        )
        interaction_rules.append((rule, checked, schema))
    return Compiled(
        key=key,
        threshold=threshold,
        grades=ordered,
        interaction_rules=interaction_rules,
        attribute_rules=attribute_rules,
        contact_schema=contact_schema,
    )


def _checked(text: str, schema: Schema, field: str) -> Checked:
    try:
        return parse(text, schema)
    except RuleError as exc:
        raise ModelProblem(exc.message, field, exc.position) from None


def property_field(name: str) -> Field:
    kind: FieldType = "number" if name in NUMBER_PROPERTIES or name.endswith("_id") else "string"
    return Field(name=name, type=kind, label_en=name, label_fr=name, group="contact", nullable=False)


_UNKNOWN = re.compile(r"^There is no field named '([A-Za-z_][A-Za-z0-9_]*)'")


def filter_rule(text: str, clock: Callable[[], dt.datetime], field: str = "filter") -> tuple[Checked, Schema]:
    """A rule over an interaction's properties: any property name may be used; a missing one
    reads as "" (or 0 for the numeric ones of NUMBER_PROPERTIES and *_id)."""
    names: dict[str, Field] = {}
    for _ in range(32):
        schema = Schema(names, clock)
        try:
            return parse(text, schema), schema
        except RuleError as exc:
            found = _UNKNOWN.match(exc.message)
            if not found or found.group(1) in names:
                raise ModelProblem(exc.message, field, exc.position) from None
            names[found.group(1)] = property_field(found.group(1))
    raise ModelProblem("The filter uses too many properties.", field)


def property_values(properties: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """What a filter sees of an interaction's properties (as the SQL compiler reads them)."""
    values: dict[str, Any] = {}
    for name, field in schema.fields.items():
        raw = properties.get(name)
        if field.type == "number":
            values[name] = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else 0.0
        else:
            values[name] = raw if isinstance(raw, str) else ""
    return values


# ---- counting ---------------------------------------------------------------------------------


def period_of(moment: dt.datetime, days: float) -> int:
    """The cap period an interaction falls in (fixed windows of `days` since the epoch)."""
    return math.floor(moment.timestamp() / (days * DAY))


def interaction_line(
    rule: InteractionRule, checked: Checked | None, schema: Schema | None, events: Iterable[Event], now: dt.datetime
) -> Line | None:
    since = now - dt.timedelta(days=float(rule.decay_days)) if rule.decay_days is not None else None
    counted = [e for e in events if e.type == rule.interaction_type and (since is None or e.occurred_at >= since)]
    if checked is not None:
        assert schema is not None, "a filter comes with the schema it was checked against"
        counted = [e for e in counted if evaluate(checked, property_values(e.properties, schema))]
    if not counted:
        return None
    points = int(rule.points)
    total, cap_note = len(counted) * points, ""
    if rule.cap is not None and rule.cap_days is not None:
        per_period: dict[int, int] = {}
        for event in counted:
            period = period_of(event.occurred_at, float(rule.cap_days))
            per_period[period] = per_period.get(period, 0) + 1
        total = sum(min(int(rule.cap), n * points) for n in per_period.values())
        if total < len(counted) * points:
            cap_note = f" (capped at {int(rule.cap)} per {int(rule.cap_days)} days)"
    reason = f"{len(counted)} × {rule.interaction_type}{cap_note}"
    if rule.decay_days is not None:
        reason += f", in the last {int(rule.decay_days)} days"
    return Line(rule_id=rule.id, label=rule.label or rule.id, points=total, count=len(counted), reason=reason)


def grade_of(score: int, grades: Sequence[GradeBand]) -> str:
    """The band the score falls in (bands ordered from the highest minimum; below 0: the lowest)."""
    for band in grades:
        if score >= band.min:
            return band.grade
    return grades[-1].grade


def unscored(model: Compiled) -> tuple[int, str, bool]:
    """(score, grade, sales_ready) of a contact the model has not scored yet (no stored row):
    0 points, the lowest grade, as rules read them too (rules.fields.score_default)."""
    return 0, model.grades[-1].grade, 0 >= model.threshold


def score(model: Compiled, contact: Mapping[str, Any], events: Sequence[Event], now: dt.datetime) -> Score:
    """A contact's score for a model: `contact` holds its rule context values (see
    rules.context.context_values), `events` its interactions of the model's types."""
    lines: list[Line] = []
    for rule, checked, schema in model.interaction_rules:
        line = interaction_line(rule, checked, schema, events, now)
        if line is not None:
            lines.append(line)
    for attribute, check in model.attribute_rules:
        if evaluate(check, contact):
            lines.append(
                Line(
                    rule_id=attribute.id,
                    label=attribute.label or attribute.id,
                    points=int(attribute.points),
                    count=1,
                    reason=f"{attribute.rule} holds",
                )
            )
    total = sum(line.points for line in lines)
    return Score(
        score=total, grade=grade_of(total, model.grades), sales_ready=total >= model.threshold, breakdown=lines
    )


def crossed(previous: int, current: int, threshold: int) -> bool:
    """Did the score just reach the threshold (from below)?"""
    return previous < threshold <= current

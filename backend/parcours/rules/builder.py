"""The visual builder's conditions, written as rule text and read back from it.

A builder is groups of conditions: `{"match": "all"|"any", "groups": [{"match": "all"|"any",
"conditions": [{"field", "operator", "value"}]}]}`. `to_text` writes the rule; `from_text` reads
a rule written that way (or by hand in the same shapes) back into groups, so that the builder
and the text editor stay in sync both ways. A rule in another shape stays text-only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Literal

import msgspec
from rule_engine import ast

from parcours.rules.fields import Field
from parcours.rules.language import RuleError, Schema, parse

Match = Literal["all", "any"]


class Condition(msgspec.Struct, forbid_unknown_fields=True):
    field: str
    operator: str
    value: Any = None


class Group(msgspec.Struct, forbid_unknown_fields=True):
    conditions: list[Condition]
    match: Match = "all"


class Builder(msgspec.Struct, forbid_unknown_fields=True):
    groups: list[Group]
    match: Match = "all"


TEXT_KINDS = ("string", "choice", "country", "language")
OPERATORS: dict[str, tuple[str, ...]] = {
    "text": (
        "is",
        "is_not",
        "is_any_of",
        "is_none_of",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "is_empty",
        "is_not_empty",
    ),
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "between", "is_empty", "is_not_empty"),
    "boolean": ("is_true", "is_false"),
    "datetime": ("in_last_days", "more_than_days_ago", "before", "after", "is_empty", "is_not_empty"),
    "date": ("before", "after", "on", "is_empty", "is_not_empty"),
    "segments": ("in_segment", "not_in_segment"),
    # What the contact did in the journey run (fields.JOURNEY_FIELDS): they did it, or did not.
    "steps": ("did", "did_not"),
    "links": ("did", "did_not"),
    "events": ("did", "did_not"),
}
_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def family(field: Field) -> str:
    return "text" if field.type in TEXT_KINDS else field.type


def _q(text: Any) -> str:
    return json.dumps(str(text), ensure_ascii=False)


def _number(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RuleError(f"'{value}' is not a number.")
    return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(float(value))


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 36_500:
        raise RuleError("Give a whole number of days, from 1 to 36500.")
    return value


def _day(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise RuleError(f"'{value}' is not a date (YYYY-MM-DD).") from None


def _guarded(field: Field, expression: str) -> str:
    """A comparison on a field that may be empty: empty never matches it."""
    return f"({field.name} != null and {expression})" if field.nullable else expression


def condition_text(condition: Condition, schema: Schema) -> str:
    field = schema.fields.get(condition.field)
    if field is None:
        raise RuleError(f"There is no field named '{condition.field}'.")
    kind, op, value, name = family(field), condition.operator, condition.value, field.name
    if op not in OPERATORS.get(kind, ()):
        raise RuleError(f"'{op}' does not apply to {field.label_en}.")
    if op == "is_empty":
        return f"{name} == null"
    if op == "is_not_empty":
        return f"{name} != null"
    text_value = f'({name} ?? "")' if field.nullable else name
    if kind == "text":
        if op in ("is_any_of", "is_none_of"):
            if not isinstance(value, list) or not value:
                raise RuleError(f"Choose at least one value for {field.label_en}.")
            listed = f"{name} in [{', '.join(_q(v) for v in value)}]"
            return listed if op == "is_any_of" else f"not ({listed})"
        if value is None or str(value) == "":
            raise RuleError(f"Give a value for {field.label_en}.")
        return {
            "is": f"{name} == {_q(value)}",
            "is_not": f"{name} != {_q(value)}",
            "contains": f"{_q(value)} in {text_value}",
            "not_contains": f"not ({_q(value)} in {text_value})",
            "starts_with": f"{text_value} =~ {_q(re.escape(str(value)))}",
            "ends_with": f"{text_value} =~~ {_q(re.escape(str(value)) + '$')}",
        }[op]
    if kind == "number":
        if op == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise RuleError(f"Give the lowest and highest {field.label_en}.")
            low, high = _number(value[0]), _number(value[1])
            return (
                _guarded(field, f"({name} ?? 0) >= {low} and ({name} ?? 0) <= {high}")
                if field.nullable
                else f"({name} >= {low} and {name} <= {high})"
            )
        number = _number(value)
        return (
            _guarded(field, f"({name} ?? 0) {_COMPARE[op]} {number}")
            if field.nullable
            else f"{name} {_COMPARE[op]} {number}"
        )
    if kind == "boolean":
        return f"{name} == {'true' if op == 'is_true' else 'false'}"
    if kind == "segments":
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError("Choose a segment.")
        return f"{value} in segments" if op == "in_segment" else f"not ({value} in segments)"
    if kind in ("steps", "links", "events"):
        found = f"{_run_item(kind, value)} in {name}"
        return found if op == "did" else f"not ({found})"
    moment = f"({name} ?? $now)" if field.nullable else name
    if kind == "datetime" and op in ("in_last_days", "more_than_days_ago"):
        since = f'$now - t"P{_days(value)}D"'
        return _guarded(field, f"{moment} >= {since}" if op == "in_last_days" else f"{moment} < {since}")
    day = _day(value)
    if kind == "date":
        moment = f'({name} ?? d"1900-01-01")' if field.nullable else name
        symbol = {"before": "<", "after": ">", "on": "=="}[op]
        return _guarded(field, f'{moment} {symbol} d"{day}"')
    symbol = "<" if op == "before" else ">="
    bound = day if op == "before" else (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    return _guarded(field, f'{moment} {symbol} d"{bound}"')


def _run_item(kind: str, value: Any) -> str:
    """A step id, a [step id, url] link or an event id, as the rule writes it."""
    if kind == "events":
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleError("Choose an event.")
        return str(value)
    if kind == "links":
        if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) and v.strip() for v in value):
            raise RuleError("Choose a step and one of its email's links.")
        if " " in value[0] or " " in value[1].strip():
            raise RuleError("A step id or a link has no spaces.")
        return _q(f"{value[0]} {value[1].strip()}")
    if not isinstance(value, str) or not value or " " in value:
        raise RuleError("Choose an email step.")
    return _q(value)


def to_text(builder: Builder, schema: Schema) -> str:
    """The rule text of a builder; an empty builder is an empty rule (everyone)."""
    groups = []
    for group in builder.groups:
        parts = [condition_text(c, schema) for c in group.conditions]
        if parts:
            joiner = " and " if group.match == "all" else " or "
            groups.append(parts[0] if len(parts) == 1 else "(" + joiner.join(parts) + ")")
    if not groups:
        return ""
    return (" and " if builder.match == "all" else " or ").join(groups)


# ---- reading text back --------------------------------------------------------------------------


def from_text(text: str, schema: Schema) -> Builder | None:
    """The builder that writes this rule, or None when the rule has another shape."""
    if not text.strip():
        return Builder(groups=[])
    root = parse(text, schema).rule.statement.expression
    reader = _Reader(schema)
    top = (
        "or"
        if isinstance(root, ast.LogicExpression) and root.type == "or" and reader.condition(root) is None
        else "and"
    )
    inner = "and" if top == "or" else "or"
    groups: list[Group] = []
    outer_match: Match = "all" if top == "and" else "any"
    singles: Group | None = None  # consecutive single conditions share one group, matched like the rule
    for part in reader.flatten(root, top):
        if isinstance(part, Condition):
            if singles is None:
                singles = Group(match=outer_match, conditions=[])
                groups.append(singles)
            singles.conditions.append(part)
            continue
        singles = None
        members = reader.flatten(part, inner)
        if not all(isinstance(m, Condition) for m in members):
            return None
        groups.append(Group(match="all" if inner == "and" else "any", conditions=members))
    builder = Builder(match="all" if top == "and" else "any", groups=groups)
    return (
        builder if _shape(parse(to_text(builder, schema), schema).rule.statement.expression) == _shape(root) else None
    )


class _Reader:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.known: dict[Any, Condition | None] = {}

    def condition(self, node: Any) -> Condition | None:
        key = _shape(node)
        if key not in self.known:
            try:
                self.known[key] = _condition(node, self.schema)
            except _NotABuilderShape:
                self.known[key] = None
        return self.known[key]

    def flatten(self, node: Any, kind: str) -> list[Any]:
        """The parts joined by `kind`: conditions where a part is one, else the expression."""
        found = self.condition(node)
        if found is not None:
            return [found]
        if isinstance(node, ast.LogicExpression) and node.type == kind:
            return self.flatten(node.left, kind) + self.flatten(node.right, kind)
        return [node]


class _NotABuilderShape(Exception):
    pass


def _condition(node: Any, schema: Schema) -> Condition:
    """Try every field and operator the text could have come from: the one whose text parses to
    the same tree is it. Conditions are small, so this stays cheap and can never drift from
    condition_text."""
    names = _symbols(node)
    target = _shape(node)
    for name in names:
        field = schema.fields.get(name)
        if field is None:
            continue
        for op in OPERATORS.get(family(field), ()):
            for value in _values_in(node):
                try:
                    text = condition_text(Condition(field=name, operator=op, value=value), schema)
                    if _shape(parse(text, schema).rule.statement.expression) == target:
                        return Condition(field=name, operator=op, value=value)
                except RuleError:
                    continue
    raise _NotABuilderShape()


def _symbols(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, ast.SymbolExpression) and node.scope is None:
        found.append(node.name)
    for attribute in ("left", "right", "member", "container", "expression"):
        child = getattr(node, attribute, None)
        if isinstance(child, ast.ExpressionBase):
            found += [n for n in _symbols(child) if n not in found]
    return found


def _literals(node: Any) -> list[Any]:
    found: list[Any] = []
    if isinstance(node, (ast.StringExpression, ast.FloatExpression, ast.DatetimeExpression, ast.TimedeltaExpression)):
        found.append(node.value)
    if isinstance(node, ast.ArrayExpression):
        found.append([item.value for item in node.value])
    for attribute in ("left", "right", "member", "container", "expression"):
        child = getattr(node, attribute, None)
        if isinstance(child, ast.ExpressionBase):
            found += _literals(child)
    return found


def _values_in(node: Any) -> list[Any]:
    """The builder values this condition's literals could stand for."""
    values: list[Any] = [None]
    literals = _literals(node)
    numbers = [float(v) for v in literals if not isinstance(v, (str, list, dt.datetime, dt.timedelta))]
    for value in literals:
        if isinstance(value, str):
            values += [value, _unescape(value), _unescape(value.removesuffix("$"))]
            if " " in value:
                values.append(value.split(" ", 1))  # a link: [step id, url]
        elif isinstance(value, list):
            values.append([str(v) for v in value])
        elif isinstance(value, dt.timedelta):
            values.append(value.days)
        elif isinstance(value, dt.datetime):
            values += [value.date().isoformat(), (value.date() - dt.timedelta(days=1)).isoformat()]
    values += [_plain(n) for n in numbers]
    values += [[_plain(low), _plain(high)] for low in numbers for high in numbers if low <= high]
    return values


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _unescape(pattern: str) -> str:
    return re.sub(r"\\(.)", r"\1", pattern)


def _shape(node: Any) -> Any:
    """A comparable form of a parsed expression (type, operator, symbols and literal values)."""
    if isinstance(node, ast.ExpressionBase):
        children = tuple(
            _shape(getattr(node, a))
            for a in ("left", "right", "member", "container", "expression")
            if isinstance(getattr(node, a, None), ast.ExpressionBase)
        )
        extra = (getattr(node, "type", None), getattr(node, "name", None), getattr(node, "scope", None))
        value = getattr(node, "value", None)
        if isinstance(node, ast.ArrayExpression):
            value = tuple(_shape(v) for v in node.value)
        return (type(node).__name__, extra, value if not isinstance(value, ast.ExpressionBase) else None, children)
    return node

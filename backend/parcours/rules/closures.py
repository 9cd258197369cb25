"""A checked rule compiled once into Python closures: what rule-engine's evaluator does, without
its per-node dispatch and its type checks on every symbol of every rule.

Each closure does exactly what the node's own `evaluate` does with the values it is given (the
equivalence is a property test in tests/unit/rules). A contact's fields are resolved once by the
evaluator's own symbol nodes, type checks included, and kept in `Values` for every rule read for
that contact. Any node type not compiled here is handed to the evaluator itself."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rule_engine import ast, errors
from rule_engine.types import DataType

MISSING = object()


class Values(dict[str, Any]):
    """One contact's values as rules read them: fields resolved on first use and kept; `thing`
    is the raw mapping the evaluator reads (context_values)."""

    def __init__(self, thing: dict[str, Any]) -> None:
        super().__init__()
        self.thing = thing

    def replace(self, name: str, value: Any) -> None:
        """A raw value changed (memberships): read it again when next asked."""
        self.thing[name] = value
        self.pop(name, None)


Program = Callable[[Values], Any]


def compile_closures(statement: Any) -> Program:
    """A closure over `Values` giving what `statement.evaluate(values.thing)` gives."""
    return _compile(statement.expression)


def _evaluator(node: Any) -> Program:
    return lambda values: node.evaluate(values.thing)


def _compile(node: Any) -> Program:
    kind = type(node)
    if kind is ast.SymbolExpression:
        return _symbol(node)
    if kind in _CONSTANTS:
        constant = node.value
        return lambda values: constant
    if kind is ast.ArrayExpression:
        if all(type(member) in _CONSTANTS for member in node.value):
            items = node.evaluate(None)  # literals only: the same tuple every time
            return lambda values: items
        return _evaluator(node)
    if kind is ast.LogicExpression:
        return _logic(node)
    if kind is ast.UnaryExpression and node.type == "not":
        right = _compile(node.right)
        return lambda values: not right(values)
    if kind is ast.ComparisonExpression:
        return _equality(node)
    if kind is ast.ArithmeticComparisonExpression:
        return _ordered(node)
    if kind is ast.FuzzyComparisonExpression and isinstance(node.right, ast.StringExpression):
        return _regex(node)
    if kind is ast.ContainsExpression:
        return _contains(node)
    if kind is ast.CoalesceExpression:
        return _coalesce(node)
    if kind in (ast.AddExpression, ast.SubtractExpression):
        return _shift(node)
    return _evaluator(node)


_CONSTANTS = {
    ast.StringExpression,
    ast.FloatExpression,
    ast.BooleanExpression,
    ast.DatetimeExpression,
    ast.TimedeltaExpression,
    ast.NullExpression,
}


def _symbol(node: Any) -> Program:
    evaluate = node.evaluate
    if node.scope is not None:
        # $now, $today: read once per contact (kept under "$now"...), so that all of a contact's
        # rules are evaluated at one moment; the evaluator reads the clock once per rule.
        key = "$" + node.name

        def builtin(values: Values) -> Any:
            value = values.get(key, MISSING)
            if value is MISSING:
                value = values[key] = evaluate(values.thing)
            return value

        return builtin
    name = node.name
    expected = (
        node.result_type.inner_type if DataType.is_type(node.result_type, DataType.NULLABLE) else node.result_type
    )
    plain = _PLAIN.get(expected)  # the Python type a value of this field has when the evaluator keeps it as is
    numbers = expected == DataType.SET(DataType.FLOAT)

    def symbol(values: Values) -> Any:
        value = values.get(name, MISSING)
        if value is MISSING:
            raw: Any = values.thing.get(name, MISSING)
            if raw is None:
                value = None  # whatever the field's type, the evaluator gives a null as it is
            elif plain is not None and type(raw) is plain and (plain is not dt.datetime or _aware(raw)):
                value = Decimal(repr(raw)) if plain is float else raw  # coerce_value's conversion of a float
            elif numbers and type(raw) is set and all(type(item) is float for item in raw):
                value = raw  # memberships: a set of floats is kept as it is
            else:
                value = evaluate(values.thing)  # anything else, with its type checks and errors
            values[name] = value
        return value

    return symbol


def _aware(moment: Any) -> bool:
    return moment.tzinfo is not None  # a naive one is given the context's time zone by the evaluator


_PLAIN: dict[Any, type] = {
    DataType.STRING: str,
    DataType.BOOLEAN: bool,
    DataType.FLOAT: float,
    DataType.DATETIME: dt.datetime,
}


def _logic(node: Any) -> Program:
    left, right = _compile(node.left), _compile(node.right)
    if node.type == "and":
        return lambda values: bool(left(values) and right(values))
    return lambda values: bool(left(values) or right(values))


def _equality(node: Any) -> Program:
    left, right = _compile(node.left), _compile(node.right)
    if node.type == "eq":

        def equal(values: Values) -> bool:
            a, b = left(values), right(values)
            return type(a) is type(b) and a == b

        return equal

    def different(values: Values) -> bool:
        a, b = left(values), right(values)
        return type(a) is not type(b) or a != b

    return different


_ORDERS: dict[str, Callable[[Any, Any], Any]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _ordered(node: Any) -> Program:
    left, right, op = _compile(node.left), _compile(node.right), _ORDERS[node.type]

    def ordered(values: Values) -> Any:
        a, b = left(values), right(values)
        if type(a) is type(b) and a is not None and type(a) is not tuple:
            return op(a, b)
        return node.evaluate(values.thing)  # nulls, arrays, mismatches: the evaluator's answer or error

    return ordered


def _regex(node: Any) -> Program:
    left, pattern = _compile(node.left), node._right  # the pattern the evaluator compiled at parse time
    search = pattern.match if node.type.endswith("fzm") else pattern.search
    negated: bool = node.type.startswith("ne")

    def regex(values: Values) -> bool:
        text = left(values)
        if type(text) is not str:
            if text is not None and not isinstance(text, str):
                raise errors.EvaluationError("data type mismatch")
            if text is None:
                return negated
        # Groups are kept for $re_groups, which rules may not read (language.Compiler refuses it).
        return (search(text) is None) if negated else (search(text) is not None)

    return regex


def _contains(node: Any) -> Program:
    container, member = _compile(node.container), _compile(node.member)

    def contains(values: Values) -> bool:
        found = container(values)
        item = member(values)
        if isinstance(found, (str, bytes)) and DataType.from_value(item) != DataType.from_value(found):
            raise errors.EvaluationError("data type mismatch")
        return bool(item in found)

    return contains


def _coalesce(node: Any) -> Program:
    left, right = _compile(node.left), _compile(node.right)

    def coalesce(values: Values) -> Any:
        value = left(values)
        return right(values) if value is None else value

    return coalesce


def _shift(node: Any) -> Program:
    """A moment moved by a duration ($now - t"P30D"); anything else is the evaluator's."""
    left, right = _compile(node.left), _compile(node.right)
    move = operator.add if type(node) is ast.AddExpression else operator.sub

    def shift(values: Values) -> Any:
        a, b = left(values), right(values)
        if isinstance(a, dt.datetime) and isinstance(b, dt.timedelta):
            return move(a, b)
        return node.evaluate(values.thing)

    return shift

"""The rule language: parse and check a rule, evaluate it for one contact, compile it to SQL.

Rules are `rule-engine` expressions over the contact context of fields.py. The subset below is
what both evaluators agree on; anything else is refused when the rule is checked, with a
position and a sentence, so that a rule never means one thing in memory and another in SQL.

Supported:
- `and`, `or`, `not`, parentheses;
- `==`, `!=` on any field; `<`, `<=`, `>`, `>=` on numbers and dates (not on texts);
- `field in ["a", "b"]` (any of), `"text" in field` (contains, case-sensitive), `42 in segments`;
- `=~` (regex matches from the start), `=~~` (regex found anywhere), `!~`, `!~~`, with the regex
  subset of regex.py;
- `field ?? default` for fields that may be empty (the rule refuses ordering, contains and regex on
  them otherwise), `field == null`, `field != null`;
- dates: `d"2024-05-01"`, `$now`, `$today`, `$now - t"P30D"` (ISO 8601 durations);
- a yes/no field alone: `email_opt_in`, `not unsubscribed`.
Not supported: arithmetic on numbers (Decimal in memory and floats in SQL round differently),
functions, attributes (`.as_lower`), comprehensions, ternaries.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, localcontext
from difflib import SequenceMatcher
from typing import Any, Protocol, cast

import msgspec
import rule_engine
from rule_engine import DataType, ast, errors
from rule_engine.builtins import Builtins, BuiltinValueGenerator
from sqlalchemy import ColumnElement, and_, false, func, literal, not_, null, or_, true
from sqlalchemy.types import BigInteger, Boolean, Date, Float, Integer, String

from parcours.clock import as_utc
from parcours.db import UTCDateTime
from parcours.rules import regex
from parcours.rules.closures import Program, Values, compile_closures
from parcours.rules.fields import JOURNEY_FIELD_NAMES, Field

UTC = dt.UTC
MAX_DIGITS = 15  # beyond this, a Decimal literal and the float SQL compares with can differ

_ENGINE_TYPES = {
    "string": DataType.STRING,
    "choice": DataType.STRING,
    "country": DataType.STRING,
    "language": DataType.STRING,
    "number": DataType.FLOAT,
    "boolean": DataType.BOOLEAN,
    "datetime": DataType.DATETIME,
    "date": DataType.DATETIME,
    "segments": DataType.SET(DataType.FLOAT),
    "steps": DataType.SET(DataType.STRING),
    "links": DataType.SET(DataType.STRING),
    "events": DataType.SET(DataType.FLOAT),
}
# Fields answered by the journey run (fields.JOURNEY_FIELDS): `<item> in field` only, in memory only.
RUN_KINDS = {"steps": "string", "links": "string", "events": "number"}


class RuleError(ValueError):
    """A rule that cannot be used, with the character position it concerns (0-based)."""

    def __init__(self, message: str, position: int | None = None, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.position, self.suggestions = message, position, suggestions


class Schema:
    """The fields rules may use, as rule-engine types; `$now` reads the given clock."""

    def __init__(self, fields: Mapping[str, Field], clock: Callable[[], dt.datetime]) -> None:
        self.fields = dict(fields)
        self.clock = clock
        # Equal for schemas with the same fields and clock (a new Schema is built per request): what
        # caches of parsed rules are keyed on, as a rule parsed with one is valid with the other.
        self.key = _SCHEMA_KEYS.setdefault((tuple(self.fields.values()), clock), len(_SCHEMA_KEYS))
        # The engine's context depends on the same two things: built once per key, as building it took
        # 0.3 ms, a twentieth of a real-time evaluation.
        if self.key not in _CONTEXTS:
            _CONTEXTS[self.key] = _engine_context(self.fields, clock)
        self.context = _CONTEXTS[self.key]


_SCHEMA_KEYS: dict[tuple[Any, ...], int] = {}
_CONTEXTS: dict[int, rule_engine.Context] = {}


def _engine_context(fields: Mapping[str, Field], clock: Callable[[], dt.datetime]) -> rule_engine.Context:
    types = {}
    for field in fields.values():
        base = _ENGINE_TYPES[field.type]
        types[field.name] = DataType.NULLABLE(base) if field.nullable else base
    context = rule_engine.Context(type_resolver=types, default_timezone=UTC, mapping_attribute_lookup=False)
    context.builtins = Builtins.from_defaults(
        values={
            "now": BuiltinValueGenerator(lambda _b: clock()),
            "today": BuiltinValueGenerator(lambda _b: clock().replace(hour=0, minute=0, second=0, microsecond=0)),
        },
        timezone=UTC,
    )
    return context


class Checked(msgspec.Struct):
    """A rule that passed every check, with what it refers to."""

    text: str
    rule: Any
    fields: set[str]
    segment_ids: set[int]
    program: Program  # the rule as closures (closures.py), what `evaluation` runs
    step_ids: set[str] = msgspec.field(default_factory=set)  # journey steps named (opened_steps...)
    event_ids: set[int] = msgspec.field(default_factory=set)  # events named (registered_events...)


def _find(text: str, needle: str) -> int | None:
    found = re.search(r"(?<![\w$])" + re.escape(needle) + r"(?!\w)", text)
    return found.start() if found else (text.find(needle) if needle in text else None)


def parse(text: str, schema: Schema) -> Checked:
    """Parse and check a rule; raise RuleError(message, position) when it cannot be used."""
    if not text or not text.strip():
        raise RuleError("The rule is empty.", 0)
    try:
        rule = rule_engine.Rule(text, context=schema.context)
    except errors.RuleSyntaxError as exc:
        token = exc.token
        position = getattr(token, "lexpos", None) if token is not None else len(text)
        near = text[position : position + 20] if position is not None else ""
        raise RuleError(
            f"The rule is not written correctly near '{near}'."
            if near
            else "The rule ends too early: something is missing at the end.",
            position,
        ) from None
    except errors.SymbolResolutionError as exc:
        if exc.symbol_name in JOURNEY_FIELD_NAMES:
            raise RuleError(
                f"'{exc.symbol_name}' is what a contact did in a journey: only a journey's conditions can use it.",
                _find(text, exc.symbol_name),
            ) from None
        close = similar_fields(exc.symbol_name, schema)
        hint = f" Did you mean {' or '.join(_named(schema.fields[n]) for n in close)}?" if close else ""
        raise RuleError(
            f"There is no field named '{exc.symbol_name}'.{hint}", _find(text, exc.symbol_name), close
        ) from None
    except errors.RegexSyntaxError as exc:
        raise RuleError(
            f"'{exc.value}' is not a valid regular expression: {exc.error}.", _find(text, str(exc.value))
        ) from None
    except errors.AttributeResolutionError as exc:
        raise RuleError(
            f"'.{exc.attribute_name}' is not supported in rules.", _find(text, "." + exc.attribute_name)
        ) from None
    except errors.EvaluationError as exc:
        raise RuleError(_type_message(str(exc), text, schema), _nullable_position(str(exc), text, schema)) from None
    except errors.EngineError as exc:
        raise RuleError(f"The rule cannot be used: {exc.message}.", None) from None
    compiler = Compiler(text, schema, _NeutralTarget(schema), schema.clock())
    compiler.condition(rule.statement.expression)
    return Checked(
        text=text,
        rule=rule,
        fields=compiler.fields,
        segment_ids=compiler.segment_ids,
        program=compile_closures(rule.statement),
        step_ids=compiler.step_ids,
        event_ids=compiler.event_ids,
    )


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", plain)


def similar_fields(word: str, schema: Schema, most: int = 3) -> tuple[str, ...]:
    """The fields a marketer may have meant by an unknown name: close to the field's name or to its
    English or French label, or to a word of them (`pays` is country, labelled "Pays"; `score` is
    every score field)."""
    wanted = " ".join(_words(word))
    if not wanted:
        return ()
    scored: list[tuple[float, int, str]] = []
    for order, field in enumerate(schema.fields.values()):
        best = 0.0
        for name in (field.name, field.label_en, field.label_fr):
            words = _words(name)
            whole = " ".join(words)
            best = max(best, 1.0 if whole == wanted else SequenceMatcher(None, wanted, whole).ratio())
            best = max([best, *(0.9 * SequenceMatcher(None, wanted, w).ratio() for w in words if len(w) > 2)])
        if best >= 0.75:
            scored.append((-best, order, field.name))
    return tuple(name for _, _, name in sorted(scored)[:most])


def _named(field: Field) -> str:
    labels = dict.fromkeys((field.label_en, field.label_fr))
    return f"'{field.name}' ({' / '.join(labels)})"


def _nullable_fields(text: str, schema: Schema) -> list[str]:
    return [name for name, field in schema.fields.items() if field.nullable and _find(text, name) is not None]


_EMPTY_EXAMPLES = {
    "number": "({name} ?? 0) > 3",
    "datetime": '({name} ?? d"1970-01-01") >= $now - t"P30D"',
    "date": '({name} ?? d"1900-01-01") >= d"1990-01-01"',
    "boolean": "({name} ?? false) == true",
}


def _type_message(message: str, text: str, schema: Schema) -> str:
    if "nullable" in message:
        names = _nullable_fields(text, schema)
        if not names:
            return "A field that may be empty is used without saying what an empty value counts as (use ??)."
        field = schema.fields[names[0]]
        example = _EMPTY_EXAMPLES.get(field.type, '({name} ?? "") =~ "^A"').format(name=field.name)
        return f"'{field.name}' may be empty: say what an empty value counts as, e.g. {example}."
    return "The rule compares values of different kinds (e.g. a text with a number, or a date with a text)."


def _nullable_position(message: str, text: str, schema: Schema) -> int | None:
    names = _nullable_fields(text, schema) if "nullable" in message else []
    return _find(text, names[0]) if names else None


def evaluate(checked: Checked, values: Mapping[str, Any]) -> bool:
    """Does this contact (its context values, see context_values) match the rule?"""
    return bool(checked.rule.matches(values))


@contextmanager
def evaluation(schema: Schema) -> Iterator[Callable[[Checked, Mapping[str, Any]], bool]]:
    """evaluate() for many rules checked with this schema, in one decimal context (Rule.matches
    enters one per rule), each rule run as its compiled closures. Given the same `Values` for
    several rules, a contact's fields are resolved and type-checked once for all of them."""
    context = schema.context

    def matches(checked: Checked, values: Mapping[str, Any]) -> bool:
        if checked.rule.context is not context:  # checked with another schema: its own evaluator
            return bool(checked.rule.matches(values.thing if isinstance(values, Values) else values))
        return bool(checked.program(values if isinstance(values, Values) else Values(dict(values))))

    with localcontext(context.decimal_context):
        yield matches


# ---- compiling to SQL ------------------------------------------------------------------------


class SqlTarget(Protocol):
    dialect: str

    def column(self, field: Field) -> ColumnElement[Any]: ...

    def member_of(self, segment_id: int) -> ColumnElement[bool]: ...


class _NeutralTarget:
    """Placeholder columns: checking a rule builds the same SQL as running it, on no database."""

    dialect = "postgresql"

    def __init__(self, schema: Schema) -> None:
        from sqlalchemy import column

        self._column = column

    def column(self, field: Field) -> ColumnElement[Any]:
        return self._column(field.name)

    def member_of(self, segment_id: int) -> ColumnElement[bool]:
        return literal(True)


class Value(msgspec.Struct):
    sql: Any  # a SQL expression, or None for values without a column (durations, memberships)
    kind: str  # string | number | boolean | datetime | date | null | segments | timedelta
    nullable: bool
    constant: Any = msgspec.UNSET  # the Python value, when known at compile time


_KINDS = {
    "string": "string",
    "choice": "string",
    "country": "string",
    "language": "string",
    "number": "number",
    "boolean": "boolean",
    "datetime": "datetime",
    "date": "date",
    "segments": "segments",
    "steps": "steps",
    "links": "links",
    "events": "events",
}


class Compiler:
    """Walks a parsed rule and builds a SQLAlchemy condition that is never NULL, so that `not`
    and `or` behave in SQL as they do in Python."""

    def __init__(self, text: str, schema: Schema, target: SqlTarget, now: dt.datetime) -> None:
        self.text, self.schema, self.target, self.now = text, schema, target, now
        self.fields: set[str] = set()
        self.segment_ids: set[int] = set()
        self.step_ids: set[str] = set()
        self.event_ids: set[int] = set()

    def refuse(self, message: str, near: str | None = None) -> RuleError:
        position = None
        if near:
            position = _find(self.text, near) if not near.startswith(".") else self.text.find(near)
        return RuleError(message, position if position is None or position >= 0 else None)

    # conditions ---------------------------------------------------------------------------

    def condition(self, node: ast.ExpressionBase) -> ColumnElement[bool]:
        if isinstance(node, ast.LogicExpression):
            combine = and_ if node.type == "and" else or_
            left, right = self.condition(node.left), self.condition(node.right)
            if _tests_regex(node.left) and not _tests_regex(node.right):
                # A regex costs far more per row than other conditions (SQLite calls Python's re for
                # each row): test it last, on the rows the others let through. Databases test
                # conditions of equal cost in the order written: `email ends with @gmail.com and
                # clicks_30d >= 1` took 0.55 s instead of 0.1 s at 1M contacts on SQLite.
                left, right = right, left
            return combine(left, right)
        if isinstance(node, ast.UnaryExpression) and node.type == "not":
            return not_(self.condition(node.right))
        if isinstance(node, ast.FuzzyComparisonExpression):
            return self.regex(node)
        if isinstance(node, ast.ArithmeticComparisonExpression):
            return self.ordered(node)
        if isinstance(node, ast.ComparisonExpression):
            return self.equality(node)
        if isinstance(node, ast.ContainsExpression):
            return self.contains(node)
        if isinstance(node, ast.BooleanExpression):
            return true() if node.value else false()
        value = self.value(node)
        if value.kind != "boolean":
            raise self.refuse("A condition is expected here (for instance first_name != null).", _near(node))
        if value.constant is not msgspec.UNSET:
            return true() if value.constant else false()
        return _condition(value.sql.is_(True))

    def equality(self, node: ast.ComparisonExpression) -> ColumnElement[bool]:
        left, right = self.value(node.left), self.value(node.right)
        equal = node.type == "eq"
        if left.kind == "null" or right.kind == "null":
            other = right if left.kind == "null" else left
            if other.kind == "null":
                return true() if equal else false()
            if not other.nullable:
                return false() if equal else true()
            return _condition(other.sql.is_(None) if equal else other.sql.isnot(None))
        left, right = self.whole_numbers(*self.comparable(left, right, node))
        if left.kind == "date" or right.kind == "date":
            return self.date_comparison("eq" if equal else "ne", left, right, node)
        if left.nullable or right.nullable:
            column, value = (left, right) if right.constant is not msgspec.UNSET else (right, left)
            if value.constant is not msgspec.UNSET and not value.nullable:
                # Against a value, `x IS NOT NULL AND x = v` answers as IS NOT DISTINCT FROM does,
                # but PostgreSQL can look it up in an index (`country == "BE" and lifecycle_stage ==
                # "customer"` was counted in 170 ms instead of 5 ms at 1M contacts).
                if equal:
                    return and_(column.sql.isnot(None), column.sql == value.sql)
                return or_(column.sql.is_(None), column.sql != value.sql)
            return _condition(
                left.sql.is_not_distinct_from(right.sql) if equal else left.sql.is_distinct_from(right.sql)
            )
        return _condition(left.sql == right.sql if equal else left.sql != right.sql)

    def ordered(self, node: ast.ArithmeticComparisonExpression) -> ColumnElement[bool]:
        left, right = self.whole_numbers(*self.comparable(self.value(node.left), self.value(node.right), node))
        if left.kind == "string":
            raise self.refuse("Texts cannot be compared with < or >: use ==, contains or a pattern.", _near(node.left))
        if left.kind == "boolean":
            raise self.refuse("Yes/no fields cannot be compared with < or >.", _near(node.left))
        if left.kind == "date" or right.kind == "date":
            return self.date_comparison(node.type, left, right, node)
        operators: dict[str, Callable[[Any, Any], Any]] = {
            "gt": lambda a, b: a > b,
            "ge": lambda a, b: a >= b,
            "lt": lambda a, b: a < b,
            "le": lambda a, b: a <= b,
        }
        return _condition(operators[node.type](left.sql, right.sql))

    def whole_numbers(self, left: Value, right: Value) -> tuple[Value, Value]:
        """An integer column compared with a whole number is compared with an integer: against a
        float, PostgreSQL converts the column on every row and, that costing more, tests it after
        a regex of the same rule (`clicks_30d >= 1 and email =~~ ...` took 0.3 s instead of 0.18 s
        at 1M contacts). Same answers: integers below 2**53 are exact as floats."""
        for column, number in ((left, right), (right, left)):
            if (
                column.constant is msgspec.UNSET
                and isinstance(getattr(column.sql, "type", None), Integer)
                and isinstance(number.constant, Decimal)
                and number.constant == number.constant.to_integral_value()
            ):
                whole = Value(literal(int(number.constant), BigInteger()), "number", False, number.constant)
                return (column, whole) if column is left else (whole, column)
        return left, right

    def comparable(self, left: Value, right: Value, node: Any) -> tuple[Value, Value]:
        kinds = {left.kind, right.kind}
        if len(kinds) == 1 or kinds == {"date", "datetime"}:
            return left, right
        raise self.refuse("The rule compares values of different kinds (e.g. a text with a number).", _near(node.left))

    def date_comparison(self, op: str, left: Value, right: Value, node: Any) -> ColumnElement[bool]:
        """A date field holds midnight of its day: compare it with a moment by turning the moment
        into the day boundary that gives the same answer."""
        flipped = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}
        if left.kind != "date":
            left, right, op = right, left, flipped[op]
        if right.kind == "date":
            raise self.refuse(
                'Compare a date field with a date (d"2024-05-01", $today...), not with another field.', _near(node.left)
            )
        if right.constant is msgspec.UNSET:
            raise self.refuse(
                'Compare a date field with a date (d"2024-05-01", $today...), not with another field.', _near(node.left)
            )
        moment: dt.datetime = right.constant.astimezone(UTC)
        day, midnight = moment.date(), moment.time() == dt.time(0)
        column = left.sql

        def bound(d: dt.date) -> Any:
            return self.date_literal(d, left)

        if op == "eq":
            return and_(column.isnot(None), column == bound(day)) if midnight else false()
        if op == "ne":
            return or_(column.is_(None), column != bound(day)) if midnight else true()
        if op == "gt":
            condition = column > bound(day)
        elif op == "ge":
            condition = column >= bound(day if midnight else day + dt.timedelta(days=1))
        elif op == "lt":
            condition = column < bound(day if midnight else day + dt.timedelta(days=1))
        else:
            condition = column <= bound(day)
        return and_(column.isnot(None), condition) if left.nullable else condition

    def date_literal(self, day: dt.date, like: Value) -> Any:
        # Custom date fields are ISO texts inside JSON: their days compare as texts.
        stored_as_text = isinstance(like.sql.type, String)
        return literal(day.isoformat(), String()) if stored_as_text else literal(day, Date())

    def regex(self, node: ast.FuzzyComparisonExpression) -> ColumnElement[bool]:
        left = self.value(node.left)
        if not isinstance(node.right, ast.StringExpression):
            raise self.refuse("The pattern after =~ must be written in quotes.", _near(node.right))
        if left.kind != "string":
            raise self.refuse("Patterns (=~) apply to texts only.", _near(node.left))
        pattern = node.right.value
        anchored = node.type.endswith("fzm")
        try:
            postgres = regex.for_postgres(pattern, anchored=anchored)
        except regex.UnsupportedRegex as exc:
            raise RuleError(str(exc), _find(self.text, pattern) or self.text.find(pattern)) from None
        if self.target.dialect == "sqlite":  # Python's re, registered (SQLite's LIKE ignores case)
            matched = func.regexp(regex.python_anchored(pattern) if anchored else pattern, left.sql) == 1
        elif postgres.likes:
            like = left.sql.ilike if postgres.ignore_case else left.sql.like
            matched = or_(*(like(each, escape="\\") for each in postgres.likes))
        else:
            matched = left.sql.op("~*" if postgres.ignore_case else "~")(postgres.regex)
        return not_(matched) if node.type.startswith("ne") else matched

    def contains(self, node: ast.ContainsExpression) -> ColumnElement[bool]:
        container = node.container
        if isinstance(container, ast.ArrayExpression):
            member = self.value(node.member)
            items = [self.value(item) for item in container.value]
            if any(i.constant is msgspec.UNSET for i in items):
                raise self.refuse("The list after 'in' must hold plain values.", _near(node.member))
            values = [i for i in items if i.kind != "null"]
            for item in values:
                self.comparable(member, item, node)
            if member.kind == "date":
                raise self.refuse("Compare a date field with a date, not with a list.", _near(node.member))
            with_null = len(values) < len(items)
            found = member.sql.in_([i.sql for i in values]) if values else false()
            if member.nullable:
                found = and_(member.sql.isnot(None), found)
                if with_null:
                    found = or_(found, member.sql.is_(None))
            return found
        whole = self.value(container)
        if whole.kind in RUN_KINDS:
            return self.run_fact(whole.kind, self.value(node.member), node)
        if whole.kind == "segments":
            part = self.value(node.member)
            if part.kind != "number" or part.constant is msgspec.UNSET:
                raise self.refuse("Write segment membership as <segment id> in segments.", "segments")
            segment_id = int(part.constant)
            self.segment_ids.add(segment_id)
            return self.target.member_of(segment_id)
        if whole.kind != "string":
            raise self.refuse("'in' needs a list ([...]) or a text field after it.", _near(node.container))
        part = self.value(node.member)
        if part.kind != "string":
            raise self.refuse("Only a text can be looked for inside a text.", _near(node.member))
        position = (
            func.instr(whole.sql, part.sql) if self.target.dialect == "sqlite" else func.strpos(whole.sql, part.sql)
        )
        return position > 0

    def run_fact(self, kind: str, item: Value, node: Any) -> ColumnElement[bool]:
        """`"welcome" in opened_steps`: answered by the journey run in memory, never in SQL."""
        if item.constant is msgspec.UNSET or item.kind != RUN_KINDS[kind]:
            what = "an event id" if kind == "events" else "a step id in quotes"
            raise self.refuse(f"Write {what} before 'in' here.", _near(node.container))
        if not isinstance(self.target, _NeutralTarget):
            raise self.refuse("What a contact did in a journey can only be asked inside the journey.", _near(node))
        if kind == "events":
            self.event_ids.add(int(item.constant))
        else:
            self.step_ids.add(str(item.constant).split(" ", 1)[0])
        return true()

    # values -------------------------------------------------------------------------------------

    def value(self, node: ast.ExpressionBase) -> Value:
        if isinstance(node, ast.SymbolExpression):
            return self.symbol(node)
        if isinstance(node, ast.StringExpression):
            return Value(literal(node.value, String()), "string", False, node.value)
        if isinstance(node, ast.BooleanExpression):
            return Value(literal(node.value, Boolean()), "boolean", False, node.value)
        if isinstance(node, ast.FloatExpression):
            number: Decimal = node.value
            if len(number.normalize().as_tuple().digits) > MAX_DIGITS:
                raise self.refuse(f"Numbers are limited to {MAX_DIGITS} significant digits.", str(number))
            return Value(literal(float(number), Float()), "number", False, number)
        if isinstance(node, ast.DatetimeExpression):
            return self.moment(node.value)
        if isinstance(node, ast.NullExpression):
            return Value(null(), "null", True, None)
        if isinstance(node, ast.TimedeltaExpression):
            return Value(None, "timedelta", False, node.value)
        if isinstance(node, ast.CoalesceExpression):
            left, right = self.value(node.left), self.value(node.right)
            if right.kind == "null":
                return left
            if left.kind == "null":
                return right
            left, right = self.comparable(left, right, node)
            if left.kind == "date":
                if right.constant is msgspec.UNSET or right.constant.astimezone(UTC).time() != dt.time(0):
                    raise self.refuse("The default of a date field must be a date (midnight).", _near(node.right))
                return Value(
                    func.coalesce(left.sql, self.date_literal(right.constant.astimezone(UTC).date(), left)),
                    "date",
                    right.nullable,
                )
            return Value(func.coalesce(left.sql, right.sql), left.kind, right.nullable)
        if isinstance(node, (ast.AddExpression, ast.SubtractExpression)):
            return self.shifted_moment(node)
        if isinstance(node, ast.UnaryExpression) and node.type == "uminus":
            inner = self.value(node.right)
            if inner.kind == "number" and inner.constant is not msgspec.UNSET:
                return Value(literal(-float(inner.constant), Float()), "number", False, -inner.constant)
            raise self.refuse("Arithmetic on fields is not supported in rules.", _near(node.right))
        raise self.refuse(f"This part of the rule is not supported: {_describe(node)}.", _near(node))

    def symbol(self, node: ast.SymbolExpression) -> Value:
        if node.scope is not None:
            if node.name == "now":
                return self.moment(self.now)
            if node.name == "today":
                return self.moment(self.now.replace(hour=0, minute=0, second=0, microsecond=0))
            raise self.refuse(f"'${node.name}' is not supported in rules.", "$" + node.name)
        field = self.schema.fields[node.name]
        self.fields.add(field.name)
        if field.type in RUN_KINDS:
            return Value(None, field.type, False)
        if field.type == "segments":
            # Memberships have no column: `<id> in segments` asks the target (member_of) instead.
            # Asking for a column made every rule using segments fail in SQL (refresh, preview).
            return Value(None, "segments", False)
        return Value(self.target.column(field), _KINDS[field.type], field.nullable)

    def moment(self, value: dt.datetime) -> Value:
        aware = as_utc(value)
        return Value(literal(aware, UTCDateTime()), "datetime", False, aware)

    def shifted_moment(self, node: Any) -> Value:
        left, right = self.value(node.left), self.value(node.right)
        if left.kind != "datetime" or right.kind != "timedelta" or left.constant is msgspec.UNSET:
            raise self.refuse('Arithmetic is only supported on dates: $now - t"P30D".', _near(node.left))
        shift = right.constant if isinstance(node, ast.AddExpression) else -right.constant
        return self.moment(left.constant + shift)


def _tests_regex(node: Any) -> bool:
    """Does this condition test a regex (=~, =~~, !~, !~~) somewhere?"""
    if isinstance(node, ast.FuzzyComparisonExpression):
        return True
    if isinstance(node, ast.LogicExpression):
        return _tests_regex(node.left) or _tests_regex(node.right)
    if isinstance(node, ast.UnaryExpression):
        return _tests_regex(node.right)
    return False


def _condition(expression: Any) -> ColumnElement[bool]:
    # Value.sql is untyped (a column, a literal or None): what a comparison of two gives is a condition.
    return cast("ColumnElement[bool]", expression)


def _near(node: Any) -> str | None:
    if isinstance(node, ast.SymbolExpression):
        return str(node.name) if node.scope is None else f"${node.name}"
    if isinstance(node, ast.GetAttributeExpression):
        return f".{node.name}"
    for attribute in ("left", "member", "right", "expression"):
        inner = getattr(node, attribute, None)
        if isinstance(inner, ast.ExpressionBase):
            return _near(inner)
    return None


def _describe(node: Any) -> str:
    return {
        "ArithmeticExpression": "arithmetic on numbers",
        "GetAttributeExpression": "attributes such as .as_lower",
        "GetItemExpression": "indexing with [...]",
        "GetSliceExpression": "slices",
        "TernaryExpression": "a ? b : c",
        "FunctionCallExpression": "function calls",
        "ComprehensionExpression": "comprehensions",
        "MappingExpression": "mappings",
        "SetExpression": "sets",
        "BytesExpression": "bytes",
    }.get(type(node).__name__, type(node).__name__)


def compile_rule(checked: Checked, schema: Schema, target: SqlTarget, now: dt.datetime) -> ColumnElement[bool]:
    return Compiler(checked.text, schema, target, now).condition(checked.rule.statement.expression)

"""Property: a rule run as its compiled closures (what real-time segments use) answers exactly what
rule-engine's evaluator (`rule.matches`) answers, or raises the same error, for any contact values
and any rule of the supported subset, including several rules read from one shared `Values`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.rules.closures import Values
from parcours.rules.context import context_values
from parcours.rules.fields import CustomFieldInfo, catalog
from parcours.rules.language import Checked, Schema, evaluation, parse

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
CUSTOM = [
    CustomFieldInfo("tier", "Tier", "choice", ("Gold", "Silver")),
    CustomFieldInfo("visits", "Visits", "number"),
    CustomFieldInfo("renewal", "Renewal", "date"),
    CustomFieldInfo("vip", "VIP", "boolean"),
    CustomFieldInfo("nickname", "Nickname", "text"),
]
SCHEMA = Schema(catalog(CUSTOM), lambda: NOW)

words = st.sampled_from(
    ["Jean", "jean", "JEAN", "Élodie", "élodie", "Zoë", "ab", "a%b", "a_b", "", "x.y", "Anne-Marie", "a\nb", "ab\n"]
)
maybe_words = st.one_of(st.none(), words)
moments = st.sampled_from([NOW - dt.timedelta(days=d, hours=h) for d in (0, 1, 9, 10, 11, 40) for h in (0, 5)])
days = st.sampled_from([dt.date(1990, 1, 1), dt.date(1990, 6, 15), dt.date(1990, 6, 16), dt.date(1985, 3, 2)])
money = st.sampled_from([0.0, 0.1, 0.3, 0.30000000000000004, 10.5, 99.99, 1e6, 2])
# Values of the wrong kind: the evaluator refuses them when it reads the field; so must the closures.
wrong = st.sampled_from(
    [
        "3",
        3.0,
        3,
        True,
        dt.date(1990, 1, 1),
        dt.datetime(2026, 6, 15),
        ["a"],
        {"a": 1},
        {1.0},
        {1},
        {1.0, None},
        set(),
        frozenset({2.0}),
    ]
)


@st.composite
def contacts(draw: Any) -> dict[str, Any]:
    """A contact's context values (context_values), now and then with a value of the wrong kind."""
    custom: dict[str, Any] = {}
    for name, strategy in [
        ("tier", st.sampled_from(["Gold", "Silver"])),
        ("visits", st.sampled_from([0.0, 2.0, 2.5, 7])),
        ("renewal", days.map(dt.date.isoformat)),
        ("vip", st.booleans()),
        ("nickname", words),
    ]:
        if draw(st.booleans()):
            custom[name] = draw(strategy)
    contact = {
        "email": draw(st.sampled_from(["a@free.fr", "b@gmail.com", "JEAN@FREE.FR"])),
        "first_name": draw(maybe_words),
        "last_name": draw(maybe_words),
        "city": draw(maybe_words),
        "country": draw(st.sampled_from(["FR", "DE", None])),
        "language": draw(st.sampled_from(["fr", "en", None])),
        "lifecycle_stage": draw(st.sampled_from(["lead", "customer", "subscriber"])),
        "consent_level": draw(st.sampled_from(["marketing", "none"])),
        "opens_30d": draw(st.integers(0, 5)),
        "clicks_30d": draw(st.integers(0, 3)),
        "visits_30d": 0,
        "purchases": 1,
        "total_revenue": draw(money),
        "email_opt_in": draw(st.booleans()),
        "unsubscribed": draw(st.booleans()),
        "bounced": False,
        "sms_opt_in": draw(st.booleans()),
        "birth_date": draw(st.one_of(st.none(), days)),
        "last_interaction_at": draw(st.one_of(st.none(), moments)),
        "last_purchase_at": draw(st.one_of(st.none(), moments)),
        "created_at": draw(moments),
        "updated_at": draw(moments),
        "custom": custom,
    }
    account = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["Acme", "acme", "Globex"]),
                    "size": st.one_of(st.none(), st.sampled_from([10, 500])),
                    "industry": st.one_of(st.none(), st.sampled_from(["Banking", "Retail"])),
                }
            ),
        )
    )
    values = context_values(contact, account, draw(st.lists(st.integers(1, 4), max_size=3)), SCHEMA.fields)
    if draw(st.integers(0, 9)) == 0:
        values[
            draw(st.sampled_from(["first_name", "opens_30d", "created_at", "email_opt_in", "country", "segments"]))
        ] = draw(wrong)
    return values


def q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


FIELDS = st.sampled_from(["first_name", "last_name", "city", "custom_nickname", "company", "account_industry"])
NUMBERS = st.sampled_from(["0", "1", "2.5", "0.3", "0.1", "10.5", "1000000", "-1"])
OPERATORS = st.sampled_from(["==", "!=", ">", ">=", "<", "<="])
MOMENTS = st.sampled_from(['d"1990-06-15"', 'd"1990-06-15T12:00:00Z"', 'd"1990-01-01"', "$today", "$now"])
patterns = st.sampled_from(
    ["J", "^j", "e$", "[A-Z]", "[^a-z]", "É", "a.b", "a|Z", "(An)+", "x\\.y", "b{1,2}", "[0-9]*$", "@free[.]fr$"]
)

atoms = st.one_of(
    st.builds(lambda f, w: f"{f} == {q(w)}", FIELDS, words),
    st.builds(lambda f, w: f"{f} != {q(w)}", FIELDS, words),
    st.builds(lambda f: f"{f} == null", FIELDS),
    st.builds(lambda f: f"{f} != null", FIELDS),
    st.builds(lambda f, w: f'{q(w)} in ({f} ?? "")', FIELDS, words),
    st.builds(lambda f, p, o: f'({f} ?? "") {o} {q(p)}', FIELDS, patterns, st.sampled_from(["=~", "=~~", "!~", "!~~"])),
    st.builds(lambda p, o: f"email {o} {q(p)}", patterns, st.sampled_from(["=~", "=~~", "!~", "!~~"])),
    st.builds(lambda f, a, b: f"{f} in [{q(a)}, {q(b)}]", FIELDS, words, words),
    st.builds(lambda f, a: f"{f} in [{q(a)}, null]", FIELDS, words),
    st.builds(
        lambda f, o, n: f"{f} {o} {n}",
        st.sampled_from(["opens_30d", "total_revenue", "clicks_30d"]),
        OPERATORS,
        NUMBERS,
    ),
    st.builds(
        lambda f, o, n: f"({f} ?? 0) {o} {n}", st.sampled_from(["custom_visits", "account_size"]), OPERATORS, NUMBERS
    ),
    st.builds(lambda n: f"custom_visits != {n}", NUMBERS),
    st.builds(lambda n: f"opens_30d in [{n}, 2]", NUMBERS),
    st.sampled_from(
        [
            "email_opt_in",
            "not unsubscribed",
            "email_opt_in == false",
            "custom_vip",
            "custom_vip == null",
            "not custom_vip",
            "custom_vip != true",
            "(custom_vip ?? false)",
            "true",
            "false",
        ]
    ),
    st.builds(
        lambda f, o, d: f'({f} ?? d"1970-01-01") {o} $now - t"{d}"',
        st.sampled_from(["last_interaction_at", "last_purchase_at"]),
        OPERATORS,
        st.sampled_from(["P10D", "PT5H", "P1D"]),
    ),
    st.sampled_from(
        [
            "last_interaction_at == null",
            'created_at < $now - t"P10D"',
            'created_at >= $today - t"P1D"',
            '(last_interaction_at ?? $now) < $now - t"PT5H"',
            "(last_interaction_at ?? created_at) < $now",
            'created_at + t"P1D" > $now',
            "created_at == updated_at",
            "created_at != updated_at",
            "last_interaction_at == last_purchase_at",
        ]
    ),
    st.builds(
        lambda f, o, m: f'({f} ?? d"1900-01-01") {o} {m}',
        st.sampled_from(["birth_date", "custom_renewal"]),
        OPERATORS,
        MOMENTS,
    ),
    st.builds(lambda f, m: f"{f} != {m}", st.sampled_from(["birth_date", "custom_renewal"]), MOMENTS),
    st.builds(lambda n: f"{n} in segments", st.integers(1, 4)),
    st.sampled_from(
        [
            'lifecycle_stage == "lead"',
            'country == "FR"',
            'country != "FR"',
            'custom_tier == "Gold"',
            'custom_tier != "Gold"',
            'lifecycle_stage in ["lead", "customer"]',
            'country in ["FR", null]',
            'custom_tier in ["Silver"]',
            '(company ?? "") in ["Acme", "Globex"]',
            "language == country",
        ]
    ),
)

rules = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        inner.map(lambda r: f"not ({r})"),
    ),
    max_leaves=5,
)


def _answer(run: Any) -> tuple[str, Any]:
    try:
        return "answer", run()
    except Exception as exc:  # noqa: BLE001  # the same error, of the same kind, is part of the same answer
        return "error", type(exc).__name__


def _checked(texts: list[str]) -> list[Checked]:
    found = []
    for text in texts:
        try:
            found.append(parse(text, SCHEMA))
        except ValueError:
            continue  # refused when checked (e.g. a type mismatch): never evaluated
    return found


@settings(max_examples=400, deadline=None)
@given(values=contacts(), texts=st.lists(rules, min_size=1, max_size=6))
def test_closures_answer_what_the_evaluator_answers(values: dict[str, Any], texts: list[str]) -> None:
    checked = _checked(texts)
    expected = [_answer(lambda c=c: c.rule.matches(dict(values))) for c in checked]
    shared = Values(dict(values))
    with evaluation(SCHEMA) as matches:
        alone = [_answer(lambda c=c: matches(c, dict(values))) for c in checked]
        together = [_answer(lambda c=c: matches(c, shared)) for c in checked]
    assert alone == expected, texts
    assert together == expected, texts


def test_changed_memberships_are_read_again() -> None:
    rule = parse("2 in segments", SCHEMA)
    values = Values(context_values({"custom": {}}, None, [1], SCHEMA.fields))
    with evaluation(SCHEMA) as matches:
        assert not matches(rule, values)
        values.replace("segments", {1.0, 2.0})
        assert matches(rule, values)


def test_numbers_compare_as_the_evaluator_compares_them() -> None:
    values = context_values({"total_revenue": 0.30000000000000004, "custom": {}}, None, [], SCHEMA.fields)
    with evaluation(SCHEMA) as matches:
        assert not matches(parse("total_revenue == 0.3", SCHEMA), values)
        assert matches(parse("total_revenue > 0.3", SCHEMA), values)
    assert isinstance(parse("total_revenue == 0.3", SCHEMA).rule.statement.expression.right.value, Decimal)


def test_a_rule_checked_with_another_schema_is_evaluated_by_its_own_evaluator() -> None:
    other = Schema(catalog(), lambda: NOW)
    rule = parse('country == "FR"', other)
    values = Values(context_values({"country": "FR", "custom": {}}, None, [], other.fields))
    with evaluation(SCHEMA) as matches:
        assert matches(rule, values)

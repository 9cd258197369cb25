"""Property: for any contacts and any rule of the supported subset, SQL selects exactly the
contacts that the in-memory evaluation (rule-engine's `rule.matches`) accepts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from parcours import db
from parcours.contacts import service as contacts
from parcours.contacts.models import Account, Contact, ContactComputed, ContactRfm, CustomField
from parcours.rfm.core import GROUPS, group_of
from parcours.rules.context import context_values
from parcours.rules.fields import ComputedInfo, CustomFieldInfo, catalog
from parcours.rules.language import Schema, compile_rule, evaluate, parse
from tests import database as test_database

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
CUSTOM = [
    CustomFieldInfo("tier", "Tier", "choice", ("Gold", "Silver")),
    CustomFieldInfo("visits", "Visits", "number"),
    CustomFieldInfo("renewal", "Renewal", "date"),
    CustomFieldInfo("vip", "VIP", "boolean"),
    CustomFieldInfo("nickname", "Nickname", "text"),
]
# Behavioural fields, kept in contacts.scores as behaviour stores them (a contact without a value
# reads the default: 0, false or nothing).
COMPUTED = [
    ComputedInfo("clicks", "Clicks", "number"),
    ComputedInfo("biggest", "Biggest", "nullable_number"),
    ComputedInfo("bought", "Bought", "boolean"),
    ComputedInfo("last_visit", "Last visit", "datetime"),
]
SCHEMA = Schema(catalog(CUSTOM, (), COMPUTED), lambda: NOW)

words = st.sampled_from(
    ["Jean", "jean", "JEAN", "Élodie", "élodie", "Zoë", "ab", "a%b", "a_b", "", "x.y", "Anne-Marie"]
)
maybe_words = st.one_of(st.none(), words)
moments = st.sampled_from([NOW - dt.timedelta(days=d, hours=h) for d in (0, 1, 9, 10, 11, 40) for h in (0, 5)])
days = st.sampled_from([dt.date(1990, 1, 1), dt.date(1990, 6, 15), dt.date(1990, 6, 16), dt.date(1985, 3, 2)])
money = st.sampled_from([0.0, 0.1, 0.3, 0.30000000000000004, 10.5, 99.99, 1e6])


@st.composite
def contact_rows(draw: Any) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    for name, strategy in [
        ("tier", st.sampled_from(["Gold", "Silver"])),
        ("visits", st.sampled_from([0.0, 2.0, 2.5, 7.0])),
        ("renewal", days.map(dt.date.isoformat)),
        ("vip", st.booleans()),
        ("nickname", words),
    ]:
        if draw(st.booleans()):
            custom[name] = draw(strategy)
    computed: dict[str, Any] = {}
    for name, strategy in [
        ("clicks", st.one_of(st.none(), st.sampled_from([0, 1, 2, 3.0]))),
        ("biggest", st.one_of(st.none(), money)),
        ("bought", st.one_of(st.none(), st.just(True))),
        ("last_visit", st.one_of(st.none(), moments)),
    ]:
        if draw(st.booleans()):
            computed[f"computed_{name}"] = draw(strategy)
    rfm = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 5)] * 3)))
    return {
        "computed": computed,
        **rfm_columns(rfm),
        "first_name": draw(maybe_words),
        "last_name": draw(maybe_words),
        "country": draw(st.sampled_from(["FR", "DE", None])),
        "city": draw(maybe_words),
        "lifecycle_stage": draw(st.sampled_from(["lead", "customer", "subscriber"])),
        "opens_30d": draw(st.integers(0, 5)),
        "total_revenue": draw(money),
        "email_opt_in": draw(st.booleans()),
        "unsubscribed": draw(st.booleans()),
        "birth_date": draw(st.one_of(st.none(), days)),
        "last_interaction_at": draw(st.one_of(st.none(), moments)),
        "created_at": draw(moments),
        "custom": custom,
        "account": draw(
            st.one_of(
                st.none(),
                st.tuples(
                    st.sampled_from(["Acme", "acme", "Globex"]), st.one_of(st.none(), st.sampled_from([10, 500, 5000]))
                ),
            )
        ),
    }


def rfm_columns(scores: tuple[int, int, int] | None) -> dict[str, Any]:
    """A customer's RFM fields as the recompute writes them; empty for a contact who never bought."""
    if scores is None:
        return dict.fromkeys(contacts.RFM_COLUMNS)
    r, f, m = scores
    return dict(zip(contacts.RFM_COLUMNS, (r, f, m, f"{r}{f}{m}", group_of(r, f)), strict=True))


def q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


string_fields = ["first_name", "last_name", "city", "custom_nickname", "company"]
patterns = st.sampled_from(
    # Plain texts with ^ and $ at most become LIKE on PostgreSQL: its wildcards (% _) must stay texts.
    ["J", "^j", "e$", "[A-Z]", "[^a-z]", "É", "a.b", "a|Z", "(An)+", "x\\.y", "b{1,2}", "[0-9]*$"]
    + ["a_b", "%b", "^a%b$", "^$", "^Jean$", "n$"]
    # (?i) ignores case: ~* and ILIKE on PostgreSQL (the shipped demographic model relies on it).
    + ["(?i)j", "(?i)^élodie$", "(?i)an", "(?i)[^a-z]", "(?i)(an|zo)"]
)


NUMBERS = st.sampled_from(["0", "1", "2.5", "0.3", "0.1", "10.5", "1000000"])
OPERATORS = st.sampled_from(["==", "!=", ">", ">=", "<", "<="])
MOMENTS = st.sampled_from(['d"1990-06-15"', 'd"1990-06-15T12:00:00Z"', 'd"1990-01-01"'])
FIELDS = st.sampled_from(string_fields)

# Every template is equally likely, so each trap (case, NULL, regex, dates, floats) comes up often.
atoms = st.one_of(
    st.builds(lambda f, w: f"{f} == {q(w)}", FIELDS, words),
    st.builds(lambda f, w: f"{f} != {q(w)}", FIELDS, words),
    st.builds(lambda f: f"{f} == null", FIELDS),
    st.builds(lambda f, w: f'{q(w)} in ({f} ?? "")', FIELDS, words),
    st.builds(lambda f, p: f'({f} ?? "") =~ {q(p)}', FIELDS, patterns),
    st.builds(lambda f, p: f'({f} ?? "zz") =~~ {q(p)}', FIELDS, patterns),
    st.builds(lambda f, p: f'({f} ?? "") !~~ {q(p)}', FIELDS, patterns),
    st.builds(lambda f, a, b: f"{f} in [{q(a)}, {q(b)}]", FIELDS, words, words),
    st.builds(lambda f, a: f"{f} in [{q(a)}, null]", FIELDS, words),
    st.builds(lambda o, n: f"opens_30d {o} {n}", OPERATORS, NUMBERS),
    st.builds(lambda o, n: f"total_revenue {o} {n}", OPERATORS, NUMBERS),
    st.builds(lambda o, n: f"(custom_visits ?? 0) {o} {n}", OPERATORS, NUMBERS),
    st.builds(lambda o, n: f"(account_size ?? -1) {o} {n}", OPERATORS, NUMBERS),
    st.builds(lambda n: f"custom_visits != {n}", NUMBERS),
    st.builds(lambda o, n: f"computed_clicks {o} {n}", OPERATORS, NUMBERS),
    st.builds(lambda o, n: f"(computed_biggest ?? -1) {o} {n}", OPERATORS, NUMBERS),
    st.sampled_from(
        [
            "computed_biggest == null",
            "computed_biggest != null",
            "computed_bought",
            "not computed_bought",
            "computed_bought == false",
            '(computed_last_visit ?? d"1970-01-01") >= $now - t"P10D"',
            '(computed_last_visit ?? $now) < $now - t"PT5H"',
            "computed_last_visit == null",
            '(computed_last_visit ?? d"1970-01-01") > d"2026-06-05T12:00:00Z"',
        ]
    ),
    st.builds(
        lambda f, o, n: f"({f} ?? 0) {o} {n}",
        st.sampled_from(["rfm_recency", "rfm_frequency", "rfm_monetary"]),
        OPERATORS,
        NUMBERS,
    ),
    st.builds(lambda n: f"rfm_frequency != {n}", NUMBERS),
    st.builds(lambda g: f"rfm_segment == {q(g)}", st.sampled_from(GROUPS)),
    st.builds(lambda a, b: f"rfm_segment in [{q(a)}, {q(b)}]", st.sampled_from(GROUPS), st.sampled_from(GROUPS)),
    st.sampled_from(['rfm_score == "555"', '(rfm_score ?? "") =~ "5"', "rfm_segment == null", "rfm_score != null"]),
    st.sampled_from(
        [
            "email_opt_in",
            "not unsubscribed",
            "email_opt_in == false",
            "custom_vip",
            "custom_vip == null",
            "not custom_vip",
            "custom_vip != true",
        ]
    ),
    st.sampled_from(
        [
            '(last_interaction_at ?? d"1970-01-01") >= $now - t"P10D"',
            "last_interaction_at == null",
            'created_at < $now - t"P10D"',
            'created_at >= $today - t"P1D"',
            '(last_interaction_at ?? $now) < $now - t"PT5H"',
        ]
    ),
    st.builds(
        lambda f, o, m: f'({f} ?? d"1900-01-01") {o} {m}',
        st.sampled_from(["birth_date", "custom_renewal"]),
        OPERATORS,
        MOMENTS,
    ),
    st.builds(lambda f, m: f"{f} != {m}", st.sampled_from(["birth_date", "custom_renewal"]), MOMENTS),
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


class Database(test_database.Database):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.run(db.migrate(self.engine))
        self.dialect = self.engine.dialect.name

    async def load(self, rows: list[dict[str, Any]]) -> list[int]:
        async with db.transaction(self.sessions) as session:
            for table in (ContactRfm, ContactComputed, Contact, Account, CustomField):
                await session.execute(delete(table))
            for info in CUSTOM:
                session.add(CustomField(name=info.name, label=info.label, type=info.type, choices=list(info.choices)))
            ids, names = [], set()
            for i, row in enumerate(rows):
                row = dict(row)
                account = row.pop("account")
                computed = row.pop("computed", {})
                rfm = {name: row.pop(name) for name in contacts.RFM_COLUMNS}
                account_id = None
                if account:
                    name = account[0] if account[0].casefold() not in names else f"{account[0]} {i}"
                    names.add(name.casefold())
                    account_id = (
                        await session.execute(
                            insert(Account)
                            .values(
                                name_key=name.casefold(), name=name, size=account[1], created_at=NOW, updated_at=NOW
                            )
                            .returning(Account.id)
                        )
                    ).scalar_one()
                ids += await contacts.insert_many(
                    session, [{**row, "email": f"c{i}@example.org", "account_id": account_id}]
                )
                if rfm["rfm_score"] is not None:
                    await session.execute(insert(ContactRfm).values(contact_id=ids[-1], **rfm))
                for key, value in computed.items():
                    await session.execute(insert(ContactComputed).values(contact_id=ids[-1], **self.stored(key, value)))
            return ids

    def stored(self, key: str, value: Any) -> dict[str, Any]:
        """A behavioural value as behaviour stores it (contact_computed's row)."""
        kind = "moment" if isinstance(value, dt.datetime) else "flag" if isinstance(value, bool) else "number"
        return {"name": key.removeprefix("computed_"), kind: value}

    async def selected(self, text: str) -> set[int]:
        checked = parse(text, SCHEMA)
        columns = contacts.RuleColumns(self.dialect, lambda _s, _c: None)
        where = compile_rule(checked, SCHEMA, columns, NOW)
        async with db.transaction(self.sessions) as session:
            return set((await session.execute(contacts.matching_ids(columns, where))).scalars().all())

    async def accepted(self, text: str) -> set[int]:
        checked = parse(text, SCHEMA)
        async with db.transaction(self.sessions) as session:
            rows = await contacts.rule_rows(session, [c.id for c in (await session.execute(select(Contact))).scalars()])
        return {
            cid
            for cid, (contact, account) in rows.items()
            if evaluate(checked, context_values(contact, account, (), SCHEMA.fields))
        }


@pytest.fixture(scope="module")
def database(database_url: str) -> Iterator[Database]:
    opened = Database(database_url)
    yield opened
    opened.close()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(rows=st.lists(contact_rows(), min_size=1, max_size=8), rule=rules)
def test_sql_selects_exactly_what_rule_matches_accepts(
    database: Database, rows: list[dict[str, Any]], rule: str
) -> None:
    database.run(database.load(rows))
    in_memory = database.run(database.accepted(rule))
    in_sql = database.run(database.selected(rule))
    assert in_sql == in_memory, rule


def _row(**fields: Any) -> dict[str, Any]:
    base = {
        "first_name": None,
        "last_name": None,
        "country": None,
        "city": None,
        "lifecycle_stage": "lead",
        "opens_30d": 0,
        "total_revenue": 0.0,
        "email_opt_in": False,
        "unsubscribed": False,
        "birth_date": None,
        "last_interaction_at": None,
        "created_at": NOW,
        "custom": {},
        "account": None,
        **rfm_columns(None),
    }
    return {**base, **fields}


TRAPS = [
    # SQLite's LIKE ignores case; "contains" must not.
    ('"jean" in (first_name ?? "")', [_row(first_name="Jean"), _row(first_name="jeanne")], [1]),
    # NULL under not: a missing city is "not Paris".
    ('not (city == "Paris")', [_row(city=None), _row(city="Paris"), _row(city="Lyon")], [0, 2]),
    ('not (city in ["Paris"])', [_row(city=None), _row(city="Paris")], [0]),
    # A date field is midnight: it is not on or after noon of its own day.
    (
        '(birth_date ?? d"1900-01-01") >= d"1990-06-15T12:00:00Z"',
        [_row(birth_date=dt.date(1990, 6, 15)), _row(birth_date=dt.date(1990, 6, 16))],
        [1],
    ),
    ('(birth_date ?? d"1900-01-01") < d"1990-06-15T12:00:00Z"', [_row(birth_date=dt.date(1990, 6, 15))], [0]),
    ('birth_date == d"1990-06-15T12:00:00Z"', [_row(birth_date=dt.date(1990, 6, 15))], []),
    # Decimal in memory, floats in SQL: 0.1 + 0.2 stored is not 0.3.
    ("total_revenue == 0.3", [_row(total_revenue=0.30000000000000004), _row(total_revenue=0.3)], [1]),
    ("total_revenue > 0.3", [_row(total_revenue=0.30000000000000004)], [0]),
    # Regex: . does not match a newline in Python; =~ is anchored at the start only.
    ('(city ?? "") =~ "a.b"', [_row(city="a\nb"), _row(city="axb"), _row(city="zaxb")], [1]),
    ('(city ?? "") =~~ "b$"', [_row(city="ab\n"), _row(city="ab"), _row(city="abc")], [0, 1]),
    # A plain text is LIKE on PostgreSQL: its %, _ and \ are texts there, not wildcards.
    ('(city ?? "") =~~ "a_b"', [_row(city="a_b"), _row(city="axb")], [0]),
    ('(city ?? "") =~ "(?i)jean"', [_row(city="JEANNE"), _row(city="Jean"), _row(city="Marie-Jean")], [0, 1]),
    ('(city ?? "") =~~ "(?i)(ceo|chief)"', [_row(city="CEO"), _row(city="Chief"), _row(city="Cheo")], [0, 1]),
    ('(city ?? "") =~ "a%"', [_row(city="a%b"), _row(city="ab")], [0]),
    ('(city ?? "") =~~ "\\\\\\\\d$"', [_row(city="c\\d"), _row(city="cd"), _row(city="c\\d\n")], [0, 2]),
    ('(city ?? "") !~~ "^b\\\\Z"', [_row(city="b"), _row(city="b\n"), _row(city="ab")], [1, 2]),
    # Time zones: a moment written in Paris time compares with UTC-stored instants.
    (
        '(last_interaction_at ?? d"1970-01-01") >= d"2026-06-15T13:30:00+02:00"',
        [
            _row(last_interaction_at=dt.datetime(2026, 6, 15, 11, 30, tzinfo=dt.UTC)),
            _row(last_interaction_at=dt.datetime(2026, 6, 15, 11, 29, tzinfo=dt.UTC)),
        ],
        [0],
    ),
]


@pytest.mark.parametrize(("rule", "rows", "expected"), TRAPS, ids=[t[0] for t in TRAPS])
def test_known_traps_agree_with_the_intended_answer(
    database: Database, rule: str, rows: list[dict[str, Any]], expected: list[int]
) -> None:
    ids = database.run(database.load(rows))
    wanted = {ids[i] for i in expected}
    assert database.run(database.accepted(rule)) == wanted
    assert database.run(database.selected(rule)) == wanted

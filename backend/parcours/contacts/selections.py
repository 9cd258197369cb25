"""Contacts as other features select and read them in SQL: where each rule field lives, the
contacts a rule selects, their rows as rules read them, and chunks of the table by id."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.contacts.behavioural import values_of, with_values
from parcours.contacts.computed import RFM_COLUMNS
from parcours.contacts.models import ACCOUNTS, CONTACT_COMPUTED, CONTACT_RFM, CONTACTS, Contact
from parcours.contacts.normalize import fold
from parcours.rules.fields import COMPUTED_PREFIX, CUSTOM_PREFIX, Field, computed_default, score_default

Row = dict[str, Any]
# The RFM fields, kept in their own table (None for a contact who never bought).
_RFM_FIELDS = [CONTACT_RFM.c[name] for name in RFM_COLUMNS]
_NO_RFM: Row = {c.name: None for c in _RFM_FIELDS}


class MemberOf(Protocol):
    """A segment's membership as an SQL condition on a column of contact ids (segments say it)."""

    def __call__(self, segment_id: int, contact_id: ColumnElement[Any], /) -> ColumnElement[bool]: ...


class RuleColumns:
    """Where each rule field lives in SQL (see rules.language.SqlTarget)."""

    def __init__(self, dialect: str, member_of: MemberOf | None) -> None:
        self.dialect, self._member_of = dialect, member_of
        self.uses_account = False
        self.uses_rfm = False
        # The behavioural fields read, by name: each an alias of contact_computed to join.
        self.computed: dict[str, Any] = {}

    def column(self, field: Field) -> ColumnElement[Any]:
        if field.group == "custom":
            value = CONTACTS.c.custom[field.name[len(CUSTOM_PREFIX) :]]
            typed: ColumnElement[Any] = {"number": value.as_float, "boolean": value.as_boolean}.get(
                field.type, value.as_string
            )()
            return typed
        if field.group == "score":
            # Kept in contacts.scores by scoring; a contact not scored yet reads as the default.
            stored = CONTACTS.c.scores[field.name]
            score = stored.as_float() if field.type == "number" else stored.as_string()
            return func.coalesce(score, score_default(field))
        if field.group == "computed":
            return self._computed(field)
        if field.group == "account":
            self.uses_account = True
            return ACCOUNTS.c["name" if field.name == "company" else field.name[len("account_") :]]
        if field.group == "rfm":
            # A contact without a row never bought: its fields are NULL through the outer join.
            self.uses_rfm = True
            return CONTACT_RFM.c[field.name]
        return CONTACTS.c[field.name]

    def _computed(self, field: Field) -> ColumnElement[Any]:
        """Kept by behaviour in contact_computed, joined once per field (matching_ids); a contact
        without a value reads as the default."""
        name = field.name[len(COMPUTED_PREFIX) :]
        joined = self.computed.get(name)
        if joined is None:
            joined = self.computed[name] = CONTACT_COMPUTED.alias(f"computed_{len(self.computed)}")
        if field.type == "datetime":
            return joined.c.moment
        value = joined.c.flag if field.type == "boolean" else joined.c.number
        default = computed_default(field)
        return value if default is None else func.coalesce(value, default)

    def member_of(self, segment_id: int) -> ColumnElement[bool]:
        assert self._member_of is not None, "these rules have no segments"
        return self._member_of(segment_id, CONTACTS.c.id)


def table() -> Any:
    """The contacts table, for read-only statements of other features (free exploration)."""
    return CONTACTS


def with_rule_joins(columns: RuleColumns, joined: Any) -> Any:
    """`joined` (contacts, or a join holding it) with the tables the compiled columns read."""
    if columns.uses_account:
        joined = joined.outerjoin(ACCOUNTS, ACCOUNTS.c.id == CONTACTS.c.account_id)
    if columns.uses_rfm:
        joined = joined.outerjoin(CONTACT_RFM, CONTACT_RFM.c.contact_id == CONTACTS.c.id)
    for name, values in columns.computed.items():
        joined = joined.outerjoin(values, and_(values.c.contact_id == CONTACTS.c.id, values.c.name == name))
    return joined


def matching_ids(columns: RuleColumns, where: ColumnElement[bool]) -> Select[tuple[int]]:
    """The ids of the contacts a compiled rule selects."""
    return select(CONTACTS.c.id).select_from(with_rule_joins(columns, CONTACTS)).where(where)


def with_addresses(ids: Select[Any]) -> Select[tuple[int, str]]:
    """Each contact of a query of ids, with its email address (e.g. a campaign's audience)."""
    return select(CONTACTS.c.id, CONTACTS.c.email).where(CONTACTS.c.id.in_(ids))


def searched(q: str) -> Select[tuple[int]] | None:
    """The contacts whose name or email contains these words (folded as contact search does);
    None when there is nothing to search for."""
    term = fold(q)
    if not term:
        return None
    # fold() leaves only [a-z0-9 ], so the pattern needs no escaping.
    return select(CONTACTS.c.id).where(CONTACTS.c.search_text.like(f"%{term}%"))


def ids_among(contact_ids: list[int]) -> Select[tuple[int]]:
    return select(CONTACTS.c.id).where(CONTACTS.c.id.in_(contact_ids))


def with_consent(ids: Select[Any], levels: Iterable[str]) -> Select[tuple[int]]:
    """Of a query of contact ids, those whose consent level is one of `levels`."""
    return select(CONTACTS.c.id).where(CONTACTS.c.id.in_(ids), CONTACTS.c.consent_level.in_(list(levels)))


async def rule_rows(session: AsyncSession, contact_ids: Iterable[int]) -> dict[int, tuple[Row, Row | None]]:
    """Each contact's columns and its account's, as rules.context_values takes them. Read as plain
    rows: building models to dump them back into dicts was a large part of sending and of journeys."""
    ids = list(set(contact_ids))
    found: dict[int, tuple[Row, Row | None]] = {}
    for start in range(0, len(ids), 1000):
        rows = (
            (await session.execute(select(CONTACTS).where(CONTACTS.c.id.in_(ids[start : start + 1000]))))
            .mappings()
            .all()
        )
        account_ids = list({row["account_id"] for row in rows if row["account_id"] is not None})
        accounts = (
            {
                row["id"]: row
                for row in (await session.execute(select(ACCOUNTS).where(ACCOUNTS.c.id.in_(account_ids)))).mappings()
            }
            if account_ids
            else {}
        )
        rfm = await _rfm_rows(session, [row["id"] for row in rows])
        computed = await values_of(session, [row["id"] for row in rows])
        for row in rows:
            account = accounts.get(row["account_id"])
            scores = with_values(row["scores"], computed.get(row["id"]))
            found[row["id"]] = (
                {**dict(row), **rfm.get(row["id"], _NO_RFM), "scores": scores},
                dict(account) if account is not None else None,
            )
    return found


async def _rfm_rows(session: AsyncSession, contact_ids: list[int]) -> dict[int, Row]:
    """The RFM fields of those of these contacts who have them (kept in their own table)."""
    query = select(CONTACT_RFM).where(CONTACT_RFM.c.contact_id.in_(contact_ids))
    return {
        row["contact_id"]: {c.name: row[c.name] for c in _RFM_FIELDS}
        for row in (await session.execute(query)).mappings()
    }


_ACCOUNT_PREFIX = "account__"


async def rule_rows_with(
    session: AsyncSession,
    contact_ids: Iterable[int],
    extra: Callable[[ColumnElement[Any]], Sequence[ColumnElement[Any]]],
) -> dict[int, tuple[Row, Row | None, tuple[Any, ...]]]:
    """rule_rows in one statement (the account joined), each with the values of the columns
    `extra` gives for the contact's id column (another feature's subqueries: e.g. its segment
    memberships), so that evaluating a contact takes one round trip instead of three."""
    ids = list(set(contact_ids))
    found: dict[int, tuple[Row, Row | None, tuple[Any, ...]]] = {}
    names = [column.name for column in CONTACTS.c] + [c.name for c in _RFM_FIELDS]
    columns = extra(CONTACTS.c.id)
    more = [f"extra_{i}" for i in range(len(columns))]
    for start in range(0, len(ids), 1000):
        computed = await values_of(session, ids[start : start + 1000])
        query = (
            select(
                CONTACTS,
                *[c.label(_ACCOUNT_PREFIX + c.name) for c in ACCOUNTS.c],
                *_RFM_FIELDS,
                *[column.label(name) for column, name in zip(columns, more, strict=True)],
            )
            .select_from(CONTACTS)
            .outerjoin(ACCOUNTS, ACCOUNTS.c.id == CONTACTS.c.account_id)
            .outerjoin(CONTACT_RFM, CONTACT_RFM.c.contact_id == CONTACTS.c.id)
            .where(CONTACTS.c.id.in_(ids[start : start + 1000]))
        )
        for row in (await session.execute(query)).mappings():
            account = (
                {c.name: row[_ACCOUNT_PREFIX + c.name] for c in ACCOUNTS.c}
                if row[_ACCOUNT_PREFIX + "id"] is not None
                else None
            )
            person = {name: row[name] for name in names}
            person["scores"] = with_values(person["scores"], computed.get(row["id"]))
            found[row["id"]] = (person, account, tuple(row[name] for name in more))
    return found


def id_between(low: int | None, high: int | None) -> ColumnElement[bool]:
    """Contacts whose id is in [low, high) (either end open when None): work done by chunks."""
    bounds = [col(Contact.id) >= low] if low is not None else []
    bounds += [col(Contact.id) < high] if high is not None else []
    return and_(true(), *bounds)


async def id_bounds(session: AsyncSession) -> tuple[int, int] | None:
    low, high = (await session.execute(select(func.min(Contact.id), func.max(Contact.id)))).one()
    return None if low is None else (int(low), int(high))


async def date_values(session: AsyncSession, field: str) -> list[tuple[int, date | None]]:
    """Every contact's value of a date field (a column such as birth_date, or custom.<name>)."""
    if field.startswith(CUSTOM_PREFIX):
        name = field[len(CUSTOM_PREFIX) :]
        rows = await session.execute(select(CONTACTS.c.id, CONTACTS.c.custom).where(CONTACTS.c.custom.isnot(None)))
        found = []
        for cid, custom in rows.all():
            raw = (custom or {}).get(name)
            try:
                found.append((cid, date.fromisoformat(str(raw)[:10]) if raw else None))
            except ValueError:
                continue
        return found
    column = CONTACTS.c[field]
    values = await session.execute(select(CONTACTS.c.id, column).where(column.isnot(None)))
    return [(cid, value.date() if isinstance(value, datetime) else value) for cid, value in values.all()]

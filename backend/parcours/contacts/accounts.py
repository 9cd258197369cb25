"""Accounts: the companies contacts work for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec
from sqlalchemy import Select, func, insert, or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours import api
from parcours.clock import utcnow
from parcours.contacts import normalize as n
from parcours.contacts.models import Account, Contact
from parcours.errors import Conflict, InvalidInput, NotFound
from parcours.interactions import recording

# What rules read of a contact's company (`company`, `account_*`): a change to any of them is a
# change to each of its contacts, for scores, segments and journeys to look again.
RULE_FIELDS = ("name", "industry", "size", "annual_revenue", "country")
FIRMOGRAPHICS = ("industry", "size", "annual_revenue", "country", "website", "domain")


async def get_account(session: AsyncSession, account_id: int, field: str = "account_id") -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound("This account does not exist.", field)
    return account


async def names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(col(Account.id), col(Account.name)).where(col(Account.id).in_(wanted)))
    return {aid: name for aid, name in rows.all()}


def name_key(name: str) -> str:
    return name.strip().casefold()


async def find_or_create(session: AsyncSession, wanted: Iterable[str]) -> dict[str, int]:
    """Account ids by name; names not found (case-insensitively) become new accounts."""
    requested = [name for name in wanted if name and name.strip()]
    by_key = {name_key(name): name.strip() for name in requested}
    found: dict[str, int] = {}
    keys = list(by_key)
    for start in range(0, len(keys), 500):
        rows = await session.execute(
            select(col(Account.name_key), col(Account.id)).where(col(Account.name_key).in_(keys[start : start + 500]))
        )
        found.update(dict(rows.all()))
    missing = [k for k in keys if k not in found]
    if missing:
        now = utcnow()
        created = await session.execute(
            insert(Account).returning(col(Account.name_key), col(Account.id)),
            [{"name": by_key[k], "name_key": k, "created_at": now, "updated_at": now} for k in missing],
        )
        found.update(dict(created.all()))
    return {name: found[name_key(name)] for name in requested}


def members(account_id: int) -> Select[Any]:
    """The ids of the account's contacts, as a query others compose."""
    return select(col(Contact.id)).where(col(Contact.account_id) == account_id)


async def contact_counts(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await session.execute(
        select(col(Contact.account_id), func.count())
        .where(col(Contact.account_id).in_(list(ids)))
        .group_by(col(Contact.account_id))
    )
    return {int(aid): int(count) for aid, count in rows.all()}


async def list_accounts(
    session: AsyncSession, q: str | None, limit: int, cursor: str | None
) -> tuple[list[tuple[Account, int]], str | None, int]:
    """A page of accounts by name (with their number of contacts), the next page's cursor, and how
    many match. `q` finds a part of the name or of the domain."""
    where = []
    if q and q.strip():
        term = q.strip()
        domain_term = term.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.")
        where.append(
            or_(
                col(Account.name_key).contains(name_key(term), autoescape=True),
                col(Account.domain).contains(domain_term, autoescape=True),
            )
        )
    order = [(col(Account.name_key), False), (col(Account.id), False)]
    query = select(Account).where(*where)
    after = api.read_cursor(cursor, str, int)
    if after is not None:
        query = query.where(api.after(order, after))
    rows = (await session.execute(query.order_by(*(c for c, _ in order)).limit(limit + 1))).scalars().all()
    page, next_cursor = api.cut(rows, limit, lambda a: [a.name_key, a.id])
    total = (await session.execute(select(func.count()).select_from(Account).where(*where))).scalar_one()
    counts = await contact_counts(session, [a.id for a in page if a.id is not None])
    return [(a, counts.get(a.id or 0, 0)) for a in page], next_cursor, int(total)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        name = n.clean_text(values["name"])
        if not name:
            raise InvalidInput("An account needs a name.", "name")
        values["name"] = name
    for field in ("industry", "city"):
        if field in values:
            values[field] = n.clean_text(values[field], 100)
    normalizers = {"country": n.normalize_country, "domain": n.normalize_domain, "website": n.normalize_website}
    for field, normalize in normalizers.items():
        if values.get(field):
            try:
                values[field] = normalize(values[field])
            except ValueError as exc:
                raise InvalidInput(str(exc), field) from None
        elif field in values:
            values[field] = None
    if values.get("website") and not values.get("domain"):
        values["domain"] = n.normalize_domain(values["website"])
    return values


async def _check_name_free(session: AsyncSession, name: str, except_id: int | None = None) -> None:
    query = select(col(Account.id)).where(col(Account.name_key) == name_key(name))
    if except_id is not None:
        query = query.where(col(Account.id) != except_id)
    if (await session.execute(query)).first() is not None:
        raise Conflict(f"An account named {name} already exists.", "name")


async def create_account(session: AsyncSession, values: dict[str, Any]) -> Account:
    values = _clean(values)
    await _check_name_free(session, values["name"])
    account = Account(**values, name_key=name_key(values["name"]))
    session.add(account)
    await session.flush()
    return account


async def tell_contacts(
    session: AsyncSession, moved: dict[int, set[str]], by: str, how: str, skip: Iterable[int] = ()
) -> None:
    """Tell the stream that the company of these accounts' contacts changed (account id: the
    account fields that did): their scores and segments look again, and their timelines say so.
    `skip`: contacts whose own change already said it."""
    told = list(set(skip))
    for fields in {tuple(sorted(f)) for f in moved.values() if f}:
        with_these = [aid for aid, f in moved.items() if tuple(sorted(f)) == fields]
        query = select(col(Contact.id)).where(col(Contact.account_id).in_(with_these))
        if told:
            query = query.where(col(Contact.id).not_in(told))
        await recording.record_for_select(
            session, query, "contact_updated", {"fields": _as_contact_fields(fields), "by": by, "how": how}
        )


async def update_account(session: AsyncSession, account_id: int, changes: dict[str, Any], by: str = "") -> Account:
    account = await get_account(session, account_id)
    changes = _clean(changes)
    if "name" in changes:
        await _check_name_free(session, changes["name"], account_id)
    changed = sorted(f for f, v in changes.items() if getattr(account, f) != v)
    for field, value in changes.items():
        setattr(account, field, value)
    account.name_key = name_key(account.name)
    account.updated_at = utcnow()
    await session.flush()
    await tell_contacts(session, {account_id: {f for f in changed if f in RULE_FIELDS}}, by, "account")
    return account


def _as_contact_fields(fields: Iterable[str]) -> list[str]:
    """Account fields as a contact's rules name them."""
    return sorted("company" if f == "name" else f"account_{f}" for f in fields if f in RULE_FIELDS)


async def delete_account(session: AsyncSession, account_id: int, by: str = "") -> None:
    """Its contacts stay; they are no longer linked to a company."""
    account = await get_account(session, account_id)
    await tell_contacts(session, {account_id: {"name"}}, by, "account")
    await session.delete(account)


async def describe(session: AsyncSession, details: dict[int, dict[str, Any]]) -> None:
    """Set firmographic details on several accounts at once (demo data, integrations)."""
    rows = [{"id": aid, **values, "updated_at": utcnow()} for aid, values in details.items()]
    # One executemany per set of fields: rows of one statement set the same columns.
    for shape in {tuple(sorted(row)) for row in rows}:
        await session.execute(update(Account), [row for row in rows if tuple(sorted(row)) == shape])


# ---- linking imported contacts ----------------------------------------------------------------


class Mention(msgspec.Struct, kw_only=True):
    """What one imported row says of its company: a name, a domain or both, and firmographics."""

    name: str | None = None
    domain: str | None = None
    details: dict[str, Any] = {}


class _New(msgspec.Struct):
    name: str
    details: dict[str, Any]


def _fill(into: dict[str, Any], details: dict[str, Any], policy: str) -> None:
    for field, value in details.items():
        if policy == "overwrite" or into.get(field) is None:
            into[field] = value


async def link_mentions(
    session: AsyncSession, mentions: Sequence[Mention | None], policy: str
) -> tuple[list[int | None], dict[int, set[str]]]:
    """The account of each mention (None for None), found by domain first, then by name, else
    created (named after its domain when the row gives no name); and the known accounts whose
    rule fields changed, with those fields (for tell_contacts). Firmographics fill known accounts
    by the import's merge policy (fill_empty: only what is empty; overwrite: what differs; skip:
    known accounts stay as they are)."""
    domains = {m.domain for m in mentions if m and m.domain}
    keys = {name_key(m.name or m.domain or "") for m in mentions if m and (m.name or m.domain)}
    known: dict[int, Account] = {}
    for chunk_of, column in ((sorted(domains), col(Account.domain)), (sorted(keys), col(Account.name_key))):
        for start in range(0, len(chunk_of), 500):
            rows = await session.execute(select(Account).where(column.in_(chunk_of[start : start + 500])))
            known.update({a.id: a for a in rows.scalars().all() if a.id is not None})
    by_domain = {a.domain: a.id for a in known.values() if a.domain}
    by_key = {a.name_key: a.id for a in known.values()}
    # New accounts are referred to as negative numbers until they are inserted.
    new: list[_New] = []
    new_by_domain: dict[str, int] = {}
    new_by_key: dict[str, int] = {}
    wanted: dict[int, dict[str, Any]] = {}
    refs: list[int | None] = []
    for mention in mentions:
        if mention is None or not (mention.name or mention.domain):
            refs.append(None)
            continue
        key = name_key(mention.name) if mention.name else None
        ref = (
            (by_domain.get(mention.domain) or new_by_domain.get(mention.domain) if mention.domain else None)
            or (by_key.get(key) or new_by_key.get(key) if key else None)
            or None
        )
        details = {**mention.details, **({"domain": mention.domain} if mention.domain else {})}
        if ref is None:
            name = mention.name or mention.domain or ""
            new.append(_New(name=name, details=dict(details)))
            ref = -len(new)
            new_by_key[name_key(name)] = ref
        elif ref < 0:
            _fill(new[-ref - 1].details, details, policy)
        elif policy != "skip":
            _fill(wanted.setdefault(ref, {}), details, policy)
        if mention.domain and ref < 0:
            new_by_domain.setdefault(mention.domain, ref)
        refs.append(ref)
    created: dict[int, int] = {}
    if new:
        now = utcnow()
        inserted = await session.execute(
            insert(Account).returning(col(Account.name_key), col(Account.id)),
            [
                {
                    **{f: None for f in FIRMOGRAPHICS},
                    **account.details,
                    "name": account.name[:200],
                    "name_key": name_key(account.name)[:200],
                    "created_at": now,
                    "updated_at": now,
                }
                for account in new
            ],
        )
        ids = dict(inserted.all())
        created = {-(i + 1): ids[name_key(account.name)[:200]] for i, account in enumerate(new)}
    changes: dict[int, dict[str, Any]] = {}
    for aid, details in wanted.items():
        current = known[aid]
        taken = {
            f: v
            for f, v in details.items()
            if getattr(current, f) != v and (policy == "overwrite" or getattr(current, f) is None)
        }
        if taken:
            changes[aid] = taken
    await describe(session, changes)
    moved = {aid: {f for f in c if f in RULE_FIELDS} for aid, c in changes.items()}
    return [created[ref] if ref is not None and ref < 0 else ref for ref in refs], moved

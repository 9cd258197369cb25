"""Accounts: the companies contacts work for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.clock import utcnow
from parcours.contacts import normalize as n
from parcours.contacts.models import Account, Contact
from parcours.errors import Conflict, InvalidInput, NotFound


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


async def list_accounts(session: AsyncSession, q: str | None, limit: int) -> Sequence[tuple[Account, int]]:
    counts = select(col(Contact.account_id), func.count().label("n")).group_by(col(Contact.account_id)).subquery()
    query = select(Account, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.account_id == Account.id)
    if q and q.strip():
        query = query.where(col(Account.name_key).contains(name_key(q), autoescape=True))
    rows = await session.execute(query.order_by(Account.name).limit(limit))
    return [(account, int(count)) for account, count in rows.all()]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        name = n.clean_text(values["name"])
        if not name:
            raise InvalidInput("An account needs a name.", "name")
        values["name"] = name
    if values.get("country"):
        try:
            values["country"] = n.normalize_country(values["country"])
        except ValueError as exc:
            raise InvalidInput(str(exc), "country") from None
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


async def update_account(session: AsyncSession, account_id: int, changes: dict[str, Any]) -> Account:
    account = await get_account(session, account_id)
    changes = _clean(changes)
    if "name" in changes:
        await _check_name_free(session, changes["name"], account_id)
    for field, value in changes.items():
        setattr(account, field, value)
    account.name_key = name_key(account.name)
    account.updated_at = utcnow()
    await session.flush()
    return account


async def delete_account(session: AsyncSession, account_id: int) -> None:
    """Its contacts stay; they are no longer linked to a company."""
    await session.delete(await get_account(session, account_id))


async def describe(session: AsyncSession, details: dict[int, dict[str, Any]]) -> None:
    """Set firmographic details on several accounts at once (demo data, integrations)."""
    rows = [{"id": aid, **values, "updated_at": utcnow()} for aid, values in details.items()]
    if rows:
        await session.execute(update(Account), rows)

"""Contacts: create, find, change, list; their consent history; computed fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import decode_cursor, encode_cursor, to_out
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import accounts, custom_fields
from parcours.contacts import normalize as n
from parcours.contacts.models import Account, ConsentEvent, Contact
from parcours.contacts.schemas import ContactFilters, ContactIn, ContactOut, ContactPage
from parcours.contacts.vocabulary import COMPUTED_FIELDS, CONSENT_FIELDS
from parcours.db import dialect_name
from parcours.errors import Conflict, InvalidInput, NotFound, Unprocessable
from parcours.interactions import recording
from parcours.pipeline.stages import DISQUALIFIED, transition_problem
from parcours.rules.fields import CUSTOM_PREFIX, Field, score_default

MAX_PAGE = 500


def how(actor: Actor) -> str:
    """How a change was made, as the consent history says it."""
    return {"user": "back_office", "api_key": "api"}.get(actor.kind, actor.name)


# ---- cleaning input -----------------------------------------------------------------------------


def _normalized(field: str, value: Any, country: str | None) -> Any:
    if value is None or isinstance(value, (bool, date)):
        return value
    try:
        match field:
            case "email":
                return n.normalize_email(value)
            case "first_name" | "last_name":
                return n.proper_case(value)
            case "phone":
                if not value.strip():
                    return None
                if not value.strip().startswith(("+", "00")) and not country:
                    raise ValueError("Write the number with its country code (+33 ...) or set the contact's country.")
                return n.normalize_phone(value, country)
            case "country":
                return n.normalize_country(value) if value.strip() else None
            case "language":
                return n.normalize_language(value) if value.strip() else None
            case "job_title" | "city" | "source" | "company":
                return n.clean_text(value)
    except ValueError as exc:
        raise InvalidInput(str(exc), field) from None
    return value


async def _clean(session: AsyncSession, values: dict[str, Any], current_country: str | None) -> dict[str, Any]:
    country = values.get("country", current_country)
    if isinstance(country, str) and country.strip():
        country = _normalized("country", country, None)
    cleaned = {field: _normalized(field, value, country) for field, value in values.items() if field != "custom"}
    company = cleaned.pop("company", None)
    if company and cleaned.get("account_id") is None:
        cleaned["account_id"] = (await accounts.find_or_create(session, [company]))[company]
    elif cleaned.get("account_id") is not None:
        await accounts.get_account(session, cleaned["account_id"], field="account_id")
    return cleaned


# ---- reading --------------------------------------------------------------------------------------


async def get_contact(session: AsyncSession, contact_id: int) -> Contact:
    contact = await session.get(Contact, contact_id)
    if contact is None:
        raise NotFound("This contact does not exist (it may have been deleted).", "contact_id")
    return contact


async def contact_out(session: AsyncSession, contact: Contact) -> ContactOut:
    out = to_out(contact, ContactOut)
    if contact.account_id is not None:
        out.account_name = (await accounts.names(session, [contact.account_id])).get(contact.account_id)
    return out


async def contacts_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[ContactOut]:
    """These contacts, in the order given."""
    found = {c.id: c for c in (await session.execute(select(Contact).where(Contact.id.in_(ids)))).scalars()}  # type: ignore[union-attr]
    names = await accounts.names(session, {c.account_id for c in found.values() if c.account_id is not None})
    out = []
    for cid in ids:
        if cid in found:
            item = to_out(found[cid], ContactOut)
            item.account_name = names.get(found[cid].account_id) if found[cid].account_id else None
            out.append(item)
    return out


async def find_by_email(session: AsyncSession, email: str) -> Contact | None:
    return (await session.execute(select(Contact).where(Contact.email == email))).scalar_one_or_none()


async def email_among(session: AsyncSession, emails: list[str]) -> ColumnElement[bool]:
    """Contact.email IN emails, written so that PostgreSQL looks each email up in the index.

    With an IN list of 1,000 parameters, PostgreSQL's generic plan for the statement (used from
    its sixth run on) becomes, once the table has some 30,000 contacts, a sequential scan that
    compares every row with every value: an import then spends most of its time there (0.7 to
    1.3 s per batch of 1,000 at 40,000 to 90,000 contacts). One array parameter keeps it an
    index lookup (a few ms).
    """
    if await dialect_name(session) == "postgresql":
        return Contact.email == any_(bindparam("emails", emails, type_=ARRAY(String)))  # type: ignore[arg-type]
    return Contact.email.in_(emails)  # type: ignore[attr-defined]


async def ids_by_email(session: AsyncSession, emails: Iterable[str]) -> dict[str, int]:
    wanted = list(set(emails))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 1000):
        match = await email_among(session, wanted[start:start + 1000])
        rows = await session.execute(select(Contact.email, Contact.id).where(match))
        found.update({email: cid for email, cid in rows.all()})
    return found


async def existing_ids(session: AsyncSession, ids: Iterable[int]) -> set[int]:
    wanted = list(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 1000):
        rows = await session.execute(select(Contact.id).where(Contact.id.in_(wanted[start:start + 1000])))  # type: ignore[union-attr]
        found.update(rows.scalars().all())
    return found


def _filters(f: ContactFilters, among: Select[tuple[int]] | None = None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [] if among is None else [Contact.id.in_(among)]  # type: ignore[union-attr]
    term = n.fold(f.q or "")
    if term:
        # fold() leaves only [a-z0-9 ], so the pattern needs no escaping.
        where.append(Contact.search_text.like(f"%{term}%"))  # type: ignore[attr-defined]
    for field in ("lifecycle_stage", "country", "language", "consent_level", "source", "lead_origin", "account_id",
                  "email_opt_in", "unsubscribed", "bounced"):
        value = getattr(f, field)
        if value is not None:
            where.append(getattr(Contact, field) == value)
    if f.created_after:
        where.append(Contact.created_at >= f.created_after)  # type: ignore[operator]
    if f.created_before:
        where.append(Contact.created_at < f.created_before)  # type: ignore[operator]
    return where


_SORT_COLUMNS = {"created_at": "id", "id": "id"}


def _keyset(column: Any, descending: bool, last: Any, last_id: int) -> ColumnElement[bool]:
    """Rows after (last, last_id) in the order column [desc nulls first | asc nulls last], id."""
    if column is Contact.id:
        return Contact.id < last_id if descending else Contact.id > last_id  # type: ignore[operator,return-value]
    after_id = Contact.id < last_id if descending else Contact.id > last_id  # type: ignore[operator]
    if last is None:
        return or_(and_(column.is_(None), after_id), column.isnot(None)) if descending else and_(column.is_(None), after_id)
    beyond = column < last if descending else column > last
    following = or_(beyond, and_(column == last, after_id))
    return following if descending else or_(following, column.is_(None))


async def list_contacts(
    session: AsyncSession, filters: ContactFilters, sort: str = "-id", limit: int = 50, cursor: str | None = None,
    among: Select[tuple[int]] | None = None,
) -> ContactPage:
    """A page of contacts; `among` (a query of contact ids, e.g. a segment's members) narrows it."""
    limit = max(1, min(limit, MAX_PAGE))
    descending = sort.startswith("-")
    name = _SORT_COLUMNS.get(sort.lstrip("-"), sort.lstrip("-"))
    column = getattr(Contact, name)
    where = _filters(filters, among)
    query = select(Contact).where(*where)
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != 2 or not isinstance(values[1], int):
            raise InvalidInput("This page cursor is not valid: start again from the first page.", "cursor")
        last = values[0]
        if isinstance(last, str) and name.endswith("_at"):
            last = datetime.fromisoformat(last)
        query = query.where(_keyset(column, descending, last, values[1]))
    order = [column.desc().nulls_first() if descending else column.asc().nulls_last()]
    if column is not Contact.id:
        order.append(Contact.id.desc() if descending else Contact.id.asc())  # type: ignore[union-attr]
    rows = (await session.execute(query.order_by(*order).limit(limit + 1))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(Contact).where(*where))).scalar_one()
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last_row = page[-1]
        key = getattr(last_row, name)
        next_cursor = encode_cursor([key.isoformat() if isinstance(key, datetime) else key, last_row.id])
    names = await accounts.names(session, {c.account_id for c in page if c.account_id is not None})
    items = []
    for contact in page:
        out = to_out(contact, ContactOut)
        out.account_name = names.get(contact.account_id) if contact.account_id else None
        items.append(out)
    return ContactPage(items=items, next_cursor=next_cursor, total=int(total))


async def iterate_contacts(session: AsyncSession, filters: ContactFilters, batch: int = 2000,
                           among: Select[tuple[int]] | None = None) -> Any:
    """Every contact matching the filters, in id order, a batch at a time (exports)."""
    last_id = 0
    where = _filters(filters, among)
    while True:
        rows = (
            await session.execute(select(Contact).where(*where, Contact.id > last_id).order_by(Contact.id).limit(batch))  # type: ignore[operator,arg-type]
        ).scalars().all()
        if not rows:
            return
        names = await accounts.names(session, {c.account_id for c in rows if c.account_id is not None})
        yield rows, names
        last_id = rows[-1].id  # type: ignore[assignment]


# ---- writing ------------------------------------------------------------------------------------


async def create_contact(session: AsyncSession, data: ContactIn, actor: Actor, *, looked_up: bool = False) -> Contact:
    """`looked_up`: the caller has just found no contact with this email (the unique index still
    answers a Conflict if one appears meanwhile)."""
    values = {f: getattr(data, f) for f in data.__struct_fields__}
    custom = values.pop("custom")
    values = await _clean(session, values, None)
    values["custom"] = await custom_fields.validate_values(session, custom, {})
    if not looked_up and await find_by_email(session, values["email"]) is not None:
        raise Conflict(f"A contact with the email {values['email']} already exists.", "email")
    contact = Contact(**values, search_text=n.search_text(values.get("first_name"), values.get("last_name"), values["email"]))
    session.add(contact)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"A contact with the email {values['email']} already exists.", "email") from None
    given = {f: values[f] for f in CONSENT_FIELDS if values.get(f) not in (None, False, "none")}
    record_consent(session, contact.id, {}, given, actor)
    await recording.record(session, [{"contact_id": contact.id, "type": "contact_created",
                                      "properties": {"source": contact.source, "by": actor.label}}])
    return contact


async def update_contact(session: AsyncSession, contact_id: int, changes: dict[str, Any], actor: Actor,
                         method: str | None = None) -> Contact:
    """Change a contact; `method` says how consent changed when it is not the actor's usual way."""
    contact = await get_contact(session, contact_id)
    for computed in COMPUTED_FIELDS:
        if computed in changes:
            raise InvalidInput(f"'{computed}' is computed from interactions and cannot be set.", computed)
    custom = changes.pop("custom", None)
    if "company" in changes and changes["company"] is None:
        changes.pop("company")
        changes.setdefault("account_id", None)
    cleaned = await _clean(session, changes, contact.country)
    if "email" in cleaned and cleaned["email"] != contact.email:
        other = await find_by_email(session, cleaned["email"])
        if other is not None:
            raise Conflict(f"Another contact already has the email {cleaned['email']}.", "email")
    if custom is not None:
        cleaned["custom"] = await custom_fields.validate_values(session, custom, contact.custom)
    before = {f: getattr(contact, f) for f in CONSENT_FIELDS}
    changed = sorted(f for f, value in cleaned.items() if getattr(contact, f) != value)
    if not changed:
        return contact
    stage_change = _stage_change(contact, cleaned, actor)
    for field in changed:
        setattr(contact, field, cleaned[field])
    contact.search_text = n.search_text(contact.first_name, contact.last_name, contact.email)
    contact.updated_at = utcnow()
    await session.flush()
    record_consent(session, contact.id, before, {f: cleaned[f] for f in CONSENT_FIELDS if f in cleaned}, actor, method)
    events = [{"contact_id": contact.id, "type": "contact_updated", "properties": {"fields": changed, "by": actor.label}}]
    if stage_change is not None:
        events.append({"contact_id": contact.id, "type": STAGE_CHANGED, "properties": {**stage_change, "by": actor.label}})
    await recording.record(session, events)
    return contact


STAGE_CHANGED = "lifecycle_stage_changed"


def _stage_change(contact: Contact, cleaned: dict[str, Any], actor: Actor) -> dict[str, str] | None:
    """Check a change of stage (an illegal move is refused whoever asks: people, API keys and
    journeys alike) and note where a new lead comes from. Returns {from, to} when it changes."""
    wanted = cleaned.get("lifecycle_stage")
    if wanted is None or wanted == contact.lifecycle_stage:
        return None
    problem = transition_problem(contact.lifecycle_stage, wanted)
    if problem:
        raise Unprocessable(problem, "lifecycle_stage", **{"from": contact.lifecycle_stage, "to": wanted})
    if contact.lead_origin is None and "lead_origin" not in cleaned and wanted not in ("subscriber", DISQUALIFIED):
        origin = lead_origin_of(actor)
        if origin is not None:
            cleaned["lead_origin"], cleaned["lead_origin_detail"] = origin
            contact.lead_origin, contact.lead_origin_detail = origin
    return {"from": contact.lifecycle_stage, "to": wanted}


def lead_origin_of(actor: Actor) -> tuple[str, str] | None:
    """A lead made by a journey came outbound; one moved by a person or an API key is left
    as it is (nothing says where it came from)."""
    if actor.kind == "system" and actor.name.startswith("Journey "):
        return "outbound", f"journey: {actor.name[len('Journey '):]}"[:200]
    return None


async def stage_counts(session: AsyncSession, origin: str | None) -> dict[tuple[str, str | None], int]:
    """Contacts per (stage, lead origin), in one grouped query."""
    query = select(Contact.lifecycle_stage, Contact.lead_origin, func.count()).group_by(
        Contact.lifecycle_stage, Contact.lead_origin)
    if origin is not None:
        query = query.where(Contact.lead_origin == origin)
    return {(stage, lead): int(n) for stage, lead, n in (await session.execute(query)).all()}


def record_consent(
    session: AsyncSession, contact_id: int | None, before: dict[str, Any], after: dict[str, Any], actor: Actor,
    method: str | None = None,
) -> int:
    """Append a history line for every consent field whose value changes. Returns how many."""
    events = [
        ConsentEvent(contact_id=contact_id, field=field, old_value=_text(before.get(field)),
                     new_value=_text(value), changed_by=actor.label, how=method or how(actor))
        for field, value in after.items()
        if _text(before.get(field)) != _text(value)
    ]
    session.add_all(events)
    return len(events)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


async def consent_history(session: AsyncSession, contact_id: int) -> Sequence[ConsentEvent]:
    await get_contact(session, contact_id)
    query = select(ConsentEvent).where(ConsentEvent.contact_id == contact_id)
    return (await session.execute(query.order_by(ConsentEvent.id.desc()))).scalars().all()  # type: ignore[union-attr]


async def insert_consent_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(ConsentEvent), rows, execution_options={"render_nulls": True})  # see insert_many


async def set_computed(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Store computed fields: each row is {"id": contact id, field: value, ...} for COMPUTED_FIELDS."""
    if not rows:
        return
    fields = [f for f in rows[0] if f != "id"]
    unknown = set(fields) - set(COMPUTED_FIELDS)
    assert not unknown, f"not computed fields: {unknown}"
    # Core executemany by id: the ORM's bulk update would also re-evaluate the session's objects,
    # which costs as much as the update itself when the worker writes thousands of contacts.
    table = Contact.__table__  # type: ignore[attr-defined]
    statement = update(table).where(table.c.id == bindparam("b_id")).values({f: bindparam(f"b_{f}") for f in fields})
    await session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


async def create_minimal(session: AsyncSession, emails: list[str], source: str) -> dict[str, int]:
    """Create contacts known only by their email (e.g. from tracked behaviour). Returns email -> id."""
    if not emails:
        return {}
    now = utcnow()
    # Known first from their own behaviour (a form, a page, a tracked visit): inbound leads.
    rows = [{"email": e, "source": source, "lead_origin": "inbound", "lead_origin_detail": source,
             "custom": {}, "search_text": n.search_text(None, None, e),
             "created_at": now, "updated_at": now} for e in emails]
    result = await session.execute(insert(Contact).returning(Contact.email, Contact.id), rows)
    return {email: cid for email, cid in result.all()}


async def count_contacts(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Contact))).scalar_one())


async def insert_many(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk-create contacts from already clean values (demo data, benchmarks). Returns their ids."""
    if not rows:
        return []
    now = utcnow()
    full = [{"custom": {}, "created_at": now, "updated_at": now, **row,
             "search_text": n.search_text(row.get("first_name"), row.get("last_name"), row["email"])} for row in rows]
    # render_nulls: None stays an explicit NULL, so that rows with different empty fields still go out
    # as one multi-row INSERT instead of one statement per run of rows with the same empty fields.
    result = await session.execute(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), full,
                                   execution_options={"render_nulls": True})
    return list(result.scalars().all())


# ---- rules over contacts ------------------------------------------------------------------------

MemberOf = Any  # (segment_id, contact id column) -> SQL condition


class RuleColumns:
    """Where each rule field lives in SQL (see rules.language.SqlTarget)."""

    def __init__(self, dialect: str, member_of: MemberOf) -> None:
        self.dialect, self._member_of = dialect, member_of
        self.uses_account = False

    def column(self, field: Field) -> Any:
        if field.group == "custom":
            value = Contact.custom[field.name[len(CUSTOM_PREFIX):]]  # type: ignore[index]
            return {"number": value.as_float, "boolean": value.as_boolean}.get(field.type, value.as_string)()
        if field.group == "score":
            # Kept in contacts.scores by scoring; a contact not scored yet reads as the default.
            stored = Contact.scores[field.name]  # type: ignore[index]
            typed = stored.as_float() if field.type == "number" else stored.as_string()
            return func.coalesce(typed, score_default(field))
        if field.group == "account":
            self.uses_account = True
            return getattr(Account, "name" if field.name == "company" else field.name[len("account_"):])
        return getattr(Contact, field.name)

    def member_of(self, segment_id: int) -> Any:
        return self._member_of(segment_id, Contact.id)


def with_addresses(ids: Select[Any]) -> Select[tuple[int, str]]:
    """Each contact of a query of ids, with its email address (e.g. a campaign's audience)."""
    return select(Contact.id, Contact.email).where(Contact.id.in_(ids))  # type: ignore[union-attr]


def matching_ids(columns: RuleColumns, where: Any) -> Select[tuple[int]]:
    """The ids of the contacts a compiled rule selects."""
    query = select(Contact.id)
    if columns.uses_account:
        query = query.select_from(Contact).outerjoin(Account, Account.id == Contact.account_id)
    return query.where(where)


async def rule_rows(session: AsyncSession, contact_ids: Iterable[int]) -> dict[int, tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each contact's columns and its account's, as rules.context_values takes them. Read as plain
    rows: building models to dump them back into dicts was a large part of sending and of journeys."""
    people, companies = Contact.__table__, Account.__table__  # type: ignore[attr-defined]
    ids = list(set(contact_ids))
    found: dict[int, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    for start in range(0, len(ids), 1000):
        rows = (await session.execute(select(people).where(people.c.id.in_(ids[start:start + 1000])))).mappings().all()
        account_ids = list({row["account_id"] for row in rows if row["account_id"] is not None})
        accounts = {row["id"]: row for row in (await session.execute(
            select(companies).where(companies.c.id.in_(account_ids)))).mappings()} if account_ids else {}
        for row in rows:
            account = accounts.get(row["account_id"])
            found[row["id"]] = (dict(row), dict(account) if account is not None else None)
    return found


def id_between(low: int | None, high: int | None) -> ColumnElement[bool]:
    """Contacts whose id is in [low, high) (either end open when None): work done by chunks."""
    bounds = [Contact.id >= low] if low is not None else []  # type: ignore[operator]
    bounds += [Contact.id < high] if high is not None else []  # type: ignore[operator]
    return and_(true(), *bounds)


async def id_bounds(session: AsyncSession) -> tuple[int, int] | None:
    low, high = (await session.execute(select(func.min(Contact.id), func.max(Contact.id)))).one()
    return None if low is None else (int(low), int(high))


async def lock_in_id_order(session: AsyncSession, ids: Select[Any]) -> None:
    """Lock the contacts of `ids` for writing, in id order, before a bulk write of them.

    An UPDATE locks rows in the order its plan reaches them (a join's, a file's): two bulk writers
    of the same contacts (a score recompute, an import) could then each hold a contact the other
    waits for, and PostgreSQL cancels one of them (a deadlock). Writers that all lock in id order
    wait for each other instead. FOR NO KEY UPDATE is the lock the UPDATE takes anyway: it does
    not hold back other transactions' foreign-key checks. SQLite writes one transaction at a time.
    """
    if await dialect_name(session) == "postgresql":
        await session.execute(select(Contact.id).where(Contact.id.in_(ids))  # type: ignore[union-attr]
                              .order_by(Contact.id).with_for_update(key_share=True))  # type: ignore[arg-type]


async def set_scores(session: AsyncSession, values: dict[int, dict[str, Any]]) -> None:
    """Merge score_<key>/grade_<key> values into contacts' scores (kept by scoring)."""
    if not values:
        return
    # Read and locked in id order (see lock_in_id_order): no other writer changes them meanwhile.
    rows = await session.execute(select(Contact.id, Contact.scores).where(Contact.id.in_(list(values)))  # type: ignore[union-attr]
                                 .order_by(Contact.id).with_for_update(key_share=True))  # type: ignore[arg-type]
    table = Contact.__table__  # type: ignore[attr-defined]
    statement = update(table).where(table.c.id == bindparam("b_id")).values(scores=bindparam("b_scores"))
    await session.execute(statement, [{"b_id": cid, "b_scores": {**(scores or {}), **values[cid]}}
                                      for cid, scores in rows.all()])


async def set_scores_from(session: AsyncSession, source: Any, names: tuple[str, str], grade: Any) -> None:
    """Set-wise: score and grade of each contact of `source` (a table of contact_id, score);
    `grade` is an SQL expression over source.c.score."""
    table = Contact.__table__  # type: ignore[attr-defined]
    score_name, grade_name = names
    if await dialect_name(session) == "postgresql":
        merged = table.c.scores.op("||")(func.jsonb_build_object(score_name, source.c.score, grade_name, grade))
    else:
        merged = func.json_set(table.c.scores, f"$.{score_name}", source.c.score, f"$.{grade_name}", grade)
    await lock_in_id_order(session, select(source.c.contact_id))
    await session.execute(update(table).where(table.c.id == source.c.contact_id).values(scores=merged))


async def remove_scores(session: AsyncSession, names: Sequence[str]) -> None:
    """Forget these score fields on every contact (their model was deleted)."""
    table = Contact.__table__  # type: ignore[attr-defined]
    if await dialect_name(session) == "postgresql":
        kept: Any = table.c.scores
        for name in names:
            kept = kept.op("-")(literal(name, String()))
        holding = table.c.scores.op("?|")(literal(list(names), ARRAY(String)))
        await lock_in_id_order(session, select(table.c.id).where(holding))
        await session.execute(update(table).where(holding).values(scores=kept))
    else:
        paths = [f"$.{name}" for name in names]
        await session.execute(update(table).where(func.json_extract(table.c.scores, paths[0]).isnot(None))
                              .values(scores=func.json_remove(table.c.scores, *paths)))


async def move_stage_for_select(session: AsyncSession, ids: Select[Any], to: str, among: Sequence[str], by: str) -> int:
    """Move the contacts of `ids` whose stage is one of `among` to `to`, set-wise, each move on
    the timeline and in the stream (lifecycle_stage_changed) as for one contact."""
    moved = 0
    for stage in among:
        which = select(Contact.id).where(Contact.id.in_(ids), Contact.lifecycle_stage == stage)  # type: ignore[union-attr]
        moved += await recording.record_for_select(session, which, STAGE_CHANGED, {"from": stage, "to": to, "by": by})
    table = Contact.__table__  # type: ignore[attr-defined]
    await session.execute(update(table).where(table.c.id.in_(ids), table.c.lifecycle_stage.in_(list(among)))
                          .values(lifecycle_stage=to, updated_at=utcnow()))
    return moved


def ids_among(contact_ids: list[int]) -> Select[tuple[int]]:
    return select(Contact.id).where(Contact.id.in_(contact_ids))  # type: ignore[union-attr]


def with_consent(ids: Select[Any], levels: Sequence[str]) -> Select[tuple[int]]:
    """Of a query of contact ids, those whose consent level is one of `levels`."""
    return select(Contact.id).where(Contact.id.in_(ids), Contact.consent_level.in_(list(levels)))  # type: ignore[union-attr,attr-defined]


async def date_values(session: AsyncSession, field: str) -> list[tuple[int, date | None]]:
    """Every contact's value of a date field (a column such as birth_date, or custom.<name>)."""
    if field.startswith(CUSTOM_PREFIX):
        name = field[len(CUSTOM_PREFIX):]
        rows = await session.execute(select(Contact.id, Contact.custom).where(Contact.custom.isnot(None)))  # type: ignore[union-attr]
        found = []
        for cid, custom in rows.all():
            raw = (custom or {}).get(name)
            try:
                found.append((cid, date.fromisoformat(str(raw)[:10]) if raw else None))
            except ValueError:
                continue
        return found
    column = getattr(Contact, field)
    rows = await session.execute(select(Contact.id, column).where(column.isnot(None)))
    return [(cid, value.date() if isinstance(value, datetime) else value) for cid, value in rows.all()]

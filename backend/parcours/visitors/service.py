"""Website visitors: page views stored under an anonymous id until the visitor is identified, then
copied to the contact's interactions; identification (a form, a tracked email click, the site's
backend) by the rules of visitors.identity; the profile a website reads; the purge."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import delete, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.addresses import normalize_email
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.db import dialect_name, insert_ignoring_duplicates, move_rows, rowcount, rows_about, upsert
from parcours.errors import InvalidInput, NotFound, ParcoursError
from parcours.interactions import recording
from parcours.interactions.batch import Batch, Consumer
from parcours.segments import service as segments
from parcours.tracking.tokens import contact_of
from parcours.visitors import beacon, identity
from parcours.visitors.identity import Decision
from parcours.visitors.models import VISITOR_EVENTS, Visitor, VisitorEvent, WebsiteSegment
from parcours.visitors.schemas import (
    BeaconIn,
    Identified,
    Personalization,
    PersonalizationIn,
    Profile,
    WebsiteSegmentOut,
)

_EVENTS = VisitorEvent.metadata.tables["visitor_events"]
PURGE_BATCH = 1000


class Beacon(msgspec.Struct):
    """One beacon, checked without the database: its events as stored, and the contact its
    pages' email-click token names (None: no valid token)."""

    anonymous_id: str
    events: list[tuple[str, dict[str, Any]]]
    received_at: datetime
    clicked_by: int | None


def _field(error: msgspec.ValidationError) -> str:
    text = str(error)
    if " - at `$" not in text:
        return "body"
    return text.rsplit(" - at `$", 1)[1].rstrip("`").lstrip(".") or "body"


def prepare(body: bytes, secret: str) -> Beacon:
    """Read a beacon (JSON, sent as text/plain by sendBeacon). Refused whole, naming the field."""
    if not body.strip():
        raise InvalidInput("The body is empty: send {anonymous_id, events}.", "body")
    try:
        data = msgspec.json.decode(body, type=BeaconIn)
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc).split(" - at `", 1)[0], _field(exc)) from None
    except msgspec.DecodeError:
        raise InvalidInput("The body is not valid JSON.", "body") from None
    events, token = beacon.checked_events(data.events, data.anonymous_id)
    clicked_by = contact_of(secret, token, time.time()) if token else None
    return Beacon(anonymous_id=data.anonymous_id, events=events, received_at=utcnow(), clicked_by=clicked_by)


async def store(session: AsyncSession, beacons: Sequence[Beacon]) -> list[int | ParcoursError]:
    """Several beacons in one transaction (parcours.groupcommit): a known visitor's events become
    the contact's interactions at once, an unknown visitor's wait in visitor_events."""
    now = utcnow()
    ids = sorted({b.anonymous_id for b in beacons})
    await upsert(
        session,
        Visitor,
        [{"anonymous_id": a, "first_seen_at": now, "last_seen_at": now, "verified": False} for a in ids],
        index_elements=["anonymous_id"],
        update=["last_seen_at"],
    )
    clicks = {b.anonymous_id: b.clicked_by for b in beacons if b.clicked_by is not None}
    if clicks:
        alive = await contacts.existing_ids(session, set(clicks.values()))
        for anonymous_id, clicker in sorted(clicks.items()):
            if clicker in alive:
                await identify(session, anonymous_id, clicker, "email_click")
    linked = await _links(session, ids)
    interactions: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    for item in beacons:
        contact_id = linked.get(item.anonymous_id)
        for kind, properties in item.events:
            if contact_id is not None:
                interactions.append(
                    {"contact_id": contact_id, "type": kind, "occurred_at": item.received_at, "properties": properties}
                )
            else:
                waiting.append(
                    {
                        "anonymous_id": item.anonymous_id,
                        "type": kind,
                        "occurred_at": item.received_at,
                        "properties": properties,
                    }
                )
    await recording.record(session, interactions)
    if waiting:
        await session.execute(_EVENTS.insert(), waiting)
    return [len(b.events) for b in beacons]


async def _links(session: AsyncSession, ids: Sequence[str]) -> dict[str, int]:
    rows = await session.execute(
        select(col(Visitor.anonymous_id), col(Visitor.contact_id)).where(
            col(Visitor.anonymous_id).in_(ids), col(Visitor.contact_id).is_not(None)
        )
    )
    return {a: c for a, c in rows.all()}


# ---- identification -----------------------------------------------------------------------------


async def identify(session: AsyncSession, anonymous_id: str, contact_id: int, source: str) -> Identified:
    """The visitor is this contact (as `source` says): link it by the rules of visitors.identity
    and copy its anonymous history to the contact, once (doing it again copies nothing)."""
    now = utcnow()
    await insert_ignoring_duplicates(
        session,
        Visitor,
        [{"anonymous_id": anonymous_id, "first_seen_at": now, "last_seen_at": now, "verified": False}],
        index_elements=["anonymous_id"],
    )
    query = select(col(Visitor.contact_id), col(Visitor.verified)).where(col(Visitor.anonymous_id) == anonymous_id)
    if await dialect_name(session) == "postgresql":
        query = query.with_for_update()
    linked_to, linked_checked = (await session.execute(query)).one()
    decision = identity.decide(linked_to, bool(linked_checked), contact_id, source)
    if decision is not Decision.KEEP:
        changes: dict[str, Any] = {
            "contact_id": contact_id,
            "verified": identity.still_checked(decision, bool(linked_checked), source),
        }
        if decision is not Decision.SAME:
            changes |= {"identified_by": source, "identified_at": now}
        elif changes["verified"] and not linked_checked:
            changes["identified_by"] = source
        await session.execute(update(Visitor).where(col(Visitor.anonymous_id) == anonymous_id).values(**changes))
    owner = linked_to if decision is Decision.KEEP and linked_to is not None else contact_id
    # Taken out and written to the contact in one statement each: two identifications at once
    # cannot both copy the same views.
    taken = await session.execute(
        delete(_EVENTS)
        .where(_EVENTS.c.anonymous_id == anonymous_id)
        .returning(_EVENTS.c.type, _EVENTS.c.occurred_at, _EVENTS.c.properties)
    )
    copied = await recording.record(
        session,
        [
            {"contact_id": owner, "type": kind, "occurred_at": at, "properties": properties}
            for kind, at, properties in taken.all()
        ],
    )
    return Identified(contact_id=contact_id, outcome=decision.value, copied=copied)


async def identify_by_email(session: AsyncSession, anonymous_id: str, email: str) -> Identified:
    """The site's backend says who its visitor is (a login, a checkout). The contact is created
    when there is none (known only by that address, from the website)."""
    try:
        address = normalize_email(email)
    except ValueError as exc:
        raise InvalidInput(str(exc), "email") from None
    found = await contacts.ids_by_email(session, [address])
    if address not in found:
        found = await contacts.create_minimal(session, [address], source="website")
    return await identify(session, anonymous_id, found[address], "api")


FORM_TYPES = {"form_submitted": "form", "form_confirmed": "form_confirmed"}
_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _anonymous_id_of(properties: dict[str, Any]) -> str | None:
    raw = properties.get("anonymous_id")
    if raw is None and isinstance(properties.get("values"), dict):
        raw = properties["values"].get("anonymous_id")
    return raw if isinstance(raw, str) and _VALID_ID.match(raw) else None


def stream_consumer() -> Consumer:
    """Forms identify their visitor: a form_submitted (or form_confirmed, a checked address)
    interaction carrying the tracking script's anonymous_id attaches that visitor's history."""

    async def consume(batch: Batch) -> None:
        for row in batch.rows:
            source = FORM_TYPES.get(row.type)
            anonymous_id = _anonymous_id_of(row.properties) if source else None
            if source and anonymous_id:
                await identify(batch.session, anonymous_id, row.contact_id, source)

    return consume


# ---- what a website may know -------------------------------------------------------------------


async def _names(session: AsyncSession, segment_ids: Sequence[int]) -> dict[int, str]:
    """The names of these segments (a deleted one is missing)."""
    found = {}
    for sid in segment_ids:
        try:
            found[sid] = (await segments.get_segment(session, sid)).name
        except NotFound:
            continue
    return found


async def profile(session: AsyncSession, anonymous_id: str) -> Profile:
    """The shared segments of the contact this visitor was identified as by a checked link, and
    the variant of the first; an unknown, anonymous or merely claimed visitor gets nothing."""
    row = (
        await session.execute(
            select(col(Visitor.contact_id)).where(
                col(Visitor.anonymous_id) == anonymous_id, col(Visitor.verified).is_(True)
            )
        )
    ).scalar_one_or_none()
    if row is None:
        return Profile(segments=[], variant=None)
    member_of = await segments.segment_ids_of(session, row)
    if not member_of:
        return Profile(segments=[], variant=None)
    shared = (
        await session.execute(
            select(col(WebsiteSegment.segment_id), col(WebsiteSegment.variant))
            .where(col(WebsiteSegment.segment_id).in_(member_of))
            .order_by(col(WebsiteSegment.position))
        )
    ).all()
    variant = next((v for _, v in shared if v), None)
    return Profile(segments=[sid for sid, _ in shared], variant=variant)


async def personalization(session: AsyncSession) -> Personalization:
    shared = (
        await session.execute(
            select(col(WebsiteSegment.segment_id), col(WebsiteSegment.variant)).order_by(col(WebsiteSegment.position))
        )
    ).all()
    names = await _names(session, [sid for sid, _ in shared]) if shared else {}
    return Personalization(
        segments=[WebsiteSegmentOut(segment_id=sid, name=names.get(sid, ""), variant=v) for sid, v in shared]
    )


async def set_personalization(session: AsyncSession, data: PersonalizationIn) -> Personalization:
    wanted = [s.segment_id for s in data.segments]
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("A segment is listed twice.", "segments")
    names = await _names(session, wanted)
    for i, item in enumerate(data.segments):
        if item.segment_id not in names:
            raise NotFound("This segment does not exist (it may have been deleted).", f"segments[{i}].segment_id")
    await session.execute(delete(WebsiteSegment))
    session.add_all(
        WebsiteSegment(segment_id=s.segment_id, position=i, variant=s.variant) for i, s in enumerate(data.segments)
    )
    await session.flush()
    return await personalization(session)


# ---- retention -------------------------------------------------------------------------------------


async def purge(session: AsyncSession, retention_days: int) -> int:
    """Anonymous visitors never identified and not seen for `retention_days`, with their page
    views, up to PURGE_BATCH of them. Returns how many were deleted."""
    cutoff = utcnow() - timedelta(days=retention_days)
    ids = (
        (
            await session.execute(
                select(col(Visitor.anonymous_id))
                .where(col(Visitor.contact_id).is_(None), col(Visitor.last_seen_at) < cutoff)
                .limit(PURGE_BATCH)
            )
        )
        .scalars()
        .all()
    )
    if ids:
        await session.execute(delete(_EVENTS).where(_EVENTS.c.anonymous_id.in_(ids)))
        await session.execute(delete(Visitor).where(col(Visitor.anonymous_id).in_(ids)))
    return len(ids)


async def purge_old_page_views(session: AsyncSession, retention_days: int) -> int:
    """Page views of visitors not identified yet older than `retention_days`, even when the visitor
    came back since: nothing anonymous is kept longer than the retention. On PostgreSQL the months
    that ended before the cutoff are dropped whole first. Returns the rows deleted one by one."""
    cutoff = utcnow() - timedelta(days=retention_days)
    await VISITOR_EVENTS.drop_before(session, cutoff)
    return rowcount(await session.execute(delete(_EVENTS).where(_EVENTS.c.occurred_at < cutoff)))


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: the browsers known as the other are the survivor's."""
    return {"visitors": await move_rows(session, Visitor, "contact_id", other_id, survivor_id)}


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The browsers known as the contact (their anonymous ids), for its data export."""
    return {"visitors": await rows_about(session, Visitor, "contact_id", contact_id)}

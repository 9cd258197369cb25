"""Merging two records of one person: the survivor keeps its id, the other's history moves to it.

Each feature moves what it keeps of a contact through its own `merge_contacts(session,
survivor_id, other_id)`, registered here by the composition (parcours.stream.wire) in the order
they run: this module never touches their tables. All in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.audit import service as audit
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import behavioural, custom_fields, matching, origin
from parcours.contacts import normalize as n
from parcours.contacts.consent import record_consent
from parcours.contacts.lookup import get_contact
from parcours.contacts.models import ConsentEvent, Contact, ContactMerge
from parcours.db import dialect_name, move_rows
from parcours.errors import Conflict, InvalidInput, NotFound
from parcours.interactions import recording

MERGED = "contacts_merged"


class ContactMerger(Protocol):
    """A feature that keeps rows of contacts: gives the other's to the survivor. Returns how many
    moved, by kind ("interactions", "segment_memberships"...)."""

    def __call__(self, session: AsyncSession, survivor_id: int, other_id: int, /) -> Awaitable[dict[str, int]]: ...


# Registered by the composition (parcours.stream.wire), in the order they run.
_mergers: list[ContactMerger] = []


def register(mergers: Iterable[ContactMerger]) -> None:
    """The features that keep rows of contacts (all of them, replacing any registered before)."""
    _mergers[:] = mergers


class Merged:
    def __init__(self, contact: Contact, merged: bool, moved: dict[str, int]) -> None:
        self.contact, self.merged, self.moved = contact, merged, moved


async def merge_contacts(
    session: AsyncSession, survivor_id: int, other_id: int, choices: Mapping[str, matching.Side], actor: Actor
) -> Merged:
    """Merge `other_id` into `survivor_id`. Merging a pair again is a no-op (merged False)."""
    if other_id == survivor_id:
        raise InvalidInput("A contact cannot be merged into itself: choose another contact.", "other_id")
    await _lock(session, survivor_id, other_id)
    survivor = await get_contact(session, survivor_id)
    other = await session.get(Contact, other_id)
    if other is None:
        return Merged(survivor, await _merged_before(session, survivor_id, other_id), {})
    names = sorted(
        {f.name for f in await custom_fields.list_fields(session)} | set(survivor.custom) | set(other.custom)
    )
    wrong = matching.unknown_choices(choices, names)
    if wrong:
        raise InvalidInput(
            f"'{wrong[0]}' cannot be picked in a merge: choose among the profile and custom fields.",
            f"fields.{wrong[0]}",
        )
    mine, theirs = _values(survivor), _values(other)
    changes, custom = matching.merged_fields(mine, theirs, choices, names)
    consent = matching.most_restrictive(mine, theirs)
    email = changes.pop("email", None)
    if "lead_origin" in changes:  # the other's origin is kept (the survivor had none, or it was picked): all of it
        changes |= origin.columns(origin.of_contact(other), origin.CONTACT_COLUMNS) | {"lead_at": other.lead_at}

    moved = {"consent_events": await move_rows(session, ConsentEvent, "contact_id", other_id, survivor_id)}
    # Contacts merged into the other before now lead to the survivor.
    await session.execute(
        update(ContactMerge).where(col(ContactMerge.survivor_id) == other_id).values(survivor_id=survivor_id)
    )
    _apply(survivor, {**changes, **consent, "custom": custom})
    await session.flush()
    for merger in _mergers:
        for kind, count in (await merger(session, survivor_id, other_id)).items():
            moved[kind] = moved.get(kind, 0) + count

    session.add(
        ContactMerge(
            other_id=other_id,
            survivor_id=survivor_id,
            other_email=other.email,
            other_email_key=matching.email_key(other.email),
            merged_by=actor.label,
        )
    )
    await behavioural.forget_contact(session, other_id)
    await session.delete(other)
    await session.flush()
    if email is not None:
        _apply(survivor, {"email": email})
        await session.flush()
    record_consent(session, survivor_id, mine, consent, actor, "merge")
    changed = sorted(f for f in [*changes, *(["email"] if email else [])]) + sorted(
        f for f in consent if consent[f] != mine[f]
    )
    if custom != mine["custom"]:
        changed.append("custom")
    await recording.record(
        session,
        [
            {
                "contact_id": survivor_id,
                "type": MERGED,
                "properties": {
                    "other_id": other_id,
                    "other_email": other.email,
                    "by": actor.label,
                    "fields": changed,
                    "moved": moved,
                    # The merged record as it stands, and the one merged into it, as they were.
                    "snapshot": _json(_values(survivor)),
                    "other": _json(theirs),
                },
            }
        ],
    )
    await audit.record(
        session,
        actor,
        "contact.merged",
        audit.Target("contact", survivor_id),
        after={"other_id": other_id, "fields": changed, "moved": moved},
    )
    return Merged(survivor, True, moved)


async def _lock(session: AsyncSession, *ids: int) -> None:
    """Both contacts locked in id order: a merge of the same pair at the same time waits here."""
    if await dialect_name(session) == "postgresql":
        await session.execute(
            select(col(Contact.id)).where(col(Contact.id).in_(ids)).order_by(col(Contact.id)).with_for_update()
        )


async def _merged_before(session: AsyncSession, survivor_id: int, other_id: int) -> bool:
    """The other contact is gone: merged into this survivor already (a no-op: False), or not."""
    before = await session.get(ContactMerge, other_id)
    if before is None:
        raise NotFound("This contact does not exist (it may have been deleted).", "other_id")
    if before.survivor_id != survivor_id:
        raise Conflict(
            f"This contact was already merged into contact #{before.survivor_id}.",
            "other_id",
            contact_id=before.survivor_id,
        )
    return False


_KEPT = (*matching.MERGEABLE_FIELDS, *matching.CONSENT_MERGED, "custom")


def _values(contact: Contact) -> dict[str, Any]:
    return {f: getattr(contact, f) for f in _KEPT}


def _apply(contact: Contact, values: Mapping[str, Any]) -> None:
    for field, value in values.items():
        setattr(contact, field, value)
    contact.search_text = n.search_text(contact.first_name, contact.last_name, contact.email)
    contact.email_key = matching.email_key(contact.email)
    contact.person_key = matching.person_key(contact.first_name, contact.last_name)
    contact.updated_at = utcnow()


def _json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {f: v.isoformat() if isinstance(v, (date, datetime)) else v for f, v in values.items()}

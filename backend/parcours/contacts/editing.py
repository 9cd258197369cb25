"""Creating and changing one contact: cleaned values, the consent history, the stage rules, and
each change on the contact's timeline (the interaction stream)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.contacts import custom_fields, matching, origin
from parcours.contacts import normalize as n
from parcours.contacts.cleaning import clean
from parcours.contacts.consent import record_consent
from parcours.contacts.lookup import find_by_email, get_contact
from parcours.contacts.models import Contact
from parcours.contacts.schemas import ContactIn
from parcours.contacts.vocabulary import COMPUTED_FIELDS, CONSENT_FIELDS
from parcours.errors import Conflict, InvalidInput, Unprocessable
from parcours.interactions import recording
from parcours.pipeline.stages import DISQUALIFIED, transition_problem

STAGE_CHANGED = "lifecycle_stage_changed"


async def create_contact(
    session: AsyncSession,
    data: ContactIn,
    actor: Actor,
    *,
    looked_up: bool = False,
    method: str | None = None,
    evidence: dict[str, Any] | None = None,
) -> Contact:
    """`looked_up`: the caller has just found no contact with this email (the unique index still
    answers a Conflict if one appears meanwhile). `method` and `evidence`: how the consents given
    were obtained and what proves them (see consent.record_consent)."""
    values = {f: getattr(data, f) for f in data.__struct_fields__}
    custom = values.pop("custom")
    given_origin = values.pop("origin")
    values = await clean(session, values, None)
    values.update(_origin_columns(given_origin, values, actor))
    if values.get("lead_origin") is not None:
        values["lead_at"] = utcnow()
    values["custom"] = await custom_fields.validate_values(session, custom, {})
    if not looked_up:
        _refuse_if_known(await find_by_email(session, values["email"]), values["email"])
    contact = Contact(
        **values,
        search_text=n.search_text(values.get("first_name"), values.get("last_name"), values["email"]),
        email_key=matching.email_key(values["email"]),
        person_key=matching.person_key(values.get("first_name"), values.get("last_name")),
    )
    session.add(contact)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(f"A contact with the email {values['email']} already exists.", "email") from None
    assert contact.id is not None  # flushed: the database gave it its id
    given = {f: values[f] for f in CONSENT_FIELDS if values.get(f) not in (None, False, "none")}
    record_consent(session, contact.id, {}, given, actor, method, evidence)
    await recording.record(
        session,
        [
            {
                "contact_id": contact.id,
                "type": "contact_created",
                "properties": {"source": contact.source, "by": actor.label},
            }
        ],
    )
    return contact


async def update_contact(
    session: AsyncSession,
    contact_id: int,
    changes: dict[str, Any],
    actor: Actor,
    method: str | None = None,
    evidence: dict[str, Any] | None = None,
) -> Contact:
    """Change a contact; `method` says how consent changed when it is not the actor's usual way,
    `evidence` what proves it (see consent.record_consent)."""
    contact = await get_contact(session, contact_id)
    for computed in COMPUTED_FIELDS:
        if computed in changes:
            raise InvalidInput(f"'{computed}' is computed from interactions and cannot be set.", computed)
    custom = changes.pop("custom", None)
    if "origin" in changes:
        changes.update(_origin_columns(changes.pop("origin"), changes, None))
    if "company" in changes and changes["company"] is None:
        changes.pop("company")
        changes.setdefault("account_id", None)
    cleaned = await clean(session, changes, contact.country)
    if "email" in cleaned and cleaned["email"] != contact.email:
        other = await find_by_email(session, cleaned["email"])
        if other is not None and other.id != contact.id:
            raise Conflict(
                f"Another contact already has the email {cleaned['email']} (contact #{other.id}).",
                "email",
                contact_id=other.id,
            )
    if custom is not None:
        cleaned["custom"] = await custom_fields.validate_values(session, custom, contact.custom)
    before = {f: getattr(contact, f) for f in CONSENT_FIELDS}
    changed = sorted(f for f, value in cleaned.items() if getattr(contact, f) != value)
    if not changed:
        return contact
    stage_change = _stage_change(contact, cleaned, actor)
    for field in changed:
        setattr(contact, field, cleaned[field])
    if contact.lead_origin is not None and contact.lead_at is None:
        contact.lead_at = utcnow()
    contact.search_text = n.search_text(contact.first_name, contact.last_name, contact.email)
    contact.email_key = matching.email_key(contact.email)
    contact.person_key = matching.person_key(contact.first_name, contact.last_name)
    contact.updated_at = utcnow()
    await session.flush()
    record_consent(
        session, contact_id, before, {f: cleaned[f] for f in CONSENT_FIELDS if f in cleaned}, actor, method, evidence
    )
    events = [
        {"contact_id": contact.id, "type": "contact_updated", "properties": {"fields": changed, "by": actor.label}}
    ]
    if stage_change is not None:
        events.append(
            {"contact_id": contact.id, "type": STAGE_CHANGED, "properties": {**stage_change, "by": actor.label}}
        )
    await recording.record(session, events)
    return contact


def _refuse_if_known(known: Contact | None, email: str) -> None:
    """One record per person: the API does not create a second contact for an address that reaches
    a known one (the same mailbox, or a contact merged into it). It answers 409 with the contact's
    id rather than that contact: a create that silently answered someone else's record would hide
    that none of the values sent were stored."""
    if known is None:
        return
    if known.email == email:
        message = f"A contact with the email {email} already exists (contact #{known.id})."
    else:
        message = f"The email {email} reaches the same mailbox as contact #{known.id} ({known.email})."
    raise Conflict(message, "email", contact_id=known.id)


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
        found = lead_origin_of(actor)
        if found is not None:
            detail, structured = found
            for field, value in {
                **origin.columns(structured, origin.CONTACT_COLUMNS),
                "lead_origin_detail": detail,
            }.items():
                cleaned[field] = value
                setattr(contact, field, value)
    return {"from": contact.lifecycle_stage, "to": wanted}


def lead_origin_of(actor: Actor) -> tuple[str | None, origin.Origin] | None:
    """Where a contact that becomes a lead with no origin yet came from: a journey made it (the
    journey acts with its id), or sales did (a person or an API key moved it); None otherwise."""
    if actor.kind == "system" and actor.name.startswith("Journey "):
        journey_id = actor.id if actor.id > 0 else None
        return f"journey: {actor.name[len('Journey ') :]}"[:200], origin.Origin(kind="outbound", journey_id=journey_id)
    if actor.kind in ("user", "api_key"):
        return None, origin.Origin(kind="sales")
    return None


def _origin_columns(given: origin.Origin | None, values: dict[str, Any], actor: Actor | None) -> dict[str, Any]:
    """The lead_origin* columns for an `origin` given (or taken off with null). Creating (`actor`
    set): a lead entered by a person or an API key with no origin at all came from sales (a mere
    subscriber has no lead origin yet: the activity that makes it a lead will give it one)."""
    if given is not None:
        return origin.columns(given, origin.CONTACT_COLUMNS)
    if actor is None:
        return origin.columns(None, origin.CONTACT_COLUMNS) | {"lead_origin_detail": None}
    stage = values.get("lifecycle_stage", "subscriber")
    if values.get("lead_origin") is None and stage not in ("subscriber", DISQUALIFIED):
        found = lead_origin_of(actor)
        if found is not None:
            return origin.columns(found[1], origin.CONTACT_COLUMNS)
    return {}

"""Emails: create and change them (compiled on save), versions, previews, test sends."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, or_
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.addresses import normalize_email
from parcours.assets.usage import AssetUse
from parcours.auth.service import Actor
from parcours.channels import service as channels
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.schemas import AccountOut, ContactOut
from parcours.db import move_rows, rows_about
from parcours.emails import render, templates
from parcours.emails.compose import SAMPLE_ACCOUNT, SAMPLE_CONTACT, Composed, Content, compose, context
from parcours.emails.models import Email, EmailVersion, TopicOptOut
from parcours.errors import Conflict, InvalidInput, NotFound
from parcours.jobs.enqueue import Enqueue
from parcours.rules import service as rules
from parcours.rules.context import context_values
from parcours.rules.language import evaluate
from parcours.segments import service as segments

# Autosaves within this time of the last version update that version instead of adding one.
VERSION_WINDOW = timedelta(minutes=2)
# What a version keeps of its email.
_CONTENT = ("subject", "preheader", "design", "mjml", "html", "text")
_CONTACT_FIELDS = set(ContactOut.__struct_fields__) | {"custom"}
_ACCOUNT_FIELDS = set(AccountOut.__struct_fields__)


def _sender(values: dict[str, Any]) -> None:
    if "subject" in values and not str(values["subject"]).strip():
        raise InvalidInput("An email needs a subject.", "subject")
    if "from_name" in values and not str(values["from_name"]).strip():
        raise InvalidInput("Say who the email is from (the sender's name).", "from_name")
    for field in ("from_email", "reply_to"):
        if values.get(field):
            try:
                values[field] = normalize_email(values[field])
            except ValueError as exc:
                raise InvalidInput(str(exc), field) from None
    if "from_email" in values and not values["from_email"]:
        raise InvalidInput("Give the sender's address.", "from_email")


async def _compiled(session: AsyncSession, mjml: str, subject: str) -> tuple[str, str, list[str]]:
    """HTML and text from MJML, with warnings; a design that cannot be sent is refused."""
    try:
        compiled = render.compile_mjml(mjml)
        render.check_template(subject)
    except render.DesignError as exc:
        raise InvalidInput(str(exc), "mjml") from None
    warnings = list(compiled.warnings)
    for name in sorted(render.referenced_fields(compiled.html + compiled.text + subject)):
        owner, field = name.split(".", 1)
        if field not in (_CONTACT_FIELDS if owner == "contact" else _ACCOUNT_FIELDS):
            warnings.append(f"{{{{ {name} }}}} is not a field we know: it will be empty.")
    schema = await rules.current_schema(session)
    for text in render.referenced_rules(compiled.html):
        rules.check(text, schema, "mjml")
    return compiled.html, compiled.text, warnings


# ---- emails ----------------------------------------------------------------------------------


async def list_emails(session: AsyncSession, archived: bool = False) -> Sequence[Email]:
    query = select(Email).where(col(Email.archived) == archived).order_by(col(Email.updated_at).desc())
    return (await session.execute(query)).scalars().all()


async def names(session: AsyncSession, email_ids: Collection[int]) -> dict[int, str]:
    """The names of these emails (archived ones too), by id."""
    if not email_ids:
        return {}
    rows = await session.execute(select(col(Email.id), col(Email.name)).where(col(Email.id).in_(list(email_ids))))
    return {int(i): str(n) for i, n in rows.all()}


async def get_email(session: AsyncSession, email_id: int, field: str = "email_id") -> Email:
    email = await session.get(Email, email_id)
    if email is None:
        raise NotFound("This email does not exist.", field)
    return email


async def create_email(session: AsyncSession, values: dict[str, Any], actor: Actor) -> Email:
    _sender(values)
    template_id, design, mjml = values.pop("template_id", None), values.pop("design", None), values.pop("mjml", None)
    language = values.pop("language", None)
    if template_id is not None:
        template = await templates.get_template(session, template_id, field="template_id")
        design, mjml = design or template.design, mjml or template.mjml
        values["preheader"] = values.get("preheader") or template.preheader
        language = language or template.language
    values["language"] = language or (actor.language if actor.language in templates.LANGUAGES else "en")
    mjml = mjml or templates.BLANK_MJML[values["language"]]
    html, text, warnings = await _compiled(session, mjml, values["subject"])
    email = Email(
        **values,
        design=design,
        mjml=mjml,
        html=html,
        text=text,
        warnings=warnings,
        template_id=template_id,
        created_by=actor.label,
    )
    session.add(email)
    await session.flush()
    await _save_version(session, email, actor)
    return email


async def update_email(session: AsyncSession, email_id: int, changes: dict[str, Any], actor: Actor) -> Email:
    email = await get_email(session, email_id)
    _sender(changes)
    content_changed = any(k in changes for k in ("mjml", "design", "subject", "preheader"))
    if "mjml" in changes or "subject" in changes:
        changes["html"], changes["text"], changes["warnings"] = await _compiled(
            session, changes.get("mjml", email.mjml), changes.get("subject", email.subject)
        )
    for field, value in changes.items():
        setattr(email, field, value)
    email.updated_at = utcnow()
    if content_changed:
        await _save_version(session, email, actor)
    await session.flush()
    return email


async def _save_version(session: AsyncSession, email: Email, actor: Actor, force_new: bool = False) -> None:
    assert email.id is not None  # a saved email
    latest = (
        await session.execute(
            select(EmailVersion)
            .where(col(EmailVersion.email_id) == email.id)
            .order_by(col(EmailVersion.version).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    recent = latest is not None and latest.saved_by == actor.label and utcnow() - latest.saved_at < VERSION_WINDOW
    if latest is not None and recent and not force_new:
        for field in _CONTENT:
            setattr(latest, field, getattr(email, field))
        latest.saved_at = utcnow()
        email.version = latest.version
        return
    email.version = (latest.version + 1) if latest else 1
    session.add(
        EmailVersion(
            email_id=email.id,
            version=email.version,
            saved_by=actor.label,
            subject=email.subject,
            preheader=email.preheader,
            design=email.design,
            mjml=email.mjml,
            html=email.html,
            text=email.text,
        )
    )


async def delete_email(session: AsyncSession, email_id: int) -> None:
    email = await get_email(session, email_id)
    try:
        async with session.begin_nested():
            await session.delete(email)
            await session.flush()
    except IntegrityError:
        raise Conflict("Campaigns have sent this email: archive it instead, its statistics stay.", "email_id") from None


async def versions(session: AsyncSession, email_id: int) -> Sequence[EmailVersion]:
    await get_email(session, email_id)
    query = (
        select(EmailVersion).where(col(EmailVersion.email_id) == email_id).order_by(col(EmailVersion.version).desc())
    )
    return (await session.execute(query)).scalars().all()


async def restore(session: AsyncSession, email_id: int, version: int, actor: Actor) -> Email:
    found = (
        await session.execute(
            select(EmailVersion).where(col(EmailVersion.email_id) == email_id, col(EmailVersion.version) == version)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Version {version} of this email does not exist.", "version")
    email = await get_email(session, email_id)
    for field in _CONTENT:
        setattr(email, field, getattr(found, field))
    email.updated_at = utcnow()
    await _save_version(session, email, actor, force_new=True)
    return email


def content_of(email: Email) -> Content:
    return Content(subject=email.subject, preheader=email.preheader, html=email.html, text=email.text)


# ---- personalization ---------------------------------------------------------------------------


async def personalization(
    session: AsyncSession, contact_id: int | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Callable[[str], bool]]:
    """A contact's values for templates, and the rule check used by conditional blocks."""
    if contact_id is None:
        return dict(SAMPLE_CONTACT), dict(SAMPLE_ACCOUNT), lambda _text: False
    rows = await contacts.rule_rows(session, [contact_id])
    if contact_id not in rows:
        raise NotFound("This contact does not exist.", "contact_id")
    contact, account = rows[contact_id]
    schema = await rules.current_schema(session)
    values = context_values(contact, account, await segments.segment_ids_of(session, contact_id), schema.fields)
    checked: dict[str, Any] = {}

    def rule(text: str) -> bool:
        if text not in checked:
            checked[text] = rules.check(text, schema)
        return evaluate(checked[text], values)

    return contact, account, rule


async def preview(
    session: AsyncSession, email_id: int, contact_id: int | None, subject: str | None = None, mjml: str | None = None
) -> Composed:
    email = await get_email(session, email_id)
    content = content_of(email)
    if mjml is not None or subject is not None:
        html, text, _ = await _compiled(
            session, mjml if mjml is not None else email.mjml, subject if subject is not None else email.subject
        )
        content = Content(
            subject=subject if subject is not None else email.subject, preheader=email.preheader, html=html, text=text
        )
    contact, account, rule = await personalization(session, contact_id)
    return compose(content, context(contact, account, None), rule, None)


async def test_send(
    session: AsyncSession, email_id: int, to: str, contact_id: int | None, actor: Actor, enqueue: Enqueue
) -> int:
    email = await get_email(session, email_id)
    try:
        address = normalize_email(to)
    except ValueError as exc:
        raise InvalidInput(str(exc), "to") from None
    if contact_id is not None:
        await personalization(session, contact_id)
    key = f"test:{email.id}:{uuid.uuid4().hex}"
    await channels.queue(
        session,
        enqueue,
        [
            channels.OutboxIn(
                key=key,
                to=address,
                email_id=email.id,
                contact_id=contact_id,
                subject=email.subject,
                data={"test": True, "by": actor.label},
            )
        ],
    )
    return (await channels.queued(session, [key]))[key]


async def count_emails(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(Email))).scalar_one())


async def personalizations(
    session: AsyncSession, contact_ids: Sequence[int], with_rules: bool
) -> dict[int, tuple[dict[str, Any], dict[str, Any] | None, Callable[[str], bool] | None]]:
    """Template values for many contacts at once (sending); the rule check only when needed."""
    rows = await contacts.rule_rows(session, contact_ids)
    if not with_rules:
        return {cid: (contact, account, None) for cid, (contact, account) in rows.items()}
    schema = await rules.current_schema(session)
    memberships = await segments.segment_ids_by_contact(session, list(rows))
    checked: dict[str, Any] = {}
    out: dict[int, tuple[dict[str, Any], dict[str, Any] | None, Callable[[str], bool] | None]] = {}
    for cid, (contact, account) in rows.items():
        values = context_values(contact, account, memberships.get(cid, set()), schema.fields)

        def rule(text: str, values: dict[str, Any] = values) -> bool:
            if text not in checked:
                checked[text] = rules.check(text, schema)
            return evaluate(checked[text], values)

        out[cid] = (contact, account, rule)
    return out


async def kinds_of(session: AsyncSession, email_ids: set[int]) -> dict[int, str]:
    """Each existing email's kind (promotional or transactional)."""
    rows = await session.execute(select(col(Email.id), col(Email.kind)).where(col(Email.id).in_(email_ids)))
    return {eid: kind for eid, kind in rows.all()}


async def names_of(session: AsyncSession, email_ids: Sequence[int]) -> dict[int, str]:
    """Each existing email's name (reports show them; a deleted email is missing)."""
    if not email_ids:
        return {}
    rows = await session.execute(select(col(Email.id), col(Email.name)).where(col(Email.id).in_(list(email_ids))))
    return {eid: name for eid, name in rows.all()}


async def latest_sender(session: AsyncSession) -> tuple[str, str] | None:
    """The sender name and address of the email changed last: new emails start from it."""
    row = (
        await session.execute(
            select(col(Email.from_name), col(Email.from_email))
            .where(col(Email.from_email) != "")
            .order_by(col(Email.updated_at).desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def images_used(session: AsyncSession, address: str) -> list[AssetUse]:
    """The emails (archived ones too: they are still read) showing the image at this address
    (assets.usage: an image in use is not deleted)."""
    shows = or_(col(Email.mjml).contains(address, autoescape=True), col(Email.html).contains(address, autoescape=True))
    rows = (await session.execute(select(col(Email.id), col(Email.name)).where(shows).order_by(col(Email.id)))).all()
    return [AssetUse("email", int(email_id), name) for email_id, name in rows]


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: a topic either opted out of stays opted out."""
    moved = await move_rows(session, TopicOptOut, "contact_id", other_id, survivor_id, unique_with=("topic",))
    return {"topic_opt_outs": moved}


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """The subscription topics the contact opted out of, for its data export."""
    return {"topic_opt_outs": await rows_about(session, TopicOptOut, "contact_id", contact_id)}

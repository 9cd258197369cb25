"""Posts to a form, from the hosted page, an embedded form, a landing page or a script: judged
(anti-spam), checked against the published version, then applied to the contact, held for review,
or kept pending until the person confirms their address (double opt-in)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import msgspec
from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.addresses import normalize_email
from parcours.auth.service import Actor, system_actor
from parcours.channels import service as channels
from parcours.channels.notices import notice
from parcours.clock import utcnow
from parcours.contacts import service as contacts
from parcours.contacts.schemas import ContactIn
from parcours.db import transaction
from parcours.emails import topics as email_topics
from parcours.errors import Conflict, InvalidInput, NotFound, ParcoursError
from parcours.forms import attribution, service, spam, submission, tokens
from parcours.forms.models import Form, FormSubmission, FormVersion
from parcours.groupcommit import GroupCommit
from parcours.interactions import recording
from parcours.jobs.enqueue import Enqueue
from parcours.runtime import Runtime
from parcours.web.catalog import text

log = logging.getLogger(__name__)

UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
CONSENT_ORDER = ("none", "transactional", "marketing", "profiling")
Next = Literal["done", "confirm", "invalid"]


@dataclass
class Visit:
    """Where a post comes from, as the request tells (the handler fills it)."""

    language: str
    ip: str | None
    referrer: str | None
    url: str | None


@dataclass
class Outcome:
    next: Next
    form: Form
    settings: dict[str, Any]
    field: str | None = None
    message: str | None = None
    submission_id: int | None = None


def _text(value: Any, limit: int) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    value = str(value).strip()
    return value[:limit] or None


def _page_id(value: Any) -> int | None:
    found = _text(value, 12)
    return int(found) if found and found.isdigit() and 0 < int(found) < 2**31 else None


def context_of(
    fields: list[dict[str, Any]], raw: dict[str, Any], values: dict[str, Any], visit: Visit
) -> dict[str, Any]:
    utm = {
        f["source"]: values[f["name"]]
        for f in fields
        if f["type"] == "hidden" and f.get("source") in UTM and f["name"] in values
    }
    for key in UTM:
        if key not in utm and _text(raw.get(key), 200):
            utm[key] = _text(raw.get(key), 200)
    return {
        "language": visit.language,
        "ip": visit.ip,
        "page_id": _page_id(raw.get("page_id")),
        "anonymous_id": _text(raw.get("anonymous_id"), 64),
        "utm": utm,
        "referrer": _text(raw.get("_ref"), 2000) or visit.referrer,
        "url": _text(raw.get("_url"), 2000) or visit.url,
    }


async def _prefilled_contact(session: AsyncSession, secret: str, form_id: int, token: str | None) -> int | None:
    """The contact a personal link names, when it is genuine, unexpired and for this form."""
    if not token:
        return None
    try:
        payload = tokens.read(secret, "form_prefill", token, utcnow())
    except InvalidInput:
        return None
    if payload.get("f") != form_id or not isinstance(payload.get("c"), int):
        return None
    return int(payload["c"])


async def known_values(session: AsyncSession, contact_id: int) -> dict[str, Any] | None:
    """A contact's values by form target (first_name, custom_size...), to prefill a personal link."""
    try:
        contact = await contacts.get_contact(session, contact_id)
    except NotFound:
        return None
    out = await contacts.contact_out(session, contact)
    known: dict[str, Any] = {k: v for k, v in msgspec.to_builtins(out).items() if not isinstance(v, dict)}
    known["company"] = out.account_name
    known.update({f"custom_{k}": v for k, v in (contact.custom or {}).items()})
    return known


@dataclass
class Post:
    """One post judged (anti-spam) and waiting for its turn in the process's group commit."""

    form: Form
    version: FormVersion
    raw: dict[str, Any]
    visit: Visit
    verdict: str


@dataclass
class Burst:
    """What the posts of one transaction share: the contacts already found (one query for all),
    and the interactions to record (one insert for all, at the end)."""

    found: dict[str, Any]
    events: list[dict[str, Any]]


Intake = GroupCommit[Post, Outcome]
# One group commit per running product in this process (posts of a burst share one transaction).
_INTAKES: dict[int, tuple[Runtime, Intake]] = {}
MAX_PER_TRANSACTION = 200
MAX_PER_SQLITE_TRANSACTION = 50


def intake_of(runtime: Runtime) -> Intake:
    found = _INTAKES.get(id(runtime))
    if found is None or found[0] is not runtime:
        sqlite = runtime.settings.sqlalchemy_url.startswith("sqlite")
        queue: Intake = GroupCommit(
            runtime.sessions,
            partial(_store_all, runtime),
            MAX_PER_SQLITE_TRANSACTION if sqlite else MAX_PER_TRANSACTION,
        )
        _INTAKES[id(runtime)] = found = (runtime, queue)
    return found[1]


async def submit(
    runtime: Runtime, slug: str, raw: dict[str, Any], visit: Visit, found: tuple[Form, FormVersion] | None = None
) -> Outcome:
    """One post: judged, then written with the others of its burst in one transaction (its own
    savepoint: nothing of it is written when it is refused)."""
    if found is None:
        async with transaction(runtime.read_sessions) as session:
            found = await service.published_by_slug(session, slug)
    form, version = found
    verdict = await spam.judge(
        raw, version.settings, secret=runtime.secret_key, redis=runtime.redis, now=utcnow(), slug=form.slug
    )
    return await intake_of(runtime).submit(Post(form, version, raw, visit, verdict))


def _email_of(post: Post) -> str | None:
    name = next((f["name"] for f in post.version.fields if f.get("maps_to") == "email"), None)
    given = _text(post.raw.get(name), 320) if name else None
    try:
        return normalize_email(given) if given else None
    except ValueError:
        return None


async def _store_all(runtime: Runtime, session: AsyncSession, posts: list[Post]) -> list[Outcome | ParcoursError]:
    emails = {e for e in (_email_of(p) for p in posts if p.verdict in ("ok", "held")) if e}
    burst = Burst(found=await contacts.find_by_emails(session, emails), events=[])
    outcomes: list[Outcome | ParcoursError] = []
    for post in posts:
        try:
            outcomes.append(await _store(runtime, session, post, burst))
        except ParcoursError as error:
            outcomes.append(error)
    await recording.record(session, burst.events)
    return outcomes


async def _store(runtime: Runtime, session: AsyncSession, post: Post, burst: Burst) -> Outcome:
    """One post. What may refuse it is checked before it writes anything."""
    form, version, raw, visit = post.form, post.version, post.raw, post.visit
    assert form.id is not None
    settings, fields = version.settings, version.fields
    if post.verdict not in ("ok", "held"):
        session.add(_row(form.id, version, "spam", {}, {"ip": visit.ip}, spam_reason=post.verdict))
        return Outcome("done", form, settings)
    trusted = await _prefilled_contact(session, runtime.secret_key, form.id, _text(raw.get("p"), 1000))
    known = await known_values(session, trusted) if trusted else None
    asked = submission.shown(fields, known, bool(settings.get("progressive_profiling")))
    values, problem = submission.check(asked, raw, visit.language)
    if problem:
        return Outcome("invalid", form, settings, field=problem[0], message=problem[1])
    context = context_of(fields, raw, values, visit)
    if trusted:
        context["prefilled_contact_id"] = trusted
    # Kept with the submission (a confirmation may apply it later): the email that led here.
    from_message = attribution.message_in_url(runtime.secret_key, context["url"], utcnow().timestamp())
    if from_message is not None:
        context["from_message_id"] = from_message
    if post.verdict == "held":
        row = _row(form.id, version, "held", values, context)
        session.add(row)
        return Outcome("done", form, settings)
    if settings.get("double_opt_in"):
        row = _row(form.id, version, "pending", values, context)
        session.add(row)
        await session.flush()
        await _ask_confirmation(session, runtime, form, version, row, values)
        return Outcome("confirm", form, settings, submission_id=row.id)
    row = _row(form.id, version, "accepted", values, context)
    try:
        await apply(session, form, version, row, burst=burst)
    except Conflict:
        raise
    except ParcoursError as error:
        field, message = _form_field(fields, error)
        return Outcome("invalid", form, settings, field=field, message=message)
    session.add(row)
    return Outcome("done", form, settings)


async def count_flood(runtime: Runtime, form_id: int, version: FormVersion, ip: str) -> None:
    """A post refused by the rate limits: nothing of it is kept but a spam row for the statistics."""
    async with transaction(runtime.sessions) as session:
        session.add(_row(form_id, version, "spam", {}, {"ip": ip}, spam_reason="flood"))


def _row(
    form_id: int,
    version: FormVersion,
    status: str,
    values: dict[str, Any],
    context: dict[str, Any],
    spam_reason: str | None = None,
) -> FormSubmission:
    return FormSubmission(
        form_id=form_id,
        form_version=version.version,
        status=status,
        values=values,
        context=context,
        spam_reason=spam_reason,
    )


def _form_field(fields: list[dict[str, Any]], error: ParcoursError) -> tuple[str | None, str]:
    """A contact's refusal (`phone`, `custom.size`) named by the form's field that filled it."""
    target = (error.field or "").replace("custom.", "custom_")
    name = next((f["name"] for f in fields if f.get("maps_to") == target), error.field)
    return name, error.message


async def _ask_confirmation(
    session: AsyncSession,
    runtime: Runtime,
    form: Form,
    version: FormVersion,
    row: FormSubmission,
    values: dict[str, Any],
) -> None:
    email = next(values[f["name"]] for f in version.fields if f.get("maps_to") == "email")
    language = row.context.get("language") or "en"
    expires_at = tokens.expiry(utcnow(), "form_confirm")
    token = tokens.sign(runtime.secret_key, "form_confirm", {"s": row.id}, expires_at)
    link = f"{runtime.settings.base_url}/f/confirm/{token}"
    await channels.queue(
        session,
        runtime.enqueue,
        [
            notice(
                key=f"form-confirm:{row.id}",
                to=email,
                subject=text(language, "form.confirm_subject", form=version.name),
                text=text(language, "form.confirm_text", form=version.name, link=link, days=tokens.CONFIRM_DAYS),
            )
        ],
    )


# ---- applying a submission to the contact ------------------------------------------------------------


def _actor(form: Form | FormVersion) -> Actor:
    return system_actor(f"Form {form.name}"[:200])


async def apply(
    session: AsyncSession,
    form: Form,
    version: FormVersion,
    row: FormSubmission,
    confirmed: bool = False,
    burst: Burst | None = None,
) -> None:
    """Create or update the contact, record the consents with their evidence and the interactions
    (form_confirmed first when confirming), and fill the submission's contact. Raises a
    ParcoursError (the contact's own checks) before anything is kept."""
    assert form.id is not None
    context, values = row.context, row.values
    language = context.get("language") or "en"
    t = submission.targets(version.fields, values, language)
    email = t.contact.pop("email")
    actor = _actor(version)
    trusted = context.get("prefilled_contact_id")
    existing = burst.found.get(email) if burst is not None else await contacts.find_by_email(session, email)
    new = existing is None
    detail = f"form: {version.name}"[:200]
    # Only a new contact or a known one with no lead origin yet takes this submission's.
    origin = (
        await attribution.submission_origin(
            session,
            form.id,
            context.get("page_id"),
            None if existing is None else existing.id,
            context.get("from_message_id"),
            utcnow(),
        )
        if existing is None or existing.lead_origin is None
        else None
    )
    evidence = _evidence(version, t, context)
    if existing is None:
        opted: dict[str, Any] = {field: True for field, given in t.consents.items() if given}
        if opted.get("email_opt_in"):
            opted["consent_level"] = "marketing"
        try:
            given = msgspec.convert(
                {
                    **t.contact,
                    **opted,
                    "email": email,
                    "language": t.contact.get("language") or language,
                    "source": detail[:100],
                    "lead_origin_detail": detail,
                    "origin": msgspec.to_builtins(origin),
                    "custom": t.custom,
                },
                ContactIn,
                str_keys=True,
            )
        except msgspec.ValidationError as exc:
            raise InvalidInput(str(exc).split(" - at `$.")[0], _at(str(exc))) from None
        async with session.begin_nested():  # another process may create the same person meanwhile
            contact = await contacts.create_contact(
                session, given, actor, looked_up=True, method="form", evidence=evidence
            )
        if burst is not None:
            burst.found[email] = contact
    else:
        contact = existing
        assert contact.id is not None
        changes = dict(t.contact)
        if trusted != contact.id:  # a public post fills blanks, never overwrites
            changes = {
                k: v
                for k, v in changes.items()
                if getattr(contact, "account_id" if k == "company" else k, None) in (None, "")
            }
        custom = (
            t.custom
            if trusted == contact.id
            else {k: v for k, v in t.custom.items() if (contact.custom or {}).get(k) in (None, "")}
        )
        if custom:
            changes["custom"] = custom
        if origin is not None:  # a known contact converted by this form
            changes.update(origin=origin, lead_origin_detail=detail)
        if changes:
            contact = await contacts.update_contact(session, contact.id, changes, actor)
    assert contact.id is not None
    await _consents(session, contact, t, evidence, actor, new)
    now = utcnow()
    properties = {
        "form_id": form.id,
        "form_version": version.version,
        "page_id": context.get("page_id"),
        "values": values,
        "utm": context.get("utm") or {},
        "referrer": context.get("referrer"),
        "url": context.get("url"),
        "anonymous_id": context.get("anonymous_id"),
        "new_contact": new,
    }
    events = [{"contact_id": contact.id, "type": "form_submitted", "properties": properties, "occurred_at": now}]
    if confirmed:
        events.insert(
            0,
            {
                "contact_id": contact.id,
                "type": "form_confirmed",
                "properties": {"form_id": form.id, "form_version": version.version},
                "occurred_at": now,
            },
        )
    if burst is not None:
        burst.events.extend(events)
    else:
        await recording.record(session, events)
    row.contact_id, row.new_contact = contact.id, new


def _at(message: str) -> str | None:
    found = message.split(" - at `$.")
    return found[1].rstrip("`").split(".")[0].split("[")[0] if len(found) > 1 else None


def _evidence(version: FormVersion, t: submission.Targets, context: dict[str, Any]) -> dict[str, Any]:
    """What proves each consent: the wording shown, its version, the form, the IP."""
    common = {
        "wording_version": version.settings.get("consent_version", "1"),
        "form_id": version.form_id,
        "ip": context.get("ip"),
    }
    evidence: dict[str, Any] = {"*": common}
    for field, wording in t.wording.items():
        evidence[field[:32]] = {"wording": wording}
    if "email_opt_in" in t.wording:
        evidence["consent_level"] = {"wording": t.wording["email_opt_in"]}
    return evidence


async def _consents(
    session: AsyncSession, contact: Any, t: submission.Targets, evidence: dict[str, Any], actor: Actor, new: bool
) -> None:
    """Consents a form adds (never withdraws), with their evidence (a new contact got its own
    when it was created); topics chosen are subscribed again and noted in the history."""
    assert contact.id is not None
    changes: dict[str, Any] = {}
    for field, given in t.consents.items():
        if given and not new and not getattr(contact, field):
            changes[field] = True
    if changes.get("email_opt_in") and CONSENT_ORDER.index(contact.consent_level or "none") < CONSENT_ORDER.index(
        "marketing"
    ):
        changes["consent_level"] = "marketing"
    if changes:
        await contacts.update_contact(session, contact.id, changes, actor, method="form", evidence=evidence)
    chosen = {key for key, given in t.topics.items() if given}
    if chosen:
        opted_out = (await email_topics.opted_out(session, [contact.id])).get(contact.id, frozenset())
        if opted_out & chosen:
            await email_topics.set_opt_outs(session, contact.id, set(opted_out - chosen))
        contacts.record_consent(
            session, contact.id, {}, {f"topic:{k}"[:32]: True for k in chosen}, actor, "form", evidence
        )


# ---- double opt-in and review ------------------------------------------------------------------------


@dataclass
class Confirmation:
    status: Literal["confirmed", "already", "invalid", "expired"]
    form: Form | None = None
    settings: dict[str, Any] | None = None


async def confirm(runtime: Runtime, token: str) -> Confirmation:
    try:
        payload = tokens.read(runtime.secret_key, "form_confirm", token, utcnow())
    except InvalidInput as error:
        return Confirmation("expired" if error.details.get("expired") else "invalid")
    submission_id = payload.get("s")
    if not isinstance(submission_id, int):
        return Confirmation("invalid")
    async with transaction(runtime.sessions) as session:
        row = (
            await session.execute(
                select(FormSubmission).where(col(FormSubmission.id) == submission_id).with_for_update()
            )
        ).scalar_one_or_none()
        if row is None:
            return Confirmation("invalid")
        form = await service.get_form(session, row.form_id)
        version = await service.published_version(session, row.form_id, row.form_version)
        if row.status != "pending":
            return Confirmation("already", form, version.settings)
        await apply(session, form, version, row, confirmed=True)
        row.status, row.confirmed_at = "accepted", utcnow()
        await session.flush()
        return Confirmation("confirmed", form, version.settings)


async def apply_held(session: AsyncSession, runtime: Runtime, row: FormSubmission) -> None:
    """A marketer accepts a held submission: applied now (or its confirmation asked, double opt-in)."""
    form = await service.get_form(session, row.form_id)
    version = await service.published_version(session, row.form_id, row.form_version)
    if version.settings.get("double_opt_in"):
        row.status = "pending"
        await session.flush()
        await _ask_confirmation(session, runtime, form, version, row, row.values)
        return
    await apply(session, form, version, row)
    row.status = "accepted"
    await session.flush()


async def count_view(session: AsyncSession, form_id: int) -> None:
    from parcours.db import dialect_insert, dialect_name
    from parcours.forms.models import FormDay

    insert = dialect_insert(await dialect_name(session), FormDay)
    statement = insert.values(form_id=form_id, day=utcnow().date(), views=1)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["form_id", "day"], set_={"views": FormDay.views + 1})
    )


__all__ = ["Enqueue"]

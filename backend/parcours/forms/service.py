"""Forms as the API and other features use them: create, change, publish, read the published
version, the markup landing pages place, and the statistics."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.clock import utcnow
from parcours.contacts import custom_fields
from parcours.db import move_rows, names_of, per_day, rows_about
from parcours.emails import topics as email_topics
from parcours.errors import Conflict, NotFound, Unprocessable
from parcours.forms import definition
from parcours.forms.models import Form, FormDay, FormSubmission, FormVersion
from parcours.forms.schemas import FormField, FormOut, FormPage, FormSettings

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return _NOT_WORD.sub("-", ascii_name).strip("-")[:70].strip("-") or "form"


# ---- reading --------------------------------------------------------------------------------------


async def get_form(session: AsyncSession, form_id: int) -> Form:
    form = await session.get(Form, form_id)
    if form is None:
        raise NotFound("This form does not exist (it may have been deleted).", "form_id")
    return form


async def published_by_slug(session: AsyncSession, slug: str) -> tuple[Form, FormVersion]:
    """The form at /f/{slug} and the version it serves; NotFound while it is a draft."""
    form = (await session.execute(select(Form).where(col(Form.slug) == slug))).scalar_one_or_none()
    if form is None or form.version is None or form.id is None:
        raise NotFound("There is no such form.", "slug")
    return form, await published_version(session, form.id, form.version)


async def published_version(session: AsyncSession, form_id: int, version: int) -> FormVersion:
    query = select(FormVersion).where(col(FormVersion.form_id) == form_id, col(FormVersion.version) == version)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("This form has no such version.", "version")
    return found


def form_out(form: Form, base_url: str, published: FormVersion | None = None) -> FormOut:
    assert form.id is not None, "a stored form"
    changed = (
        published is None
        or published.fields != form.fields
        or published.settings != form.settings
        or published.name != form.name
    )
    return FormOut(
        id=form.id,
        name=form.name,
        slug=form.slug,
        fields=msgspec.convert(form.fields, list[FormField]),
        settings=msgspec.convert(form.settings, FormSettings),
        status="published" if form.version is not None else "draft",
        version=form.version,
        changed_since_publish=changed,
        published_at=form.published_at,
        url=f"{base_url}/f/{form.slug}",
        created_by=form.created_by,
        created_at=form.created_at,
        updated_at=form.updated_at,
    )


async def one_out(session: AsyncSession, form: Form, base_url: str) -> FormOut:
    published = None
    if form.version is not None and form.id is not None:
        published = await published_version(session, form.id, form.version)
    return form_out(form, base_url, published)


async def list_forms(session: AsyncSession, q: str | None, limit: int, cursor: str | None, base_url: str) -> FormPage:
    """Last changed first."""
    where: list[ColumnElement[bool]] = []
    if q:
        where.append(func.lower(Form.name).contains(q.strip().lower(), autoescape=True))
    order = [(col(Form.updated_at), True), (col(Form.id), True)]
    query = select(Form).where(*where)
    last = read_cursor(cursor, datetime, int)
    if last is not None:
        query = query.where(after(order, last))
    rows = (await session.execute(query.order_by(*(c.desc() for c, _ in order)).limit(limit + 1))).scalars().all()
    page, next_cursor = cut(rows, limit, lambda f: [f.updated_at, f.id])
    total = (await session.execute(select(func.count()).select_from(Form).where(*where))).scalar_one()
    versions: dict[tuple[int, int], FormVersion] = {}
    keys = [(f.id, f.version) for f in page if f.id is not None and f.version is not None]
    if keys:
        rows_v = await session.execute(select(FormVersion).where(col(FormVersion.form_id).in_([k[0] for k in keys])))
        versions = {(v.form_id, v.version): v for v in rows_v.scalars().all()}
    return FormPage(
        items=[form_out(f, base_url, versions.get((f.id or 0, f.version or 0))) for f in page],
        next_cursor=next_cursor,
        total=int(total),
    )


# ---- writing ----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return msgspec.to_builtins(value)


async def _check(session: AsyncSession, fields: list[dict[str, Any]], settings: dict[str, Any]) -> None:
    custom_names = {f.name for f in await custom_fields.list_fields(session)}
    topics = {t.key for t in await email_topics.list_topics(session)}
    found = definition.problems(fields, settings, custom_names, topics)
    if found:
        path, message = found[0]
        raise Unprocessable(message, path)


# /f/confirm/{token} is the confirmation link: no form takes that address.
RESERVED_SLUGS = ("confirm",)


def _free_word(slug: str | None) -> None:
    if slug in RESERVED_SLUGS:
        raise Unprocessable(f"The address /f/{slug} is reserved: choose another.", "slug")


async def _slug_taken(session: AsyncSession, slug: str, form_id: int | None = None) -> bool:
    query = select(col(Form.id)).where(col(Form.slug) == slug)
    if form_id is not None:
        query = query.where(col(Form.id) != form_id)
    return (await session.execute(query)).first() is not None


async def create_form(session: AsyncSession, values: dict[str, Any], by: str) -> Form:
    fields, settings = _plain(values.get("fields") or []), _plain(values.get("settings") or FormSettings())
    await _check(session, fields, settings)
    given = values.get("slug")
    _free_word(given)
    slug = given or slugify(values["name"])
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-form"
    if await _slug_taken(session, slug):
        if given:
            raise Conflict(f"Another form already has the address /f/{given}.", "slug")
        number = 2
        while await _slug_taken(session, f"{slug}-{number}"):
            number += 1
        slug = f"{slug}-{number}"
    form = Form(name=values["name"], slug=slug, fields=fields, settings=settings, created_by=by)
    session.add(form)
    await session.flush()
    return form


async def update_form(session: AsyncSession, form_id: int, changes: dict[str, Any]) -> Form:
    form = await get_form(session, form_id)
    fields = _plain(changes["fields"]) if "fields" in changes else form.fields
    settings = _plain(changes["settings"]) if "settings" in changes else form.settings
    await _check(session, fields, settings)
    _free_word(changes.get("slug"))
    if "slug" in changes and changes["slug"] != form.slug and await _slug_taken(session, changes["slug"], form_id):
        raise Conflict(f"Another form already has the address /f/{changes['slug']}.", "slug")
    if "name" in changes:
        form.name = changes["name"]
    if "slug" in changes:
        form.slug = changes["slug"]
    form.fields, form.settings = fields, settings
    form.updated_at = utcnow()
    await session.flush()
    return form


async def delete_form(session: AsyncSession, form_id: int) -> None:
    await get_form(session, form_id)
    for table in (FormSubmission, FormDay, FormVersion):
        await session.execute(delete(table).where(col(table.form_id) == form_id))
    await session.execute(delete(Form).where(col(Form.id) == form_id))


async def publish(session: AsyncSession, form_id: int, by: str) -> Form:
    """Snapshot the draft as the next version; the public page serves it from now on."""
    form = await get_form(session, form_id)
    await _check(session, form.fields, form.settings)
    found = definition.publish_problems(form.fields)
    if found:
        raise Unprocessable(found[0][1], found[0][0])
    latest = (
        await session.execute(select(func.max(FormVersion.version)).where(col(FormVersion.form_id) == form_id))
    ).scalar_one()
    version = int(latest or 0) + 1
    now = utcnow()
    session.add(
        FormVersion(
            form_id=form_id,
            version=version,
            name=form.name,
            fields=form.fields,
            settings=form.settings,
            published_by=by,
            published_at=now,
        )
    )
    form.version, form.published_at, form.updated_at = version, now, now
    await session.flush()
    return form


# ---- the markup other features place (landing pages) ---------------------------------------------

# The app's secret signs the time a form was shown (forms.spam.stamp); set once at start-up by
# the app (use_secret), since form_markup's callers hold only a session.
_SECRET: list[str] = []


def use_secret(secret: str) -> None:
    _SECRET[:] = [secret]


async def form_markup(session: AsyncSession, form_id: int, *, language: str, page_id: int | None) -> str | None:
    """The published form's HTML, posting to /f/{slug}, carrying the hidden page_id, anonymous_id,
    honeypot and signed timestamp; escaped, it works without JavaScript. None when the form does
    not exist or is not published."""
    form = await session.get(Form, form_id)
    if form is None or form.version is None:
        return None
    return await _fragment(session, form, language, action=f"/f/{form.slug}", page_id=page_id, proof=True)


async def snippet(session: AsyncSession, form_id: int, *, language: str, base_url: str) -> str:
    """The published form as plain HTML for another site: posts to this server's /f/{slug}, works
    without JavaScript, and carries the form's timeless snippet stamp (guard.antispam): such posts
    meet the honeypot, the rate limits and the form's policy for posts without proof of work."""
    form = await session.get(Form, form_id)
    if form is None:
        raise NotFound("This form does not exist (it may have been deleted).", "form_id")
    if form.version is None:
        raise Conflict("Publish the form first: the snippet shows its published version.", "form_id")
    return await _fragment(session, form, language, action=f"{base_url.rstrip('/')}/f/{form.slug}", snippet=True)


async def _fragment(session: AsyncSession, form: Form, language: str, *, action: str, **shown: Any) -> str:
    """The <form> of the published version, in the nearest language it speaks."""
    from parcours.forms import render

    assert form.id is not None and form.version is not None
    version = await published_version(session, form.id, form.version)
    if not _SECRET:
        raise RuntimeError("forms.service.use_secret was not called at start-up")
    spoken = render.language_for(version.settings, language, None)
    return render.fragment(version, form.slug, spoken, action=action, secret=_SECRET[0], now=utcnow(), **shown)


async def merge_contacts(session: AsyncSession, survivor_id: int, other_id: int) -> dict[str, int]:
    """A contact merged into another: its form submissions are the survivor's."""
    return {"form_submissions": await move_rows(session, FormSubmission, "contact_id", other_id, survivor_id)}


# ---- for reports (the Home) ----------------------------------------------------------------------


async def submissions_per_day(
    session: AsyncSession, since: datetime, until: datetime, among: Select[Any] | None = None
) -> dict[date, float]:
    """Accepted submissions per UTC day in [since, until) (spam, held and unconfirmed left out)."""
    at = col(FormSubmission.created_at)
    where = [col(FormSubmission.status) == "accepted", at >= since, at < until]
    if among is not None:
        where.append(col(FormSubmission.contact_id).in_(among))
    return await per_day(session, at, func.count(), *where)


async def recently_published(session: AsyncSession, limit: int) -> list[tuple[datetime, int, str]]:
    """The forms published last: (published_at, id, name)."""
    query = (
        select(col(Form.published_at), col(Form.id), col(Form.name))
        .where(col(Form.published_at).is_not(None))
        .order_by(col(Form.published_at).desc())
        .limit(limit)
    )
    return [(at, fid, name) for at, fid, name in (await session.execute(query)).all()]


async def names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """The names of these forms by id (deleted ones are left out)."""
    return await names_of(session, Form, ids)


async def contact_data(session: AsyncSession, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """What the contact posted to forms, with where from, for its data export."""
    return {"form_submissions": await rows_about(session, FormSubmission, "contact_id", contact_id)}


async def forget_contact(session: AsyncSession, contact_id: int) -> None:
    """An erased contact: its submissions keep counting in the forms' figures, without what it typed
    or where it posted from."""
    await session.execute(
        update(FormSubmission)
        .where(col(FormSubmission.contact_id) == contact_id)
        .values(values={}, context={}, contact_id=None)
    )

"""Landing pages: create and change them (sanitised on save, versioned), publish them, show them
to visitors (the published version, a variant per visitor), count visits, and read their figures."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Text, cast, delete, func, or_, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import after, cut, read_cursor
from parcours.assets.usage import AssetUse
from parcours.auth.service import Actor
from parcours.clock import utcnow
from parcours.db import names_of
from parcours.errors import InvalidInput, NotFound, Unprocessable
from parcours.landing import forms, render, templates
from parcours.landing.models import LandingPage, LandingPageVersion, PageDay, PageVisitor
from parcours.landing.sanitize import clean_css, clean_html, safe_url

# Autosaves within this time of the last version update that version instead of adding one.
VERSION_WINDOW = timedelta(minutes=2)
_CONTENT = ("design", "html", "css", "seo_title", "seo_description", "social_image", "variants")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PREVIEW_SECONDS = 3600
# The tracking script's anonymous id has this shape too: a page and /t.js count one visitor alike.
VISITOR = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

_BLANK = {
    "en": '<section style="padding:48px 24px;max-width:720px;margin:0 auto"><h1>Your headline</h1>'
    "<p>Say what visitors get and why it matters to them.</p></section>",
    "fr": '<section style="padding:48px 24px;max-width:720px;margin:0 auto"><h1>Votre titre</h1>'
    "<p>Dites ce que les visiteurs y gagnent et pourquoi cela compte pour eux.</p></section>",
}


def status_of(page: LandingPage) -> str:
    return "published" if page.published_version is not None else "draft"


def url_of(base_url: str, page: LandingPage) -> str:
    return f"{base_url}/p/{page.slug}"


# ---- checks ------------------------------------------------------------------------------------


def _check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise Unprocessable("Use lowercase letters, digits and dashes only (for example spring-offer).", "slug")
    return slug


def _check_image(url: str) -> str:
    url = url.strip()
    if url and not (url.startswith(("https://", "http://", "/media/")) and safe_url(url)):
        raise Unprocessable("Choose an image from the asset library (an http or https address).", "social_image")
    return url


async def _check_forms(
    session: AsyncSession, html: str, language: str, page_id: int | None, field: str, publishing: bool = False
) -> None:
    """Each form block names an existing form; a block with none chosen yet ("0") is only refused
    when the page is published."""
    for written in render.form_ids(html):
        if written in ("", "0"):
            if publishing:
                raise Unprocessable("A form block has no form chosen yet: pick one of your forms.", field)
            continue
        if not render.FORM_ID.match(written):
            raise Unprocessable(f"A form block names no form ('{written}'): pick one of your forms.", field)
        if await forms.markup(session, int(written), language=language, page_id=page_id) is None:
            raise Unprocessable(
                f"A form block places form {written}, which does not exist or is not published: pick another.", field
            )


async def _slug_free(session: AsyncSession, slug: str, page_id: int | None) -> None:
    query = select(col(LandingPage.id)).where(col(LandingPage.slug) == slug)
    taken = (await session.execute(query)).scalar_one_or_none()
    if taken is not None and taken != page_id:
        raise Unprocessable(f"Another page is already at /p/{slug}: choose another address.", "slug")


def _variants(values: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for value in values:
        variant = value if isinstance(value, dict) else {f: getattr(value, f) for f in value.__struct_fields__}
        if any(v["key"] == variant["key"] for v in out):
            raise Unprocessable(f"Variant {variant['key']} is given twice.", "variants")
        out.append(
            {
                "key": variant["key"],
                "name": variant.get("name", ""),
                "design": variant.get("design"),
                "html": clean_html(variant.get("html", "")),
                "css": clean_css(variant.get("css", "")),
            }
        )
    return sorted(out, key=lambda v: v["key"])


async def _checked(session: AsyncSession, values: dict[str, Any], page: LandingPage | None) -> dict[str, Any]:
    """The values cleaned and checked, or a 422 naming the field (nothing written)."""
    if "slug" in values:
        values["slug"] = _check_slug(values["slug"])
        await _slug_free(session, values["slug"], page.id if page else None)
    if "social_image" in values:
        values["social_image"] = _check_image(values["social_image"])
    if "name" in values and not values["name"].strip():
        raise Unprocessable("Give the page a name.", "name")
    language = values.get("language") or (page.language if page else "en")
    page_id = page.id if page else None
    if "html" in values:
        values["html"] = clean_html(values["html"])
        await _check_forms(session, values["html"], language, page_id, "html")
    if "css" in values:
        values["css"] = clean_css(values["css"])
    if "variants" in values:
        values["variants"] = _variants(values["variants"])
        for variant in values["variants"]:
            await _check_forms(session, variant["html"], language, page_id, "variants")
    return values


# ---- pages -------------------------------------------------------------------------------------


async def list_pages(
    session: AsyncSession, limit: int, cursor: str | None, status: str | None = None
) -> tuple[Sequence[LandingPage], str | None, int]:
    conditions = []
    if status == "published":
        conditions.append(col(LandingPage.published_version).is_not(None))
    elif status == "draft":
        conditions.append(col(LandingPage.published_version).is_(None))
    order = [(col(LandingPage.updated_at), True), (col(LandingPage.id), True)]
    query = select(LandingPage).where(*conditions)
    start = read_cursor(cursor, datetime, int)
    if start is not None:
        query = query.where(after(order, start))
    rows = (
        (
            await session.execute(
                query.order_by(col(LandingPage.updated_at).desc(), col(LandingPage.id).desc()).limit(limit + 1)
            )
        )
        .scalars()
        .all()
    )
    total = int((await session.execute(select(func.count()).select_from(LandingPage).where(*conditions))).scalar_one())
    page, next_cursor = cut(rows, limit, lambda p: [p.updated_at.isoformat(), p.id])
    return page, next_cursor, total


async def get_page(session: AsyncSession, page_id: int, field: str = "page_id") -> LandingPage:
    page = await session.get(LandingPage, page_id)
    if page is None:
        raise NotFound("This page does not exist.", field)
    return page


async def create_page(session: AsyncSession, values: dict[str, Any], actor: Actor, templates_root: Path) -> LandingPage:
    key = values.pop("template", None)
    language = values.pop("language", None) or (actor.language if actor.language in templates.LANGUAGES else "en")
    if key is not None:
        template = templates.get_template(templates_root, key, language)
        for field in ("html", "css"):
            if values.get(field) is None:
                values[field] = getattr(template, field)
        values["seo_title"] = values.get("seo_title") or template.seo_title
        values["seo_description"] = values.get("seo_description") or template.seo_description
    values = {k: v for k, v in values.items() if v is not None}
    values.setdefault("html", _BLANK[language])
    values.setdefault("seo_title", values["name"])
    values["language"] = language
    values = await _checked(session, values, None)
    page = LandingPage(**values, template=key, created_by=actor.label)
    session.add(page)
    await session.flush()
    await _save_version(session, page, actor)
    return page


async def update_page(session: AsyncSession, page_id: int, changes: dict[str, Any], actor: Actor) -> LandingPage:
    page = await get_page(session, page_id)
    if "language" in changes and "html" not in changes:
        changes["html"] = page.html  # the forms are placed in the new language: check them again
    changes = await _checked(session, changes, page)
    content_changed = any(k in changes and changes[k] != getattr(page, k) for k in _CONTENT)
    for field, value in changes.items():
        setattr(page, field, value)
    page.updated_at = utcnow()
    if content_changed:
        await _save_version(session, page, actor)
    await session.flush()
    return page


async def delete_page(session: AsyncSession, page_id: int) -> None:
    page = await get_page(session, page_id)
    await session.execute(delete(PageVisitor).where(col(PageVisitor.page_id) == page_id))
    await session.execute(delete(PageDay).where(col(PageDay.page_id) == page_id))
    await session.execute(delete(LandingPageVersion).where(col(LandingPageVersion.page_id) == page_id))
    await session.delete(page)
    await session.flush()


async def _latest(session: AsyncSession, page_id: int) -> LandingPageVersion | None:
    query = (
        select(LandingPageVersion)
        .where(col(LandingPageVersion.page_id) == page_id)
        .order_by(col(LandingPageVersion.version).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _save_version(session: AsyncSession, page: LandingPage, actor: Actor, force_new: bool = False) -> None:
    assert page.id is not None  # a saved page
    latest = await _latest(session, page.id)
    recent = (
        latest is not None
        and latest.saved_by == actor.label
        and utcnow() - latest.saved_at < VERSION_WINDOW
        # The version visitors see is never changed in place.
        and latest.version != page.published_version
    )
    if latest is not None and recent and not force_new:
        for field in _CONTENT:
            setattr(latest, field, getattr(page, field))
        latest.saved_at = utcnow()
        page.version = latest.version
        return
    page.version = (latest.version + 1) if latest else 1
    session.add(
        LandingPageVersion(
            page_id=page.id,
            version=page.version,
            saved_by=actor.label,
            **{field: getattr(page, field) for field in _CONTENT},
        )
    )
    await session.flush()


async def versions(session: AsyncSession, page_id: int) -> Sequence[LandingPageVersion]:
    await get_page(session, page_id)
    query = (
        select(LandingPageVersion)
        .where(col(LandingPageVersion.page_id) == page_id)
        .order_by(col(LandingPageVersion.version).desc())
    )
    return (await session.execute(query)).scalars().all()


async def _version(session: AsyncSession, page_id: int, version: int) -> LandingPageVersion:
    found = (
        await session.execute(
            select(LandingPageVersion).where(
                col(LandingPageVersion.page_id) == page_id, col(LandingPageVersion.version) == version
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Version {version} of this page does not exist.", "version")
    return found


async def restore(session: AsyncSession, page_id: int, version: int, actor: Actor) -> LandingPage:
    page = await get_page(session, page_id)
    found = await _version(session, page_id, version)
    for field in _CONTENT:
        setattr(page, field, getattr(found, field))
    page.updated_at = utcnow()
    await _save_version(session, page, actor, force_new=True)
    return page


async def publish(session: AsyncSession, page_id: int, actor: Actor) -> LandingPage:
    """Visitors see the page as saved now; later saves stay drafts until published again."""
    page = await get_page(session, page_id)
    await _check_forms(session, page.html, page.language, page.id, "html", publishing=True)
    for variant in page.variants:
        await _check_forms(session, variant["html"], page.language, page.id, "variants", publishing=True)
    if not page.seo_title.strip():
        raise Unprocessable("Give the page a title for search engines and browser tabs.", "seo_title")
    page.published_version = page.version
    page.published_at = utcnow()
    await session.flush()
    return page


async def unpublish(session: AsyncSession, page_id: int) -> LandingPage:
    page = await get_page(session, page_id)
    page.published_version = None
    page.published_at = None
    await session.flush()
    return page


# ---- what visitors see ------------------------------------------------------------------------


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="parcours.page_preview")


def preview_token(secret: str, page: LandingPage) -> tuple[str, datetime]:
    return _serializer(secret).dumps({"p": page.id}), utcnow() + timedelta(seconds=PREVIEW_SECONDS)


def _previewed(secret: str, token: str) -> int:
    try:
        payload = _serializer(secret).loads(token, max_age=PREVIEW_SECONDS)
    except SignatureExpired:
        raise InvalidInput("This preview link has expired: open a new preview from the editor.", "preview") from None
    except BadSignature:
        raise InvalidInput("This preview link is not valid.", "preview") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), int):
        raise InvalidInput("This preview link is not valid.", "preview")
    return int(payload["p"])


def new_visitor() -> str:
    return secrets.token_hex(16)


def known_visitor(cookie: str | None) -> str | None:
    return cookie if cookie and VISITOR.match(cookie) else None


def arms(content: LandingPage | LandingPageVersion) -> list[str]:
    return ["A", *[v["key"] for v in content.variants]]


async def _body(
    session: AsyncSession,
    page: LandingPage,
    content: LandingPage | LandingPageVersion,
    key: str,
    missing: str,
    visitor: str | None = None,
) -> tuple[str, str]:
    chosen = next((v for v in content.variants if v["key"] == key), None)
    html, css = (chosen["html"], chosen["css"]) if chosen else (content.html, content.css)
    ids = [int(i) for i in render.form_ids(html) if render.FORM_ID.match(i)]
    placed = await forms.markups(session, ids, language=page.language, page_id=page.id)
    if visitor is not None:  # a submission names the visitor, and so the variant they were shown
        placed = {fid: render.with_visitor(m, visitor) if m else m for fid, m in placed.items()}
    return render.place_forms(clean_html(html), placed, missing), clean_css(css)


async def visitor_page(
    session: AsyncSession, slug: str, visitor: str, base_url: str, words: dict[str, dict[str, str]]
) -> tuple[LandingPage, str, str]:
    """The published page for this visitor: (page, variant shown, document)."""
    page = (await session.execute(select(LandingPage).where(col(LandingPage.slug) == slug))).scalar_one_or_none()
    if page is None or page.published_version is None:
        raise NotFound("This page does not exist.", "slug")
    assert page.id is not None
    content = await _version(session, page.id, page.published_version)
    key = render.arm(visitor, page.id, arms(content))
    body, css = await _body(session, page, content, key, words[page.language]["missing"], visitor)
    return page, key, render.document(_shown(page, content, base_url, css), body)


async def preview_page(
    session: AsyncSession,
    slug: str,
    token: str,
    secret: str,
    base_url: str,
    variant: str | None,
    words: dict[str, dict[str, str]],
) -> str:
    """The saved draft, for whoever holds a preview link of this page."""
    page_id = _previewed(secret, token)
    page = await session.get(LandingPage, page_id)
    if page is None or page.slug != slug:
        raise InvalidInput("This preview link is not valid.", "preview")
    key = variant if variant in arms(page) else "A"
    body, css = await _body(session, page, page, key, words[page.language]["missing"])
    banner = words[page.language]["preview"]
    return render.document(_shown(page, page, base_url, css), body, banner=banner, noindex=True)


def _shown(page: LandingPage, content: LandingPage | LandingPageVersion, base_url: str, css: str) -> render.Shown:
    image = content.social_image
    return render.Shown(
        language=page.language,
        url=url_of(base_url, page),
        seo_title=content.seo_title or page.name,
        seo_description=content.seo_description,
        social_image=f"{base_url}{image}" if image.startswith("/") else image,
        html="",
        css=css,
    )


async def images_used(session: AsyncSession, address: str) -> list[AssetUse]:
    """The landing pages (their draft, variants or sharing image) showing the image at this
    address (assets.usage: an image in use is not deleted)."""
    shows = or_(
        col(LandingPage.html).contains(address, autoescape=True),
        col(LandingPage.css).contains(address, autoescape=True),
        col(LandingPage.social_image).contains(address, autoescape=True),
        cast(col(LandingPage.variants), Text).contains(address, autoescape=True),
    )
    query = select(col(LandingPage.id), col(LandingPage.name)).where(shows).order_by(col(LandingPage.id))
    return [AssetUse("page", int(page_id), name) for page_id, name in (await session.execute(query)).all()]


async def names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """The names of these landing pages by id (deleted ones are left out)."""
    return await names_of(session, LandingPage, ids)

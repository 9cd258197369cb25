"""/api/pages (the marketer's side) and /p/{slug} (what visitors see, no login)."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, Router, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor
from parcours.db import transaction
from parcours.errors import ParcoursError
from parcours.landing import service, templates, visits
from parcours.landing.models import LandingPage, LandingPageVersion
from parcours.landing.render import CSP, form_ids
from parcours.landing.schemas import (
    PageIn,
    PageList,
    PageOut,
    PagePatch,
    PageStats,
    PageSummary,
    PageTemplateOut,
    PageVersionOut,
    PreviewLink,
    VariantOut,
)
from parcours.runtime import Runtime

# The tracking script's first-party cookie (/t.js reads it too): one anonymous id per visitor for
# page visits, form submissions and tracked page views. Not HttpOnly for that reason; it holds no secret.
VISITOR_COOKIE = "parcours_aid"
_WORDS = {
    "en": {
        "missing": "<p>This form is no longer available.</p>",
        "preview": "Preview of the saved draft: visitors do not see it until it is published.",
    },
    "fr": {
        "missing": "<p>Ce formulaire n’est plus disponible.</p>",
        "preview": "Aperçu du brouillon enregistré : les visiteurs ne le voient qu’une fois publié.",
    },
}


def _summary(page: LandingPage, base_url: str) -> dict[str, Any]:
    return {
        "id": page.id,
        "name": page.name,
        "slug": page.slug,
        "language": page.language,
        "status": service.status_of(page),
        "url": service.url_of(base_url, page),
        "version": page.version,
        "published_version": page.published_version,
        "published_at": page.published_at,
        "unpublished_changes": page.published_version is not None and page.published_version != page.version,
        "created_by": page.created_by,
        "created_at": page.created_at,
        "updated_at": page.updated_at,
    }


def _out(page: LandingPage, base_url: str) -> PageOut:
    ids = {int(i) for html in [page.html, *[v["html"] for v in page.variants]] for i in form_ids(html) if i.isdigit()}
    return PageOut(
        **_summary(page, base_url),
        template=page.template,
        design=page.design,
        html=page.html,
        css=page.css,
        seo_title=page.seo_title,
        seo_description=page.seo_description,
        social_image=page.social_image,
        variants=[VariantOut(**v) for v in page.variants],
        form_ids=sorted(ids),
    )


def _version_out(version: LandingPageVersion, page: LandingPage) -> PageVersionOut:
    return PageVersionOut(
        version=version.version,
        seo_title=version.seo_title,
        saved_by=version.saved_by,
        saved_at=version.saved_at,
        published=version.version == page.published_version,
    )


class PagesController(Controller):
    path = "/pages"
    tags = ["landing pages"]

    @get("/", summary="Landing pages, changed last first")
    async def list_pages(
        self,
        db: AsyncSession,
        runtime: Runtime,
        limit: int = limit_param(50),
        cursor: Cursor = None,
        status: Literal["draft", "published"] | None = None,
    ) -> PageList:
        rows, next_cursor, total = await service.list_pages(db, limit, cursor, status)
        base = runtime.settings.base_url
        return PageList(
            items=[to_out(_summary(p, base), PageSummary) for p in rows], next_cursor=next_cursor, total=total
        )

    @get("/templates", summary="Shipped page templates in one language (the user's unless `language` says)")
    async def list_templates(
        self, runtime: Runtime, actor: Actor, language: Literal["en", "fr"] | None = None
    ) -> list[PageTemplateOut]:
        chosen = language or (actor.language if actor.language in templates.LANGUAGES else "en")
        return [
            PageTemplateOut(key=t.key, language=t.language, name=t.name, description=t.description, has_form=t.has_form)
            for t in templates.list_templates(runtime.settings.templates_path, chosen)
        ]

    @post("/", summary="Create a page: blank, or from a shipped template")
    async def create_page(self, data: PageIn, db: AsyncSession, runtime: Runtime, actor: Actor) -> PageOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        page = await service.create_page(db, values, actor, runtime.settings.templates_path)
        return _out(page, runtime.settings.base_url)

    @get("/{page_id:int}", summary="A page with its design, HTML, CSS, SEO words and variants")
    async def get_page(self, page_id: IdParam, db: AsyncSession, runtime: Runtime) -> PageOut:
        return _out(await service.get_page(db, page_id), runtime.settings.base_url)

    @patch(
        "/{page_id:int}",
        summary="Change a page (content changes are sanitised and versioned; visitors see them once published)",
    )
    async def update_page(
        self, page_id: IdParam, data: PagePatch, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> PageOut:
        return _out(await service.update_page(db, page_id, changes(data), actor), runtime.settings.base_url)

    @delete("/{page_id:int}", summary="Delete a page, its versions and its visits")
    async def delete_page(self, page_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("page", page_id, (await service.get_page(db, page_id)).name)
        await service.delete_page(db, page_id)
        await audit.record(db, actor, "page.deleted", target)

    @post("/{page_id:int}/publish", status_code=200, summary="Publish the page as saved now at /p/{slug}")
    async def publish(self, page_id: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor) -> PageOut:
        return _out(await service.publish(db, page_id, actor), runtime.settings.base_url)

    @post("/{page_id:int}/unpublish", status_code=200, summary="Take the page offline (it becomes a draft)")
    async def unpublish(self, page_id: IdParam, db: AsyncSession, runtime: Runtime) -> PageOut:
        return _out(await service.unpublish(db, page_id), runtime.settings.base_url)

    @post(
        "/{page_id:int}/preview",
        status_code=200,
        opt={"role": "viewer"},
        summary="A link that shows the saved draft for an hour (changes nothing)",
    )
    async def preview(self, page_id: IdParam, db: AsyncSession, runtime: Runtime) -> PreviewLink:
        page = await service.get_page(db, page_id)
        token, expires = service.preview_token(runtime.secret_key, page)
        return PreviewLink(url=f"{service.url_of(runtime.settings.base_url, page)}?preview={token}", expires_at=expires)

    @get("/{page_id:int}/stats", summary="Visits, unique visitors, submissions, conversion by day and by variant")
    async def stats(
        self, page_id: IdParam, db: AsyncSession, days: int = Parameter(default=30, ge=1, le=366)
    ) -> PageStats:
        return to_out(await visits.stats(db, page_id, days), PageStats)

    @get("/{page_id:int}/versions", summary="Saved versions, newest first")
    async def versions(self, page_id: IdParam, db: AsyncSession) -> list[PageVersionOut]:
        page = await service.get_page(db, page_id)
        return [_version_out(v, page) for v in await service.versions(db, page_id)]

    @post("/{page_id:int}/versions/{version:int}/restore", status_code=200, summary="Restore an earlier version")
    async def restore(
        self, page_id: IdParam, version: IdParam, db: AsyncSession, runtime: Runtime, actor: Actor
    ) -> PageOut:
        return _out(await service.restore(db, page_id, version, actor), runtime.settings.base_url)


def _page(body: str, status: int = 200, *, cookie: Cookie | None = None, cache: str = "no-store") -> Response[str]:
    return Response(
        body,
        media_type="text/html",
        status_code=status,
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": cache,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
        },
        cookies=[cookie] if cookie else None,
    )


_NOT_FOUND = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Page not found</title></head>
<body><main><h1>Page not found</h1><p>This page does not exist or is no longer online.</p></main></body></html>"""


@get("/p/{slug:str}", include_in_schema=False)
async def public_page(
    slug: str,
    db: AsyncSession,
    runtime: Runtime,
    request: Request[Any, Any, Any],
    preview: str | None = Parameter(default=None, max_length=500),
    variant: str | None = Parameter(default=None, max_length=8),
) -> Response[str]:
    """The published version (a variant per visitor, the same each time); with ?preview=<token>,
    the saved draft. Each view of the published page counts as a visit."""
    settings = runtime.settings
    if preview is not None:
        try:
            body = await service.preview_page(db, slug, preview, runtime.secret_key, settings.base_url, variant, _WORDS)
        except ParcoursError:
            return _page(_NOT_FOUND, 404)
        return Response(
            body,
            media_type="text/html",
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
        )
    known = service.known_visitor(request.cookies.get(VISITOR_COOKIE))
    # Do Not Track / Global Privacy Control: the visit counts, but no cookie follows the visitor.
    untracked = request.headers.get("dnt") == "1" or request.headers.get("sec-gpc") == "1"
    visitor = known or service.new_visitor()
    try:
        page, shown, body = await service.visitor_page(db, slug, visitor, settings.base_url, _WORDS)
    except ParcoursError:
        return _page(_NOT_FOUND, 404)
    assert page.id is not None
    async with transaction(runtime.sessions) as writer:
        await visits.count_visit(writer, page.id, shown, visitor)
    cookie = None
    if known is None and not untracked:
        cookie = Cookie(
            key=VISITOR_COOKIE,
            value=visitor,
            max_age=395 * 24 * 3600,  # 13 months, the longest an audience-measurement cookie may last
            path="/",
            httponly=False,
            samesite="lax",
            secure=settings.base_url.startswith("https://"),
        )
    return _page(body, cookie=cookie, cache="no-store, private")


landing_public_router = Router(
    path="/",
    route_handlers=[public_page],
    middleware=[RateLimitConfig(rate_limit=("second", 100), set_rate_limit_headers=False).middleware],
)

"""Public endpoints reached from inside messages: /t (opens, clicks), /u (unsubscribe),
/preferences. No login: each link carries a signed token; requests are rate-limited."""

from __future__ import annotations

import base64
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.response import Redirect
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.db import retried
from parcours.emails import topics
from parcours.errors import ParcoursError
from parcours.runtime import Runtime
from parcours.tracking import pages, service
from parcours.web.render import NO_STORE, html

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _client(request: Request[Any, Any, Any]) -> service.Client:
    """What tells a reader from a mail proxy or a link scanner (tracking.machines)."""
    return service.Client(
        user_agent=request.headers.get("user-agent"), address=request.client.host if request.client else None
    )


@get("/t/o/{token:str}", include_in_schema=False)
async def open_pixel(token: str, runtime: Runtime, request: Request[Any, Any, Any]) -> Response[bytes]:
    # A GET that writes: in a write transaction of its own, committed before the image is sent
    # (the request's read-only one would commit after the answer, and lose a refused write unseen).
    try:
        await retried(
            runtime.sessions, service.opened, runtime.secret_key, token.removesuffix(".gif"), _client(request)
        )
    except ParcoursError:
        pass  # an image must load whatever happens: a bad token records nothing
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)


@get("/t/c/{token:str}", include_in_schema=False)
async def click(token: str, runtime: Runtime, request: Request[Any, Any, Any]) -> Any:
    try:
        url = await retried(
            runtime.sessions,
            service.clicked,
            runtime.secret_key,
            token,
            runtime.settings.tracked_sites,
            _client(request),
        )
    except ParcoursError:
        return html(pages.invalid(pages.language_of(None, request.headers.get("accept-language"))), 400)
    return Redirect(url, status_code=302, headers=NO_STORE)


@get("/u/{token:str}", include_in_schema=False)
async def unsubscribe_page(
    token: str, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any]
) -> Response[str]:
    language = pages.language_of(None, request.headers.get("accept-language"))
    try:
        message, contact = await service.recipient(db, runtime.secret_key, "unsubscribe", token)
    except ParcoursError:
        return html(pages.invalid(language), 400)
    language = pages.language_of(contact, request.headers.get("accept-language"))
    if contact is not None and contact.get("unsubscribed"):
        return html(pages.unsubscribed(language, message.to_address))
    assert message.id is not None  # a sent message is a stored row
    preferences = f"{runtime.settings.base_url}/preferences/" + service.sign_preferences(runtime.secret_key, message.id)
    return html(pages.unsubscribe_form(language, message.to_address, preferences))


@post("/u/{token:str}", include_in_schema=False, status_code=200)
async def unsubscribe(token: str, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any]) -> Response[str]:
    """The page's button and RFC 8058 one-click unsubscribe (List-Unsubscribe-Post) alike."""
    language = pages.language_of(None, request.headers.get("accept-language"))
    try:
        message = await service.unsubscribe(db, runtime.secret_key, token)
        _, contact = await service.recipient(db, runtime.secret_key, "unsubscribe", token)
    except ParcoursError:
        return html(pages.invalid(language), 400)
    return html(
        pages.unsubscribed(pages.language_of(contact, request.headers.get("accept-language")), message.to_address)
    )


@get("/preferences/{token:str}", include_in_schema=False)
async def preferences_page(
    token: str, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any]
) -> Response[str]:
    return await _preferences(token, db, runtime, request, saved=False)


@post("/preferences/{token:str}", include_in_schema=False, status_code=200)
async def save_preferences(
    token: str, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any]
) -> Response[str]:
    form = await request.form()
    try:
        await service.save_preferences(
            db,
            runtime.secret_key,
            token,
            set(form.getall("topic")) if "topic" in form else set(),
            everything=form.get("everything") == "1",
        )
    except ParcoursError:
        return html(pages.invalid(pages.language_of(None, request.headers.get("accept-language"))), 400)
    return await _preferences(token, db, runtime, request, saved=True)


async def _preferences(
    token: str, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any], saved: bool
) -> Response[str]:
    try:
        message, contact, opted_out = await service.preferences(db, runtime.secret_key, token)
    except ParcoursError:
        return html(pages.invalid(pages.language_of(None, request.headers.get("accept-language"))), 400)
    language = pages.language_of(contact, request.headers.get("accept-language"))
    return html(
        pages.preferences_form(
            language,
            message.to_address,
            await topics.list_topics(db),
            opted_out,
            bool(contact and contact.get("unsubscribed")),
            saved,
        )
    )


tracking_router = Router(
    path="/",
    route_handlers=[open_pixel, click, unsubscribe_page, unsubscribe, preferences_page, save_preferences],
    middleware=[RateLimitConfig(rate_limit=("minute", 600), set_rate_limit_headers=False).middleware],
)

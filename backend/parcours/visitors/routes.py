"""Website tracking: the script (/t.js), its beacon (/t/collect), the visitor's profile
(/t/profile), identification by the site's backend (/t/identify, API key), and the segments
shared with the website (/api/website/personalization)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, Router, get, post, put
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.guards import authentication, role_guard
from parcours.errors import Forbidden, TooLarge, error_body
from parcours.runtime import Runtime
from parcours.settings import Settings
from parcours.visitors import service
from parcours.visitors.schemas import (
    Collected,
    Identified,
    IdentifyIn,
    Personalization,
    PersonalizationIn,
    Profile,
)
from parcours.visitors.tasks import Beacons

SCRIPT = (Path(__file__).parent / "tracker.js").read_bytes()
SCRIPT_ETAG = '"' + hashlib.sha256(SCRIPT).hexdigest()[:16] + '"'
MAX_BEACON_BYTES = 65_536
ANONYMOUS_ID = r"^[A-Za-z0-9_-]{16,64}$"


def _allowed_origin(settings: Settings, origin: str | None) -> str | None:
    """The Access-Control-Allow-Origin a site gets: any (the id is anonymous) unless the tracked
    sites are listed, then only theirs."""
    sites = settings.tracking_site_list
    if not sites:
        return "*"
    return origin if origin and origin.rstrip("/") in sites else None


def _cors(settings: Settings, request: Request[Any, Any, Any]) -> dict[str, str]:
    allowed = _allowed_origin(settings, request.headers.get("origin"))
    if allowed is None:
        return {}
    headers = {"Access-Control-Allow-Origin": allowed}
    if allowed != "*":
        headers["Vary"] = "Origin"
    return headers


@get("/t.js", include_in_schema=False, sync_to_thread=False)
def script(request: Request[Any, Any, Any]) -> Response[bytes]:
    headers = {"Cache-Control": "public, max-age=3600", "ETag": SCRIPT_ETAG}
    if request.headers.get("if-none-match") == SCRIPT_ETAG:
        return Response(b"", status_code=304, headers=headers)
    return Response(SCRIPT, media_type="text/javascript; charset=utf-8", headers=headers)


def answer_preflight(request: Request[Any, Any, Any]) -> Response[None] | None:
    """A browser asks before a JSON POST: say what a tracked site may send (no credentials)."""
    if request.method != "OPTIONS":
        return None
    runtime: Runtime = request.app.state.runtime
    headers = _cors(runtime.settings, request)
    if headers:
        headers |= {
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "content-type",
            "Access-Control-Max-Age": "600",
        }
    return Response(None, status_code=204, headers=headers)


@post("/t/collect", status_code=202, summary="Page views and events from the tracking script", tags=["tracking"])
async def collect(request: Request[Any, Any, Any], runtime: Runtime, beacons: Beacons) -> Response[Collected]:
    """`{"anonymous_id", "events": [{"type", "url", "title"?, "referrer"?, "properties"?}]}` as JSON
    or text/plain (sendBeacon). A bad event refuses the whole beacon, naming it."""
    headers = _cors(runtime.settings, request)
    if request.headers.get("origin") and not headers:
        raise Forbidden("This site is not one of the tracked sites (PARCOURS_TRACKING_SITES).", "origin")
    body = await request.body()
    if len(body) > MAX_BEACON_BYTES:
        raise TooLarge(f"A beacon is limited to {MAX_BEACON_BYTES} bytes.", "body")
    accepted = await beacons.submit(service.prepare(body, runtime.secret_key))
    return Response(Collected(accepted=accepted), status_code=202, headers=headers)


@get("/t/profile", summary="What a website may know of its visitor: segments and content variant", tags=["tracking"])
async def profile(
    request: Request[Any, Any, Any],
    runtime: Runtime,
    db: AsyncSession,
    anonymous_id: str = Parameter(query="anonymous_id", pattern=ANONYMOUS_ID, max_length=64),
) -> Response[Profile]:
    found = await service.profile(db, anonymous_id)
    return Response(found, headers={**_cors(runtime.settings, request), "Cache-Control": "no-store, private"})


@post(
    "/t/identify",
    status_code=200,
    summary="The site's backend says who a visitor is (API key, marketer)",
    tags=["tracking"],
)
async def identify(data: IdentifyIn, db: AsyncSession, request: Request[Any, Any, Any]) -> Identified:
    if request.auth != "api_key":
        raise Forbidden("Call this from your website's server with an API key, not from a browser.", "authorization")
    return await service.identify_by_email(db, data.anonymous_id, data.email)


class PersonalizationController(Controller):
    path = "/website/personalization"
    tags = ["tracking"]

    @get(summary="The segments a website may see, with the content variant each shows")
    async def read(self, db: AsyncSession) -> Personalization:
        return await service.personalization(db)

    @put(summary="Choose the segments a website may see, in order (the first a visitor is in gives the variant)")
    async def write(self, data: PersonalizationIn, db: AsyncSession) -> Personalization:
        return await service.set_personalization(db, data)


def slow_down(_request: Request[Any, Any, Any], exc: TooManyRequestsException) -> Response[Any]:
    """429 in our error shape, saying when to try again."""
    headers = dict(exc.headers or {})
    headers["Retry-After"] = headers.get("RateLimit-Reset", "60")
    message = "Too many tracking requests from this address: try again later."
    return Response(error_body(message), status_code=429, headers=headers)


def visitors_routers(settings: Settings) -> list[Router]:
    """The public tracking routes (rate limited per IP address) and /t/identify (API key)."""
    limited = Router(
        path="/",
        route_handlers=[collect, profile],
        before_request=answer_preflight,
        middleware=[
            RateLimitConfig(rate_limit=("minute", settings.tracking_rate_limit), store="tracking_beacons").middleware
        ],
        exception_handlers={TooManyRequestsException: slow_down},
    )
    identified = Router(
        path="/",
        route_handlers=[identify],
        middleware=[authentication],
        guards=[role_guard],
        security=[{"apiKey": []}],
    )
    return [Router(path="/", route_handlers=[script]), limited, identified]

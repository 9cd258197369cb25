"""The pages a registrant sees, in their language (English or French): an event's public
registration page at /e/{slug} (a plain form, no script needed) and the cancel-link pages.
Their HTML is in web/templates/events/, their words in web/catalog.json."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.auth.service import system_actor
from parcours.db import transaction
from parcours.errors import NotFound, ParcoursError
from parcours.events import service
from parcours.events.admission import Admission, RegistrationRequest
from parcours.events.models import Event
from parcours.events.schemas import PublicRegistrationIn
from parcours.runtime import Runtime
from parcours.web.catalog import CATALOG, text
from parcours.web.render import html, render

PAGE_ACTOR = system_actor("Event registration page")

FORM_FIELDS = ("email", "first_name", "last_name")


def language_of(accept_language: str | None, chosen: str | None = None) -> str:
    """`chosen` (?lang=) first, then the browser's first language."""
    first = (chosen or (accept_language or "").split(",")[0]).strip().lower()
    return "fr" if first.startswith("fr") else "en"


def say(language: str, key: str, event: str = "") -> str:
    """One sentence of the catalog ("event.<key>") as a page."""
    return render("events/message.html", language, key=key, event_name=event)


def cancel_form(language: str, event: str) -> str:
    return render("events/cancel.html", language, event_name=event)


# ---- the registration page ---------------------------------------------------------------------------


def when(language: str, starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """ "Tuesday 3 March 2026, 14:00 – 15:30 (Europe/Paris)", in the event's own time zone."""
    zone, words = ZoneInfo(timezone), CATALOG[language]
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)

    def day(moment: datetime) -> str:
        return f"{words.days[moment.weekday()]} {moment.day} {words.months[moment.month - 1]} {moment.year}"

    until = f"{end:%H:%M}" if end.date() == start.date() else f"{day(end)}, {end:%H:%M}"
    return f"{day(start)}, {start:%H:%M} – {until} ({timezone})"


def money(language: str, amount: float) -> str:
    if language == "fr":
        return f"{amount:,.2f} €".replace(",", " ").replace(".", ",")
    return f"€{amount:,.2f}"


def _details(language: str, event: Event) -> dict[str, Any]:
    """What the page says about the event, as plain text (the template escapes it)."""
    where = []
    if event.type != "webinar" and (event.venue_name or event.venue_address):
        where.append(", ".join(p for p in (event.venue_name, event.venue_address) if p))
    if event.type != "in_person":
        where.append(text(language, "event.online"))
    zone = ZoneInfo(event.timezone)
    sessions = [
        (
            f"{datetime.fromisoformat(s['starts_at']).astimezone(zone):%H:%M}" if s.get("starts_at") else "",
            s["title"],
            s.get("speaker") or "",
        )
        for s in event.sessions or []
    ]
    return {
        "where": where,
        "sessions": sessions,
        "paragraphs": [p for p in (event.description or "").split("\n") if p.strip()],
        "fee": money(language, event.registration_fee) if event.registration_fee else "",
    }


def _event_page(name: str, language: str, event: Event, **context: Any) -> str:
    return render(
        name, language, event=event, when=when(language, event.starts_at, event.ends_at, event.timezone), **context
    )


def registration_form(
    language: str,
    event: Event,
    seats_left: int | None,
    values: dict[str, str] | None = None,
    error: str | None = None,
    field: str | None = None,
) -> str:
    return _event_page(
        "events/register.html",
        language,
        event,
        seats_left=seats_left,
        values=values or {},
        error=error,
        field=field,
        **_details(language, event),
    )


def registration_done(language: str, event: Event, status: str, position: int | None, new: bool) -> str:
    return _event_page("events/registered.html", language, event, status=status, position=position, new=new)


def closed(language: str, event: Event) -> str:
    return _event_page("events/closed.html", language, event)


def problem_text(language: str, error: ParcoursError | msgspec.ValidationError) -> tuple[str, str | None]:
    """A refusal as the registrant reads it, and the form field it concerns."""
    if isinstance(error, msgspec.ValidationError):
        field = next((f for f in FORM_FIELDS if f"$.{f}" in str(error)), None)
        if field == "email" or field is None:
            return text(language, "event.bad_email"), "email"
        return text(language, "event.bad_field", field=text(language, f"event.{field}")), field
    if error.field == "email":
        return text(language, "event.bad_email"), "email"
    if error.field == "status":
        return text(language, "event.closed"), None
    if error.field == "contact_id":
        return text(language, "event.busy"), None
    return error.message, error.field


# ---- the handlers (on the public events router, rate-limited) ------------------------------------


def _same_site(request: Request[Any, Any, Any], base_url: str) -> bool:
    """A browser names the page a form was posted from: refuse forms posted from other sites
    (nobody's session is used here, but a visitor's browser must not register them elsewhere)."""
    origin = request.headers.get("origin")
    if origin is None:  # not a browser form post (or a browser that does not say)
        return True
    return urlsplit(origin).netloc in {urlsplit(base_url).netloc, request.headers.get("host", "")}


async def _shown(db: AsyncSession, slug: str) -> tuple[Event, int, int | None]:
    """A published (or closed) event, its id and its seats left; drafts do not exist for the public."""
    event = await service.find_by_slug(db, slug)
    if event.status == "draft" or event.id is None:
        raise NotFound("There is no such event.", "slug")
    counts = (await service.status_counts(db, [event.id])).get(event.id, {})
    return event, event.id, service.public_out(event, counts).seats_left


@get("/e/{slug:str}", include_in_schema=False)
async def registration_page(
    slug: str,
    db: AsyncSession,
    request: Request[Any, Any, Any],
    lang: str | None = Parameter(default=None, max_length=8),
) -> Response[str]:
    language = language_of(request.headers.get("accept-language"), lang)
    try:
        event, _, seats_left = await _shown(db, slug)
    except NotFound:
        return html(say(language, "no_event"), 404)
    if event.status != "published":
        return html(closed(language, event))
    return html(registration_form(language, event, seats_left))


@post("/e/{slug:str}", include_in_schema=False, status_code=200)
async def register_from_page(
    slug: str, runtime: Runtime, admission: Admission, request: Request[Any, Any, Any]
) -> Response[str]:
    form = await request.form()
    language = language_of(request.headers.get("accept-language"), str(form.get("lang") or "") or None)
    async with transaction(runtime.read_sessions) as session:
        try:
            event, event_id, seats_left = await _shown(session, slug)
        except NotFound:
            return html(say(language, "no_event"), 404)
    if event.status != "published":
        return html(closed(language, event), 409)
    given = {f: str(form.get(f) or "").strip() for f in FORM_FIELDS}
    shown = {**given, "consent": "yes" if form.get("consent") else ""}
    if not _same_site(request, runtime.settings.base_url):
        return html(registration_form(language, event, seats_left, shown, text(language, "event.cross_site")), 403)
    values: dict[str, Any] = {f: v for f, v in given.items() if v}
    values["language"] = language
    if form.get("consent"):
        values.update(consent_level="marketing", email_opt_in=True)
    try:
        checked = msgspec.convert(values, PublicRegistrationIn)
        done = await admission.submit(
            RegistrationRequest(
                event_id,
                {f: getattr(checked, f) for f in checked.__struct_fields__},
                PAGE_ACTOR,
                public=True,
                source="public_page",
            )
        )
    except (ParcoursError, msgspec.ValidationError) as error:
        message, field = problem_text(language, error)
        status = error.status_code if isinstance(error, ParcoursError) else 400
        return html(registration_form(language, event, seats_left, shown, message, field), status)
    out = done.registration
    return html(registration_done(language, event, out.status, out.position, done.new), 201 if done.new else 200)

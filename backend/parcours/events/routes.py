"""/api/events (the back office and integrations) and /e/{slug} (what registrants reach)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, Router, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import Body, Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from parcours.api import Cursor, IdParam, changes, limit_param, to_out
from parcours.audit import service as audit
from parcours.audit.service import Target
from parcours.auth.service import Actor, system_actor
from parcours.db import transaction
from parcours.errors import NotFound, ParcoursError
from parcours.events import attendance, pages, registrations, service
from parcours.events.admission import Admission, RegistrationRequest
from parcours.events.attendance import AttendanceImport
from parcours.events.models import Event, Registration
from parcours.events.schemas import (
    CostIn,
    CostOut,
    EventIn,
    EventOut,
    EventPage,
    EventPatch,
    EventStats,
    PublicEventOut,
    PublicRegistrationIn,
    PublicRegistrationOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationPage,
    RegistrationStatus,
    TeamMemberIn,
    TeamMemberOut,
)
from parcours.runtime import Runtime
from parcours.web.render import html as _html  # the public pages share one HTML answer

CALENDAR = "text/calendar"  # Litestar adds "; charset=utf-8" to text/* types
Multipart = Body(media_type=RequestEncodingType.MULTI_PART)


@dataclass
class AttendanceUpload:
    file: UploadFile


PUBLIC_ACTOR = system_actor("Event registration page")


def _values(data: msgspec.Struct) -> dict[str, Any]:
    return {f: getattr(data, f) for f in data.__struct_fields__}


async def _one(db: AsyncSession, runtime: Runtime, event: Event, registration: Registration) -> RegistrationOut:
    event_id, registration_id = event.id, registration.id
    assert event_id is not None and registration_id is not None, "stored rows"
    url = registrations.cancel_url(runtime.settings.base_url, runtime.secret_key, event.slug, registration_id, event_id)
    return (await registrations.registrations_out(db, event_id, [registration], {registration_id: url}))[0]


class EventsController(Controller):
    path = "/events"
    tags = ["events"]

    @get("/", summary="Events, latest start first, with their confirmed and waitlisted counts")
    async def list_events(
        self,
        db: AsyncSession,
        status: Literal["draft", "published", "cancelled", "finished"] | None = None,
        q: str | None = Parameter(default=None, max_length=200),
        limit: int = limit_param(100),
        cursor: Cursor = None,
    ) -> EventPage:
        return await service.list_events(db, status, q, limit, cursor)

    @post("/", summary="Create an event (its public address, slug, comes from the name unless given)")
    async def create_event(self, data: EventIn, db: AsyncSession, actor: Actor) -> EventOut:
        return service.event_out(await service.create_event(db, _values(data), actor.label))

    @get("/{event_id:int}", summary="An event")
    async def get_event(self, event_id: IdParam, db: AsyncSession) -> EventOut:
        event = await service.get_event(db, event_id)
        return service.event_out(event, (await service.status_counts(db, [event_id])).get(event_id))

    @patch("/{event_id:int}", summary="Change an event (only the fields sent); more seats promote the waitlist")
    async def update_event(self, event_id: IdParam, data: EventPatch, db: AsyncSession, runtime: Runtime) -> EventOut:
        event = await service.update_event(db, event_id, changes(data), runtime.enqueue)
        return service.event_out(event, (await service.status_counts(db, [event_id])).get(event_id))

    @delete("/{event_id:int}", summary="Delete an event with its registrations, costs and team")
    async def delete_event(self, event_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        target = Target("event", event_id, (await service.get_event(db, event_id)).name)
        await service.delete_event(db, event_id)
        await audit.record(db, actor, "event.deleted", target)

    @post(
        "/{event_id:int}/registrations",
        summary=(
            "Register a contact (contact_id) or a person (email, created or updated as a contact): a seat "
            "when one is free, else the waitlist. 201 when new; the existing registration with 200 when already registered"
        ),
    )
    async def register(
        self, event_id: IdParam, data: RegistrationIn, runtime: Runtime, admission: Admission, actor: Actor
    ) -> Response[RegistrationOut]:
        source = "back_office" if actor.kind == "user" else "api"
        done = await admission.submit(RegistrationRequest(event_id, _values(data), actor, public=False, source=source))
        out = done.registration
        out.cancel_url = registrations.cancel_url(
            runtime.settings.base_url, runtime.secret_key, done.slug, out.id, out.event_id
        )
        return Response(out, status_code=201 if done.new else 200)

    @get(
        "/{event_id:int}/registrations",
        summary="Registrations (the check-in list): by status, searched by name or email",
    )
    async def list_registrations(
        self,
        event_id: IdParam,
        db: AsyncSession,
        status: RegistrationStatus | None = None,
        q: str | None = Parameter(default=None, max_length=200),
        limit: int = limit_param(100, most=1000),
        cursor: Cursor = None,
    ) -> RegistrationPage:
        await service.get_event(db, event_id)
        return await registrations.list_registrations(db, event_id, status, q, limit, cursor)

    @get("/{event_id:int}/registrations/{registration_id:int}", summary="A registration, with its cancel link")
    async def get_registration(
        self, event_id: IdParam, registration_id: IdParam, db: AsyncSession, runtime: Runtime
    ) -> RegistrationOut:
        event = await service.get_event(db, event_id)
        return await _one(db, runtime, event, await registrations.get_registration(db, event_id, registration_id))

    @post(
        "/{event_id:int}/registrations/{registration_id:int}/cancel",
        status_code=200,
        summary="Cancel a registration; a freed seat goes to the first on the waitlist",
    )
    async def cancel(
        self, event_id: IdParam, registration_id: IdParam, db: AsyncSession, runtime: Runtime
    ) -> RegistrationOut:
        registration = await registrations.cancel(db, event_id, registration_id, runtime.enqueue)
        return (await registrations.registrations_out(db, event_id, [registration]))[0]

    @post(
        "/{event_id:int}/registrations/{registration_id:int}/check-in",
        status_code=200,
        summary="Mark a confirmed registrant as present",
    )
    async def check_in(self, event_id: IdParam, registration_id: IdParam, db: AsyncSession) -> RegistrationOut:
        registration = await registrations.check_in(db, event_id, registration_id)
        return (await registrations.registrations_out(db, event_id, [registration]))[0]

    @post(
        "/{event_id:int}/attendance",
        status_code=200,
        summary="Check in the confirmed registrants listed in a webinar platform's attendance export (CSV)",
    )
    async def import_attendance(
        self, event_id: IdParam, data: Annotated[AttendanceUpload, Multipart], db: AsyncSession
    ) -> AttendanceImport:
        return await attendance.import_attendance(db, event_id, await data.file.read())

    @get("/{event_id:int}/stats", summary="The dashboard: registrations, waitlist, attendance, budget, costs, revenue")
    async def stats(self, event_id: IdParam, db: AsyncSession) -> EventStats:
        return await service.stats(db, event_id)

    @get("/{event_id:int}/ics", summary="The event as an iCalendar file", media_type=CALENDAR)
    async def calendar(self, event_id: IdParam, db: AsyncSession, runtime: Runtime) -> Response[str]:
        event = await service.get_event(db, event_id)
        return _calendar(event, runtime)

    @get("/{event_id:int}/costs", summary="Cost lines")
    async def list_costs(self, event_id: IdParam, db: AsyncSession) -> list[CostOut]:
        return [to_out(c, CostOut) for c in await service.list_costs(db, event_id)]

    @post("/{event_id:int}/costs", summary="Add a cost line")
    async def add_cost(self, event_id: IdParam, data: CostIn, db: AsyncSession) -> CostOut:
        return to_out(await service.add_cost(db, event_id, _values(data)), CostOut)

    @delete("/{event_id:int}/costs/{cost_id:int}", summary="Remove a cost line")
    async def remove_cost(self, event_id: IdParam, cost_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        cost = await service.remove_cost(db, event_id, cost_id)
        before = audit.snapshot(cost, ("event_id", "label", "amount"))
        await audit.record(db, actor, "event_cost.deleted", Target("event_cost", cost_id, cost.label), before=before)

    @get("/{event_id:int}/team", summary="The organizing team")
    async def list_team(self, event_id: IdParam, db: AsyncSession) -> list[TeamMemberOut]:
        return [to_out(m, TeamMemberOut) for m in await service.list_team(db, event_id)]

    @post("/{event_id:int}/team", summary="Add someone to the organizing team")
    async def add_team_member(self, event_id: IdParam, data: TeamMemberIn, db: AsyncSession) -> TeamMemberOut:
        return to_out(await service.add_team_member(db, event_id, _values(data)), TeamMemberOut)

    @delete("/{event_id:int}/team/{member_id:int}", summary="Remove someone from the organizing team")
    async def remove_team_member(self, event_id: IdParam, member_id: IdParam, db: AsyncSession, actor: Actor) -> None:
        member = await service.remove_team_member(db, event_id, member_id)
        target = Target("event_team_member", member_id, member.name)
        before = audit.snapshot(member, ("event_id", "name", "role"))
        await audit.record(db, actor, "event_team_member.deleted", target, before=before)


def _calendar(event: Event, runtime: Runtime) -> Response[str]:
    page = f"{runtime.settings.base_url}/e/{event.slug}"
    return Response(
        service.calendar_text(event, page),
        media_type=CALENDAR,
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


# ---- public ---------------------------------------------------------------------------------------


async def _published(db: AsyncSession, slug: str) -> Event:
    event = await service.find_by_slug(db, slug)
    if event.status == "draft":
        raise NotFound("There is no such event.", "slug")
    return event


@get("/e/{slug:str}/details", summary="A published event, as its public page shows it", tags=["events"])
async def public_event(slug: str, db: AsyncSession) -> PublicEventOut:
    event = await _published(db, slug)
    event_id = event.id
    assert event_id is not None, "a stored event"
    counts = (await service.status_counts(db, [event_id])).get(event_id, {})
    return service.public_out(event, counts)


@post(
    "/e/{slug:str}/registrations",
    tags=["events"],
    summary="Register from the public page (published events only): 201 when new, 200 when already registered",
)
async def public_register(
    slug: str, data: PublicRegistrationIn, runtime: Runtime, admission: Admission
) -> Response[PublicRegistrationOut]:
    async with transaction(runtime.read_sessions) as session:
        event_id = (await service.find_by_slug(session, slug)).id
    assert event_id is not None, "a stored event"
    done = await admission.submit(
        RegistrationRequest(
            event_id,
            _values(data),
            PUBLIC_ACTOR,
            public=True,
            source="public_page",
        )
    )
    # No cancel link nor contact here: whoever types an email is not necessarily its owner.
    out = PublicRegistrationOut(status=done.registration.status, position=done.registration.position)
    return Response(out, status_code=201 if done.new else 200)


@get("/e/{slug:str}/event.ics", include_in_schema=False)
async def public_calendar(slug: str, db: AsyncSession, runtime: Runtime) -> Response[str]:
    return _calendar(await _published(db, slug), runtime)


@get("/e/{slug:str}/cancel/{token:str}", include_in_schema=False)
async def cancel_page(
    slug: str, token: str, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any]
) -> Response[str]:
    """A page with a button: opening the link (or a mail scanner following it) cancels nothing."""
    language = pages.language_of(request.headers.get("accept-language"))
    try:
        event, registration = await registrations.from_cancel_token(db, runtime.secret_key, slug, token)
    except ParcoursError:
        return _html(pages.say(language, "invalid"), 400)
    if registration.status == "cancelled":
        return _html(pages.say(language, "cancelled", event.name))
    return _html(pages.cancel_form(language, event.name))


@post("/e/{slug:str}/cancel/{token:str}", include_in_schema=False, status_code=200)
async def cancel_by_link(
    slug: str, token: str, db: AsyncSession, runtime: Runtime, request: Request[Any, Any, Any]
) -> Response[str]:
    language = pages.language_of(request.headers.get("accept-language"))
    try:
        event, registration = await registrations.from_cancel_token(db, runtime.secret_key, slug, token)
    except ParcoursError:
        return _html(pages.say(language, "invalid"), 400)
    assert event.id is not None and registration.id is not None, "stored rows"
    try:
        await registrations.cancel(db, event.id, registration.id, runtime.enqueue)
    except ParcoursError:
        return _html(pages.say(language, "over", event.name), 409)
    return _html(pages.say(language, "cancelled", event.name))


events_public_router = Router(
    path="/",
    route_handlers=[
        public_event,
        public_register,
        public_calendar,
        cancel_page,
        cancel_by_link,
        pages.registration_page,
        pages.register_from_page,
    ],
    middleware=[RateLimitConfig(rate_limit=("minute", 600), set_rate_limit_headers=False).middleware],
)

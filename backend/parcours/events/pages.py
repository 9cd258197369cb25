"""The pages a registrant sees, in their language (English or French): an event's public
registration page at /e/{slug} (a plain form, no script needed) and the cancel-link pages."""

from __future__ import annotations

import html
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

PAGE_ACTOR = system_actor("Event registration page")

WORDS = {
    "en": {
        "title": "Your registration",
        "question": "Cancel your registration to {event}?",
        "button": "Cancel my registration",
        "cancelled": "Your registration to {event} is cancelled.",
        "invalid": "This link is not valid. Use the link from the email you received.",
        "over": "{event} is over: the registration can no longer be cancelled.",
        "no_event": "There is no such event.",
        "event_cancelled": "This event is cancelled: registrations are closed.",
        "event_finished": "This event is over: registrations are closed.",
        "online": "Online",
        "seats_left": "{count} seats left",
        "seat_left": "1 seat left",
        "full": "The event is full: new registrations join the waitlist.",
        "fee": "Registration fee: {amount}",
        "agenda": "Agenda",
        "register": "Register",
        "email": "Email",
        "first_name": "First name",
        "last_name": "Last name",
        "consent": "Keep me informed by email about upcoming events and news.",
        "submit": "Register",
        "registered": "You are registered for {event}.",
        "waitlisted": "The event is full: you are on the waitlist, position {position}. "
                      "You will get a seat as soon as one frees up.",
        "already": "You were already registered.",
        "bad_email": "Enter a valid email address.",
        "bad_field": "Check the field “{field}”.",
        "closed": "Registrations for this event are closed.",
        "busy": "Too many people are registering at this moment: try again.",
        "cross_site": "This form can only be sent from the event's own page.",
    },
    "fr": {
        "title": "Votre inscription",
        "question": "Annuler votre inscription à {event} ?",
        "button": "Annuler mon inscription",
        "cancelled": "Votre inscription à {event} est annulée.",
        "invalid": "Ce lien n'est pas valide. Utilisez le lien de l'e-mail que vous avez reçu.",
        "over": "{event} est terminé : l'inscription ne peut plus être annulée.",
        "no_event": "Cet événement n'existe pas.",
        "event_cancelled": "Cet événement est annulé : les inscriptions sont fermées.",
        "event_finished": "Cet événement est terminé : les inscriptions sont fermées.",
        "online": "En ligne",
        "seats_left": "{count} places restantes",
        "seat_left": "1 place restante",
        "full": "L'événement est complet : les nouvelles inscriptions rejoignent la liste d'attente.",
        "fee": "Frais d'inscription : {amount}",
        "agenda": "Programme",
        "register": "Inscription",
        "email": "E-mail",
        "first_name": "Prénom",
        "last_name": "Nom",
        "consent": "Tenez-moi informé(e) par e-mail des prochains événements et actualités.",
        "submit": "M'inscrire",
        "registered": "Vous êtes inscrit(e) à {event}.",
        "waitlisted": "L'événement est complet : vous êtes sur la liste d'attente, en position {position}. "
                      "Vous aurez une place dès qu'une se libère.",
        "already": "Vous étiez déjà inscrit(e).",
        "bad_email": "Saisissez une adresse e-mail valide.",
        "bad_field": "Vérifiez le champ « {field} ».",
        "closed": "Les inscriptions à cet événement sont fermées.",
        "busy": "Trop d'inscriptions en même temps : réessayez.",
        "cross_site": "Ce formulaire ne peut être envoyé que depuis la page de l'événement.",
    },
}

DAYS = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")}
MONTHS = {"en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"),
          "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre")}
FORM_FIELDS = ("email", "first_name", "last_name")

_STYLE = ("body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}"
          "main{max-width:560px;margin:48px auto;background:#fff;border-radius:12px;padding:32px}"
          "button{background:#4c6ef5;color:#fff;border:0;border-radius:8px;padding:10px 18px;font-size:16px}"
          "label{display:block;margin:12px 0 4px;font-weight:500}"
          "input[type=email],input[type=text]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #ced4da;"
          "border-radius:6px;font-size:16px}.check{display:flex;gap:8px;font-weight:400;margin:16px 0}"
          ".muted{color:#616e7c}.ok{background:#ebfbee;padding:12px;border-radius:8px}"
          ".error{background:#fff5f5;color:#c92a2a;padding:12px;border-radius:8px}"
          "nav{text-align:right;font-size:14px}nav a{margin-left:8px}")


def language_of(accept_language: str | None, chosen: str | None = None) -> str:
    """`chosen` (?lang=) first, then the browser's first language."""
    first = (chosen or (accept_language or "").split(",")[0]).strip().lower()
    return "fr" if first.startswith("fr") else "en"


def _page(language: str, body: str, title: str | None = None) -> str:
    title = html.escape(title or WORDS[language]["title"])
    return (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">'
            f"<title>{title}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>")


def say(language: str, key: str, event: str = "") -> str:
    return _page(language, f'<p data-testid="public-message">{html.escape(WORDS[language][key].format(event=event))}</p>')


def cancel_form(language: str, event: str) -> str:
    words = WORDS[language]
    return _page(language, f"<h1>{html.escape(words['title'])}</h1>"
                 f"<p>{html.escape(words['question'].format(event=event))}</p>"
                 f'<form method="post"><button type="submit">{html.escape(words["button"])}</button></form>')


# ---- the registration page (pure rendering) ---------------------------------------------------------


def when(language: str, starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """"Tuesday 3 March 2026, 14:00 – 15:30 (Europe/Paris)", in the event's own time zone."""
    zone = ZoneInfo(timezone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)

    def day(moment: datetime) -> str:
        return f"{DAYS[language][moment.weekday()]} {moment.day} {MONTHS[language][moment.month - 1]} {moment.year}"

    until = f"{end:%H:%M}" if end.date() == start.date() else f"{day(end)}, {end:%H:%M}"
    return f"{day(start)}, {start:%H:%M} – {until} ({timezone})"


def money(language: str, amount: float) -> str:
    if language == "fr":
        return f"{amount:,.2f} €".replace(",", " ").replace(".", ",")
    return f"€{amount:,.2f}"


def _seats(language: str, seats_left: int | None) -> str:
    words = WORDS[language]
    if seats_left is None:
        return ""
    text = words["full"] if seats_left == 0 else words["seat_left"] if seats_left == 1 else \
        words["seats_left"].format(count=seats_left)
    return f'<p data-testid="public-seats" data-seats-left="{seats_left}"><strong>{html.escape(text)}</strong></p>'


def _details(language: str, event: Event, seats_left: int | None) -> str:
    words = WORDS[language]
    where = []
    if event.type != "webinar" and (event.venue_name or event.venue_address):
        where.append(", ".join(html.escape(p) for p in (event.venue_name, event.venue_address) if p))
    if event.type != "in_person":
        where.append(html.escape(words["online"]))
    other = "en" if language == "fr" else "fr"
    parts = [
        f'<nav><a href="?lang={other}" data-testid="public-language">{"English" if other == "en" else "Français"}</a></nav>',
        f'<h1 data-testid="public-event-name">{html.escape(event.name)}</h1>',
        f'<p data-testid="public-event-when">{html.escape(when(language, event.starts_at, event.ends_at, event.timezone))}</p>',
    ]
    if where:
        parts.append(f'<p data-testid="public-event-where">{" · ".join(where)}</p>')
    if event.description:
        parts += [f"<p>{html.escape(p)}</p>" for p in event.description.split("\n") if p.strip()]
    if event.sessions:
        items = "".join(_session(language, event, s) for s in event.sessions)
        parts.append(f"<h2>{html.escape(words['agenda'])}</h2><ul>{items}</ul>")
    if event.registration_fee:
        parts.append(f'<p>{html.escape(words["fee"].format(amount=money(language, event.registration_fee)))}</p>')
    parts.append(_seats(language, seats_left))
    return "".join(parts)


def _session(language: str, event: Event, session: dict[str, Any]) -> str:
    at = ""
    if session.get("starts_at"):
        at = f"{datetime.fromisoformat(session['starts_at']).astimezone(ZoneInfo(event.timezone)):%H:%M} "
    speaker = f" — {html.escape(session['speaker'])}" if session.get("speaker") else ""
    return f"<li>{at}{html.escape(session['title'])}{speaker}</li>"


def registration_form(language: str, event: Event, seats_left: int | None, values: dict[str, str] | None = None,
                      error: str | None = None, field: str | None = None) -> str:
    words, values = WORDS[language], values or {}

    def field_input(name: str, kind: str) -> str:
        required = " required" if name == "email" else ""
        invalid = ' aria-invalid="true"' if field == name else ""
        return (f'<label for="{name}">{html.escape(words[name])}</label>'
                f'<input id="{name}" name="{name}" type="{kind}" value="{html.escape(values.get(name, ""))}"'
                f' autocomplete="{"email" if name == "email" else name.replace("_", "-")}"'
                f' data-testid="public-{name.replace("_", "-")}"{required}{invalid}>')

    problem = f'<p class="error" role="alert" data-testid="public-error">{html.escape(error)}</p>' if error else ""
    checked = " checked" if values.get("consent") else ""
    form = (f"<h2>{html.escape(words['register'])}</h2>{problem}"
            f'<form method="post" data-testid="public-form"><input type="hidden" name="lang" value="{language}">'
            + field_input("email", "email") + field_input("first_name", "text") + field_input("last_name", "text")
            + f'<label class="check"><input type="checkbox" name="consent" value="yes" data-testid="public-consent"{checked}>'
            f'{html.escape(words["consent"])}</label>'
            f'<button type="submit" data-testid="public-submit">{html.escape(words["submit"])}</button></form>')
    return _page(language, _details(language, event, seats_left) + form, event.name)


def registration_done(language: str, event: Event, status: str, position: int | None, new: bool) -> str:
    words = WORDS[language]
    text = words["registered"].format(event=event.name) if status == "confirmed" else \
        words["waitlisted"].format(position=position or "?")
    already = "" if new else f"<p>{html.escape(words['already'])}</p>"
    body = (f'<h1 data-testid="public-event-name">{html.escape(event.name)}</h1>'
            f'<p data-testid="public-event-when">{html.escape(when(language, event.starts_at, event.ends_at, event.timezone))}</p>'
            f'<p class="ok" role="status" data-testid="public-result" data-status="{status}"'
            f' data-position="{position or ""}">{html.escape(text)}</p>{already}')
    return _page(language, body, event.name)


def closed(language: str, event: Event) -> str:
    key = "event_cancelled" if event.status == "cancelled" else "event_finished"
    return _page(language, f'<h1 data-testid="public-event-name">{html.escape(event.name)}</h1>'
                 f'<p data-testid="public-closed">{html.escape(WORDS[language][key])}</p>', event.name)


def problem_text(language: str, error: ParcoursError | msgspec.ValidationError) -> tuple[str, str | None]:
    """A refusal as the registrant reads it, and the form field it concerns."""
    words = WORDS[language]
    if isinstance(error, msgspec.ValidationError):
        field = next((f for f in FORM_FIELDS if f"$.{f}" in str(error)), None)
        if field == "email" or field is None:
            return words["bad_email"], "email"
        return words["bad_field"].format(field=words[field]), field
    if error.field == "email":
        return words["bad_email"], "email"
    if error.field == "status":
        return words["closed"], None
    if error.field == "contact_id":
        return words["busy"], None
    return error.message, error.field


# ---- the handlers (on the public events router, rate-limited) ------------------------------------


def _html(body: str, status: int = 200) -> Response[str]:
    return Response(body, media_type="text/html", status_code=status,
                    headers={"Cache-Control": "no-store, private"})


def _same_site(request: Request[Any, Any, Any], base_url: str) -> bool:
    """A browser names the page a form was posted from: refuse forms posted from other sites
    (nobody's session is used here, but a visitor's browser must not register them elsewhere)."""
    origin = request.headers.get("origin")
    if origin is None:  # not a browser form post (or a browser that does not say)
        return True
    return urlsplit(origin).netloc in {urlsplit(base_url).netloc, request.headers.get("host", "")}


async def _shown(db: AsyncSession, slug: str) -> tuple[Event, int | None]:
    """A published (or closed) event and its seats left; drafts do not exist for the public."""
    event = await service.find_by_slug(db, slug)
    if event.status == "draft":
        raise NotFound("There is no such event.", "slug")
    counts = (await service.status_counts(db, [event.id])).get(event.id, {})  # type: ignore[list-item]
    return event, service.public_out(event, counts).seats_left


@get("/e/{slug:str}", include_in_schema=False)
async def registration_page(slug: str, db: AsyncSession, request: Request[Any, Any, Any],
                            lang: str | None = Parameter(default=None, max_length=8)) -> Response[str]:
    language = language_of(request.headers.get("accept-language"), lang)
    try:
        event, seats_left = await _shown(db, slug)
    except NotFound:
        return _html(say(language, "no_event"), 404)
    if event.status != "published":
        return _html(closed(language, event))
    return _html(registration_form(language, event, seats_left))


@post("/e/{slug:str}", include_in_schema=False, status_code=200)
async def register_from_page(slug: str, runtime: Runtime, admission: Admission,
                             request: Request[Any, Any, Any]) -> Response[str]:
    form = await request.form()
    language = language_of(request.headers.get("accept-language"), str(form.get("lang") or "") or None)
    async with transaction(runtime.read_sessions) as session:
        try:
            event, seats_left = await _shown(session, slug)
        except NotFound:
            return _html(say(language, "no_event"), 404)
    if event.status != "published":
        return _html(closed(language, event), 409)
    given = {f: str(form.get(f) or "").strip() for f in FORM_FIELDS}
    shown = {**given, "consent": "yes" if form.get("consent") else ""}
    if not _same_site(request, runtime.settings.base_url):
        return _html(registration_form(language, event, seats_left, shown, WORDS[language]["cross_site"]), 403)
    values: dict[str, Any] = {f: v for f, v in given.items() if v}
    values["language"] = language
    if form.get("consent"):
        values.update(consent_level="marketing", email_opt_in=True)
    try:
        checked = msgspec.convert(values, PublicRegistrationIn)
        done = await admission.submit(RegistrationRequest(
            event.id, {f: getattr(checked, f) for f in checked.__struct_fields__}, PAGE_ACTOR,  # type: ignore[arg-type]
            public=True, source="public_page"))
    except (ParcoursError, msgspec.ValidationError) as error:
        message, field = problem_text(language, error)
        status = error.status_code if isinstance(error, ParcoursError) else 400
        return _html(registration_form(language, event, seats_left, shown, message, field), status)
    out = done.registration
    return _html(registration_done(language, event, out.status, out.position, done.new), 201 if done.new else 200)

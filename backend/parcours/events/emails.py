"""What registrants read: the confirmation, the waitlist notice, the promotion and the reminders,
in English or French (pure: values in, subject and text out)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from parcours.events import reminders

_SUBJECTS = {
    "en": {
        "confirmed": "You are registered: {name}",
        "waitlisted": "You are on the waitlist: {name}",
        "promoted": "A seat is yours: {name}",
        "reminder": "Reminder: {name} starts in {delay}",
    },
    "fr": {
        "confirmed": "Vous êtes inscrit(e) : {name}",
        "waitlisted": "Vous êtes sur liste d'attente : {name}",
        "promoted": "Une place s'est libérée pour vous : {name}",
        "reminder": "Rappel : {name} commence dans {delay}",
    },
}
_OPENINGS = {
    "en": {
        "confirmed": "You are registered for {name}.",
        "waitlisted": "{name} is full: you are on the waitlist, position {position}. We will email you "
        "if a seat frees up.",
        "promoted": "A seat freed up: you are now registered for {name}.",
        "reminder": "{name} starts in {delay}.",
    },
    "fr": {
        "confirmed": "Vous êtes inscrit(e) à {name}.",
        "waitlisted": "{name} est complet : vous êtes sur liste d'attente, en position {position}. Nous vous "
        "écrirons si une place se libère.",
        "promoted": "Une place s'est libérée : vous êtes maintenant inscrit(e) à {name}.",
        "reminder": "{name} commence dans {delay}.",
    },
}
_LABELS = {
    "en": {
        "when": "When",
        "where": "Where",
        "join": "Join online",
        "page": "Event page",
        "calendar": "The calendar file attached adds it to your calendar.",
        "cancel": "Can't come? Cancel your registration",
        "leave": "Leave the waitlist",
    },
    "fr": {
        "when": "Quand",
        "where": "Où",
        "join": "En ligne",
        "page": "Page de l'événement",
        "calendar": "Le fichier de calendrier joint l'ajoute à votre agenda.",
        "cancel": "Un empêchement ? Annulez votre inscription",
        "leave": "Quitter la liste d'attente",
    },
}
_UNITS = {
    "en": (("day", "days"), ("hour", "hours"), ("minute", "minutes")),
    "fr": (("jour", "jours"), ("heure", "heures"), ("minute", "minutes")),
}


def language(code: str | None) -> str:
    return "fr" if code and code.strip().lower().startswith("fr") else "en"


def delay(text: str, lang: str) -> str:
    """A reminder offset in words: "7 days", "1 heure"."""
    delta = reminders.offset(text) or timedelta(0)
    days, hours, minutes = delta.days, delta.seconds // 3600, delta.seconds % 3600 // 60
    parts = [f"{n} {unit[n != 1]}" for n, unit in zip((days, hours, minutes), _UNITS[lang], strict=True) if n]
    return (" et " if lang == "fr" else " and ").join(parts) or text


def when(starts_at: datetime, ends_at: datetime, timezone: str) -> str:
    """In the event's own time zone, which the registrant saw on its page."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M} - {until} ({timezone})"


def message(
    kind: str,
    lang: str,
    *,
    name: str,
    when: str,
    where: str | None,
    online_url: str | None,
    page_url: str,
    cancel_url: str,
    position: int | None = None,
    offset: str | None = None,
    with_calendar: bool = False,
) -> tuple[str, str]:
    """(subject, text) of one email to one registrant."""
    words = {"name": name, "position": position or "", "delay": delay(offset, lang) if offset else ""}
    labels = _LABELS[lang]
    seated = kind != "waitlisted"
    lines = [_OPENINGS[lang][kind].format(**words), "", f"{labels['when']}: {when}"]
    if where:
        lines.append(f"{labels['where']}: {where}")
    if online_url and seated:
        lines.append(f"{labels['join']}: {online_url}")
    lines += [f"{labels['page']}: {page_url}", ""]
    if with_calendar:
        lines += [labels["calendar"], ""]
    lines.append(f"{labels['cancel' if seated else 'leave']}: {cancel_url}")
    return _SUBJECTS[lang][kind].format(**words), "\n".join(lines)

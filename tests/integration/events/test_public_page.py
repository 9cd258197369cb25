"""The public registration page /e/{slug}: rendered in the registrant's language, the form
registers (a seat, then the waitlist), drafts do not exist, closed events show no form, bad
input and forms posted from other sites change nothing."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api
from tests.factories import unique_email

STARTS = datetime(2031, 3, 4, 13, 0, tzinfo=UTC)  # a Tuesday, 14:00 in Paris


def make_event(api: Api, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Atelier données",
        "type": "hybrid",
        "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Paris",
        "capacity": 1,
        "status": "published",
        "venue": {"name": "La Halle", "address": "1 rue X, Paris"},
        "description": "Venez <b>nombreux</b>",
        **fields,
    }
    response = api.post("/api/events", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def shown(response: Any) -> str:
    """The page's text as a reader sees it (entities decoded)."""
    return html.unescape(response.text)


def registrations(api: Api, event_id: int) -> list[dict[str, Any]]:
    return list(api.get(f"/api/events/{event_id}/registrations").json()["items"])


def test_the_page_speaks_the_browser_language_and_shows_the_event(api: Api) -> None:
    event = make_event(api)
    french = api.get(f"/e/{event['slug']}", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert french.status_code == 200 and french.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in french.text
    assert "mardi 4 mars 2031, 14:00 – 16:00 (Europe/Paris)" in french.text
    assert "La Halle, 1 rue X, Paris" in french.text and "En ligne" in french.text
    assert "1 place restante" in french.text
    assert 'name="email"' in french.text and "M'inscrire" in shown(french) and 'name="consent"' in french.text
    assert "<b>nombreux</b>" not in french.text and "&lt;b&gt;nombreux&lt;/b&gt;" in french.text

    english = api.get(f"/e/{event['slug']}", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en">' in english.text and "Tuesday 4 March 2031, 14:00 – 16:00" in english.text
    chosen = api.get(f"/e/{event['slug']}", params={"lang": "fr"}, headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in chosen.text


def test_the_form_registers_then_puts_on_the_waitlist(api: Api) -> None:
    event = make_event(api, capacity=1)
    email = unique_email("page")
    first = api.post(
        f"/e/{event['slug']}",
        data={"email": email, "first_name": "Zoé", "last_name": "Roux", "consent": "yes", "lang": "fr"},
    )
    assert first.status_code == 201, first.text
    assert "Vous êtes inscrit(e) à Atelier données." in first.text and 'data-status="confirmed"' in first.text
    [seat] = registrations(api, event["id"])
    assert seat["status"] == "confirmed" and seat["email"] == email and seat["source"] == "public_page"
    contact = api.get(f"/api/contacts/{seat['contact_id']}").json()
    assert (contact["first_name"], contact["last_name"], contact["language"]) == ("Zoé", "Roux", "fr")
    assert contact["consent_level"] == "marketing" and contact["email_opt_in"] is True

    again = api.post(f"/e/{event['slug']}", data={"email": email.upper(), "lang": "en"})
    assert again.status_code == 200 and "You were already registered." in again.text
    assert len(registrations(api, event["id"])) == 1

    late = api.post(f"/e/{event['slug']}", data={"email": unique_email("late")}, headers={"Accept-Language": "en"})
    assert late.status_code == 201
    assert "you are on the waitlist, position 1" in late.text and 'data-position="1"' in late.text
    assert "The event is full" in api.get(f"/e/{event['slug']}", headers={"Accept-Language": "en"}).text
    waiting = [r for r in registrations(api, event["id"]) if r["status"] == "waitlisted"]
    assert len(waiting) == 1 and waiting[0]["position"] == 1
    # Without the box ticked, no marketing consent is recorded.
    assert api.get(f"/api/contacts/{waiting[0]['contact_id']}").json()["consent_level"] != "marketing"


def test_bad_input_is_shown_on_the_form_and_changes_nothing(api: Api) -> None:
    event = make_event(api)
    refused = api.post(
        f"/e/{event['slug']}", data={"email": "not-an-email", "first_name": "Al"}, headers={"Accept-Language": "fr"}
    )
    assert refused.status_code == 400
    assert "Saisissez une adresse e-mail valide." in refused.text and 'value="Al"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    too_long = api.post(f"/e/{event['slug']}", data={"email": unique_email(), "last_name": "x" * 101, "lang": "en"})
    assert too_long.status_code == 400 and "Last name" in too_long.text
    cross_site = api.post(
        f"/e/{event['slug']}",
        data={"email": unique_email()},
        headers={"Origin": "https://elsewhere.example", "Accept-Language": "en"},
    )
    assert cross_site.status_code == 403 and "event's own page" in shown(cross_site)
    assert registrations(api, event["id"]) == []
    same_site = api.post(
        f"/e/{event['slug']}", data={"email": unique_email()}, headers={"Origin": "http://testserver.local"}
    )
    assert same_site.status_code == 201, same_site.text


def test_drafts_do_not_exist_and_closed_events_show_no_form(api: Api) -> None:
    draft = make_event(api, status="draft")
    page = api.get(f"/e/{draft['slug']}", headers={"Accept-Language": "fr"})
    assert page.status_code == 404 and "Cet événement n'existe pas." in shown(page) and "<form" not in page.text
    assert api.post(f"/e/{draft['slug']}", data={"email": unique_email()}).status_code == 404
    assert api.get("/e/no-such-event").status_code == 404
    assert registrations(api, draft["id"]) == []

    cancelled = make_event(api)
    assert api.patch(f"/api/events/{cancelled['id']}", json={"status": "cancelled"}).status_code == 200
    page = api.get(f"/e/{cancelled['slug']}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "This event is cancelled" in page.text and "<form" not in page.text
    posted = api.post(f"/e/{cancelled['slug']}", data={"email": unique_email()})
    assert posted.status_code == 409 and registrations(api, cancelled["id"]) == []

"""The public pages' catalog and layout: every language says everything, and what visitors
typed comes out escaped."""

from __future__ import annotations

from datetime import UTC, datetime

from parcours.events import pages
from parcours.events.models import Event
from parcours.tracking import pages as recipient_pages
from parcours.web.catalog import CATALOG


def test_every_language_has_every_word() -> None:
    english = CATALOG["en"]
    for language, words in CATALOG.items():
        assert set(words.words) == set(english.words), language
        assert len(words.days) == 7 and len(words.months) == 12, language


def test_a_page_is_escaped_and_in_its_language() -> None:
    event = Event(
        id=1,
        name="<script>x</script>",
        slug="x",
        type="hybrid",
        status="published",
        starts_at=datetime(2031, 3, 4, 13, tzinfo=UTC),
        ends_at=datetime(2031, 3, 4, 15, tzinfo=UTC),
        timezone="Europe/Paris",
        venue_name="Salle <b>",
        description="Un\n\nDeux",
        registration_fee=1200.5,
        sessions=[{"title": "Ouverture", "speaker": "Ada", "starts_at": "2031-03-04T13:00:00+00:00"}],
    )
    page = pages.registration_form(
        "fr", event, 3, {"email": '"><img>'}, "Saisissez une adresse e-mail valide.", "email"
    )
    assert page.startswith('<!doctype html>\n<html lang="fr">') and '<main id="main">' in page
    assert "<script>x" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "Salle &lt;b&gt; · En ligne" in page and 'value="&#34;&gt;&lt;img&gt;"' in page
    assert "mardi 4 mars 2031, 14:00 – 16:00 (Europe/Paris)" in page and "1 200,50 €" in page
    assert "<li>14:00 Ouverture — Ada</li>" in page and "<p>Un</p>\n<p>Deux</p>" in page
    assert 'aria-invalid="true"' in page and "3 places restantes" in page


def test_recipient_pages() -> None:
    assert "<h1>Unsubscribe</h1>" in recipient_pages.invalid("en")
    page = recipient_pages.unsubscribed("fr", "a&b@x.fr")
    assert "a&amp;b@x.fr ne recevra plus" in page and '<html lang="fr">' in page

"""The template library in two languages: each user sees the templates of their language (or
the one they ask for), thumbnails show a sample contact, and a new email speaks its author's language."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

SENDER = {"from_name": "Parcours", "from_email": "news@example.fr"}


@contextmanager
def speaking(api: Any, language: str) -> Iterator[None]:
    """The logged-in user's profile language, for the time of a block."""
    assert api.patch("/api/auth/me", json={"language": language}).status_code == 200
    try:
        yield
    finally:
        api.patch("/api/auth/me", json={"language": "en"})


def listed(api: Any, **params: str) -> list[dict[str, Any]]:
    response = api.get("/api/templates", params=params)
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.mark.parametrize("kind", ["email", "journey"])
def test_each_language_lists_its_own_twins(api: Any, kind: str) -> None:
    french = listed(api, kind=kind, language="fr")
    english = listed(api, kind=kind, language="en")
    assert {t["language"] for t in french} == {"fr"} and {t["language"] for t in english} == {"en"}
    assert {t["key"] for t in french} == {t["key"] for t in english} and len(french) >= 6
    assert not {t["name"] for t in french} & {t["name"] for t in english} - {"Newsletter", "Promotion"}
    names = {t["key"]: t["name"] for t in french}
    if kind == "email":
        assert names["welcome"] == "Bienvenue" and names["event-invitation"] == "Invitation à un événement"
    else:
        assert names["welcome-series"] == "Série de bienvenue" and names["abandoned-cart"] == "Panier abandonné"


def test_without_a_language_the_users_own_is_listed(api: Any) -> None:
    assert {t["language"] for t in listed(api, kind="email")} == {"en"}
    with speaking(api, "fr"):
        assert {t["language"] for t in listed(api, kind="email")} == {"fr"}


@pytest.mark.parametrize("language", ["de", "FR", ""])
def test_an_unknown_language_is_refused_by_name(api: Any, language: str) -> None:
    response = api.get("/api/templates", params={"kind": "email", "language": language})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "language"


def test_thumbnails_show_a_sample_contact_never_raw_tokens(api: Any) -> None:
    for language, greeting in (("en", "Welcome, Camille!"), ("fr", "Bienvenue, Camille !")):
        welcome = next(t for t in listed(api, kind="email", language=language) if t["key"] == "welcome")
        assert greeting in welcome["preview_html"]
        assert "camille.martin@example.com" in welcome["preview_html"]
    for template in listed(api, kind="email", language="fr") + listed(api, kind="email", language="en"):
        assert "{{" not in template["preview_html"] and "{%" not in template["preview_html"], template["key"]


def test_a_new_email_speaks_its_authors_language_unless_told(api: Any) -> None:
    body = {"name": "Note", "subject": "Bonjour", **SENDER, "mjml": "<mjml><mj-body></mj-body></mjml>"}
    blank = {key: value for key, value in body.items() if key != "mjml"}
    with speaking(api, "fr"):
        french = api.post("/api/emails", json=body)
        told = api.post("/api/emails", json={**body, "language": "en"})
        french_blank = api.post("/api/emails", json=blank).json()
    assert french.status_code == 201, french.text
    assert french.json()["language"] == "fr" and told.json()["language"] == "en"
    assert "Écrivez votre message ici." in french_blank["html"] and "Se désinscrire" in french_blank["html"]
    english_blank = api.post("/api/emails", json=blank).json()
    assert english_blank["language"] == "en" and "Write your message here." in english_blank["html"]


def test_an_email_from_a_french_template_is_french_with_french_words(api: Any) -> None:
    welcome = next(t for t in listed(api, kind="email", language="fr") if t["key"] == "welcome")
    made = api.post(
        "/api/emails", json={"name": "Accueil", "subject": welcome["subject"], **SENDER, "template_id": welcome["id"]}
    )
    assert made.status_code == 201, made.text
    email = made.json()
    assert email["language"] == "fr" and "Complétez votre profil" in email["html"] and email["warnings"] == []
    preview = api.post(f"/api/emails/{email['id']}/preview", json={}).json()
    assert preview["subject"] == "Bienvenue à bord, Camille !" and "Se désinscrire" in preview["html"]


def test_a_french_journey_template_makes_french_emails(api: Any) -> None:
    api.post("/api/emails", json={"name": "Any", "subject": "s", **SENDER, "mjml": "<mjml><mj-body></mj-body></mjml>"})
    series = next(t for t in listed(api, kind="journey", language="fr") if t["key"] == "welcome-series")
    made = api.post("/api/journeys", json={"name": "Accueil", "template_id": series["id"]})
    assert made.status_code == 201, made.text
    email_ids = [n["config"]["email_id"] for n in made.json()["definition"]["nodes"] if n["type"] == "action.email"]
    emails = [api.get(f"/api/emails/{i}").json() for i in email_ids]
    assert emails and {e["language"] for e in emails} == {"fr"}
    assert any("Complétez votre profil" in e["html"] for e in emails)

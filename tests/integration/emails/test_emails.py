import re
from typing import Any

import pytest

SENDER = {"from_name": "Parcours", "from_email": "news@example.fr"}
MJML = (
    '<mjml><mj-body><mj-section><mj-column><mj-text>Bonjour {{ contact.first_name | default("vous") }}</mj-text>'
    '<mj-button href="https://shop.example.fr/offre">Voir</mj-button>'
    '<mj-text><a href="{{ unsubscribe_url }}">Se désabonner</a></mj-text></mj-column></mj-section></mj-body></mjml>'
)


def create(api: Any, **body: Any) -> dict[str, Any]:
    response = api.post(
        "/api/emails",
        json={"name": "Spring", "subject": "Hello {{ contact.first_name }}", **SENDER, "mjml": MJML, **body},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_templates_are_shipped_and_an_email_starts_from_one(api: Any) -> None:
    templates = {t["key"]: t for t in api.get("/api/templates", params={"kind": "email"}).json()}
    assert {"welcome", "newsletter", "event-invitation", "webinar-reminder", "promotion", "re-engagement"} <= set(
        templates
    )
    email = api.post(
        "/api/emails",
        json={"name": "Welcome", "subject": "Welcome!", **SENDER, "template_id": templates["welcome"]["id"]},
    ).json()
    assert "Complete your profile" in email["html"] and email["mjml"].startswith("<mjml>")
    assert email["text"].strip() and email["warnings"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mjml": "<mjml><mj-body><mj-section>"}, "mjml"),
        ({"mjml": "just text"}, "mjml"),
        ({"subject": ""}, "subject"),
        ({"from_email": "nope"}, "from_email"),
        ({"from_name": " "}, "from_name"),
        ({"mjml": MJML.replace("Bonjour", '{% if rule("opens > 1") %}x{% endif %}Bonjour')}, "mjml"),
        ({"topic": "unknown-topic"}, "topic"),
        ({"template_id": 999999}, "template_id"),
    ],
)
def test_bad_emails_are_refused(api: Any, body: dict[str, Any], field: str) -> None:
    response = api.post("/api/emails", json={"name": "x", "subject": "s", **SENDER, "mjml": MJML, **body})
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["field"] == field


def test_unknown_tokens_are_warned_and_previews_personalize(api: Any, make_contact: Any) -> None:
    email = create(api, mjml=MJML.replace("Bonjour", "{{ contact.shoe_size }} Bonjour"))
    assert email["warnings"] == ["{{ contact.shoe_size }} is not a field we know: it will be empty."]
    contact = make_contact(first_name="<Zoé>")
    preview = api.post(f"/api/emails/{email['id']}/preview", json={"contact_id": contact["id"]}).json()
    assert preview["subject"] == "Hello <Zoé>" and "Bonjour &lt;Zoé&gt;" in preview["html"]
    assert "Bonjour <Zoé>" in preview["text"]
    assert "Bonjour Camille" in api.post(f"/api/emails/{email['id']}/preview", json={}).json()["html"]
    assert api.post(f"/api/emails/{email['id']}/preview", json={"contact_id": 99999999}).status_code == 404


def test_versions_and_restore(api: Any) -> None:
    email = create(api)
    api.patch(f"/api/emails/{email['id']}", json={"mjml": MJML.replace("Voir", "Découvrir")})
    versions = api.get(f"/api/emails/{email['id']}/versions").json()
    assert [v["version"] for v in versions] == [1]  # autosaves within two minutes update the same version
    restored = api.post(f"/api/emails/{email['id']}/versions/1/restore").json()
    assert "Découvrir" in restored["html"] and restored["version"] == 2
    assert api.post(f"/api/emails/{email['id']}/versions/9/restore").status_code == 404


def wait_message(api: Any, outbox_id: int) -> dict[str, Any]:
    return api.eventually(
        lambda: (m := api.get(f"/api/outbox/{outbox_id}").json())["status"] not in ("queued", "sending") and m
    )


def test_a_test_send_is_captured_as_a_real_mime_message(api: Any) -> None:
    email = create(api)
    queued = api.post(f"/api/emails/{email['id']}/test-send", json={"to": "qa@example.org"})
    assert queued.status_code == 202
    message = wait_message(api, queued.json()["outbox_id"])
    assert message["status"] == "captured", message
    headers = dict(message["headers"])
    assert headers["To"] == "qa@example.org" and headers["Content-Type"].startswith("multipart/alternative")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and headers["Message-ID"]
    assert "Bonjour Camille" in message["html"] and "/t/c/" in message["html"] and "/t/o/" in message["html"]
    assert api.post(f"/api/emails/{email['id']}/test-send", json={"to": "not an address"}).status_code == 400


def test_tracking_opens_clicks_and_one_click_unsubscribe(api: Any, make_contact: Any) -> None:
    contact = make_contact(first_name="Léo", email_opt_in=True, consent_level="marketing")
    email = create(api)
    queued = api.post(
        f"/api/emails/{email['id']}/test-send", json={"to": contact["email"], "contact_id": contact["id"]}
    )
    message = wait_message(api, queued.json()["outbox_id"])
    html = message["html"]
    pixel = re.search(r'src="http://[^/]+(/t/o/[^"]+)"', html).group(1)
    click = re.search(r'href="http://[^/]+(/t/c/[^"]+)"', html).group(1)
    unsubscribe = re.search(r'href="http://[^/]+(/u/[^"]+)"', html).group(1)
    assert api.get(pixel).headers["content-type"] == "image/gif"
    redirect = api.get(click, follow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["location"] == "https://shop.example.fr/offre"
    tampered = api.get(click[:-3] + "abc", follow_redirects=False)
    assert tampered.status_code == 400 and "not valid" in tampered.text
    assert api.get(pixel[:-8] + "xx.gif").status_code == 200  # an image always loads
    types = [i["type"] for i in api.get(f"/api/contacts/{contact['id']}/interactions").json()["items"]]
    assert {"email_sent", "email_opened", "email_clicked"} <= set(types)
    assert "Désabonnement" in api.get(unsubscribe, headers={"accept-language": "fr-FR"}).text
    first = api.post(
        unsubscribe,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    again = api.post(
        unsubscribe,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert first.status_code == again.status_code == 200 and "unsubscribed" in again.text
    assert api.get(f"/api/contacts/{contact['id']}").json()["unsubscribed"] is True
    history = api.get(f"/api/contacts/{contact['id']}/consent-history").json()
    assert next((h["field"], h["how"]) for h in history if h["new_value"] == "true") == (
        "unsubscribed",
        "unsubscribe_link",
    )
    message_after = api.get(f"/api/outbox/{message['id']}").json()
    assert message_after["opened_at"] and message_after["clicked_at"]


def test_preference_center_in_french(api: Any, make_contact: Any) -> None:
    contact = make_contact(language="fr", email_opt_in=True, consent_level="marketing")
    email = create(api, mjml=MJML.replace("{{ unsubscribe_url }}", "{{ preferences_url }}"))
    queued = api.post(
        f"/api/emails/{email['id']}/test-send", json={"to": contact["email"], "contact_id": contact["id"]}
    )
    message = wait_message(api, queued.json()["outbox_id"])
    link = re.search(r'href="http://[^/]+(/preferences/[^"]+)"', message["html"]).group(1)
    page = api.get(link)
    assert "Vos préférences" in page.text and 'value="offers" checked' in page.text
    saved = api.post(link, data={"topic": ["newsletter", "events"]})
    assert 'data-testid="preferences-saved"' in saved.text and 'value="offers" checked' not in saved.text
    assert api.get("/preferences/forged-token").status_code == 400


def test_bounce_reports_suppress_the_address(api: Any, make_contact: Any) -> None:
    contact = make_contact(email_opt_in=True, consent_level="marketing")
    reported = api.post(
        "/api/email-events",
        json={"type": "bounce", "email": contact["email"], "hard": True, "detail": "550 no such user"},
    )
    assert reported.status_code == 200 and reported.json() == {"recorded": ["email_bounced"]}
    assert api.get(f"/api/contacts/{contact['id']}").json()["bounced"] is True
    assert api.post("/api/email-events", json={"type": "bounce"}).status_code == 400

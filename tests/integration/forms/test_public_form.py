"""A visitor fills a published form at /f/{slug}: the contact is created or updated, the consent is
kept with its evidence, a form_submitted interaction starts journeys; bad input answers 422 naming
the field and writes nothing; a double opt-in form holds everything back until the link is clicked."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import Api
from tests.factories import chain, interactions, journey, published, runs, unique_email, unique_type


def publish_form(api: Api, **settings: Any) -> dict[str, Any]:
    body = {
        "name": "Newsletter",
        "slug": unique_type("nl").replace("_", "-"),
        "fields": [
            {"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"},
            {"name": "first_name", "type": "text", "label": "First name", "maps_to": "first_name"},
            {
                "name": "zip",
                "type": "text",
                "label": "Postcode",
                "pattern": "[0-9]{5}",
                "message": "Five digits, please.",
            },
            {
                "name": "news",
                "type": "consent",
                "label": "I agree to receive the newsletter.",
                "labels": {"fr": "J'accepte de recevoir la lettre."},
                "maps_to": "consent:email",
            },
            {"name": "campaign", "type": "hidden", "source": "utm_campaign"},
        ],
        "settings": {
            "no_script": "accept",
            "minimum_seconds": 0,
            "languages": ["en", "fr"],
            "consent_version": "2026-01",
            **settings,
        },
    }
    form = api.post("/api/forms", json=body)
    assert form.status_code == 201, form.text
    done = api.post(f"/api/forms/{form.json()['id']}/publish")
    assert done.status_code == 200, done.text
    return dict(done.json())


def page(api: Api, form: dict[str, Any], query: str = "") -> tuple[str, str]:
    """The hosted page and the signed time stamp it carries."""
    shown = api.get(f"/f/{form['slug']}{query}")
    assert shown.status_code == 200, shown.text
    found = re.search(r'name="_ts" value="([^"]+)"', shown.text)
    assert found
    return shown.text, found.group(1)


def contact_by_email(api: Api, email: str) -> dict[str, Any] | None:
    items = api.get("/api/contacts", params={"q": email}).json()["items"]
    return next((c for c in items if c["email"] == email), None)


def test_a_visitor_becomes_an_inbound_contact_with_consent_evidence(api: Api) -> None:
    form = publish_form(api)
    html, stamp = page(api, form, "?utm_campaign=spring&lang=fr")
    assert 'value="spring"' in html and "J&#39;accepte de recevoir la lettre." in html
    email = unique_email("visitor")
    posted = api.post(
        f"/f/{form['slug']}",
        data={
            "email": email.upper(),
            "first_name": "ada",
            "zip": "75011",
            "news": "yes",
            "campaign": "spring",
            "_ts": stamp,
            "lang": "fr",
            "page_id": "7",
            "anonymous_id": "anon-123",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    assert posted.headers["location"].startswith(f"/f/{form['slug']}/thanks")
    thanks = api.get(posted.headers["location"])
    assert thanks.status_code == 200 and "Merci" in thanks.text

    contact = contact_by_email(api, email)
    assert contact is not None and contact["first_name"] == "Ada" and contact["email_opt_in"] is True
    assert contact["lead_origin"] == "inbound" and contact["lead_origin_form_id"] == form["id"]
    assert contact["lead_origin_page_id"] == 7 and contact["lead_origin_detail"] == "form: Newsletter"
    history = api.get(f"/api/contacts/{contact['id']}/consent-history").json()
    opt_in = next(h for h in history if h["field"] == "email_opt_in")
    assert opt_in["wording"] == "J'accepte de recevoir la lettre." and opt_in["wording_version"] == "2026-01"
    assert opt_in["form_id"] == form["id"] and opt_in["ip"] and opt_in["how"] == "form"
    submitted = interactions(api, contact["id"], "form_submitted")
    assert len(submitted) == 1
    data = submitted[0]["properties"]
    assert data["form_id"] == form["id"] and data["page_id"] == 7 and data["anonymous_id"] == "anon-123"
    assert data["utm"] == {"utm_campaign": "spring"} and data["values"]["zip"] == "75011"

    # The same person again, by script: known, nothing overwritten by a public post.
    again = api.post(f"/f/{form['slug']}", json={"email": email, "first_name": "Eve", "_ts": stamp})
    assert again.status_code == 200 and again.json()["ok"] is True and again.json()["next"] == "done"
    assert contact_by_email(api, email)["first_name"] == "Ada"  # type: ignore[index]
    stats = api.get(f"/api/forms/{form['id']}/stats").json()
    assert stats["views"] == 1 and stats["submissions"] == 2 and stats["new_contacts"] == 1
    assert stats["known_contacts"] == 1 and stats["conversion_rate"] == 2.0 and stats["days"][0]["submissions"] == 2


def test_bad_input_names_the_field_and_creates_nothing(api: Api) -> None:
    form = publish_form(api)
    _, stamp = page(api, form)
    email = unique_email("bad")
    cases = [
        ({"first_name": "Ada"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"email": email, "zip": "7501"}, "zip"),
        ({"email": email, "first_name": "x" * 600}, "first_name"),
        ({"email": email, "first_name": "y" * 150}, "first_name"),  # longer than a contact's first name
    ]
    for values, field in cases:
        answer = api.post(f"/f/{form['slug']}", json={**values, "_ts": stamp})
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == field, answer.text
    assert (
        api.post(f"/f/{form['slug']}", json={"email": email, "zip": "1", "_ts": stamp}).json()["error"]["message"]
        == "Five digits, please."
    )
    browser = api.post(f"/f/{form['slug']}", data={"email": email, "zip": "abc", "_ts": stamp})
    assert browser.status_code == 422 and "Five digits, please." in browser.text and f'value="{email}"' in browser.text
    assert contact_by_email(api, email) is None
    assert api.get(f"/api/forms/{form['id']}/stats").json()["submissions"] == 0
    assert api.post("/f/no-such-form", json={"email": email}).status_code == 404
    assert api.get("/f/no-such-form").status_code == 404
    escaped = api.post(f"/f/{form['slug']}", data={"email": "<script>alert(1)</script>", "_ts": stamp})
    assert "<script>alert(1)</script>" not in escaped.text and "&lt;script&gt;" in escaped.text


def test_a_robot_is_answered_as_if_accepted_but_counted_as_spam(api: Api) -> None:
    form = publish_form(api, minimum_seconds=3)
    _, stamp = page(api, form)
    email = unique_email("bot")
    for values in ({"website": "http://spam"}, {"_ts": stamp}, {"_ts": "123.forged"}, {}):
        answer = api.post(
            f"/f/{form['slug']}", json={"email": email, **({"_ts": stamp} if "website" in values else {}), **values}
        )
        assert answer.status_code == 200 and answer.json()["ok"] is True
    assert contact_by_email(api, email) is None
    assert api.get(f"/api/forms/{form['id']}/stats").json()["spam_blocked"] == 4


def test_a_form_from_another_site_is_refused_unless_allowed(api: Api) -> None:
    form = publish_form(api, allowed_domains=["shop.example.com"])
    _, stamp = page(api, form)
    email = unique_email("site")
    refused = api.post(
        f"/f/{form['slug']}", json={"email": email, "_ts": stamp}, headers={"Origin": "https://evil.example"}
    )
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    allowed = api.post(
        f"/f/{form['slug']}", json={"email": email, "_ts": stamp}, headers={"Origin": "https://shop.example.com"}
    )
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://shop.example.com"
    script = api.get(f"/f/{form['slug']}/embed.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "form-submit" in script.text and "</form" not in script.text  # escaped for a script


def test_a_journey_starts_on_a_submission_of_this_form(api: Api) -> None:
    form = publish_form(api)
    other = publish_form(api)
    made = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": "form_submitted", "form_id": form["id"]}), ("out", "flow.exit", {})
        ),
    )
    published(api, made["id"])
    wrong = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": "email_opened", "form_id": form["id"]}), ("out", "flow.exit", {})
        ),
    )
    refused = api.post(f"/api/journeys/{wrong['id']}/publish")
    assert refused.status_code == 422 and refused.json()["error"]["problems"][0]["field"] == "form_id"
    _, stamp = page(api, form)
    _, other_stamp = page(api, other)
    here, there = unique_email("here"), unique_email("there")
    assert api.post(f"/f/{other['slug']}", json={"email": there, "news": True, "_ts": other_stamp}).status_code == 200
    assert api.post(f"/f/{form['slug']}", json={"email": here, "news": True, "_ts": stamp}).status_code == 200
    contact = contact_by_email(api, here)
    assert contact is not None
    started = api.eventually(lambda: [r for r in runs(api, made["id"]) if r["contact_id"] == contact["id"]])
    assert len(started) == 1
    assert [r for r in runs(api, made["id"]) if r["contact_id"] == contact_by_email(api, there)["id"]] == []  # type: ignore[index]


def test_double_opt_in_holds_everything_back_until_the_link_is_clicked(api: Api) -> None:
    form = publish_form(api, double_opt_in=True)
    _, stamp = page(api, form)
    email = unique_email("doi")
    answer = api.post(f"/f/{form['slug']}", json={"email": email, "news": True, "_ts": stamp})
    assert answer.status_code == 200 and answer.json()["next"] == "confirm", answer.text
    assert contact_by_email(api, email) is None
    assert api.get(f"/api/forms/{form['id']}/stats").json()["pending_confirmations"] == 1
    sent = api.get("/api/outbox", params={"to": email}).json()["items"]
    assert len(sent) == 1
    link = api.eventually(
        lambda: re.search(r"/f/confirm/[A-Za-z0-9_.\-]+", str(api.get(f"/api/outbox/{sent[0]['id']}").json()))
    )
    forged = api.get(link.group(0)[:-3] + "xyz")
    assert forged.status_code == 400 and contact_by_email(api, email) is None
    confirmed = api.get(link.group(0))
    assert confirmed.status_code == 200 and "confirmed" in confirmed.text
    contact = contact_by_email(api, email)
    assert contact is not None and contact["email_opt_in"] is True and contact["lead_origin"] == "inbound"
    assert len(interactions(api, contact["id"], "form_confirmed")) == 1
    assert len(interactions(api, contact["id"], "form_submitted")) == 1
    assert "already" in api.get(link.group(0)).text
    assert len(interactions(api, contact["id"], "form_submitted")) == 1
    stats = api.get(f"/api/forms/{form['id']}/stats").json()
    assert stats["pending_confirmations"] == 0 and stats["confirmed"] == 1 and stats["submissions"] == 1


def test_a_post_without_proof_of_work_is_held_until_a_marketer_accepts_it(api: Api) -> None:
    form = publish_form(api, no_script="review")
    _, stamp = page(api, form)
    email = unique_email("held")
    assert api.post(f"/f/{form['slug']}", json={"email": email, "_ts": stamp}).json()["ok"] is True
    assert contact_by_email(api, email) is None
    held = api.get(f"/api/forms/{form['id']}/submissions", params={"status": "held"}).json()
    assert held["total"] == 1 and held["items"][0]["values"]["email"] == email
    accepted = api.post(f"/api/forms/{form['id']}/submissions/{held['items'][0]['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
    assert contact_by_email(api, email) is not None
    again = api.post(f"/api/forms/{form['id']}/submissions/{held['items'][0]['id']}/accept")
    assert again.status_code == 409


def test_a_personal_link_prefills_only_its_contact(api: Api, make_contact: Any) -> None:
    form = publish_form(api)
    person = make_contact(first_name="Grace")
    link = api.get(f"/api/forms/{form['id']}/prefill-link", params={"contact_id": person["id"]})
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    path = url[url.index("/f/") :]
    shown = api.get(path).text
    assert 'value="Grace"' in shown and f'value="{person["email"]}"' in shown
    tampered = api.get(path[:-4] + "abcd").text
    assert 'value="Grace"' not in tampered and person["email"] not in tampered

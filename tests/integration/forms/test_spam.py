"""Robots create nothing: a filled honeypot, a post sooner than the form allows, a missing proof of
work (as the form's policy says), a forged or replayed proof, and a flood per address or per form
(429 with Retry-After). Each is counted as spam in the form's statistics, apart from real posts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from altcha import Challenge, Payload, solve_challenge

from parcours.clock import utcnow
from parcours.guard import antispam
from tests.conftest import Api, signed_in
from tests.factories import unique_email, unique_type

PER_IP = 3
PER_FORM = 10
PAGES_PER_IP = 6
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def api(app_settings: Any) -> Iterator[Api]:
    """Behind one trusted proxy (the tests speak for many visitors through X-Forwarded-For), with
    small limits."""
    settings = msgspec.structs.replace(
        app_settings,
        trusted_proxies=1,
        public_posts_per_ip_minute=PER_IP,
        public_posts_per_form_minute=PER_FORM,
        public_requests_per_ip_minute=PAGES_PER_IP,
    )
    with signed_in(settings) as api:
        yield api


def publish_form(api: Api, no_script: str = "accept") -> dict[str, Any]:
    body = {
        "name": "Demo request",
        "slug": unique_type("spam").replace("_", "-"),
        "fields": [{"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"}],
        "settings": {"no_script": no_script, "minimum_seconds": 3},
    }
    form = api.post("/api/forms", json=body)
    assert form.status_code == 201, form.text
    done = api.post(f"/api/forms/{form.json()['id']}/publish")
    assert done.status_code == 200, done.text
    return dict(done.json())


def human_fields(api: Api, **extra: Any) -> dict[str, Any]:
    """What a person's browser posts: the stamp of a page shown 10 seconds ago, an empty honeypot."""
    secret = api.app.state.runtime.secret_key
    shown = antispam.stamp(secret, utcnow() - timedelta(seconds=10))
    return {"email": unique_email("visitor"), antispam.STAMP_FIELD: shown, antispam.HONEYPOT: "", **extra}


def proof(api: Api) -> str:
    """What the widget does: fetch a challenge from our server, solve it, post it in base64."""
    challenge = Challenge.from_dict(api.get("/guard/challenge", headers=visitor()).json())
    solution = solve_challenge(challenge)
    assert solution is not None
    return Payload(challenge, solution).to_base64()


def visitor() -> dict[str, str]:
    return {"X-Forwarded-For": next(_addresses)}


def post(api: Api, form: dict[str, Any], fields: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return api.post(f"/f/{form['slug']}", data=fields, headers={"Accept": "application/json", **(headers or visitor())})


def exists(api: Api, email: str) -> bool:
    items = api.get("/api/contacts", params={"q": email}).json()["items"]
    return any(c["email"] == email for c in items)


def stats(api: Api, form: dict[str, Any]) -> dict[str, Any]:
    return dict(api.get(f"/api/forms/{form['id']}/stats").json())


def test_a_person_with_a_proof_gets_in_and_robots_do_not(api: Api) -> None:
    form = publish_form(api, no_script="refuse")
    person = human_fields(api, altcha=proof(api))
    assert post(api, form, person).json()["ok"] is True
    robots = [
        human_fields(api, altcha=proof(api), website="https://cheap-pills.example"),  # honeypot, even with a proof
        {**human_fields(api), antispam.STAMP_FIELD: antispam.stamp(api.app.state.runtime.secret_key, utcnow())},
        {**human_fields(api), antispam.STAMP_FIELD: "1700000000.forged"},
        {k: v for k, v in human_fields(api).items() if k != antispam.STAMP_FIELD},  # no stamp
        human_fields(api),  # no proof: this form refuses such posts
        human_fields(api, altcha="eyJjaGFsbGVuZ2UiOnt9fQ=="),  # a forged proof
        {**human_fields(api), "altcha": person["altcha"]},  # a proof already used
    ]
    for robot in robots:
        answer = post(api, form, robot)
        assert answer.status_code == 200 and answer.json()["ok"] is True  # robots learn nothing
        assert not exists(api, robot["email"])
    # The same rules for a script posting JSON straight to the endpoint: no proof, no contact.
    script = human_fields(api)
    assert api.post(f"/f/{form['slug']}", json=script, headers=visitor()).json()["ok"] is True
    assert not exists(api, script["email"]) and exists(api, person["email"])
    figures = stats(api, form)
    assert figures["submissions"] == 1 and figures["spam_blocked"] == len(robots) + 1 and figures["held"] == 0


def test_posts_without_proof_follow_the_forms_policy(api: Api) -> None:
    accepting, reviewing, refusing = (
        publish_form(api, "accept"),
        publish_form(api, "review"),
        publish_form(api, "refuse"),
    )
    outcomes = {}
    for form in (accepting, reviewing, refusing):
        fields = human_fields(api)
        assert post(api, form, fields).json()["ok"] is True
        outcomes[form["id"]] = (exists(api, fields["email"]), stats(api, form))
    created, figures = outcomes[accepting["id"]]
    assert created and figures["submissions"] == 1 and figures["spam_blocked"] == 0
    created, figures = outcomes[reviewing["id"]]
    assert not created and figures["held"] == 1 and figures["submissions"] == figures["spam_blocked"] == 0
    created, figures = outcomes[refusing["id"]]
    assert not created and figures["spam_blocked"] == 1 and figures["submissions"] == 0
    # A forged proof is spam even where posts without proof are accepted.
    forged = human_fields(api, altcha="bm90IGEgcHJvb2Y=")
    post(api, accepting, forged)
    assert not exists(api, forged["email"]) and stats(api, accepting)["spam_blocked"] == 1


def test_a_flood_from_one_address_is_refused_across_forms(api: Api) -> None:
    first, second = publish_form(api), publish_form(api)
    address = visitor()
    answers = [post(api, form, human_fields(api), address) for form in (first, second, first, second, first)]
    assert [a.status_code for a in answers] == [200] * PER_IP + [429] * (5 - PER_IP)
    refused = answers[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= 60 and refused.json()["error"]["message"]
    assert stats(api, first)["submissions"] + stats(api, second)["submissions"] == PER_IP
    assert stats(api, first)["spam_blocked"] + stats(api, second)["spam_blocked"] == 5 - PER_IP
    other = post(api, second, human_fields(api))  # another visitor is not held back
    assert other.status_code == 200


def test_a_flood_on_one_form_is_refused_from_every_address(api: Api) -> None:
    form = publish_form(api)
    posts = [human_fields(api) for _ in range(PER_FORM + 2)]
    answers = [post(api, form, fields) for fields in posts]  # each from another address
    assert [a.status_code for a in answers] == [200] * PER_FORM + [429, 429]
    assert all(not exists(api, fields["email"]) for fields in posts[PER_FORM:])
    browser = api.post(f"/f/{form['slug']}", data=human_fields(api), headers=visitor())
    assert (
        browser.status_code == 429 and browser.headers["retry-after"] and "text/html" in browser.headers["content-type"]
    )
    figures = stats(api, form)
    assert figures["submissions"] == PER_FORM and figures["spam_blocked"] == 3


def test_a_flood_of_page_views_from_one_address_is_refused_before_it_is_counted(api: Api) -> None:
    form = publish_form(api)
    address = visitor()
    answers = [api.get(f"/f/{form['slug']}", headers=address) for _ in range(PAGES_PER_IP + 2)]
    assert [a.status_code for a in answers] == [200] * PAGES_PER_IP + [429, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert api.get(f"/f/{form['slug']}/embed.js", headers=address).status_code == 429
    assert api.get(f"/f/{form['slug']}", headers=visitor()).status_code == 200  # someone else
    assert stats(api, form)["views"] == PAGES_PER_IP + 1


def snippet_fields(api: Api, form: dict[str, Any]) -> dict[str, str]:
    """The hidden fields of the form's plain HTML snippet, as pasted into another site."""
    answer = api.get(f"/api/forms/{form['id']}/snippet", params={"language": "en"})
    assert answer.status_code == 200, answer.text
    html = answer.json()["html"]
    assert f'action="{api.app.state.runtime.settings.base_url}/f/{form["slug"]}"' in html
    assert "altcha-widget" not in html and "<script" not in html  # plain HTML, nothing to run
    return dict(re.findall(r'<input type="hidden" name="(_ts)" value="([^"]+)"', html))


def test_the_plain_html_snippet_posts_at_once_and_meets_the_forms_policy(api: Api) -> None:
    draft = api.post(
        "/api/forms",
        json={"name": "Draft", "slug": unique_type("draft").replace("_", "-"), "fields": []},
    ).json()
    assert api.get(f"/api/forms/{draft['id']}/snippet").status_code == 409  # nothing published yet
    assert api.get(f"/api/forms/{draft['id']}/snippet", params={"language": "de"}).status_code == 400

    accepting, refusing = publish_form(api, "accept"), publish_form(api, "refuse")
    pasted = snippet_fields(api, accepting)
    assert pasted[antispam.STAMP_FIELD].startswith("snippet.")
    person = {"email": unique_email("pasted"), antispam.HONEYPOT: "", **pasted}
    assert post(api, accepting, person).json()["ok"] is True  # no minimum time: it cannot be proven
    assert exists(api, person["email"])

    # Another form's snippet stamp, or a filled honeypot, or a form refusing posts without proof.
    robots = [
        (refusing, {"email": unique_email("refused"), antispam.HONEYPOT: "", **snippet_fields(api, refusing)}),
        (accepting, {"email": unique_email("borrowed"), antispam.HONEYPOT: "", **snippet_fields(api, refusing)}),
        (accepting, {"email": unique_email("filled"), antispam.HONEYPOT: "https://spam.example", **pasted}),
    ]
    for form, fields in robots:
        assert post(api, form, fields).json()["ok"] is True  # answered as if accepted
        assert not exists(api, fields["email"])
    assert stats(api, accepting)["spam_blocked"] == 2 and stats(api, refusing)["spam_blocked"] == 1

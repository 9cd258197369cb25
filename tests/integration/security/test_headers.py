"""Every answer says what the browser may do with it: a Content-Security-Policy per kind of page,
nosniff, a referrer policy, HSTS only behind HTTPS (PARCOURS_SECURE_COOKIES)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
from litestar.testing import TestClient

from parcours.app import create_app
from tests.factories import event, unique_type


def directives(response: Any) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else "" for part in policy.split("; ")}


def _form(api: Any, **settings: Any) -> dict[str, Any]:
    body = {
        "name": "Newsletter",
        "slug": unique_type("nl").replace("_", "-"),
        "fields": [{"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"}],
        "settings": {"no_script": "accept", "minimum_seconds": 0, **settings},
    }
    form = api.post("/api/forms", json=body)
    assert form.status_code == 201, form.text
    assert api.post(f"/api/forms/{form.json()['id']}/publish").status_code == 200
    return dict(form.json())


def _no_inline_script(policy: dict[str, str]) -> None:
    assert policy["script-src"] == "'self'", policy
    assert "unsafe-eval" not in str(policy) and policy["object-src"] == "'none'"


def test_the_spa_allows_its_own_scripts_and_inline_styles_only(api: Any) -> None:
    for path in ["/", "/contacts/12", "/emails/3/design"]:
        page = api.get(path)
        policy = directives(page)
        _no_inline_script(policy)
        assert policy["default-src"] == "'self'" and policy["style-src"] == "'self' 'unsafe-inline'"
        assert policy["frame-ancestors"] == "'none'" and policy["connect-src"] == "'self'"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in page.headers


def test_the_api_and_files_may_run_nothing(api: Any) -> None:
    for response in [api.get("/api/contacts"), api.get("/api/nothing"), api.get("/health"), api.get("/t.js")]:
        policy = directives(response)
        assert policy["default-src"] == "'none'" and "sandbox" in policy, response.url
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_form_page_may_be_framed_by_its_allowed_sites_only(api: Any) -> None:
    alone = _form(api)
    policy = directives(api.get(f"/f/{alone['slug']}"))
    _no_inline_script(policy)
    assert policy["frame-ancestors"] == "'self'" and policy["form-action"] == "'self'"
    assert policy["worker-src"] == "'self' blob:"  # the proof-of-work widget's worker

    embedded = _form(
        api, allowed_domains=["www.example.com", "*.shop.example"], redirect_url="https://www.example.com/merci"
    )
    page = api.get(f"/f/{embedded['slug']}")
    assert page.status_code == 200
    policy = directives(page)
    assert policy["frame-ancestors"] == "'self' www.example.com *.shop.example"
    # The post's redirect to the site is a form action for the browser: allowed, nothing else.
    assert policy["form-action"] == "'self' https://www.example.com"
    stamp = re.search(r'name="_ts" value="([^"]+)"', page.text)
    assert stamp
    invalid = api.client.post(
        f"/f/{embedded['slug']}",
        data={"email": "", "_ts": stamp.group(1)},
        headers={"Cookie": ""},
        follow_redirects=False,
    )
    assert invalid.status_code == 422, invalid.text
    assert directives(invalid)["frame-ancestors"] == "'self' www.example.com *.shop.example"


def test_public_pages_have_the_public_policy(api: Any) -> None:
    shown = event(api, slug=unique_type("ev").replace("_", "-"))
    for path in [f"/e/{shown['slug']}", "/u/forged-token", "/preferences/forged-token", "/f/no-such-form"]:
        response = api.get(path, headers={"Cookie": ""})
        assert response.headers["content-type"].startswith("text/html"), path
        policy = directives(response)
        _no_inline_script(policy)
        assert policy["frame-ancestors"] == "'self'" and policy["base-uri"] == "'none'", path
    # A link carrying a token does not hand it to the next site.
    assert api.get("/u/forged-token").headers["referrer-policy"] == "no-referrer"
    assert api.get(f"/e/{shown['slug']}").headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_a_landing_page_keeps_its_own_policy(api: Any) -> None:
    slug = unique_type("page").replace("_", "-").lower()
    page = api.post("/api/pages", json={"name": "Offer", "slug": slug, "language": "en"}).json()
    assert api.post(f"/api/pages/{page['id']}/publish").status_code == 200
    response = api.get(f"/p/{slug}", headers={"Cookie": ""})
    assert response.status_code == 200
    policy = directives(response)
    _no_inline_script(policy)
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["content-security-policy"].count("default-src") == 1


def test_hsts_only_when_cookies_are_secure(app_settings: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    settings = msgspec.structs.replace(
        app_settings, secure_cookies=True, in_process_worker=False, frontend_dir=str(tmp_path)
    )
    with TestClient(create_app(settings, migrate=True)) as client:
        for path in ["/", "/api/auth/me", "/f/none"]:
            hsts = client.get(path).headers["strict-transport-security"]
            assert hsts == "max-age=31536000; includeSubDomains"

"""Invalid UTF-8 and NUL bytes sent to the public endpoints: refused with a 4xx naming what is
wrong, or kept as text; never a 500, never a half-written row."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import event, unique_email, unique_type

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.fixture(scope="module")
def targets(api: Any) -> dict[str, str]:
    body = {
        "name": "Hostile",
        "slug": unique_type("hostile").replace("_", "-"),
        "fields": [
            {"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"},
            {"name": "first_name", "type": "text", "label": "First name", "maps_to": "first_name"},
        ],
        "settings": {"no_script": "accept", "minimum_seconds": 0},
    }
    form = api.post("/api/forms", json=body).json()
    assert api.post(f"/api/forms/{form['id']}/publish").status_code == 200
    shown = api.get(f"/f/{form['slug']}").text
    stamp = re.search(r'name="_ts" value="([^"]+)"', shown)
    assert stamp
    happening = event(api, slug=unique_type("hostile-ev").replace("_", "-"), capacity=100)
    return {"form": form["slug"], "stamp": stamp.group(1), "event": happening["slug"]}


def _post(api: Any, path: str, body: bytes, content_type: str) -> Any:
    return api.client.post(
        path, content=body, headers={"Content-Type": content_type, "Cookie": ""}, follow_redirects=False
    )


def _contact(api: Any, email: str) -> dict[str, Any] | None:
    items = api.get("/api/contacts", params={"q": email}).json()["items"]
    return next((c for c in items if c["email"] == email), None)


@pytest.mark.parametrize(
    ("value", "kept"),
    [(b"Ad%FF%FEa", "Ad\ufffd\ufffda"), (b"Ad%C3%28a", None), (b"Ad%00a", None), (b"%F0%9F%98%80", "\U0001f600")],
)
def test_a_form_post_with_bad_bytes_is_refused_or_kept_as_text(
    api: Any, targets: dict[str, str], value: bytes, kept: str | None
) -> None:
    email = unique_email("bytes")
    body = b"email=" + email.encode() + b"&first_name=" + value + b"&_ts=" + targets["stamp"].encode()
    response = _post(api, f"/f/{targets['form']}", body, FORM)
    assert response.status_code < 500, response.text
    contact = _contact(api, email)
    if response.status_code >= 400:
        assert contact is None  # nothing half-written
        return
    assert contact is not None
    assert "\x00" not in (contact["first_name"] or "")
    if kept is not None:
        assert contact["first_name"] == kept


@pytest.mark.parametrize(
    "body",
    [b'{"email": "x\xff@example.org"}', b'{"email": "a@example.org", "first_name": "x\\u0000y"}', b"\xff\xfe{", b""],
)
def test_json_posts_with_bad_bytes_answer_4xx(api: Any, targets: dict[str, str], body: bytes) -> None:
    for path in [f"/f/{targets['form']}", f"/e/{targets['event']}/registrations", "/t/collect"]:
        response = _post(api, path, body, JSON)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        if response.headers["content-type"].startswith("application/json"):
            assert response.json()["error"]["message"], path


def test_the_event_page_post_keeps_bad_bytes_as_text_or_refuses_them(api: Any, targets: dict[str, str]) -> None:
    email = unique_email("event-bytes")
    for value in [b"Z%FF", b"Z%00"]:
        body = b"email=" + email.encode() + b"&first_name=" + value
        response = _post(api, f"/e/{targets['event']}", body, FORM)
        assert response.status_code < 500, response.text
        assert "\x00" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/f/%FF%FE",
        "/f/a%00b",
        "/e/%C3%28",
        "/e/x%00/details",
        "/p/%FF",
        "/u/%FF%00",
        "/preferences/%00",
        "/t/c/%FF",
        "/t/o/%00.gif",
        "/f/confirm/%FF",
    ],
)
def test_bad_bytes_in_public_addresses_are_4xx(api: Any, path: str) -> None:
    response = api.client.get(path, headers={"Cookie": ""}, follow_redirects=False)
    assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:300])


def test_bad_bytes_in_public_queries_are_4xx_or_ignored(api: Any, targets: dict[str, str]) -> None:
    for path in [
        f"/f/{targets['form']}?lang=%FF",
        f"/f/{targets['form']}?p=%00",
        f"/f/{targets['form']}?utm_source=%FF%FE",
        "/t/profile?anonymous_id=%FF",
    ]:
        response = api.client.get(path, headers={"Cookie": ""})
        assert response.status_code < 500, (path, response.text[:300])
    for path in ["/u/%FF", "/preferences/%FF"]:
        response = _post(api, path, b"topics=%FF%00&everything=%FF", FORM)
        assert 400 <= response.status_code < 500, (path, response.status_code)

"""Text holding the NUL character (U+0000), which PostgreSQL cannot store, is refused naming where
it is, on both databases alike, and nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/jobs?kind=%00", None, "kind"),
        ("get", "/api/contacts?q=a%00b", None, "q"),
        ("delete", "/api/topics/a%00", None, "key"),
        ("get", "/e/%00/details", None, "slug"),
        ("post", "/api/accounts", {"name": "Acme\u0000"}, "name"),
        ("post", "/api/contacts", {"email": "nul@example.org", "first_name": "A\u0000"}, "first_name"),
        (
            "post",
            "/api/interactions",
            {"type": "page_viewed", "email": "nul@example.org", "properties": {"tags": ["a", "b\u0000"]}},
            "properties.tags.1",
        ),
        ("post", "/api/auth/login", {"email": "admin\u0000@example.com", "password": "x"}, "email"),
    ],
)
def test_nul_is_refused_naming_its_field(api: Any, method: str, url: str, body: Any, field: str) -> None:
    response = getattr(api, method)(url, **({} if body is None else {"json": body}))
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field
    assert "NUL" in error["message"]


def test_nothing_is_saved_and_clean_text_still_passes(api: Any) -> None:
    assert api.post("/api/accounts", json={"name": "Nul\u0000 Corp"}).status_code == 400
    assert not [a for a in api.get("/api/accounts?q=Nul").json()["items"] if a["name"].startswith("Nul")]
    # A backslash followed by u0000 is text, not the character.
    saved = api.post("/api/accounts", json={"name": "Nul \\u0000 Corp"})
    assert saved.status_code == 201, saved.text
    assert saved.json()["name"] == "Nul \\u0000 Corp"


def test_an_import_refuses_nul_in_its_form_fields_and_file_name(api: Any) -> None:
    csv = ("a.csv", b"email,first_name\nnul.import@example.org,Ann\n")
    options = api.post("/api/contacts/import", files={"file": csv}, data={"options": '{"source": "x\\u0000"}'})
    assert options.status_code == 400, options.text
    assert options.json()["error"]["field"] == "options.source"
    mapping = api.post("/api/contacts/import", files={"file": csv}, data={"mapping": '{"em\\u0000ail": "email"}'})
    assert mapping.status_code == 400, mapping.text
    assert mapping.json()["error"]["field"] == "mapping.em\\u0000ail"
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="a\x00.csv"\r\n\r\n' + csv[1] + b"\r\n--B--\r\n"
    )
    for path in ("/api/contacts/import", "/api/contacts/import/preview"):
        named = api.post(path, content=body, headers={"content-type": "multipart/form-data; boundary=B"})
        assert named.status_code == 400, named.text
        assert named.json()["error"]["field"] == "file"
    assert api.get("/api/contacts?q=nul.import").json()["total"] == 0

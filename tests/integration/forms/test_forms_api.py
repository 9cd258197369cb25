"""/api/forms through the real app: a marketer builds, changes and publishes a form; a bad
definition answers 422 naming the field's path and writes nothing; a viewer only reads."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.factories import unique_type


def form_body(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Newsletter",
        "fields": [
            {
                "name": "email",
                "type": "email",
                "label": "Email",
                "labels": {"fr": "Courriel"},
                "required": True,
                "maps_to": "email",
            },
            {"name": "first_name", "type": "text", "label": "First name", "maps_to": "first_name"},
            {
                "name": "news",
                "type": "consent",
                "label": "I agree to receive the newsletter.",
                "labels": {"fr": "J'accepte de recevoir la lettre d'information."},
                "maps_to": "consent:email",
            },
            {"name": "campaign", "type": "hidden", "source": "utm_campaign"},
        ],
        "settings": {"allowed_domains": ["example.com"], "thank_you": "Thanks!"},
        **fields,
    }


def test_a_form_is_created_changed_published_and_listed(api: Api) -> None:
    slug = unique_type("news").replace("_", "-")
    created = api.post("/api/forms", json=form_body(slug=slug))
    assert created.status_code == 201, created.text
    form = created.json()
    assert form["status"] == "draft" and form["version"] is None and form["url"].endswith(f"/f/{slug}")
    assert form["fields"][0]["labels"] == {"fr": "Courriel"}
    assert form["settings"]["no_script"] == "review" and form["settings"]["double_opt_in"] is False

    published = api.post(f"/api/forms/{form['id']}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["version"] == 1 and published.json()["changed_since_publish"] is False

    changed = api.patch(f"/api/forms/{form['id']}", json={"name": "Newsletter (autumn)"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["changed_since_publish"] is True and changed.json()["version"] == 1
    assert api.post(f"/api/forms/{form['id']}/publish").json()["version"] == 2

    listed = api.get("/api/forms", params={"q": "autumn"}).json()
    assert [f["id"] for f in listed["items"]] == [form["id"]] and listed["total"] == 1
    stats = api.get(f"/api/forms/{form['id']}/stats").json()
    assert stats["views"] == 0 and stats["submissions"] == 0 and stats["days"] == []


def _refused(api: Api, body: dict[str, Any], field: str) -> None:
    before = api.get("/api/forms").json()["total"]
    response = api.post("/api/forms", json=body)
    assert response.status_code in (400, 422), response.text
    assert response.json()["error"]["field"] == field, response.text
    assert api.get("/api/forms").json()["total"] == before


def test_a_bad_definition_names_the_field_path_and_writes_nothing(api: Api) -> None:
    def with_field(index: int, **changes: Any) -> dict[str, Any]:
        body = form_body()
        body["fields"][index] = {**body["fields"][index], **changes}
        return body

    _refused(api, with_field(1, maps_to="favourite_colour"), "fields[1].maps_to")
    _refused(api, with_field(1, maps_to="custom_nope"), "fields[1].maps_to")
    _refused(api, with_field(2, maps_to="topic:nope"), "fields[2].maps_to")
    _refused(api, with_field(1, maps_to="consent:sms"), "fields[1].maps_to")
    _refused(api, with_field(1, name="email"), "fields[1].name")
    _refused(api, with_field(1, pattern="(a+)+$"), "fields[1].pattern")
    _refused(api, with_field(1, pattern="([a-z"), "fields[1].pattern")
    _refused(api, with_field(1, pattern="(a)\\1"), "fields[1].pattern")
    _refused(api, with_field(2, label=""), "fields[2].label")
    _refused(api, with_field(3, source=None), "fields[3].source")
    _refused(api, with_field(1, type="select"), "fields[1].options")
    _refused(api, with_field(1, type="colour"), "fields[1].type")
    _refused(api, form_body(settings={"allowed_domains": ["not a domain"]}), "settings.allowed_domains[0]")
    _refused(api, form_body(settings={"no_script": "maybe"}), "settings.no_script")


def test_publishing_needs_a_required_email_field_and_a_free_slug(api: Api) -> None:
    body = form_body()
    body["fields"] = body["fields"][1:]
    draft = api.post("/api/forms", json=body).json()
    refused = api.post(f"/api/forms/{draft['id']}/publish")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "fields"
    assert api.get(f"/api/forms/{draft['id']}").json()["version"] is None
    taken = api.post("/api/forms", json=form_body(slug=draft["slug"]))
    assert taken.status_code == 409 and taken.json()["error"]["field"] == "slug"
    patched = api.patch(
        f"/api/forms/{draft['id']}", json={"fields": [{"name": "x", "type": "text", "maps_to": "nope"}]}
    )
    assert patched.status_code == 422 and patched.json()["error"]["field"] == "fields[0].maps_to"
    assert api.delete(f"/api/forms/{draft['id']}").status_code == 204
    assert api.get(f"/api/forms/{draft['id']}").status_code == 404


def test_a_viewer_reads_forms_but_cannot_change_them(api: Api) -> None:
    form = api.post("/api/forms", json=form_body()).json()
    viewer = api.as_key(api.new_key("viewer"))
    assert api.get(f"/api/forms/{form['id']}", headers=viewer).status_code == 200
    assert api.patch(f"/api/forms/{form['id']}", json={"name": "x"}, headers=viewer).status_code == 403
    assert api.post(f"/api/forms/{form['id']}/publish", headers=viewer).status_code == 403
    assert api.post("/api/forms", json=form_body(), headers=viewer).status_code == 403

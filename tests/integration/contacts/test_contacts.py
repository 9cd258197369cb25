import csv
import io
from typing import Any

import pytest

from tests.factories import unique_email


def test_create_normalizes_and_read_back(api: Any) -> None:
    email = unique_email("Jean.Dupont").upper()
    created = api.post(
        "/api/contacts",
        json={
            "email": f"  {email} ",
            "first_name": "jean-PIERRE",
            "last_name": "de la fontaine",
            "phone": "06 12 34 56 78",
            "country": "France",
            "language": "Français",
            "company": "Acme SA",
            "consent_level": "marketing",
            "email_opt_in": True,
            "birth_date": "1985-06-15",
        },
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["email"] == email.strip().lower()
    assert (contact["first_name"], contact["last_name"]) == ("Jean-Pierre", "De la Fontaine")
    assert (contact["phone"], contact["country"], contact["language"]) == ("+33612345678", "FR", "fr")
    assert contact["account_name"] == "Acme SA" and contact["account_id"]
    assert api.get(f"/api/contacts/{contact['id']}").json() == contact
    history = api.get(f"/api/contacts/{contact['id']}/consent-history").json()
    assert {(h["field"], h["old_value"], h["new_value"], h["how"]) for h in history} == {
        ("consent_level", None, "marketing", "back_office"),
        ("email_opt_in", None, "true", "back_office"),
    }


def test_duplicate_email_is_409_and_changes_nothing(api: Any, make_contact: Any) -> None:
    first = make_contact()
    total = api.get("/api/contacts").json()["total"]
    response = api.post("/api/contacts", json={"email": first["email"].upper()})
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "email"
    assert api.get("/api/contacts").json()["total"] == total


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@example.org", "first_name": 42}, "first_name"),
        ({"email": "a@example.org", "lifecycle_stage": "prospect-ish"}, "lifecycle_stage"),
        ({"email": "a@example.org", "country": "Atlantis"}, "country"),
        ({"email": "a@example.org", "phone": "12"}, "phone"),
        ({"email": "a@example.org", "phone": "06 12 34 56 78"}, "phone"),
        ({"email": "a@example.org", "birth_date": "31/31/2000"}, "birth_date"),
        ({"email": "a@example.org", "shoe_size": 44}, "shoe_size"),
        ({"email": "a@example.org", "custom": {"unknown_field": 1}}, "custom.unknown_field"),
        ({"email": "a@example.org", "account_id": 999999}, "account_id"),
        ({"email": "a@example.org", "first_name": "x" * 101}, "first_name"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(api: Any, body: dict[str, Any], field: str) -> None:
    response = api.post("/api/contacts", json=body)
    assert 400 <= response.status_code < 500, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["message"]
    assert api.get("/api/contacts", params={"q": "a@example.org"}).json()["total"] == 0


def test_malformed_json_is_400(api: Any) -> None:
    response = api.post("/api/contacts", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "error" in response.json()


def test_patch_changes_only_what_is_sent_and_records_consent(api: Any, make_contact: Any) -> None:
    contact = make_contact(city="Lyon", email_opt_in=False)
    patched = api.patch(
        f"/api/contacts/{contact['id']}", json={"email_opt_in": True, "unsubscribed": True, "lifecycle_stage": "lead"}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["city"], body["email_opt_in"], body["unsubscribed"], body["lifecycle_stage"]) == (
        "Lyon",
        True,
        True,
        "lead",
    )
    history = api.get(f"/api/contacts/{contact['id']}/consent-history").json()
    assert sorted((h["field"], h["old_value"], h["new_value"]) for h in history) == [
        ("email_opt_in", "false", "true"),
        ("unsubscribed", "false", "true"),
    ]
    assert api.patch(f"/api/contacts/{contact['id']}", json={"opens_30d": 3}).status_code == 400
    assert api.patch("/api/contacts/999999", json={"city": "Paris"}).status_code == 404


def test_patch_to_an_email_already_taken_is_409(api: Any, make_contact: Any) -> None:
    a, b = make_contact(), make_contact()
    response = api.patch(f"/api/contacts/{b['id']}", json={"email": a["email"]})
    assert response.status_code == 409
    assert api.get(f"/api/contacts/{b['id']}").json()["email"] == b["email"]


def test_list_searches_filters_sorts_and_pages(api: Any, make_contact: Any) -> None:
    tag = unique_email("zz").split("@")[0].replace(".", "")
    made = [
        make_contact(email=f"{tag}{i}@example.net", last_name=name, country=country, lifecycle_stage=stage)
        for i, (name, country, stage) in enumerate(
            [("Zola", "FR", "lead"), ("Agnès", "DE", "lead"), ("Martin", "FR", "customer"), ("Bernard", "FR", "lead")]
        )
    ]
    everything = api.get("/api/contacts", params={"q": tag}).json()
    assert everything["total"] == 4 and [c["id"] for c in everything["items"]] == [c["id"] for c in reversed(made)]
    leads_in_france = api.get("/api/contacts", params={"q": tag, "country": "fr", "lifecycle_stage": "lead"}).json()
    assert sorted(c["last_name"] for c in leads_in_france["items"]) == ["Bernard", "Zola"]
    by_name = api.get("/api/contacts", params={"q": tag, "sort": "last_name", "limit": 3}).json()
    assert [c["last_name"] for c in by_name["items"]] == ["Agnès", "Bernard", "Martin"]
    rest = api.get(
        "/api/contacts", params={"q": tag, "sort": "last_name", "limit": 3, "cursor": by_name["next_cursor"]}
    ).json()
    assert [c["last_name"] for c in rest["items"]] == ["Zola"] and rest["next_cursor"] is None
    assert api.get("/api/contacts", params={"q": "Martin " + tag[:0]}).json()["total"] >= 1


def test_search_ignores_case_and_accents(api: Any, make_contact: Any) -> None:
    contact = make_contact(first_name="Hélène", last_name="LEFÈVRE-Dupré")
    for term in ["helene", "lefevre dupre", "Lefèvre", contact["email"].split("@")[0]]:
        found = api.get("/api/contacts", params={"q": term}).json()["items"]
        assert contact["id"] in [c["id"] for c in found], term
    api.patch(f"/api/contacts/{contact['id']}", json={"last_name": "Zéphyr"})
    assert [c["id"] for c in api.get("/api/contacts", params={"q": "zephyr"}).json()["items"]] == [contact["id"]]
    assert api.get("/api/contacts", params={"cursor": "garbage!"}).status_code == 400
    assert api.get("/api/contacts", params={"sort": "shoe_size"}).status_code == 400
    assert api.get("/api/contacts", params={"limit": 0}).status_code == 400


def test_export_csv_of_the_current_view(api: Any, make_contact: Any) -> None:
    tag = unique_email("exp").split("@")[0].replace(".", "")
    make_contact(email=f"{tag}1@example.net", first_name="Élodie", country="FR")
    make_contact(email=f"{tag}2@example.net", first_name="Zoë", country="DE")
    response = api.get("/api/contacts/export.csv", params={"q": tag, "country": "FR"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [(r["email"], r["first_name"]) for r in rows] == [(f"{tag}1@example.net", "Élodie")]


def test_custom_fields_are_typed_and_admin_managed(api: Any, make_contact: Any) -> None:
    created = api.post(
        "/api/custom-fields",
        json={"name": "loyalty_tier", "label": "Loyalty tier", "type": "choice", "choices": ["Gold", "Silver"]},
    )
    assert created.status_code == 201, created.text
    api.post("/api/custom-fields", json={"name": "visits", "label": "Store visits", "type": "number"})
    assert api.post("/api/custom-fields", json={"name": "email", "label": "E", "type": "text"}).status_code == 400
    assert api.post("/api/custom-fields", json={"name": "Bad Name", "label": "B", "type": "text"}).status_code == 400
    assert api.post("/api/custom-fields", json={"name": "t2", "label": "T", "type": "choice"}).status_code == 400
    contact = make_contact(custom={"loyalty_tier": "gold", "visits": "12"})
    assert contact["custom"] == {"loyalty_tier": "Gold", "visits": 12.0}
    bad = api.patch(f"/api/contacts/{contact['id']}", json={"custom": {"visits": "many"}})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "custom.visits"
    cleared = api.patch(f"/api/contacts/{contact['id']}", json={"custom": {"visits": None}}).json()
    assert cleared["custom"] == {"loyalty_tier": "Gold"}
    segment = api.post(
        "/api/segments", json={"name": "Gold members", "kind": "dynamic", "rule": 'custom_loyalty_tier == "Gold"'}
    ).json()
    refused = api.delete(f"/api/custom-fields/{created.json()['id']}")
    assert refused.status_code == 409 and refused.json()["error"]["used_by"] == ["segment 'Gold members'"]
    assert api.get(f"/api/contacts/{contact['id']}").json()["custom"] == {"loyalty_tier": "Gold"}  # kept
    assert api.delete(f"/api/segments/{segment['id']}").status_code == 204
    assert api.delete(f"/api/custom-fields/{created.json()['id']}").status_code == 204
    assert api.get(f"/api/contacts/{contact['id']}").json()["custom"] == {}


def test_accounts(api: Any) -> None:
    account = api.post(
        "/api/accounts",
        json={"name": "Globex", "industry": "Energy", "size": 1200, "annual_revenue": 5e7, "country": "Germany"},
    ).json()
    assert account["country"] == "DE"
    assert api.post("/api/accounts", json={"name": "globex"}).status_code == 409
    assert api.post("/api/accounts", json={"name": "Neg", "size": -1}).status_code == 400
    contact = api.post("/api/contacts", json={"email": unique_email(), "account_id": account["id"]}).json()
    listed = {a["id"]: a for a in api.get("/api/accounts", params={"q": "glob"}).json()["items"]}
    assert listed[account["id"]]["contacts"] == 1
    assert api.delete(f"/api/accounts/{account['id']}").status_code == 204
    assert api.get(f"/api/contacts/{contact['id']}").json()["account_id"] is None


def test_gdpr_export_and_erase(api: Any, make_contact: Any) -> None:
    contact = make_contact(email_opt_in=True)
    api.post("/api/interactions", json={"type": "purchase", "contact_id": contact["id"], "properties": {"amount": 30}})
    export = api.get(f"/api/contacts/{contact['id']}/export")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    data = export.json()
    assert data["contact"]["email"] == contact["email"]
    assert [i["type"] for i in data["interactions"]] == ["contact_created", "purchase"]
    assert data["consent_history"][0]["field"] == "email_opt_in"
    assert api.delete(f"/api/contacts/{contact['id']}").status_code == 204
    assert api.get(f"/api/contacts/{contact['id']}").status_code == 404
    assert api.get(f"/api/contacts/{contact['id']}/interactions").status_code == 404
    assert api.get("/api/contacts", params={"q": contact["email"]}).json()["total"] == 0
    # The same person can come back as a new contact.
    assert api.post("/api/contacts", json={"email": contact["email"]}).status_code == 201


def test_accounts_match_names_ignoring_case_beyond_ascii(api: Any) -> None:
    first = api.post("/api/contacts", json={"email": unique_email(), "company": "Éts Dupont"}).json()
    second = api.post("/api/contacts", json={"email": unique_email(), "company": "éts dupont"}).json()
    assert first["account_id"] == second["account_id"]
    assert api.post("/api/accounts", json={"name": "ÉTS DUPONT"}).status_code == 409

import json
from typing import Any

import pytest

from tests.factories import unique_email

MESSY = (
    "\ufeffE-mail;Prénom;Nom;Téléphone;Pays;Société;Newsletter\r\n"
    " Alice.Martin@Example.FR ;alice;MARTIN;06 12 34 56 78;France;Acme;oui\r\n"
    "bob@example.fr;Bob;Durand;+44 20 7946 0958;Royaume-Uni;Acme;non\r\n"
    "not-an-email;Carl;Petit;;France;;\r\n"
    "alice.martin@example.fr;Alicia;;;;;\r\n"
    "dora@example.fr;Dora;Leroy;12;Narnia;;\r\n"
    ";Eve;;;;;\r\n"
)


def upload(api: Any, content: bytes, name: str = "contacts.csv", **form: Any) -> Any:
    data = {k: json.dumps(v) for k, v in form.items()}
    return api.post("/api/contacts/import", files={"file": (name, content, "text/csv")}, data=data)


def test_preview_detects_format_and_suggests_mapping(api: Any) -> None:
    response = api.post("/api/contacts/import/preview", files={"file": ("c.csv", MESSY.encode("utf-8"), "text/csv")})
    assert response.status_code == 200, response.text
    preview = response.json()
    assert (preview["encoding"], preview["delimiter"], preview["rows"]) == ("utf-8", ";", 6)
    assert preview["suggested_mapping"] == {
        "E-mail": "email",
        "Prénom": "first_name",
        "Nom": "last_name",
        "Téléphone": "phone",
        "Pays": "country",
        "Société": "company",
        "Newsletter": "email_opt_in",
    }
    assert preview["sample"][0][0] == " Alice.Martin@Example.FR "


def test_messy_import_normalizes_dedupes_and_reports_each_bad_row(api: Any) -> None:
    started = upload(api, MESSY.encode("utf-8"))
    assert started.status_code == 202, started.text
    job = api.wait_job(started.json()["job_id"])
    assert job["status"] == "done", job
    result = job["result"]
    assert (result["created"], result["updated"], result["skipped"]) == (2, 0, 1)
    assert sorted((e["row"], e["field"]) for e in result["errors"]) == [
        (4, "email"),
        (6, "country"),
        (6, "phone"),
        (7, "email"),
    ]
    alice = api.get("/api/contacts", params={"q": "alice.martin@example.fr"}).json()["items"][0]
    assert (alice["first_name"], alice["last_name"], alice["phone"], alice["country"]) == (
        "Alice",
        "Martin",
        "+33612345678",
        "FR",
    )
    assert (alice["account_name"], alice["email_opt_in"], alice["source"]) == ("Acme", True, "import")
    bob = api.get("/api/contacts", params={"q": "bob@example.fr"}).json()["items"][0]
    assert (bob["country"], bob["phone"], bob["account_id"]) == ("GB", "+442079460958", alice["account_id"])
    history = api.get(f"/api/contacts/{alice['id']}/consent-history").json()
    assert [(h["field"], h["new_value"], h["how"]) for h in history] == [("email_opt_in", "true", "import")]


def test_latin1_tab_file_with_explicit_mapping(api: Any) -> None:
    email = unique_email("zoe")
    content = f"mail\tville\tcode\n{email}\tSAINT-ÉTIENNE\tX1\n".encode("cp1252")
    started = upload(api, content, mapping={"mail": "email", "ville": "city", "code": None})
    job = api.wait_job(started.json()["job_id"])
    assert job["result"]["created"] == 1
    contact = api.get("/api/contacts", params={"q": email}).json()["items"][0]
    assert contact["city"] == "Saint-Étienne"


@pytest.mark.parametrize(
    ("policy", "expected_name", "expected_city", "updated", "skipped"),
    [
        ("fill_empty", "Keep", "Paris", 1, 0),
        ("overwrite", "Newname", "Paris", 1, 0),
        ("skip", "Keep", None, 0, 1),
    ],
)
def test_merge_policy_against_the_base(
    api: Any, make_contact: Any, policy: str, expected_name: str, expected_city: str | None, updated: int, skipped: int
) -> None:
    existing = make_contact(first_name="Keep", city=None)
    content = f"email,first_name,city\n{existing['email']},newname,paris\n".encode()
    job = api.wait_job(upload(api, content, options={"merge_policy": policy}).json()["job_id"])
    assert (job["result"]["updated"], job["result"]["skipped"], job["result"]["created"]) == (updated, skipped, 0)
    after = api.get(f"/api/contacts/{existing['id']}").json()
    assert (after["first_name"], after["city"]) == (expected_name, expected_city)


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(api: Any) -> None:
    good = unique_email("good")
    content = f"email,country\n{good},FR\nbroken,FR\n".encode()
    job = api.wait_job(upload(api, content, options={"on_error": "all_or_nothing"}).json()["job_id"])
    assert job["status"] == "done" and job["result"]["committed"] is False
    assert job["result"]["created"] == 0 and job["result"]["errors"][0]["row"] == 3
    assert api.get("/api/contacts", params={"q": good}).json()["total"] == 0


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        (b"", "file", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "file", "not a CSV"),
        (b"email,name\na@example.org,A\nb@example.org,B,surprise\n", "file", "Line 3"),
        (b"email,name\n", "file", "no contacts"),
        (b"first,last\nA,B\n", "mapping", "email"),
    ],
)
def test_bad_files_are_refused_at_once(api: Any, content: bytes, field: str, words: str) -> None:
    jobs_before = len(api.get("/api/jobs").json())
    response = upload(api, content)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"]
    assert len(api.get("/api/jobs").json()) == jobs_before


def test_bad_mapping_or_options_are_refused(api: Any) -> None:
    content = b"email,x\na@example.org,1\n"
    assert upload(api, content, mapping={"email": "email", "x": "shoe_size"}).json()["error"]["field"] == "mapping"
    bad_policy = upload(api, content, options={"merge_policy": "merge-ish"})
    assert bad_policy.status_code == 400 and bad_policy.json()["error"]["field"] == "options.merge_policy"
    bad_country = upload(api, content, options={"default_country": "Atlantis"})
    assert bad_country.status_code == 400 and bad_country.json()["error"]["field"] == "options.default_country"


def test_a_file_over_the_size_limit_is_413(api: Any) -> None:
    limit = api.app.state.runtime.settings.max_upload_mb
    big = b"email\n" + b"x" * (limit * 1024 * 1024 + 10)
    response = upload(api, big)
    assert response.status_code == 413
    assert f"{limit} MB" in response.json()["error"]["message"]


def test_unknown_job_is_404(api: Any) -> None:
    assert api.get("/api/jobs/doesnotexist").status_code == 404


def test_import_into_a_static_segment(api: Any, make_contact: Any) -> None:
    known = make_contact()
    segment = api.post("/api/segments", json={"name": "Salon 2026", "kind": "static"}).json()
    new = unique_email("salon")
    content = f"email\n{known['email']}\n{new}\n".encode()
    job = api.wait_job(upload(api, content, options={"segment_id": segment["id"]}).json()["job_id"])
    assert job["status"] == "done", job
    members = api.get(f"/api/segments/{segment['id']}/members").json()
    assert sorted(c["email"] for c in members["items"]) == sorted([known["email"], new])
    dynamic = api.post("/api/segments", json={"name": "d", "kind": "dynamic", "rule": "opens_30d > 3"}).json()
    refused = upload(api, content, options={"segment_id": dynamic["id"]})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "options.segment_id"

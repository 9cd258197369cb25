"""Imports that keep consent evidence, read phones in each row's country, and list every row left out."""

import json
from typing import Any

import pytest

from tests.factories import unique_email

BASIS = {
    "level": "marketing",
    "email_opt_in": True,
    "sms_opt_in": False,
    "source": "trade fair form, October 2026",
    "obtained_at": "2026-10-15",
}


def upload(api: Any, content: str, **form: Any) -> Any:
    data = {k: json.dumps(v) for k, v in form.items()}
    return api.post("/api/contacts/import", files={"file": ("salon.csv", content.encode(), "text/csv")}, data=data)


def imported(api: Any, content: str, **form: Any) -> dict[str, Any]:
    started = upload(api, content, **form)
    assert started.status_code == 202, started.text
    job = api.wait_job(started.json()["job_id"])
    assert job["status"] == "done", job
    return job


def contact(api: Any, email: str) -> dict[str, Any]:
    found = api.get("/api/contacts", params={"q": email}).json()["items"]
    assert len(found) == 1, found
    return found[0]


def history(api: Any, contact_id: int) -> dict[str, dict[str, Any]]:
    """Each consent field's latest history line."""
    latest: dict[str, dict[str, Any]] = {}
    for line in api.get(f"/api/contacts/{contact_id}/consent-history").json():  # newest first
        latest.setdefault(line["field"], line)
    return latest


def test_the_consent_basis_is_recorded_as_evidence_in_each_contacts_history(api: Any) -> None:
    ana, ben = unique_email("ana"), unique_email("ben")
    job = imported(api, f"email\n{ana}\n{ben}\n", options={"consent": BASIS})
    assert job["result"]["created"] == 2
    for email in (ana, ben):
        person = contact(api, email)
        assert (person["consent_level"], person["email_opt_in"], person["sms_opt_in"]) == ("marketing", True, False)
        lines = history(api, person["id"])
        assert sorted(lines) == ["consent_level", "email_opt_in"]
        level = lines["consent_level"]
        assert (level["old_value"], level["new_value"], level["how"]) == ("none", "marketing", "import")
        assert level["source"] == "trade fair form, October 2026"
        assert level["obtained_at"].startswith("2026-10-15T00:00:00")
        assert (level["import_job_id"], level["import_filename"]) == (job["id"], "salon.csv")


def test_without_a_basis_contacts_stay_at_consent_none(api: Any) -> None:
    email = unique_email("nobasis")
    imported(api, f"email,first_name\n{email},Noé\n")
    person = contact(api, email)
    assert (person["consent_level"], person["email_opt_in"]) == ("none", False)
    assert api.get(f"/api/contacts/{person['id']}/consent-history").json() == []


def test_a_rows_own_consent_column_wins_over_the_basis_and_keeps_no_borrowed_evidence(api: Any) -> None:
    own, plain = unique_email("own"), unique_email("plain")
    imported(api, f"email,consent level\n{own},transactional\n{plain},\n", options={"consent": BASIS})
    mine = history(api, contact(api, own)["id"])
    assert (mine["consent_level"]["new_value"], mine["consent_level"]["source"]) == ("transactional", None)
    assert mine["email_opt_in"]["source"] == "trade fair form, October 2026"
    assert contact(api, plain)["consent_level"] == "marketing"


def test_an_import_only_raises_consent_and_never_re_subscribes(api: Any, make_contact: Any) -> None:
    profiled = make_contact(consent_level="profiling", email_opt_in=True)
    transactional = make_contact(consent_level="transactional", sms_opt_in=True)
    gone = make_contact(consent_level="none", unsubscribed=True)
    content = "email,newsletter\n" + "".join(f"{c['email']},no\n" for c in (profiled, transactional, gone))
    job = imported(api, content, options={"consent": BASIS, "merge_policy": "overwrite"})
    assert job["result"]["updated"] == 1
    assert (contact(api, profiled["email"])["consent_level"], contact(api, profiled["email"])["email_opt_in"]) == (
        "profiling",
        True,
    )
    raised = contact(api, transactional["email"])
    assert (raised["consent_level"], raised["sms_opt_in"], raised["email_opt_in"]) == ("marketing", True, False)
    assert history(api, raised["id"])["consent_level"]["source"] == "trade fair form, October 2026"
    still_gone = contact(api, gone["email"])
    assert (still_gone["unsubscribed"], still_gone["consent_level"], still_gone["email_opt_in"]) == (
        True,
        "none",
        False,
    )


@pytest.mark.parametrize(
    ("consent", "field"),
    [
        ({**BASIS, "level": "maybe"}, "options.consent.level"),
        ({**BASIS, "email_opt_in": "oui"}, "options.consent.email_opt_in"),
        ({k: v for k, v in BASIS.items() if k != "source"}, "options.consent.source"),
        ({**BASIS, "source": ""}, "options.consent.source"),
        ({**BASIS, "obtained_at": "last autumn"}, "options.consent.obtained_at"),
        ({**BASIS, "obtained_at": "2999-01-01"}, "options.consent.obtained_at"),
        ({**BASIS, "proof": "x"}, "options.consent.proof"),
    ],
)
def test_an_invalid_consent_basis_is_refused_naming_the_field_and_nothing_is_imported(
    api: Any, consent: dict[str, Any], field: str
) -> None:
    email = unique_email("refused")
    jobs_before = len(api.get("/api/jobs").json())
    response = upload(api, f"email\n{email}\n", options={"consent": consent})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field
    assert len(api.get("/api/jobs").json()) == jobs_before
    assert api.get("/api/contacts", params={"q": email}).json()["total"] == 0


def test_national_numbers_are_read_in_each_rows_country(api: Any) -> None:
    fr, be, none, bad = (unique_email(n) for n in ("fr", "be", "none", "bad"))
    content = (
        "email,phone,country\n"
        f"{fr},06 12 34 56 78,France\n"
        f"{be},0470 12 34 56,Belgique\n"
        f"{none},06 11 22 33 44,\n"
        f"{bad},+33 6 12,FR\n"
    )
    job = imported(api, content, options={"default_country": "FR"})
    result = job["result"]
    assert (result["created"], result["rejected_rows"]) == (4, 0)
    assert (contact(api, fr)["phone"], contact(api, fr)["country"]) == ("+33612345678", "FR")
    assert (contact(api, be)["phone"], contact(api, be)["country"]) == ("+32470123456", "BE")
    assert contact(api, none)["phone"] == "+33611223344"
    assert contact(api, bad)["phone"] is None
    assert [(e["row"], e["field"], e["message"], e["value_left_out"]) for e in result["errors"]] == [
        (5, "phone", "'+33 6 12' is not a valid phone number for France.", True)
    ]


def test_a_french_number_on_a_belgian_row_is_reported_not_stored(api: Any) -> None:
    email = unique_email("wrongcountry")
    job = imported(api, f"email,phone,country\n{email},06 12 34 56 78,BE\n")
    assert job["result"]["errors"][0]["message"] == "'06 12 34 56 78' is not a valid phone number for Belgium."
    assert contact(api, email)["phone"] is None


def test_skipped_rows_are_listed_with_their_line_and_reason(api: Any, make_contact: Any) -> None:
    first, other = unique_email("first"), unique_email("other")
    content = f"email,first_name\n{first},A\nnot-an-email,B\n{first.upper()},C\n,D\n{other},E\n"
    result = imported(api, content)["result"]
    assert result["skipped_row_count"] == 3
    assert [(r["row"], r["reason"]) for r in result["skipped_rows"]] == [
        (3, "'not-an-email' is not a valid email address: An email address must have an @-sign."),
        (4, "Same email as line 2: its values were merged into that line's."),
        (5, "The email is empty."),
    ]

    known = make_contact()
    kept = imported(api, f"email\n{known['email']}\n", options={"merge_policy": "skip"})["result"]
    assert [(r["row"], r["reason"]) for r in kept["skipped_rows"]] == [
        (2, "Already in your contacts: left untouched, as chosen.")
    ]


def test_all_or_nothing_lists_every_row_it_held_back(api: Any) -> None:
    good, wrong_phone = unique_email("held"), unique_email("phone")
    content = f"email,phone,country\n{good},0470 12 34 56,BE\nbroken,,FR\n{wrong_phone},06 12,FR\n"
    job = imported(api, content, options={"on_error": "all_or_nothing", "consent": BASIS})
    result = job["result"]
    assert result["committed"] is False and job["message"] == (
        "Nothing was imported: 2 rows have errors (all or nothing was chosen)"
    )
    held_back = "Not imported: other rows have errors and you chose to import all or nothing."
    assert [(r["row"], r["reason"]) for r in result["skipped_rows"]] == [
        (2, held_back),
        (3, "'broken' is not a valid email address: An email address must have an @-sign."),
        (4, held_back),
    ]
    assert [(e["row"], e["field"], e["value_left_out"]) for e in result["errors"]] == [
        (3, "email", False),
        (4, "phone", False),
    ]
    assert api.get("/api/contacts", params={"q": good}).json()["total"] == 0

"""Companies: the accounts API, and imports that fill and link them, moving firmographic scores."""

import json
import time
from typing import Any

from tests.factories import unique_email

# The shipped firmographic model: 500+ employees 20, 50-499 10, revenue >= 10M 15, target industry 10,
# company known 5; grades A >= 40, B >= 25, C >= 10, D.
FIRMO = "firmographic"


def upload(api: Any, content: str, **form: Any) -> dict[str, Any]:
    data = {k: json.dumps(v) for k, v in form.items()}
    started = api.post(
        "/api/contacts/import", files={"file": ("companies.csv", content.encode(), "text/csv")}, data=data
    )
    assert started.status_code == 202, started.text
    job = api.wait_job(started.json()["job_id"])
    assert job["status"] == "done", job
    return dict(job["result"])


def contact_by_email(api: Any, email: str) -> dict[str, Any]:
    found = api.get("/api/contacts", params={"q": email}).json()["items"]
    assert len(found) == 1, found
    return dict(found[0])


def firmographic_score(api: Any, contact_id: int) -> dict[str, Any]:
    scores = {s["key"]: s for s in api.get(f"/api/contacts/{contact_id}/scores").json()}
    return dict(scores[FIRMO])


def score_becomes(api: Any, contact_id: int, expected: int) -> None:
    reached = api.eventually(lambda: firmographic_score(api, contact_id)["score"] == expected)
    assert reached, (expected, firmographic_score(api, contact_id))


def accounts_named(api: Any, q: str) -> list[dict[str, Any]]:
    page = api.get("/api/accounts", params={"q": q}).json()
    return list(page["items"])


def test_an_import_creates_and_links_accounts_by_name_and_by_domain_once(api: Any) -> None:
    tag = str(time.monotonic_ns())
    initech, umbrella, hooli = f"Initech {tag}", f"Umbrella {tag}", f"hooli{tag}.com"
    emails = [unique_email(p) for p in ("ana", "ben", "cleo", "dan", "eli")]
    csv = (
        "E-mail;Société;Secteur;Effectif;Chiffre d'affaires;Pays de la société;Site web\n"
        f"{emails[0]};{initech};Software;51-200;12,5 M€;France;https://www.initech{tag}.fr/contact\n"
        f"{emails[1]};{initech.upper()};;;;;\n"
        f"{emails[2]};;;;;;initech{tag}.fr\n"
        f"{emails[3]};{umbrella};Healthcare;1 200;;Allemagne;umbrella{tag}.de\n"
        f"{emails[4]};;;;;;http://{hooli}\n"
    )
    preview = api.post("/api/contacts/import/preview", files={"file": ("c.csv", csv.encode(), "text/csv")}).json()
    assert preview["suggested_mapping"] == {
        "E-mail": "email",
        "Société": "company",
        "Secteur": "account_industry",
        "Effectif": "account_size",
        "Chiffre d'affaires": "account_annual_revenue",
        "Pays de la société": "account_country",
        "Site web": "account_website",
    }
    assert {"account_industry", "account_domain"} <= set(preview["fields"])
    result = upload(api, csv)
    assert (result["created"], result["error_count"]) == (5, 0), result

    [found] = accounts_named(api, initech)
    assert (found["name"], found["domain"], found["website"]) == (
        initech,
        f"initech{tag}.fr",
        f"https://www.initech{tag}.fr/contact",
    )
    assert (found["industry"], found["size"], found["annual_revenue"], found["country"]) == (
        "Software",
        51,
        12_500_000,
        "FR",
    )
    assert found["contacts"] == 3  # by name, by name in capitals, by domain alone
    linked = [contact_by_email(api, e)["account_id"] for e in emails]
    assert linked[:3] == [found["id"]] * 3
    [other] = accounts_named(api, f"umbrella{tag}")  # found by its domain too
    assert (other["name"], other["size"], other["country"], linked[3]) == (umbrella, 1200, "DE", other["id"])
    [named_after_domain] = accounts_named(api, hooli)
    assert (named_after_domain["name"], named_after_domain["domain"], linked[4]) == (
        hooli,
        hooli,
        named_after_domain["id"],
    )
    # 51 employees 10, 12.5M 15, Software 10, company 5.
    score_becomes(api, contact_by_email(api, emails[0])["id"], 40)
    assert firmographic_score(api, contact_by_email(api, emails[0])["id"])["grade"] == "A"

    total = api.get("/api/accounts").json()["total"]
    again = upload(api, csv)
    assert (again["created"], again["updated"]) == (0, 0), again
    assert api.get("/api/accounts").json()["total"] == total
    assert [a["contacts"] for a in accounts_named(api, initech)] == [3]


def test_an_import_fills_company_details_by_its_merge_policy_and_scores_follow(api: Any, make_contact: Any) -> None:
    name = f"Vandelay {time.monotonic_ns()}"
    account = api.post("/api/accounts", json={"name": name, "size": 10}).json()
    in_file = make_contact(account_id=account["id"])
    not_in_file = make_contact(account_id=account["id"])
    score_becomes(api, in_file["id"], 5)
    score_becomes(api, not_in_file["id"], 5)
    csv = f"email,company,industry,employees\n{in_file['email']},{name.lower()},Finance,800\n"

    # fill_empty (the default): the empty industry is filled, the known size stays.
    result = upload(api, csv)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 1), result
    assert api.get(f"/api/accounts/{account['id']}").json()["industry"] == "Finance"
    assert api.get(f"/api/accounts/{account['id']}").json()["size"] == 10
    score_becomes(api, in_file["id"], 15)
    score_becomes(api, not_in_file["id"], 15)  # the company changed for every contact of it

    upload(api, csv, options={"merge_policy": "overwrite"})
    assert api.get(f"/api/accounts/{account['id']}").json()["size"] == 800
    score_becomes(api, in_file["id"], 35)
    score_becomes(api, not_in_file["id"], 35)
    history = api.get(f"/api/contacts/{not_in_file['id']}/score-history").json()["items"]
    assert history[0]["score"] == 35 and "contact_updated" in history[0]["reason"]

    upload(api, csv.replace("800", "3"), options={"merge_policy": "skip"})
    assert api.get(f"/api/accounts/{account['id']}").json()["size"] == 800

    summary = {s["key"]: s for s in api.get(f"/api/accounts/{account['id']}/scores").json()}
    firmo = summary[FIRMO]
    assert (firmo["contacts"], firmo["average"], firmo["max"], firmo["kind"]) == (2, 35.0, 35, "firmographic")
    assert firmo["grades"] == [
        {"grade": "A", "count": 0},
        {"grade": "B", "count": 2},
        {"grade": "C", "count": 0},
        {"grade": "D", "count": 0},
    ]
    assert next(iter(summary)) == FIRMO  # firmographic models first


def test_a_company_detail_that_cannot_be_read_is_left_out_and_reported(api: Any) -> None:
    email, name = unique_email("bad"), f"Nowhere {time.monotonic_ns()}"
    result = upload(api, f"email,company,website,employees\n{email},{name},not a site,many\n")
    assert (result["created"], result["rejected_rows"]) == (1, 0), result
    assert sorted((e["field"], e["value_left_out"]) for e in result["errors"]) == [
        ("account_size", True),
        ("account_website", True),
    ]
    [account] = accounts_named(api, name)
    assert (account["website"], account["size"], account["contacts"]) == (None, None, 1)


def test_accounts_crud_paging_search_and_bad_input(api: Any, make_contact: Any) -> None:
    tag = str(time.monotonic_ns())
    made = api.post(
        "/api/accounts",
        json={"name": f"Globex {tag}", "website": f"WWW.Globex{tag}.com", "industry": "Energy", "country": "Germany"},
    )
    assert made.status_code == 201, made.text
    globex = made.json()
    assert (globex["website"], globex["domain"], globex["country"]) == (
        f"https://WWW.Globex{tag}.com",
        f"globex{tag}.com",
        "DE",
    )
    for body, field in (
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "X", "domain": "not a domain"}, "domain"),
        ({"name": "X", "website": "http://"}, "website"),
        ({"name": "X", "country": "Narnia"}, "country"),
        ({"name": "X", "size": -1}, "size"),
        ({"name": "X", "annual_revenue": -5}, "annual_revenue"),
        ({"name": "X", "colour": "red"}, "colour"),
    ):
        refused = api.post("/api/accounts", json=body)
        assert refused.status_code == 400, (body, refused.text)
        assert field in refused.json()["error"].get("field", "") + refused.json()["error"]["message"], refused.text
    assert api.post("/api/accounts", json={"name": f"GLOBEX {tag}"}).status_code == 409
    assert api.patch(f"/api/accounts/{globex['id']}", json={"domain": "x"}).status_code == 400
    assert api.get(f"/api/accounts/{globex['id']}").json() == {**globex, "contacts": 0}  # nothing written

    for i in range(3):
        api.post("/api/accounts", json={"name": f"Paged {tag} {i}"})
    first = api.get("/api/accounts", params={"q": f"paged {tag}", "limit": 2}).json()
    assert first["total"] == 3 and len(first["items"]) == 2 and first["next_cursor"]
    rest = api.get("/api/accounts", params={"q": f"paged {tag}", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["name"] for a in first["items"] + rest["items"]] == [f"Paged {tag} {i}" for i in range(3)]
    assert rest["next_cursor"] is None
    assert api.get("/api/accounts", params={"cursor": "nonsense"}).status_code == 400
    assert [a["id"] for a in accounts_named(api, f"https://globex{tag}.com")] == [globex["id"]]

    # Editing a company moves its contacts' firmographic score; deleting it unlinks them.
    contact = make_contact(account_id=globex["id"])
    score_becomes(api, contact["id"], 5)
    opportunity = api.post("/api/opportunities", json={"name": "Deal", "contact_id": contact["id"]}).json()
    assert opportunity["account_id"] == globex["id"]
    listed = api.get("/api/opportunities", params={"account_id": globex["id"]}).json()
    assert [o["id"] for o in listed["items"]] == [opportunity["id"]]
    changed = api.patch(f"/api/accounts/{globex['id']}", json={"industry": "Software", "size": 600})
    assert changed.status_code == 200 and changed.json()["contacts"] == 1, changed.text
    score_becomes(api, contact["id"], 35)
    viewer = api.as_key(api.new_key("viewer"))
    assert api.get(f"/api/accounts/{globex['id']}/scores", headers=viewer).status_code == 200
    assert api.patch(f"/api/accounts/{globex['id']}", json={"size": 1}, headers=viewer).status_code == 403
    assert api.delete(f"/api/accounts/{globex['id']}", headers=viewer).status_code == 403
    assert api.delete(f"/api/accounts/{globex['id']}").status_code == 204
    assert api.get(f"/api/accounts/{globex['id']}").status_code == 404
    assert api.get(f"/api/accounts/{globex['id']}/scores").status_code == 404
    assert api.get(f"/api/contacts/{contact['id']}").json()["account_id"] is None
    assert api.get(f"/api/opportunities/{opportunity['id']}").json()["account_id"] is None
    score_becomes(api, contact["id"], 0)

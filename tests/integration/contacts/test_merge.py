"""One record per person: duplicates found, two contacts merged into one with all their history."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from parcours import db
from parcours.contacts import service as contacts
from tests import database as test_database
from tests.factories import OPTED_IN, chain, event, journey, published, static_segment, unique_email, unique_type

# Every table that keeps rows of a contact, and its column naming the contact.
HISTORY = {
    "interactions": "contact_id",
    "consent_events": "contact_id",
    "segment_members": "contact_id",
    "event_registrations": "contact_id",
    "opportunities": "contact_id",
    "score_changes": "contact_id",
    "journey_runs": "contact_id",
    "visitors": "contact_id",
    "outbox": "contact_id",
    "form_submissions": "contact_id",
    "topic_opt_outs": "contact_id",
}


class Database(test_database.Database):
    def counts(self, contact_id: int) -> dict[str, int]:
        async def go() -> dict[str, int]:
            async with db.transaction(self.sessions) as session:
                found = {}
                for table, column in HISTORY.items():
                    query = select(func.count()).select_from(text(table)).where(text(f"{column} = :id"))
                    found[table] = int((await session.execute(query, {"id": contact_id})).scalar_one())
                return found

        return dict(self.run(go()))

    def insert_contacts(self, rows: list[dict[str, Any]]) -> list[int]:
        """Contacts written before one record per person was kept (older data, other tools)."""

        async def go() -> list[int]:
            async with db.transaction(self.sessions) as session:
                return await contacts.insert_many(session, rows)

        return list(self.run(go()))


@pytest.fixture(scope="module")
def database(database_url: str, api: Any) -> Iterator[Database]:
    opened = Database(database_url)
    yield opened
    opened.close()


def phone() -> str:
    return f"+336{random.randint(10_000_000, 99_999_999)}"


def interact(api: Any, contact_id: int, kind: str, **properties: Any) -> None:
    response = api.post("/api/interactions", json={"type": kind, "contact_id": contact_id, "properties": properties})
    assert response.status_code == 202, response.text


def seed_history(api: Any, database: Database, person: dict[str, Any], ctx: dict[str, Any]) -> None:
    """One row of every kind of history for this contact (and a waiting journey run)."""
    cid = person["id"]
    interact(api, cid, "email_clicked", url="https://example.com/pricing")
    interact(api, cid, ctx["trigger"])
    api.post(f"/api/segments/{ctx['segment']}/members", json={"contact_ids": [cid]})
    assert api.post(f"/api/events/{ctx['event']}/registrations", json={"contact_id": cid}).status_code == 201
    assert (
        api.post("/api/opportunities", json={"name": f"Deal {cid}", "contact_id": cid, "budget": 1000}).status_code
        == 201
    )
    key = api.new_key("marketer")
    identified = api.post(
        "/t/identify", json={"anonymous_id": secrets.token_hex(16), "email": person["email"]}, headers=api.as_key(key)
    )
    assert identified.status_code == 200, identified.text
    database.execute(
        'INSERT INTO form_submissions (form_id, form_version, status, "values", context, contact_id, new_contact,'
        " created_at) VALUES (:form, 1, 'accepted', '{}', '{}', :cid, false, CURRENT_TIMESTAMP)",
        form=ctx["form"],
        cid=cid,
    )
    database.execute(
        "INSERT INTO topic_opt_outs (contact_id, topic, created_at) VALUES (:cid, :topic, CURRENT_TIMESTAMP)",
        cid=cid,
        topic=ctx["topic"],
    )


@pytest.fixture(scope="module")
def ctx(api: Any) -> dict[str, Any]:
    trigger = unique_type("merge_trigger")
    mail = api.post(
        "/api/emails",
        json={
            "name": "Merge welcome",
            "subject": "Hello",
            "from_name": "Parcours",
            "from_email": "news@example.fr",
            "mjml": "<mjml><mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body></mjml>",
        },
    ).json()["id"]
    made = journey(
        api,
        chain(
            ("start", "entry.interaction", {"type": trigger}),
            ("mail", "action.email", {"email_id": mail}),
            ("wait", "flow.wait", {"duration": "P30D"}),
        ),
    )
    published(api, made["id"])
    form = api.post(
        "/api/forms",
        json={
            "name": "Merge form",
            "slug": f"merge-{secrets.token_hex(4)}",
            "fields": [{"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"}],
        },
    )
    assert form.status_code == 201, form.text
    topics = api.get("/api/topics").json()
    return {
        "trigger": trigger,
        "journey": made["id"],
        "segment": static_segment(api, []),
        "event": event(api, capacity=50)["id"],
        "form": form.json()["id"],
        "topic": topics[0]["key"],
        "other_topic": topics[1]["key"] if len(topics) > 1 else topics[0]["key"],
    }


def runs_of(api: Any, journey_id: int) -> list[dict[str, Any]]:
    return list(api.get(f"/api/journeys/{journey_id}/runs").json())


def test_a_merge_moves_every_kind_of_history_and_loses_nothing(
    api: Any, database: Database, ctx: dict[str, Any]
) -> None:
    survivor = api.post(
        "/api/contacts",
        json={
            "email": unique_email("keep"),
            "first_name": "Ada",
            "last_name": "Lovelace",
            "sms_opt_in": True,
            **OPTED_IN,
        },
    ).json()
    other = api.post(
        "/api/contacts",
        json={
            "email": unique_email("gone"),
            "first_name": "Augusta",
            "last_name": "King",
            "job_title": "Analyst",
            "phone": phone(),
            **OPTED_IN,
        },
    ).json()
    for person in (survivor, other):
        seed_history(api, database, person, ctx)
    # Both entered the journey, got its email and now wait in it; the other's score is counted.
    assert api.eventually(lambda: len([r for r in runs_of(api, ctx["journey"]) if r["status"] == "waiting"]) >= 2)
    # Its messages: the event's confirmation and the journey's email.
    assert api.eventually(lambda: database.counts(other["id"])["outbox"] == 2), api.get("/api/outbox").json()
    assert api.eventually(lambda: database.counts(other["id"])["score_changes"] > 0)
    assert api.patch(f"/api/contacts/{other['id']}", json={"unsubscribed": True}).status_code == 200
    before = {cid: database.counts(cid) for cid in (survivor["id"], other["id"])}
    assert all(before[other["id"]][table] > 0 for table in HISTORY), before[other["id"]]

    merged = api.post(
        f"/api/contacts/{survivor['id']}/merge", json={"other_id": other["id"], "fields": {"last_name": "other"}}
    )
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["merged"] is True and body["other_id"] == other["id"]
    contact = body["contact"]
    assert contact["id"] == survivor["id"] and contact["email"] == survivor["email"]
    # Fields: the survivor's non-empty values win, the other's fill the gaps, the pick is honoured.
    assert (contact["first_name"], contact["last_name"]) == ("Ada", "King")
    assert (contact["job_title"], contact["phone"]) == ("Analyst", other["phone"])
    # Consent: the other's unsubscribe stays, an opt-in only both gave is kept (the other gave no SMS one).
    assert contact["unsubscribed"] is True and contact["sms_opt_in"] is False and contact["email_opt_in"] is True
    assert contact["consent_level"] == "marketing"

    after = database.counts(survivor["id"])
    assert database.counts(other["id"]) == dict.fromkeys(HISTORY, 0)
    assert api.get(f"/api/contacts/{other['id']}").status_code == 404
    # Everything moved: one registration and one membership each stay one (the same event and
    # segment), one topic opt-out each stays one; the rest adds up (plus what the merge wrote).
    sums = {t: before[survivor["id"]][t] + before[other["id"]][t] for t in HISTORY}
    for table in ("segment_members", "event_registrations", "topic_opt_outs"):
        assert after[table] == 1, table
    for table in ("opportunities", "journey_runs", "visitors", "outbox", "form_submissions"):
        assert after[table] == sums[table], table
    assert after["interactions"] >= sums["interactions"] + 1
    assert after["consent_events"] >= sums["consent_events"] + 2  # the unsubscribe, the SMS opt-in withdrawn
    assert after["score_changes"] >= sums["score_changes"]
    assert body["moved"]["interactions"] == before[other["id"]]["interactions"]
    assert body["moved"]["opportunities"] == 1

    # Journey runs: the survivor's goes on waiting, the other's ended with the reason.
    runs = [r for r in runs_of(api, ctx["journey"]) if r["contact_id"] == survivor["id"]]
    assert sorted(r["status"] for r in runs) == ["exited", "waiting"]
    assert any("Merged into contact" in (r.get("error") or "") for r in runs)
    # Scores recomputed from the merged timeline (two pricing clicks now).
    scores = api.get(f"/api/contacts/{survivor['id']}/scores").json()
    assert any(s["score"] > 0 for s in scores)

    # On the survivor's timeline, with a snapshot of the merged record.
    merges = api.get(f"/api/contacts/{survivor['id']}/interactions", params={"type": ["contacts_merged"]}).json()
    [merge] = merges["items"]
    assert merge["properties"]["other_id"] == other["id"] and merge["properties"]["other_email"] == other["email"]
    assert merge["properties"]["snapshot"]["last_name"] == "King"
    assert merge["properties"]["snapshot"]["unsubscribed"] is True
    assert "last_name" in merge["properties"]["fields"] and "unsubscribed" in merge["properties"]["fields"]
    history = api.get(f"/api/contacts/{survivor['id']}/consent-history").json()
    assert any(h["how"] == "merge" and h["field"] == "unsubscribed" for h in history)

    # Twice: a no-op that says so.
    again = api.post(f"/api/contacts/{survivor['id']}/merge", json={"other_id": other["id"]})
    assert again.status_code == 200 and again.json()["merged"] is False and again.json()["moved"] == {}
    # (The stream may still be writing the survivor's segment or score moves on its timeline.)
    unchanged = {t: n for t, n in database.counts(survivor["id"]).items() if t != "interactions"}
    assert unchanged == {t: n for t, n in after.items() if t != "interactions"}
    merges = api.get(f"/api/contacts/{survivor['id']}/interactions", params={"type": ["contacts_merged"]}).json()
    assert merges["total"] == 1
    # The other's address now leads to the survivor: the API names it, an import updates it.
    refused = api.post("/api/contacts", json={"email": other["email"]})
    assert refused.status_code == 409 and refused.json()["error"]["contact_id"] == survivor["id"]


def test_merging_into_itself_or_with_bad_input_is_refused_and_changes_nothing(
    api: Any, make_contact: Any, database: Database
) -> None:
    one, two = make_contact(), make_contact()
    before = database.counts(two["id"])

    def refused(contact_id: int, body: Any) -> tuple[int, str | None]:
        response = api.post(f"/api/contacts/{contact_id}/merge", json=body)
        return response.status_code, response.json()["error"]["field"]

    assert refused(one["id"], {"other_id": one["id"]}) == (400, "other_id")
    assert refused(one["id"], {"other_id": 2_000_000_000}) == (404, "other_id")
    assert refused(2_000_000_000, {"other_id": two["id"]}) == (404, "contact_id")
    assert refused(one["id"], {"other_id": two["id"], "fields": {"unsubscribed": "other"}}) == (
        400,
        "fields.unsubscribed",
    )
    assert refused(one["id"], {"other_id": two["id"], "fields": {"email": "both"}})[0] == 400
    assert refused(one["id"], {"other_id": "two"})[0] == 400
    assert refused(one["id"], {})[0] == 400
    assert api.get(f"/api/contacts/{two['id']}").status_code == 200
    assert database.counts(two["id"]) == before
    # Merged into one, the other cannot then be merged into a third.
    third = make_contact()
    assert api.post(f"/api/contacts/{one['id']}/merge", json={"other_id": two["id"]}).status_code == 200
    assert refused(third["id"], {"other_id": two["id"]}) == (409, "other_id")


def test_a_viewer_cannot_merge(api: Any, make_contact: Any) -> None:
    one, two = make_contact(), make_contact()
    viewer = api.new_key("viewer")
    response = api.post(f"/api/contacts/{one['id']}/merge", json={"other_id": two["id"]}, headers=api.as_key(viewer))
    assert response.status_code == 403
    assert api.get("/api/contacts/duplicates", headers=api.as_key(viewer)).status_code == 200


def pairs(api: Any, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get("/api/contacts/duplicates", params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        found += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


def test_duplicates_are_found_by_mailbox_phone_and_name_at_a_company(
    api: Any, make_contact: Any, database: Database
) -> None:
    tag = secrets.token_hex(4)
    gmail, googlemail = database.insert_contacts(
        [
            {"email": f"jean.dupont.{tag}@gmail.com", "first_name": "Jean"},
            {"email": f"jeandupont{tag}+news@googlemail.com", "first_name": "Jean"},
        ]
    )
    number = phone()
    by_phone = [make_contact(phone=number)["id"], make_contact(phone=number, first_name="Other")["id"]]
    company = f"Acme {tag}"
    by_name = [
        make_contact(first_name="Élodie", last_name="Martin", company=company)["id"],
        make_contact(first_name="elodie", last_name="MARTIN", company=company)["id"],
    ]
    # Not duplicates: dots matter outside Gmail; the same name elsewhere is someone else; eleven
    # contacts on one number are a switchboard, not one person.
    switchboard = phone()
    crowd = {make_contact(phone=switchboard)["id"] for _ in range(11)}
    make_contact(email=f"jean.dupont.{tag}@example.org")
    make_contact(email=f"jeandupont.{tag}@example.org")
    make_contact(first_name="Élodie", last_name="Martin", company=f"Other {tag}")

    found = {(p["contact"]["id"], p["other"]["id"]): p["reasons"] for p in pairs(api, limit=1)}
    assert found[(gmail, googlemail)] == ["email"]
    assert found[tuple(by_phone)] == ["phone"]
    assert found[tuple(by_name)] == ["name_company"]
    assert not [pair for pair in found if set(pair) & crowd]
    ours = {gmail, googlemail, *by_phone, *by_name}
    assert {pair for pair in found if set(pair) & ours} == {(gmail, googlemail), tuple(by_phone), tuple(by_name)}
    first = api.get("/api/contacts/duplicates", params={"limit": 1}).json()
    assert first["total"] == len(found) and len(first["items"]) == 1
    assert api.get("/api/contacts/duplicates", params={"cursor": "nonsense"}).status_code == 400
    assert api.get("/api/contacts/duplicates", params={"limit": 0}).status_code == 400

    # Merged, a pair is no longer proposed.
    assert api.post(f"/api/contacts/{gmail}/merge", json={"other_id": googlemail}).status_code == 200
    assert (gmail, googlemail) not in {(p["contact"]["id"], p["other"]["id"]) for p in pairs(api, limit=200)}


def test_the_api_and_imports_match_a_mailbox_as_one_person(api: Any, make_contact: Any) -> None:
    tag = secrets.token_hex(4)
    known = make_contact(email=f"marie.curie.{tag}@gmail.com", first_name="Marie")
    response = api.post("/api/contacts", json={"email": f"MarieCurie.{tag}+promo@googlemail.com"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["field"] == "email" and error["contact_id"] == known["id"]
    # Elsewhere, dots and tags are someone else's address.
    assert api.post("/api/contacts", json={"email": f"marie.curie.{tag}+x@example.org"}).status_code == 201
    assert api.post("/api/contacts", json={"email": f"mariecurie.{tag}+x@example.org"}).status_code == 201

    csv = f"email,last_name,job_title\nmariecurie.{tag}+fair@gmail.com,Curie,Physicist\n"
    job = api.post("/api/contacts/import", files={"file": ("fair.csv", csv.encode(), "text/csv")}).json()["job_id"]
    result = api.wait_job(job)["result"]
    assert (result["created"], result["updated"]) == (0, 1), result
    updated = api.get(f"/api/contacts/{known['id']}").json()
    # The default policy fills what is empty: the known last name stays.
    assert (updated["email"], updated["last_name"], updated["job_title"]) == (known["email"], "Lovelace", "Physicist")


def test_a_re_import_does_not_bring_back_a_contact_merged_away(api: Any, make_contact: Any) -> None:
    survivor, other = make_contact(), make_contact(job_title="Chemist")
    assert api.post(f"/api/contacts/{survivor['id']}/merge", json={"other_id": other["id"]}).status_code == 200
    csv = f"email,city\n{other['email']},Lyon\n"
    job = api.post("/api/contacts/import", files={"file": ("again.csv", csv.encode(), "text/csv")}).json()["job_id"]
    result = api.wait_job(job)["result"]
    assert (result["created"], result["updated"]) == (0, 1), result
    assert api.get(f"/api/contacts/{survivor['id']}").json()["city"] == "Lyon"
    assert api.get("/api/contacts", params={"q": other["email"]}).json()["total"] == 0


def test_two_contacts_told_apart_are_no_longer_proposed_until_undone(api: Any, make_contact: Any) -> None:
    number = phone()
    one, two = make_contact(phone=number)["id"], make_contact(phone=number, first_name="Twin")["id"]
    proposed = {(p["contact"]["id"], p["other"]["id"]) for p in pairs(api, limit=200)}
    assert (one, two) in proposed
    total = api.get("/api/contacts/duplicates", params={"limit": 1}).json()["total"]

    # Told apart (either order, twice): the pair leaves the list and the total.
    for body in ({"contact_id": two, "other_id": one}, {"contact_id": one, "other_id": two}):
        assert api.post("/api/contacts/duplicates/distinct", json=body).status_code == 204
    assert (one, two) not in {(p["contact"]["id"], p["other"]["id"]) for p in pairs(api, limit=200)}
    assert api.get("/api/contacts/duplicates", params={"limit": 1}).json()["total"] == total - 1

    # Undone: proposed again.
    undone = api.delete("/api/contacts/duplicates/distinct", params={"contact_id": one, "other_id": two})
    assert undone.status_code == 204
    assert (one, two) in {(p["contact"]["id"], p["other"]["id"]) for p in pairs(api, limit=200)}

    # Refused, naming the field: the same contact twice, a contact that does not exist.
    same = api.post("/api/contacts/duplicates/distinct", json={"contact_id": one, "other_id": one})
    assert same.status_code == 400 and same.json()["error"]["field"] == "other_id"
    missing = api.post("/api/contacts/duplicates/distinct", json={"contact_id": one, "other_id": 2_000_000_000})
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "other_id"
    viewer = api.new_key("viewer")
    refused = api.post(
        "/api/contacts/duplicates/distinct", json={"contact_id": one, "other_id": two}, headers=api.as_key(viewer)
    )
    assert refused.status_code == 403
    assert (one, two) in {(p["contact"]["id"], p["other"]["id"]) for p in pairs(api, limit=200)}

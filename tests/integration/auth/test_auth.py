from typing import Any

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import unique_email


def test_every_api_route_needs_a_login(api: Any) -> None:
    anonymous = {"Cookie": "", "x-csrf-token": ""}
    for method, path in [
        ("GET", "/api/contacts"),
        ("POST", "/api/contacts"),
        ("GET", "/api/users"),
        ("POST", "/api/interactions"),
        ("GET", "/api/jobs/abc"),
        ("GET", "/api/auth/me"),
    ]:
        response = api.request(method, path, headers=anonymous, cookies={}, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["message"]


def test_login_gives_a_session_and_wrong_password_is_refused(api: Any) -> None:
    wrong = api.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": "not-the-password"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == {"message": "Wrong email or password.", "field": "password"}
    me = api.get("/api/auth/me").json()
    assert me["user"]["email"] == ADMIN_EMAIL and me["role"] == "admin" and me["csrf_token"]


def test_writes_with_a_session_need_the_csrf_token(api: Any) -> None:
    response = api.post("/api/contacts", json={"email": unique_email()}, headers={"x-csrf-token": "forged"})
    assert response.status_code == 403
    assert "security token" in response.json()["error"]["message"]


def test_api_keys_authenticate_and_roles_are_enforced(api: Any) -> None:
    viewer, marketer = api.new_key("viewer"), api.new_key("marketer")
    assert api.get("/api/contacts", headers=api.as_key(viewer)).status_code == 200
    denied = api.post("/api/contacts", json={"email": unique_email()}, headers=api.as_key(viewer))
    assert denied.status_code == 403 and "read-only" in denied.json()["error"]["message"]
    assert api.post("/api/contacts", json={"email": unique_email()}, headers=api.as_key(marketer)).status_code == 201
    for method, path in [("GET", "/api/users"), ("POST", "/api/api-keys"), ("POST", "/api/custom-fields")]:
        response = api.request(method, path, headers=api.as_key(marketer), json={"name": "x", "role": "viewer"})
        assert response.status_code == 403, (method, path)


def test_a_revoked_key_stops_working_at_once(api: Any) -> None:
    created = api.post("/api/api-keys", json={"name": "crm sync", "role": "marketer"}).json()
    assert created["key"].startswith("pk_")
    assert api.get("/api/contacts", headers=api.as_key(created["key"])).status_code == 200
    listed = {k["id"]: k for k in api.get("/api/api-keys").json()}
    assert "key" not in listed[created["id"]] and listed[created["id"]]["prefix"] == created["key"][:10]
    assert api.delete(f"/api/api-keys/{created['id']}").status_code == 204
    refused = api.get("/api/contacts", headers=api.as_key(created["key"]))
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]


def test_admin_manages_users(api: Any) -> None:
    email = unique_email("marketer")
    created = api.post(
        "/api/users",
        json={"email": email, "password": "long-enough-pw", "role": "marketer", "name": "Mia", "language": "fr"},
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert (user["role"], user["language"], "password_hash" in user) == ("marketer", "fr", False)
    assert (
        api.post("/api/users", json={"email": email, "password": "long-enough-pw", "role": "viewer"}).status_code == 409
    )
    short = api.post("/api/users", json={"email": unique_email(), "password": "short", "role": "viewer"})
    assert short.status_code == 400 and short.json()["error"]["field"] == "password"
    bad_role = api.post("/api/users", json={"email": unique_email(), "password": "long-enough-pw", "role": "owner"})
    assert bad_role.status_code == 400 and bad_role.json()["error"]["field"] == "role"
    changed = api.patch(f"/api/users/{user['id']}", json={"role": "viewer"})
    assert changed.json()["role"] == "viewer"
    assert api.delete(f"/api/users/{user['id']}").status_code == 204
    assert user["id"] not in [u["id"] for u in api.get("/api/users").json()]


def test_admin_cannot_lock_themselves_out(api: Any) -> None:
    me = api.get("/api/auth/me").json()["user"]
    assert api.patch(f"/api/users/{me['id']}", json={"role": "viewer"}).status_code == 403
    assert api.delete(f"/api/users/{me['id']}").status_code == 403


def test_users_change_their_own_language(api: Any) -> None:
    assert api.patch("/api/auth/me", json={"language": "fr"}).json()["user"]["language"] == "fr"
    assert api.patch("/api/auth/me", json={"language": "de"}).status_code == 400
    api.patch("/api/auth/me", json={"language": "en"})


@pytest.mark.parametrize("body", [{"email": ADMIN_EMAIL}, {"email": 3, "password": "x"}, {"password": "x"}])
def test_malformed_logins_are_400(api: Any, body: dict[str, Any]) -> None:
    response = api.post("/api/auth/login", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["field"] in ("email", "password")


def test_first_start_without_credentials_prints_a_working_admin_login(
    app_settings: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import msgspec
    from litestar.testing import TestClient

    from parcours.app import create_app

    fresh = msgspec.structs.replace(
        app_settings,
        database_url=f"sqlite:///{tmp_path / 'fresh.db'}",
        admin_email="",
        admin_password="",
        in_process_worker=False,
    )
    with TestClient(create_app(fresh, migrate=True)) as client:
        banner = capsys.readouterr().out
        assert "log in at" in banner
        email, password = banner.strip().split(" as ")[1].split(" / ")
        response = client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200 and response.json()["role"] == "admin"


def test_password_guessing_is_stopped_per_account(api: Any) -> None:
    victim = unique_email("victim")
    statuses = [
        api.post("/api/auth/login", json={"email": victim, "password": f"guess-{i}"}).status_code for i in range(12)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    refused = api.post("/api/auth/login", json={"email": victim, "password": "guess"}).json()
    assert "15 minutes" in refused["error"]["message"]
    # Other accounts are not locked out.
    login = api.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert login.status_code == 200
    api.headers["x-csrf-token"] = login.json()["csrf_token"]

"""Login sessions: a new id at each login, logout ends it, a new password ends the others."""

from __future__ import annotations

from typing import Any

from tests.factories import unique_email

PASSWORD = "first-password-1"


def _cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"parcours_session={token}"}


def _login(api: Any, email: str, password: str, planted: str | None = None) -> tuple[str, str]:
    """Logs in as someone else than the test's admin, whose cookie the client keeps."""
    saved = dict(api.client.cookies)
    api.client.cookies.clear()
    try:
        response = api.client.post(
            "/api/auth/login", json={"email": email, "password": password}, headers=_cookie(planted) if planted else {}
        )
        assert response.status_code == 200, response.text
        return response.cookies["parcours_session"], response.json()["csrf_token"]
    finally:
        api.client.cookies.clear()
        api.client.cookies.update(saved)


def _me(api: Any, token: str) -> int:
    return int(api.client.get("/api/auth/me", headers=_cookie(token)).status_code)


def _user(api: Any) -> tuple[int, str]:
    email = unique_email("user")
    created = api.post("/api/users", json={"email": email, "password": PASSWORD, "role": "marketer"})
    assert created.status_code == 201, created.text
    return created.json()["id"], email


def test_each_login_gives_a_new_session_id_and_ends_the_one_the_browser_had(api: Any) -> None:
    _, email = _user(api)
    first, _ = _login(api, email, PASSWORD)
    second, _ = _login(api, email, PASSWORD, planted=first)
    assert second != first
    assert (_me(api, first), _me(api, second)) == (401, 200)
    # A token nobody was given (planted by someone else) is not adopted by the login either.
    third, _ = _login(api, email, PASSWORD, planted="planted-by-an-attacker")
    assert third != "planted-by-an-attacker" and _me(api, "planted-by-an-attacker") == 401


def test_logout_ends_the_session(api: Any) -> None:
    _, email = _user(api)
    token, csrf = _login(api, email, PASSWORD)
    other, _ = _login(api, email, PASSWORD)
    response = api.client.post("/api/auth/logout", headers={**_cookie(token), "x-csrf-token": csrf})
    assert response.status_code == 204
    assert _me(api, token) == 401
    assert _me(api, other) == 200  # logging out on one device leaves the others


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(api: Any) -> None:
    _, email = _user(api)
    here, csrf = _login(api, email, PASSWORD)
    elsewhere, _ = _login(api, email, PASSWORD)
    changed = api.client.patch(
        "/api/auth/me", json={"password": "second-password-2"}, headers={**_cookie(here), "x-csrf-token": csrf}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["csrf_token"] == csrf
    assert (_me(api, here), _me(api, elsewhere)) == (200, 401)
    wrong = api.client.post("/api/auth/login", json={"email": email, "password": PASSWORD}, headers=_cookie("x"))
    assert wrong.status_code == 401
    _login(api, email, "second-password-2")


def test_a_password_set_by_an_admin_ends_every_session_of_that_user(api: Any) -> None:
    user_id, email = _user(api)
    one, _ = _login(api, email, PASSWORD)
    two, _ = _login(api, email, PASSWORD)
    assert api.patch(f"/api/users/{user_id}", json={"password": "set-by-admin-3"}).status_code == 200
    assert (_me(api, one), _me(api, two)) == (401, 401)
    assert api.get("/api/auth/me").status_code == 200  # the admin's own session goes on


def test_logins_are_throttled_by_address(api: Any) -> None:
    # Beyond the per-account limit (test_auth), one address may try 60 logins a minute, whatever
    # they hold (malformed ones here: quick to answer, so that the minute is not over before the end).
    statuses = [
        api.client.post("/api/auth/login", json={"email": unique_email("spray")}).status_code for _ in range(62)
    ]
    assert set(statuses[:40]) == {400} and statuses[-1] == 429

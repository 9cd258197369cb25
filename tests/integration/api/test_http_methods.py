"""Any method on any API route gets an answer that says what is allowed, never a 500."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from parcours.app import create_app


def api_paths(api: Any) -> list[tuple[str, set[str]]]:
    """Every /api route with sample path parameters, and the methods it serves."""
    paths = []
    for route in api.app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api"):
            path = re.sub(r"\{[^}:]+:str\}", "sample", route.path)
            path = re.sub(r"\{[^}]+\}", "1", path)
            paths.append((path, set(route.methods)))
    return paths


def test_options_answers_every_api_route_with_the_methods_it_allows(api: Any) -> None:
    paths = api_paths(api)
    assert len(paths) > 50
    anonymous = TestClient(api.app)
    for path, methods in paths:
        response = anonymous.options(path)
        assert response.status_code == 204, (path, response.status_code, response.text)
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert allowed == methods, path


def test_a_method_a_route_does_not_serve_is_refused_in_words(api: Any) -> None:
    for response in (api.put("/api/contacts", json={}), TestClient(api.app).head("/api/contacts")):
        assert response.status_code == 405
        assert "GET" in response.headers["allow"]
    assert api.put("/api/contacts", json={}).json()["error"]["message"] == "This method is not allowed here."


def test_cors_preflights_follow_the_configured_origins(app_settings: Any) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    settings = msgspec.structs.replace(app_settings, cors_origins="https://www.example.com, https://shop.example.com/")
    with TestClient(create_app(settings, migrate=True)) as client:
        allowed = client.options("/api/contacts", headers={"Origin": "https://shop.example.com", **preflight})
        assert allowed.status_code == 204
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example.com"
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in allowed.headers
        refused = client.options("/api/contacts", headers={"Origin": "https://evil.example.net", **preflight})
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    with TestClient(create_app(app_settings, migrate=True)) as client:
        unconfigured = client.options("/api/contacts", headers={"Origin": "https://www.example.com", **preflight})
        assert unconfigured.status_code == 204
        assert "access-control-allow-origin" not in unconfigured.headers

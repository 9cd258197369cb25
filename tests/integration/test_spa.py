"""The built web interface is served beside the API; client-side routes get index.html."""

from pathlib import Path
from typing import Any

import msgspec
from litestar.testing import TestClient

from parcours.app import create_app


def test_spa_routes_assets_and_api_404s(app_settings: Any, tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-123.js").write_text("console.log(1)")
    settings = msgspec.structs.replace(app_settings, frontend_dir=str(tmp_path), in_process_worker=False)
    with TestClient(create_app(settings, migrate=True)) as client:
        for path in ["/", "/contacts/12", "/settings/users"]:
            page = client.get(path)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assert "id=root" in page.text and page.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/app-123.js")
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
        assert client.get("/assets/missing.js").status_code == 404
        assert client.get("/../../etc/passwd").status_code in (200, 404)
        assert "root:" not in client.get("/..%2f..%2fetc/passwd").text
        missing = client.get("/api/nothing-here")
        assert missing.status_code == 404 and missing.json()["error"]["message"]
        assert client.get("/schema/openapi.json").json()["info"]["title"] == "Parcours"

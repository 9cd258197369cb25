"""Credentials kept in the database (SFTP passwords and private keys of imports and exports) are
encrypted with the encryption key: PARCOURS_ENCRYPTION_KEY, or one generated into the data
directory. Those sealed before it existed are sealed again with it; a wrong key says so."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path
from typing import Any

import msgspec
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from parcours import keys
from parcours.settings import async_url
from tests.conftest import signed_in
from tests.factories import unique_type

PASSWORD = "plain-sftp-password-42"


def _source(api: Any) -> dict[str, Any]:
    body = {
        "name": unique_type("drop"),
        "kind": "sftp",
        "host": "127.0.0.1",
        "port": 2222,
        "username": "drop",
        "password": PASSWORD,
        "directory": "in",
        "pattern": "*.csv",
        "mapping": {"Email": "email"},
    }
    created = api.post("/api/imports/sources", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def _sql(settings: Any, statement: str, **params: Any) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_async_engine(async_url(settings.database_url))
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _stored(settings: Any, source_id: int) -> str:
    rows = _sql(settings, "SELECT password_secret FROM import_sources WHERE id = :id", id=source_id)
    return str(rows[0][0])


def test_the_stored_password_is_encrypted_with_the_key_from_the_environment(app_settings: Any, tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = msgspec.structs.replace(app_settings, data_dir=str(tmp_path), encryption_key=key)
    with signed_in(settings) as api:
        source = _source(api)
        assert "password" not in source and source["has_password"] is True
    stored = _stored(settings, source["id"])
    assert PASSWORD not in stored and base64.b64encode(PASSWORD.encode()).decode() not in stored
    assert Fernet(key.encode()).decrypt(stored.encode()).decode() == PASSWORD
    assert not (tmp_path / "encryption_key").exists()  # the environment's key, nothing generated

    # Started with another key, the product says which setting is wrong instead of failing.
    other = msgspec.structs.replace(settings, encryption_key=Fernet.generate_key().decode())
    with signed_in(other) as api:
        renamed = api.patch(f"/api/imports/sources/{source['id']}", json={"name": "Renamed"})
        assert renamed.status_code == 400, renamed.text
        assert renamed.json()["error"]["field"] == "password"
        assert "PARCOURS_ENCRYPTION_KEY" in renamed.json()["error"]["message"]
        # Entering the password again makes it readable with this key.
        again = api.patch(f"/api/imports/sources/{source['id']}", json={"password": PASSWORD})
        assert again.status_code == 200, again.text
    assert Fernet(other.encryption_key.encode()).decrypt(_stored(settings, source["id"]).encode()) == PASSWORD.encode()


def test_a_key_that_is_not_a_key_stops_the_start_with_a_clear_message(app_settings: Any, tmp_path: Path) -> None:
    settings = msgspec.structs.replace(app_settings, data_dir=str(tmp_path), encryption_key="hunter2")
    with pytest.raises(SystemExit, match="PARCOURS_ENCRYPTION_KEY is not valid.*parcours encryption-key"):
        keys.encryption_key(settings)  # what the product opens first (assembly.open_product)


def test_passwords_sealed_before_the_encryption_key_are_sealed_again_with_it(app_settings: Any, tmp_path: Path) -> None:
    settings = msgspec.structs.replace(app_settings, data_dir=str(tmp_path), encryption_key="")
    with signed_in(settings) as api:
        source = _source(api)
    # As the previous version stored it: with a key derived from the signing key.
    signing = (tmp_path / "secret_key").read_text().strip()
    former = Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"parcours-dataflows:{signing}".encode()).digest()))
    _sql(
        settings,
        "UPDATE import_sources SET password_secret = :sealed WHERE id = :id",
        sealed=former.encrypt(PASSWORD.encode()).decode(),
        id=source["id"],
    )
    with signed_in(settings) as api:
        renamed = api.patch(f"/api/imports/sources/{source['id']}", json={"name": "Renamed"})
        assert renamed.status_code == 200, renamed.text
    generated = tmp_path / "encryption_key"
    assert generated.stat().st_mode & 0o077 == 0
    stored = _stored(settings, source["id"])
    assert PASSWORD not in stored
    assert Fernet(generated.read_text().strip().encode()).decrypt(stored.encode()).decode() == PASSWORD

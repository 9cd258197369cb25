"""Backups of the embedded installation: taken while the product runs and writes, restored on an
empty machine and over a live one (what it replaces kept aside), checked, and refused when the
archive is not a backup. The product restored serves the data of the moment of the backup."""

from __future__ import annotations

import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from parcours import backup as backups
from parcours.cli import main
from parcours.settings import load_settings
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, signed_in


def settings_in(directory: Path, redis_url: str, **more: Any) -> Any:
    return load_settings(
        {},
        data_dir=str(directory),
        redis_url=redis_url,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
        seed_demo_data=False,
        frontend_dir=str(Path(__file__).parent.parent / "no-spa"),
        **more,
    )


def emails(api: Any) -> set[str]:
    return {c["email"] for c in api.get("/api/contacts", params={"limit": 500}).json()["items"]}


def test_a_backup_taken_while_writing_restores_that_moment(tmp_path: Path, redis_url: str) -> None:
    live = settings_in(tmp_path / "live", redis_url)
    archive = tmp_path / "backups" / "parcours.tar.gz"
    with signed_in(live) as api:
        for n in range(20):
            assert api.post("/api/contacts", json={"email": f"before{n}@example.org"}).status_code == 201
        (live.files_path / "exports").mkdir(parents=True)
        (live.files_path / "exports" / "segment.csv").write_text("email\nbefore0@example.org\n")
        # Writes go on during the backup: the copy is of one moment, and readable.
        stop = threading.Event()

        def keep_writing() -> None:
            n = 0
            while not stop.is_set():
                api.post("/api/contacts", json={"email": f"during{n}@example.org"})
                n += 1

        writer = threading.Thread(target=keep_writing)
        writer.start()
        try:
            manifest = backups.backup(live, archive)
        finally:
            stop.set()
            writer.join()
        assert manifest["contacts"] >= 20
        assert api.post("/api/contacts", json={"email": "after@example.org"}).status_code == 201
        everything = emails(api)
    secret = (live.data_path / "secret_key").read_text()
    encryption = (live.data_path / "encryption_key").read_text()

    # On an empty machine: the database, the keys and the files come back, and check passes.
    fresh = settings_in(tmp_path / "fresh", redis_url)
    backups.restore(fresh, archive)
    checked = backups.check(fresh)
    assert checked.ok, checked.problems
    assert checked.facts["contacts"] == manifest["contacts"]
    assert (fresh.data_path / "secret_key").read_text() == secret
    assert (fresh.data_path / "encryption_key").read_text() == encryption  # saved passwords stay readable
    assert (fresh.files_path / "exports" / "segment.csv").read_text().startswith("email")
    with signed_in(fresh) as api:
        restored = emails(api)
    assert {f"before{n}@example.org" for n in range(20)} <= restored
    assert "after@example.org" not in restored and restored < everything
    assert len(restored) == manifest["contacts"]

    # Over a live installation: what it replaces is kept beside it.
    backups.restore(live, archive)
    kept = list(live.data_path.glob("parcours.db.before-restore-*"))
    assert [p for p in kept if not p.name.endswith(("-wal", "-shm"))]
    with signed_in(live) as api:
        assert "after@example.org" not in emails(api)


def test_what_is_not_a_backup_is_refused_and_changes_nothing(tmp_path: Path, redis_url: str) -> None:
    live = settings_in(tmp_path / "live", redis_url)
    with signed_in(live) as api:
        assert api.post("/api/contacts", json={"email": "kept@example.org"}).status_code == 201
    before = (live.data_path / "parcours.db").read_bytes()
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(backups.BackupError, match="cannot be read as a backup"):
        backups.restore(live, junk)
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        archive.add(__file__, "parcours.db")
    with pytest.raises(backups.BackupError, match="no manifest"):
        backups.restore(live, foreign)
    assert (live.data_path / "parcours.db").read_bytes() == before
    assert not list(live.data_path.glob("*.before-restore-*"))


def test_the_commands_back_up_restore_and_check(tmp_path: Path, redis_url: str) -> None:
    live = settings_in(tmp_path / "live", redis_url)
    with signed_in(live) as api:
        assert api.post("/api/contacts", json={"email": "cli@example.org"}).status_code == 201
    env = {"PARCOURS_DATA_DIR": str(live.data_path), "PARCOURS_REDIS_URL": redis_url}
    runner = CliRunner()
    made = runner.invoke(main, ["backup", str(tmp_path / "b.tar.gz")], env=env)
    assert made.exit_code == 0, made.output
    assert "1 contacts" in made.output
    other = {"PARCOURS_DATA_DIR": str(tmp_path / "other"), "PARCOURS_REDIS_URL": redis_url}
    restored = runner.invoke(main, ["restore", str(tmp_path / "b.tar.gz"), "--yes"], env=other)
    assert restored.exit_code == 0, restored.output
    assert "check passed" in restored.output and "contacts: 1" in restored.output
    assert runner.invoke(main, ["check"], env=other).exit_code == 0
    empty = runner.invoke(main, ["check"], env={"PARCOURS_DATA_DIR": str(tmp_path / "nothing")})
    assert empty.exit_code == 1 and "There is no database" in empty.output
    postgres = runner.invoke(
        main, ["backup", str(tmp_path / "pg.tar.gz")], env={"PARCOURS_DATABASE_URL": "postgresql://x@127.0.0.1/y"}
    )
    assert postgres.exit_code == 1 and "pg_dump" in postgres.output

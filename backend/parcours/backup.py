"""Backups of the embedded installation, their restore, and the check a restored one passes.

A backup is one .tar.gz: the SQLite database copied with SQLite's online backup API (a consistent
copy while Parcours runs and writes), the generated signing key (without it, links in emails
already sent would stop working) and the server files directory (scheduled imports and exports),
with a manifest saying when and at which schema revision it was taken. Restoring puts them back,
keeping what it replaces beside it (`*.before-restore-<time>`), and refuses an archive that is not
one of ours. PostgreSQL is backed up with its own tools (README: "Backups").
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from parcours import keys
from parcours.db import alembic_config
from parcours.settings import Settings

FORMAT = 1
DATABASE, SECRET, FILES, MANIFEST = "parcours.db", "secret_key", "files", "manifest.json"
POSTGRESQL_WAY = (
    "The database is PostgreSQL: back it up with pg_dump -Fc (and restore with pg_restore), "
    "as the README's Backups section shows. parcours backup copies the embedded SQLite database."
)


class BackupError(Exception):
    """What went wrong, in words for the person at the console."""


@dataclass
class Check:
    problems: list[str] = field(default_factory=list)
    facts: dict[str, str | int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def database_path(settings: Settings) -> Path:
    if not settings.is_sqlite:
        raise BackupError(POSTGRESQL_WAY)
    return Path(settings.sqlalchemy_url.split(":///", 1)[1])


def _head(settings: Settings) -> str:
    return str(ScriptDirectory.from_config(alembic_config(settings.sqlalchemy_url)).get_current_head())


def check_database(path: Path, head: str) -> Check:
    """SQLite's own integrity check, the schema at the code's revision, the tables readable."""
    found = Check()
    if not path.exists():
        found.problems.append(f"There is no database at {path}.")
        return found
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            found.problems.append(f"SQLite's integrity check failed: {integrity}")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        found.facts["revision"] = revision[0] if revision else "none"
        if not revision or revision[0] != head:
            found.problems.append(
                f"The schema is at revision {found.facts['revision']}, this version of Parcours expects {head}: "
                "run parcours migrate."
            )
        for table in ("contacts", "interactions", "users"):
            found.facts[table] = int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.DatabaseError as error:
        found.problems.append(f"The database cannot be read: {error}")
    finally:
        connection.close()
    return found


def check(settings: Settings) -> Check:
    return check_database(database_path(settings), _head(settings))


def _key_files(settings: Settings) -> list[str]:
    """The keys kept in the data directory (not those the environment gives): the signing key, the
    ones it replaced (links already sent), the encryption key of the saved credentials."""
    return [
        *([] if settings.secret_key else [SECRET]),
        keys.RETIRED_FILE,
        *([] if settings.encryption_key else [keys.ENCRYPTION_FILE]),
    ]


def backup(settings: Settings, target: Path) -> dict[str, str | int]:
    """Write the backup to `target` (written aside, then moved in place: never half a file)."""
    source = database_path(settings)
    if not source.exists():
        raise BackupError(f"There is no database at {source}: nothing to back up.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        copy = Path(work) / DATABASE
        reading, writing = sqlite3.connect(source), sqlite3.connect(copy)
        try:
            # Page by page, letting writers in between: the copy is of one moment all the same.
            reading.backup(writing, pages=4096)
        finally:
            writing.close()
            reading.close()
        checked = check_database(copy, _head(settings))
        manifest = {
            "format": FORMAT,
            "taken_at": datetime.now(UTC).isoformat(),
            **checked.facts,
        }
        partial = Path(work) / "backup.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(copy, DATABASE)
            for name in _key_files(settings):
                if (settings.data_path / name).exists():
                    archive.add(settings.data_path / name, name)
            if settings.files_path.is_dir():
                archive.add(settings.files_path, FILES)
        partial.replace(target)
    return manifest


def _read_manifest(archive: tarfile.TarFile) -> dict[str, object]:
    try:
        member = archive.extractfile(MANIFEST)
    except KeyError:
        member = None
    if member is None:
        raise BackupError("This is not a Parcours backup: it has no manifest.")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup's format ({manifest.get('format')}) is not one this version reads.")
    return dict(manifest)


def restore(settings: Settings, source: Path) -> dict[str, object]:
    """Put the backup's database, keys and files in place of the current ones (kept aside). Stop
    Parcours (server and workers) first: they would keep writing to the replaced database."""
    destination = database_path(settings)
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 (closed by the `with` below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{source} cannot be read as a backup: {error}") from None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with archive, tempfile.TemporaryDirectory(dir=destination.parent) as work:
        manifest = _read_manifest(archive)
        allowed = {MANIFEST, DATABASE, SECRET, keys.RETIRED_FILE, keys.ENCRYPTION_FILE}
        members = [m for m in archive.getmembers() if m.name in allowed or m.name.startswith(f"{FILES}")]
        # The "data" filter refuses links out of the directory, absolute paths and devices.
        archive.extractall(work, members=members, filter="data")
        restored = Path(work) / DATABASE
        checked = check_database(restored, str(manifest.get("revision", "")))
        if not checked.ok:
            raise BackupError("The backup's database is damaged: " + " ".join(checked.problems))

        def put(new: Path, old: Path) -> None:
            if old.exists():
                old.replace(old.with_name(f"{old.name}.before-restore-{stamp}"))
            shutil.move(str(new), str(old))

        # The replaced database's write-ahead log goes aside with it, under the name SQLite looks for.
        for suffix in ("-wal", "-shm"):
            log = Path(f"{destination}{suffix}")
            if log.exists():
                log.replace(log.with_name(f"{destination.name}.before-restore-{stamp}{suffix}"))
        put(restored, destination)
        for name in _key_files(settings):
            if (Path(work) / name).exists():
                put(Path(work) / name, settings.data_path / name)
        if (Path(work) / FILES).is_dir():
            put(Path(work) / FILES, settings.files_path)
    return manifest

"""Scheduled imports and exports against a real SFTP server (asyncssh, password and key
authentication) started by the tests, and against a directory of the server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from parcours.clock import clock
from parcours.dataflows.tasks import sweep_dataflows
from parcours.queue import free_port
from tests.conftest import Api
from tests.factories import static_segment, unique_email

USER, PASSWORD = "drop", "s3cret-drop-password"


class SftpServer:
    """A real SFTP server on 127.0.0.1 serving `root`, accepting USER with PASSWORD or `client_key`."""

    def __init__(self, api: Api, root: Path) -> None:
        self.api, self.root, self.port = api, root, free_port()
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.client_key = asyncssh.generate_private_key("ssh-ed25519")
        self.listener: Any = None

    def start(self) -> None:
        authorized = asyncssh.import_authorized_keys(self.client_key.export_public_key().decode())

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                return username == USER and password == PASSWORD

            def public_key_auth_supported(self) -> bool:
                return True

        async def listen() -> Any:
            return await asyncssh.listen(
                "127.0.0.1",
                self.port,
                server_host_keys=[self.host_key],
                authorized_client_keys=authorized,
                server_factory=Server,
                sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(self.root).encode()),
            )

        self.listener = self.api.blocking_portal.call(listen)

    def stop(self) -> None:
        async def close() -> None:
            self.listener.close()
            await self.listener.wait_closed()

        self.api.blocking_portal.call(close)

    @property
    def private_key(self) -> str:
        return str(self.client_key.export_private_key().decode())


@pytest.fixture(scope="module")
def sftp(api: Api, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SftpServer]:
    server = SftpServer(api, tmp_path_factory.mktemp("sftp"))
    server.start()
    yield server
    server.stop()


def _sweep(api: Api) -> int:
    runtime = api.app.state.runtime

    async def sweep() -> int:
        return await sweep_dataflows({"runtime": runtime})  # type: ignore[typeddict-item]

    return int(api.blocking_portal.call(sweep))


def _drop(folder: Path, name: str, emails: list[str], *, age: float = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("Email;Prénom\n" + "".join(f"{e};Zoé\n" for e in emails) + "not-an-email;Bad\n", "utf-8")
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def _sftp_source(sftp: SftpServer, directory: str, **fields: Any) -> dict[str, Any]:
    return {
        "name": f"Shop drop {directory}",
        "kind": "sftp",
        "host": "127.0.0.1",
        "port": sftp.port,
        "username": USER,
        "password": PASSWORD,
        "directory": directory,
        "pattern": "*.csv",
        "mapping": {"Email": "email", "Prénom": "first_name"},
        **fields,
    }


def _create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/imports/sources", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _contact(api: Api, email: str) -> dict[str, Any] | None:
    items = api.get("/api/contacts", params={"q": email}).json()["items"]
    return next((c for c in items if c["email"] == email), None)


def _runs(api: Api, source_id: int) -> list[dict[str, Any]]:
    response = api.get(f"/api/imports/sources/{source_id}/runs")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _finished(api: Api, run: dict[str, Any]) -> dict[str, Any]:
    """The run once its job and every file's import have finished."""
    api.wait_job(run["job_id"])
    for file in next(r for r in _runs(api, run["source_id"]) if r["id"] == run["id"])["files"]:
        if file["job_id"]:
            api.wait_job(file["job_id"])
    return next(r for r in _runs(api, run["source_id"]) if r["id"] == run["id"])


def test_a_daily_drop_imports_itself_at_its_time(api: Api, sftp: SftpServer) -> None:
    now = datetime.now(UTC)
    at = now + timedelta(hours=2)
    source = _create(api, _sftp_source(sftp, "daily", frequency="daily", time_of_day=f"{at:%H:%M}"))
    assert "password" not in source and source["has_password"] is True
    assert datetime.fromisoformat(source["next_run_at"]) > now + timedelta(hours=1)
    emails = [unique_email("daily"), unique_email("daily")]
    _drop(sftp.root / "daily", "contacts-1.csv", emails)
    _sweep(api)
    assert _runs(api, source["id"]) == []  # not its time yet
    clock.advance(timedelta(hours=2, minutes=1))
    try:
        _sweep(api)
        _sweep(api)
        [run] = _runs(api, source["id"])  # started once
        assert run["trigger"] == "schedule"
        run = _finished(api, run)
    finally:
        clock.reset()
    assert run["status"] == "done", run
    [file] = run["files"]
    assert file["name"] == "contacts-1.csv" and file["status"] == "imported"
    assert file["created"] == 2 and file["rejected_rows"] == 1 and file["error_count"] == 1
    assert file["moved_to"] == "processed/contacts-1.csv"
    # The manual import's error report, for the row it refused.
    report = api.get(f"/api/jobs/{file['job_id']}").json()["result"]
    assert report["errors"][0]["row"] == 4 and report["errors"][0]["field"] == "email"
    assert (sftp.root / "daily/processed/contacts-1.csv").exists()
    assert not (sftp.root / "daily/contacts-1.csv").exists()
    for email in emails:
        found = _contact(api, email)
        assert found is not None and found["first_name"] == "Zoé"
    # The host key was remembered at the first connection.
    saved = api.get(f"/api/imports/sources/{source['id']}").json()
    assert saved["host_key_fingerprint"].startswith("SHA256:")
    assert saved["failures"] == 0 and saved["last_error"] is None
    assert datetime.fromisoformat(saved["next_run_at"]) > datetime.fromisoformat(run["finished_at"]) + timedelta(
        hours=20
    )


def test_key_authentication_marks_files_and_never_imports_one_twice(api: Api, sftp: SftpServer) -> None:
    body = _sftp_source(sftp, "marked", after_read="mark", frequency="hourly")
    del body["password"]
    source = _create(api, {**body, "private_key": sftp.private_key})
    assert source["has_private_key"] is True and source["has_password"] is False
    first = unique_email("marked")
    dropped = _drop(sftp.root / "marked", "a.csv", [first], age=600)
    content, stamp = dropped.read_bytes(), dropped.stat().st_mtime
    started = api.post(f"/api/imports/sources/{source['id']}/run")
    assert started.status_code == 202, started.text
    run = _finished(api, {**started.json(), "id": started.json()["run_id"], "source_id": source["id"]})
    assert [(f["name"], f["status"], f["moved_to"]) for f in run["files"]] == [("a.csv", "imported", "a.csv.imported")]
    assert (sftp.root / "marked/a.csv.imported").exists()
    assert _contact(api, first) is not None
    # The same file dropped again (same name, size, time) is not imported twice; a new one is.
    dropped.write_bytes(content)
    os.utime(dropped, (stamp, stamp))
    second = unique_email("marked")
    _drop(sftp.root / "marked", "b.csv", [second])
    started = api.post(f"/api/imports/sources/{source['id']}/run").json()
    run = _finished(api, {**started, "id": started["run_id"], "source_id": source["id"]})
    assert [f["name"] for f in run["files"]] == ["b.csv"]
    assert _contact(api, second) is not None
    again = api.post(f"/api/imports/sources/{source['id']}/run").json()
    assert _finished(api, {**again, "id": again["run_id"], "source_id": source["id"]})["files"] == []


def test_a_failing_source_retries_later_and_later_shows_the_error_then_recovers(
    api: Api, tmp_path_factory: pytest.TempPathFactory
) -> None:
    server = SftpServer(api, tmp_path_factory.mktemp("down"))
    source = _create(api, {**_sftp_source(server, "in"), "frequency": "hourly"})  # the server is down
    started = api.post(f"/api/imports/sources/{source['id']}/run").json()
    job = api.wait_job(started["job_id"])
    assert job["status"] == "failed" and "Cannot connect" in job["message"]
    [run] = _runs(api, source["id"])
    assert run["status"] == "failed" and "Cannot connect to 127.0.0.1" in run["error"]
    failing = api.get(f"/api/imports/sources/{source['id']}").json()
    assert failing["failures"] == 1 and "Cannot connect" in failing["last_error"]
    first_retry = datetime.fromisoformat(failing["next_run_at"]) - datetime.fromisoformat(run["finished_at"])
    assert timedelta(seconds=50) < first_retry < timedelta(seconds=61)
    try:
        clock.advance(timedelta(minutes=1, seconds=1))
        _sweep(api)
        retry, _first = _runs(api, source["id"])
        assert retry["trigger"] == "retry"
        api.wait_job(retry["job_id"])
        failing = api.get(f"/api/imports/sources/{source['id']}").json()
        assert failing["failures"] == 2
        assert datetime.fromisoformat(failing["next_run_at"]) - clock.now() > timedelta(seconds=110)  # waits longer
        # The server is back.
        email = unique_email("recovered")
        _drop(server.root / "in", "late.csv", [email])
        server.start()
        clock.advance(timedelta(minutes=2, seconds=1))
        _sweep(api)
        recovered = _finished(api, _runs(api, source["id"])[0])
        assert recovered["trigger"] == "retry"
    finally:
        clock.reset()
        if server.listener is not None:
            server.stop()
    assert recovered["status"] == "done" and recovered["files"][0]["status"] == "imported"
    assert _contact(api, email) is not None
    healthy = api.get(f"/api/imports/sources/{source['id']}").json()
    assert healthy["failures"] == 0 and healthy["last_error"] is None


def test_a_directory_source_and_a_refused_file(api: Api) -> None:
    root = Path(api.app.state.runtime.settings.files_path)
    email = unique_email("dir")
    _drop(root / "crm", "people.csv", [email])
    (root / "crm" / "empty.csv").write_text("", "utf-8")
    source = _create(api, {"name": "CRM folder", "kind": "directory", "directory": "crm", "mapping": None})
    started = api.post(f"/api/imports/sources/{source['id']}/run").json()
    run = _finished(api, {**started, "id": started["run_id"], "source_id": source["id"]})
    by_name = {f["name"]: f for f in run["files"]}
    assert by_name["people.csv"]["status"] == "imported"  # the mapping suggested from its columns
    assert by_name["empty.csv"]["status"] == "refused" and by_name["empty.csv"]["message"] == "The file is empty."
    assert _contact(api, email) is not None
    assert sorted(p.name for p in (root / "crm" / "processed").iterdir()) == ["empty.csv", "people.csv"]


def test_connection_test_says_what_it_finds_or_why_not(api: Api, sftp: SftpServer) -> None:
    _drop(sftp.root / "probe", "x.csv", [unique_email()])
    body = {
        k: v
        for k, v in _sftp_source(sftp, "probe").items()
        if k in ("kind", "host", "port", "username", "password", "directory", "pattern")
    }
    ok = api.post("/api/imports/sources/test", json=body).json()
    assert ok["ok"] is True and ok["files"] == ["x.csv"]
    wrong = api.post("/api/imports/sources/test", json={**body, "password": "wrong"}).json()
    assert wrong["ok"] is False and "refused the user name" in wrong["message"]
    missing = api.post("/api/imports/sources/test", json={**body, "directory": "nowhere"}).json()
    assert missing["ok"] is False and "does not exist" in missing["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "directory", "directory": "../../etc"}, "directory"),
        ({"host": ""}, "host"),
        ({"password": None}, "password"),
        ({"private_key": "not a key", "password": None}, "private_key"),
        ({"mapping": {"Prénom": "first_name"}}, "mapping"),
        ({"mapping": {"Email": "email", "x": "shoe_size"}}, "mapping"),
        ({"time_of_day": "25:00"}, "time_of_day"),
        ({"frequency": "weekly"}, "frequency"),
        ({"port": 0}, "port"),
        ({"options": {"default_country": "Atlantis"}}, "options.default_country"),
        ({"options": {"segment_id": 999999}}, "options.segment_id"),
        ({"pattern": "../*.csv"}, "pattern"),
    ],
)
def test_bad_sources_are_refused_naming_the_field(
    api: Api, sftp: SftpServer, change: dict[str, Any], field: str
) -> None:
    before = api.get("/api/imports/sources").json()["total"]
    response = api.post("/api/imports/sources", json={**_sftp_source(sftp, "bad"), **change})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field, response.json()
    assert api.get("/api/imports/sources").json()["total"] == before


def test_a_patch_keeps_the_secret_unless_replaced_and_refuses_a_path_outside(api: Api, sftp: SftpServer) -> None:
    source = _create(api, _sftp_source(sftp, "patched"))
    renamed = api.patch(f"/api/imports/sources/{source['id']}", json={"name": "Renamed"}).json()
    assert renamed["name"] == "Renamed" and renamed["has_password"] is True
    outside = api.patch(f"/api/imports/sources/{source['id']}", json={"kind": "directory", "directory": "/etc"})
    assert outside.status_code == 400 and outside.json()["error"]["field"] == "directory"
    assert api.get(f"/api/imports/sources/{source['id']}").json()["kind"] == "sftp"
    assert api.delete(f"/api/imports/sources/{source['id']}").status_code == 204
    assert api.get(f"/api/imports/sources/{source['id']}").status_code == 404


def test_a_segment_exported_to_sftp_on_its_schedule_and_downloaded(api: Api, sftp: SftpServer) -> None:
    people = [
        api.post("/api/contacts", json={"email": unique_email("export"), "first_name": name}).json()
        for name in ("Ana", "Léo")
    ]
    segment_id = static_segment(api, [p["id"] for p in people])
    fields = ["email", "first_name", "opens_30d"]
    download = api.get(f"/api/exports/segments/{segment_id}/csv", params={"fields": fields})
    assert download.status_code == 200, download.text
    lines = download.text.lstrip("\ufeff").splitlines()
    assert lines[0] == "email,first_name,opens_30d"
    assert sorted(lines[1:]) == sorted(f"{p['email']},{p['first_name']},0" for p in people)
    # Naming no field downloads the email and the names.
    plain = api.get(f"/api/exports/segments/{segment_id}/csv")
    assert plain.status_code == 200, plain.text
    assert plain.text.lstrip("\ufeff").splitlines()[0] == "email,first_name,last_name"
    (sftp.root / "out").mkdir(exist_ok=True)
    body = {
        "name": "Weekly VIP",
        "segment_id": segment_id,
        "fields": fields,
        "kind": "sftp",
        "host": "127.0.0.1",
        "port": sftp.port,
        "username": USER,
        "private_key": sftp.private_key,
        "directory": "out",
        "frequency": "hourly",
    }
    created = api.post("/api/exports/scheduled", json=body)
    assert created.status_code == 201, created.text
    export = created.json()
    assert "private_key" not in export and export["has_private_key"] is True
    clock.advance(timedelta(hours=1, minutes=1))
    try:
        _sweep(api)
        job = api.eventually(
            lambda: [j for j in api.get("/api/jobs", params={"kind": "segment_export"}).json() if j["status"] == "done"]
        )
    finally:
        clock.reset()
    assert job, "the export did not finish"
    saved = api.get(f"/api/exports/scheduled/{export['id']}").json()
    assert saved["last_rows"] == 2 and saved["last_error"] is None
    written = (sftp.root / "out" / saved["last_file"]).read_text("utf-8-sig").splitlines()
    assert written[0] == "email,first_name,opens_30d" and len(written) == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fields": ["email", "no_such_field"]}, "fields"),
        ({"fields": []}, "fields"),
        ({"segment_id": 999999}, "segment_id"),
        ({"kind": "directory", "directory": "../elsewhere"}, "directory"),
    ],
)
def test_bad_exports_are_refused_naming_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    segment_id = static_segment(api, [])
    before = api.get("/api/exports/scheduled").json()["total"]
    body = {"name": "x", "segment_id": segment_id, "fields": ["email"], "kind": "directory", "directory": "out"}
    response = api.post("/api/exports/scheduled", json={**body, **change})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field
    assert api.get("/api/exports/scheduled").json()["total"] == before
    bad = api.get(f"/api/exports/segments/{segment_id}/csv", params={"fields": ["nope"]})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "fields"


def test_a_server_presenting_another_host_key_is_refused(api: Api, tmp_path_factory: pytest.TempPathFactory) -> None:
    server = SftpServer(api, tmp_path_factory.mktemp("impostor"))
    server.start()
    try:
        source = _create(api, {**_sftp_source(server, "."), "frequency": "hourly"})
        first = api.post(f"/api/imports/sources/{source['id']}/run").json()
        assert api.wait_job(first["job_id"])["status"] == "done"
        learnt = api.get(f"/api/imports/sources/{source['id']}").json()["host_key_fingerprint"]
        assert learnt is not None
        # Saving the form again (the same address) keeps the key it learnt.
        same = {"host": "127.0.0.1", "port": server.port, "kind": "sftp", "name": "Renamed"}
        assert api.patch(f"/api/imports/sources/{source['id']}", json=same).json()["host_key_fingerprint"] == learnt
        # Another machine answers at the same address, with its own key.
        server.stop()
        server.host_key = asyncssh.generate_private_key("ssh-ed25519")
        server.start()
        again = api.post(f"/api/imports/sources/{source['id']}/run").json()
        job = api.wait_job(again["job_id"])
        assert job["status"] == "failed" and "different host key" in job["message"]
        probe = api.post(
            "/api/imports/sources/test",
            json={
                "kind": "sftp",
                "host": "127.0.0.1",
                "port": server.port,
                "username": USER,
                "source_id": source["id"],
            },
        ).json()
        assert probe["ok"] is False and "different host key" in probe["message"]
        assert api.get(f"/api/imports/sources/{source['id']}").json()["host_key_fingerprint"] == learnt
    finally:
        server.stop()


def test_a_file_larger_than_the_upload_limit_is_refused_once_without_being_read(api: Api) -> None:
    root = Path(api.app.state.runtime.settings.files_path)
    limit = api.app.state.runtime.settings.max_upload_mb
    (root / "big").mkdir(parents=True, exist_ok=True)
    with (root / "big" / "huge.csv").open("wb") as huge:
        huge.truncate(limit * 1024 * 1024 + 1)  # sparse: nothing written to disk
    source = _create(api, {"name": "Big folder", "kind": "directory", "directory": "big"})
    started = api.post(f"/api/imports/sources/{source['id']}/run").json()
    [file] = _finished(api, {**started, "id": started["run_id"], "source_id": source["id"]})["files"]
    assert file["status"] == "refused" and f"larger than {limit} MB" in file["message"]
    again = api.post(f"/api/imports/sources/{source['id']}/run").json()
    assert _finished(api, {**again, "id": again["run_id"], "source_id": source["id"]})["files"] == []


def test_a_run_whose_job_ended_without_it_is_closed_and_its_source_runs_again(api: Api) -> None:
    from sqlalchemy import update

    from parcours.dataflows.models import ImportRun
    from parcours.db import transaction

    root = Path(api.app.state.runtime.settings.files_path)
    (root / "stale").mkdir(parents=True, exist_ok=True)
    source = _create(api, {"name": "Stale", "kind": "directory", "directory": "stale", "frequency": "hourly"})
    started = api.post(f"/api/imports/sources/{source['id']}/run").json()
    api.wait_job(started["job_id"])
    runtime = api.app.state.runtime

    async def as_if_its_worker_died() -> None:
        # The job is over, yet the run still says "running".
        async with transaction(runtime.sessions) as session:
            await session.execute(
                update(ImportRun).where(ImportRun.id == started["run_id"]).values(status="running")  # type: ignore[arg-type]
            )

    api.blocking_portal.call(as_if_its_worker_died)
    clock.advance(timedelta(hours=1, minutes=1))
    try:
        _sweep(api)
        runs = _runs(api, source["id"])
    finally:
        clock.reset()
    assert [r["status"] for r in runs[1:]] == ["failed"] and "stopped before its end" in runs[1]["error"]
    assert len(runs) == 2 and runs[0]["trigger"] == "schedule"

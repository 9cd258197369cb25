"""Where files come from and go to: an SFTP server (password or private key) or a directory under
the server's files directory. One small interface for both: list, read, move or mark, write."""

from __future__ import annotations

import asyncio
import fnmatch
import posixpath
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

import asyncssh
import msgspec

CONNECT_TIMEOUT = 15.0
PROCESSED = "processed"
# A file already read and marked in place: never listed again.
MARK = ".imported"


class RemoteError(Exception):
    """A problem with the source or destination, said so that an administrator can fix it."""


class RemoteFile(msgspec.Struct, frozen=True):
    name: str
    size: int
    mtime: int


class Connection(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    directory: str
    host: str = ""
    port: int = 22
    username: str = ""
    password: str | None = None
    private_key: str | None = None
    host_key: str | None = None


class Store(Protocol):
    # The server's host key (SFTP) once connected: remembered for the next connections.
    host_key: str | None

    async def list(self, pattern: str) -> list[RemoteFile]: ...
    async def read(self, name: str) -> bytes: ...
    async def move_to_processed(self, name: str) -> str: ...
    async def mark(self, name: str) -> str: ...
    async def write(self, name: str, content: bytes) -> None: ...


def inside(root: Path, directory: str) -> Path:
    """The directory a flow names, refused (ValueError) when it leads outside `root`."""
    base = root.resolve()
    target = (base / directory.strip()).resolve()
    if target != base and not target.is_relative_to(base):
        raise ValueError(f"The directory must be inside the server's files directory ({base}).")
    return target


def _matches(name: str, pattern: str) -> bool:
    return fnmatch.fnmatch(name, pattern or "*") and not name.endswith(MARK) and not name.startswith(".")


class DirectoryStore:
    host_key: str | None = None

    def __init__(self, path: Path) -> None:
        if not path.is_dir():
            raise RemoteError(f"The directory {path} does not exist on the server.")
        self.path = path

    async def list(self, pattern: str) -> list[RemoteFile]:
        def scan() -> list[RemoteFile]:
            found = []
            for entry in self.path.iterdir():
                if entry.is_file() and _matches(entry.name, pattern):
                    stat = entry.stat()
                    found.append(RemoteFile(name=entry.name, size=stat.st_size, mtime=int(stat.st_mtime)))
            return sorted(found, key=lambda f: (f.mtime, f.name))

        return await asyncio.to_thread(scan)

    async def read(self, name: str) -> bytes:
        return await asyncio.to_thread((self.path / name).read_bytes)

    def _free(self, target: Path) -> Path:
        n = 1
        candidate = target
        while candidate.exists():
            candidate = target.with_name(f"{target.stem}.{n}{target.suffix}")
            n += 1
        return candidate

    async def move_to_processed(self, name: str) -> str:
        folder = self.path / PROCESSED
        folder.mkdir(exist_ok=True)
        target = self._free(folder / name)
        (self.path / name).rename(target)
        return f"{PROCESSED}/{target.name}"

    async def mark(self, name: str) -> str:
        target = self._free(self.path / (name + MARK))
        (self.path / name).rename(target)
        return target.name

    async def write(self, name: str, content: bytes) -> None:
        partial = self.path / f".{name}.part"
        await asyncio.to_thread(partial.write_bytes, content)
        partial.rename(self.path / name)


class SftpStore:
    def __init__(self, sftp: asyncssh.SFTPClient, directory: str, host_key: str | None) -> None:
        self.sftp, self.directory, self.host_key = sftp, directory or ".", host_key

    def _path(self, name: str) -> str:
        return posixpath.join(self.directory, name)

    async def list(self, pattern: str) -> list[RemoteFile]:
        found = []
        for entry in await self.sftp.readdir(self.directory):
            name = str(entry.filename)
            if entry.attrs.type == asyncssh.FILEXFER_TYPE_REGULAR and _matches(name, pattern):
                found.append(RemoteFile(name=name, size=int(entry.attrs.size or 0), mtime=int(entry.attrs.mtime or 0)))
        return sorted(found, key=lambda f: (f.mtime, f.name))

    async def read(self, name: str) -> bytes:
        async with self.sftp.open(self._path(name), "rb") as remote:
            content: bytes = await remote.read()
            return content

    async def _free(self, path: str) -> str:
        stem, suffix = posixpath.splitext(path)
        candidate, n = path, 1
        while await self.sftp.exists(candidate):
            candidate = f"{stem}.{n}{suffix}"
            n += 1
        return candidate

    async def move_to_processed(self, name: str) -> str:
        folder = self._path(PROCESSED)
        if not await self.sftp.isdir(folder):
            await self.sftp.mkdir(folder)
        target = await self._free(posixpath.join(folder, name))
        await self.sftp.rename(self._path(name), target)
        return posixpath.relpath(target, self.directory)

    async def mark(self, name: str) -> str:
        target = await self._free(self._path(name + MARK))
        await self.sftp.rename(self._path(name), target)
        return posixpath.basename(target)

    async def write(self, name: str, content: bytes) -> None:
        partial = self._path(f".{name}.part")
        async with self.sftp.open(partial, "wb") as remote:
            await remote.write(content)
        if await self.sftp.exists(self._path(name)):
            await self.sftp.remove(self._path(name))
        await self.sftp.rename(partial, self._path(name))


def _known_hosts(connection: Connection) -> asyncssh.SSHKnownHosts | None:
    if not connection.host_key:
        return None  # the first connection: its key is remembered (trust on first use)
    pattern = connection.host if connection.port == 22 else f"[{connection.host}]:{connection.port}"
    return asyncssh.import_known_hosts(f"{pattern} {connection.host_key}\n")


def read_private_key(text: str) -> asyncssh.SSHKey:
    try:
        return asyncssh.import_private_key(text.strip() + "\n")
    except asyncssh.KeyImportError as exc:
        raise ValueError(
            f"This is not a private key we can read ({exc}); passphrase-protected keys are not supported."
        ) from None


@asynccontextmanager
async def open_store(connection: Connection, files_root: Path) -> AsyncIterator[Store]:
    """The connected store; every failure to reach it is a RemoteError saying why."""
    if connection.kind == "directory":
        try:
            path = inside(files_root, connection.directory)
        except ValueError as exc:
            raise RemoteError(str(exc)) from None
        yield DirectoryStore(path)
        return
    keys = [read_private_key(connection.private_key)] if connection.private_key else []
    where = f"{connection.host}:{connection.port}"
    try:
        conn = await asyncio.wait_for(
            asyncssh.connect(
                connection.host,
                port=connection.port,
                username=connection.username,
                password=connection.password,
                client_keys=keys,
                agent_path=None,
                known_hosts=_known_hosts(connection),
                config=[],
            ),
            CONNECT_TIMEOUT,
        )
    except asyncssh.HostKeyNotVerifiable:
        raise RemoteError(
            f"The server {where} presents a different host key than at the first connection: "
            "check with its administrator, then save the connection again to accept the new key."
        ) from None
    except asyncssh.PermissionDenied:
        raise RemoteError(f"The server {where} refused the user name with this password or key.") from None
    except TimeoutError:
        raise RemoteError(f"The server {where} did not answer within {CONNECT_TIMEOUT:.0f} seconds.") from None
    except (OSError, asyncssh.Error, ValueError) as exc:  # ValueError: a host name that cannot be one
        raise RemoteError(f"Cannot connect to {where}: {getattr(exc, 'strerror', None) or exc}.") from None
    try:
        host_key = conn.get_server_host_key()
        seen = host_key.export_public_key("openssh").decode().strip() if host_key else None
        async with conn.start_sftp_client() as sftp:
            try:
                if not await sftp.isdir(connection.directory or "."):
                    raise RemoteError(f"The directory '{connection.directory}' does not exist on {where}.")
                yield SftpStore(sftp, connection.directory, seen)
            except asyncssh.SFTPError as exc:
                raise RemoteError(f"The server {where} refused: {exc.reason}") from None
    except (OSError, asyncssh.Error) as exc:
        raise RemoteError(f"The connection to {where} failed: {exc}") from None
    finally:
        conn.close()

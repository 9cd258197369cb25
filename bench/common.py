"""What every benchmark shares: options, databases, starting the real product, HTTP, timing, results.

The product is started exactly as an operator would start it (`parcours serve` in its own
process, embedded Redis and in-process worker), so the figures include everything a request
really costs: HTTP parsing, authentication, validation, the database and the commit.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/bench"
ADMIN_EMAIL = "bench@parcours.example"
ADMIN_PASSWORD = "bench-password-123"
BACKENDS = ("sqlite", "postgresql")


def log(message: str) -> None:
    """Progress lines, on stderr so that the tables stand out on stdout."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ---- command line ----------------------------------------------------------------------------


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a few seconds")
    p.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="database(s) to run on (PostgreSQL only when reachable; default both)",
    )
    return p


def executable(name: str) -> str:
    """A console script of this venv (next to the running interpreter), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"`{name}` not found: run the benchmarks with the project's venv python.")
    return found


PARCOURS = executable("parcours")


# ---- databases -------------------------------------------------------------------------------


def pg_url() -> str:
    return os.environ.get("PARCOURS_BENCH_DATABASE_URL") or DEFAULT_PG_URL


def _plain_pg(url: str) -> str:
    """asyncpg wants postgresql://, without a SQLAlchemy driver suffix."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(_plain_pg(url))
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _ensure_pg_database(url: str) -> None:
    import asyncpg

    url = _plain_pg(url)
    try:
        conn = await asyncpg.connect(url, timeout=5)
    except asyncpg.InvalidCatalogNameError:
        pass
    else:
        await conn.close()
        return
    wanted = urlsplit(url).path.lstrip("/")
    last_error: Exception | None = None
    for maintenance in ("postgres", "template1", "test"):
        try:
            conn = await asyncpg.connect(_with_database(url, maintenance), timeout=5)
        except Exception as exc:  # try the next maintenance database
            last_error = exc
            continue
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", wanted)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{wanted}"')
                log(f"created PostgreSQL database {wanted}")
        finally:
            await conn.close()
        return
    raise RuntimeError(f"cannot create database {wanted}: {last_error}")


def postgres_reachable(url: str) -> str | None:
    """None when usable (the database is created if missing), else why not."""
    try:
        asyncio.run(_ensure_pg_database(url))
    except Exception as exc:  # unreachable server, auth refused...: the benchmark skips PostgreSQL
        return f"{type(exc).__name__}: {exc}"
    return None


def selected_backends(choice: str) -> list[str]:
    wanted = list(BACKENDS) if choice == "both" else [choice]
    if "postgresql" in wanted:
        problem = postgres_reachable(pg_url())
        if problem:
            log(f"PostgreSQL at {pg_url()} is not reachable ({problem}): skipped")
            wanted.remove("postgresql")
    return wanted


async def _pg_execute(url: str, statements: Sequence[str]) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(_plain_pg(url))
    try:
        out = []
        for statement in statements:
            out.append(
                await conn.fetch(statement)
                if statement.lstrip().upper().startswith(("SELECT", "SHOW"))
                else await conn.execute(statement)
            )
        return out
    finally:
        await conn.close()


@dataclass
class Database:
    backend: str
    url: str
    sqlite_path: Path | None = None

    def execute(self, *statements: str) -> list[Any]:
        """Run SQL directly (setup and checks, never the measured part). SELECTs return rows."""
        if self.sqlite_path is not None:
            conn = sqlite3.connect(self.sqlite_path, timeout=60)
            try:
                out = [conn.execute(s).fetchall() for s in statements]
                conn.commit()
                return out
            finally:
                conn.close()
        return asyncio.run(_pg_execute(self.url, statements))

    def scalar(self, query: str) -> Any:
        rows = self.execute(query)[0]
        return rows[0][0]

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {table}"))


def prepare_database(backend: str, workdir: Path) -> Database:
    """An empty database for one run: a new SQLite file, or the PostgreSQL schema reset."""
    if backend == "sqlite":
        path = workdir / "parcours.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return Database("sqlite", f"sqlite:///{path}", path)
    url = pg_url()
    asyncio.run(_pg_execute(url, ["DROP SCHEMA public CASCADE", "CREATE SCHEMA public"]))
    return Database("postgresql", url)


# ---- the product -------------------------------------------------------------------------------


def product_env(db: Database, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCOURS_")}
    env.update(
        {
            "PARCOURS_DATA_DIR": str(data_dir),
            "PARCOURS_DATABASE_URL": db.url,
            "PARCOURS_REDIS_URL": "",  # empty: the product's own embedded redis-server
            "PARCOURS_ADMIN_EMAIL": ADMIN_EMAIL,
            "PARCOURS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PARCOURS_SEED_DEMO_DATA": "false",
            "PARCOURS_LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


def parcours_cli(args: Sequence[str], env: dict[str, str], timeout: float = 1800) -> str:
    """Run `parcours <args>` and return its standard output (raise with its output on failure)."""
    try:
        done = subprocess.run([PARCOURS, *args], env=env, check=False, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(
            f"parcours {' '.join(args)} did not finish in {timeout:g}s:\n{exc.stdout}\n{exc.stderr}"
        ) from None
    if done.returncode != 0:
        raise RuntimeError(f"parcours {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    from parcours.queue import free_port as product_free_port

    return product_free_port()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux), to tell a saturated server from an idle one."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Product:
    """`parcours serve` on a free port, healthy, with an admin API key."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db, self.data_dir = db, data_dir
        self.env = product_env(db, data_dir)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.api_key = ""
        self.log_path = data_dir / "server.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.pid)

    def start(self, timeout: float = 120.0) -> Product:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        log_file = open(self.log_path, "ab")  # noqa: SIM115  (kept open for the server's life)
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [PARCOURS, "serve", "--port", str(self.port)],
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log_file.close()
        self._wait_healthy(timeout)
        log(
            f"parcours serve is healthy on port {self.port} after {time.perf_counter() - started:.1f}s "
            f"({self.db.backend})"
        )
        if not self.api_key:
            out = parcours_cli(["apikey", "create", "--name", "bench", "--role", "admin"], self.env)
            self.api_key = out.strip().splitlines()[-1].strip()
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"parcours serve exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/health")
                response = conn.getresponse()
                body = response.read().decode(errors="replace")
                conn.close()
                if response.status == 200:
                    return
                last = f"{response.status} {body}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"parcours serve did not become healthy in {timeout}s ({last}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully (worker, redis)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def client(self) -> Http:
        return Http(self.base_url, self.api_key)

    def wait_for_jobs(self, timeout: float = 1800) -> float:
        """Wait until no background job is queued or running (on a first start: the score recompute
        of the shipped scoring models over the whole base); returns the seconds waited."""
        client, started = self.client(), time.perf_counter()
        try:
            while time.perf_counter() - started < timeout:
                jobs = client.get("/api/jobs?limit=100").json()
                if not any(j["status"] in ("queued", "running") for j in jobs):
                    break
                time.sleep(1)
        finally:
            client.close()
        return round(time.perf_counter() - started, 1)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---- HTTP (stdlib: no client library in the measured path) -------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class Http:
    """A keep-alive HTTP/1.1 connection to the product, authenticated with the API key."""

    def __init__(self, base_url: str, api_key: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        all_headers = {**self.headers, **(headers or {})}
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
                return Reply(response.status, data, time.perf_counter() - started)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post_json(self, path: str, payload: Any) -> Reply:
        return self.request("POST", path, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    def post_file(
        self, path: str, field_name: str, filename: str, content: bytes, content_type: str = "text/csv"
    ) -> Reply:
        boundary = "parcours-bench-" + uuid.uuid4().hex
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'.encode(),
                f"Content-Type: {content_type}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        return self.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def close(self) -> None:
        self.conn.close()


# ---- figures -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "min_ms": round(min(ms), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


async def timed(call: Any, samples: int, warmup: int = 3) -> dict[str, float]:
    """`call()` `warmup` times unmeasured, then `samples` times: the latency summary of those."""
    for _ in range(warmup):
        await call()
    seconds = []
    for _ in range(samples):
        started = time.perf_counter()
        await call()
        seconds.append(time.perf_counter() - started)
    return latency_summary(seconds)


async def timed_in_transactions(sessions: Any, call: Any, samples: int) -> dict[str, float]:
    """`call(session)` in a transaction of its own once unmeasured, then `samples` times: the
    latency summary of those (the product's functions in-process, as their routes run them)."""
    from parcours.db import transaction

    measured = []
    for n in range(samples + 1):
        async with transaction(sessions) as session:
            started = time.perf_counter()
            await call(session)
            if n:
                measured.append(time.perf_counter() - started)
    return latency_summary(measured)


async def vacuum(db: Database, engine: Any, *tables: str) -> None:
    """What autovacuum would do after large writes (PostgreSQL): the visibility map and statistics
    of these tables (every table when none is named)."""
    from sqlalchemy import text

    if db.backend != "postgresql":
        return
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables or ("",):
            await conn.execute(text(f"VACUUM ANALYZE {table}".strip()))


async def copy_to_sqlite(source: Database, path: Path, chunk: int = 20_000) -> Database:
    """The same data in a new SQLite file with the product's schema: every table of the models read
    from `source` (PostgreSQL, loaded fast by SQL on the server) and written in dependency order, as
    SQLAlchemy converts each column between the two. How a benchmark measures SQLite on data that
    only PostgreSQL's `generate_series` and COPY load quickly."""
    from sqlalchemy import insert, select, text
    from sqlmodel import SQLModel

    import parcours.models  # noqa: F401  (every table)
    from parcours.db import create_engine, migrate
    from parcours.settings import async_url

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    target = Database("sqlite", f"sqlite:///{path}", path)
    reader, writer = create_engine(async_url(source.url)), create_engine(async_url(target.url))
    try:
        await migrate(writer)
        async with reader.connect() as read, writer.connect() as write:
            await write.execute(text("PRAGMA foreign_keys=OFF"))
            for table in SQLModel.metadata.sorted_tables:
                await write.execute(table.delete())  # what migrations seeded comes from the source
                rows = await read.stream(select(table).execution_options(yield_per=chunk))
                copied = 0
                async for part in rows.partitions(chunk):
                    await write.execute(insert(table), [dict(row._mapping) for row in part])
                    copied += len(part)
                if copied:
                    log(f"  copied {copied:,} rows of {table.name}")
            await write.commit()
        async with writer.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    finally:
        await reader.dispose()
        await writer.dispose()
    return target


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "met" if ok else "MISSED"


def fmt(value: Any, digits: int = 1) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[fmt(c) if not isinstance(c, str) else c for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}")
    print(line)
    print("  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in cells:
        print(
            "  ".join(
                c.rjust(w) if c[:1].isdigit() or c[:1] == "-" else c.ljust(w) for c, w in zip(row, widths, strict=True)
            )
        )
    print(line, flush=True)


def _git_revision() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=False, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "backend"], cwd=ROOT, check=False, capture_output=True, text=True
        )
    except OSError:
        return None
    return done.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "") if done.returncode == 0 else None


def results_name(name: str, args: argparse.Namespace) -> str:
    """`segments`, `delivery-postgresql-quick`...: a run on one backend, or a smoke run, does not
    overwrite the figures of a full run."""
    return name + ("" if args.backend == "both" else f"-{args.backend}") + ("-quick" if args.quick else "")


def cpu_probe() -> float:
    """Seconds a fixed pure-Python loop takes, best of three: how fast this machine was that day
    (lower is faster), so that a run's figures can be compared with another day's (a shared virtual
    machine's speed varies several-fold from one day to the next)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_probe_seconds": cpu_probe(),
    }


def write_results(name: str, args: argparse.Namespace, results: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    payload = {
        "benchmark": name,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        # A benchmark that described the machine before its load (capacity) keeps its description.
        "machine": results.get("machine") or machine(),
        "git": _git_revision(),
        "options": vars(args),
        **results,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"\nresults written to {path.relative_to(ROOT)}", flush=True)
    return path


@contextmanager
def workdir(name: str) -> Iterator[Path]:
    """A scratch directory for one benchmark run (data dir, SQLite file, server log).

    Removed afterwards unless PARCOURS_BENCH_KEEP is set (to read the server log).
    """
    path = Path(tempfile.mkdtemp(prefix=f"parcours-bench-{name}-"))
    try:
        yield path
    finally:
        if os.environ.get("PARCOURS_BENCH_KEEP"):
            log(f"kept {path} (PARCOURS_BENCH_KEEP is set)")
        else:
            shutil.rmtree(path, ignore_errors=True)


@dataclass
class Stopwatch:
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Workers:
    """`parcours worker` processes with the API's environment, each logging to its own file."""

    def __init__(self, env: dict[str, str], count: int, workdir: Path, arguments: Sequence[Sequence[str]] = ()) -> None:
        """`arguments`: each process's own options (`["--queue", "urgent"]`...), one list per
        process (then `count` is their number)."""
        self.env = {**env, "PYTHONUNBUFFERED": "1"}
        self.arguments = [list(a) for a in arguments] or [[] for _ in range(count)]
        self.count, self.workdir = len(self.arguments), workdir
        self.processes: list[subprocess.Popen[bytes]] = []

    def log_path(self, index: int) -> Path:
        return self.workdir / f"worker-{index + 1}.log"

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def start(self, timeout: float = 60.0) -> Workers:
        for index in range(self.count):
            with open(self.log_path(index), "ab") as out:
                self.processes.append(
                    subprocess.Popen(
                        [PARCOURS, "worker", *self.arguments[index]],
                        env=self.env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                )
        deadline = time.monotonic() + timeout
        for index, process in enumerate(self.processes):
            while "worker started" not in self.log_path(index).read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"parcours worker {index + 1} did not start:\n{self.log_tail(index)}")
                time.sleep(0.1)
        return self

    def cpu_seconds(self) -> list[float]:
        return [_cpu_seconds(pid) for pid in self.pids]

    def log_tail(self, index: int = 0, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path(index).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        for process in self.processes:  # all at once, then wait for each
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            stop_process(process)
        self.processes = []

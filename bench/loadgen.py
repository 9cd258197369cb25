"""Load generation from a separate process: wrk when installed, else a raw asyncio HTTP/1.1 client.

`run_load()` cycles through a list of request bodies (POSTed as JSON) on many keep-alive
connections for a fixed time and returns what the server did: requests, statuses, latencies.

Run as `python -m bench.loadgen ...` this module is the asyncio fallback itself (one process,
uvloop when available): it prints a JSON summary on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

WRK_SCRIPT = r"""
-- Cycle through pre-formatted POST requests, one JSON body per line of the file given after `--`.
local prepared = {}
local position = 0

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  for line in io.lines(args[1]) do
    if #line > 0 then prepared[#prepared + 1] = wrk.format(nil, nil, nil, line) end
  end
  position = math.random(#prepared)
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


@dataclass
class LoadResult:
    tool: str
    connections: int
    threads: int
    seconds: float
    requests: int
    ok: int  # 2xx answers
    failed: int  # everything else: 4xx/5xx, socket errors, timeouts
    statuses: dict[str, int]
    requests_per_s: float
    median_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def choose_tool(preference: str = "auto") -> str:
    preference = os.environ.get("PARCOURS_BENCH_LOADGEN", preference)
    if preference == "asyncio":
        return "asyncio"
    if shutil.which("wrk"):
        return "wrk"
    if preference == "wrk":
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --loadgen asyncio")
    return "asyncio"


def run_load(
    *,
    port: int,
    path: str,
    bodies: list[bytes],
    headers: dict[str, str],
    connections: int,
    seconds: float,
    tool: str = "wrk",
    threads: int = 1,
) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="parcours-load-") as tmp:
        bodies_file = Path(tmp) / "bodies.jsonl"
        bodies_file.write_bytes(b"\n".join(bodies) + b"\n")
        if tool == "wrk":
            return _run_wrk(port, path, bodies_file, headers, connections, seconds, threads, Path(tmp))
        return _run_asyncio(port, path, bodies_file, headers, connections, seconds)


def _run_wrk(
    port: int,
    path: str,
    bodies_file: Path,
    headers: dict[str, str],
    connections: int,
    seconds: float,
    threads: int,
    tmp: Path,
) -> LoadResult:
    script = tmp / "post.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [f"http://127.0.0.1:{port}{path}", "--", str(bodies_file)]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=seconds + 120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("WRKJSON ") :])
    socket_errors = raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"]
    # wrk counts answers with a status >= 400 in status_errors; every other answer is a success here.
    failed = raw["status_errors"] + socket_errors
    elapsed = raw["duration_us"] / 1e6
    statuses = {
        "2xx/3xx": raw["requests"] - raw["status_errors"],
        ">=400": raw["status_errors"],
        "socket_errors": socket_errors,
    }
    return LoadResult(
        tool="wrk",
        connections=connections,
        threads=threads,
        seconds=round(elapsed, 3),
        requests=raw["requests"],
        ok=raw["requests"] - raw["status_errors"],
        failed=failed,
        statuses=statuses,
        requests_per_s=round(raw["requests"] / elapsed, 1),
        median_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=round(raw["mean_us"] / 1000, 3),
        max_ms=raw["max_us"] / 1000,
    )


def _run_asyncio(
    port: int, path: str, bodies_file: Path, headers: dict[str, str], connections: int, seconds: float
) -> LoadResult:
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--port",
        str(port),
        "--path",
        path,
        "--bodies",
        str(bodies_file),
        "--connections",
        str(connections),
        "--seconds",
        str(seconds),
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=seconds + 120, cwd=root)
    if done.returncode != 0:
        raise RuntimeError(f"asyncio load generator failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return LoadResult(**json.loads(done.stdout.strip().splitlines()[-1]))


# ---- the asyncio load generator (this module's __main__) -----------------------------------------


async def _connection(
    port: int, requests: list[bytes], offset: int, deadline: float, latencies: list[float], statuses: Counter[str]
) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        statuses["socket_errors"] += 1
        return
    index = offset
    try:
        while time.perf_counter() < deadline:
            request = requests[index % len(requests)]
            index += 1
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            chunked = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            elif length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[str(status)] += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
        statuses["socket_errors"] += 1
    finally:
        writer.close()


async def _load(
    port: int, path: str, bodies: list[bytes], headers: dict[str, str], connections: int, seconds: float
) -> dict[str, object]:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    requests = [
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for body in bodies
    ]
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    deadline = started + seconds
    step = max(1, len(requests) // max(1, connections))
    await asyncio.gather(
        *(_connection(port, requests, i * step, deadline, latencies, statuses) for i in range(connections))
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]

    def pick(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 3)

    ok = sum(n for s, n in statuses.items() if s[:1] in "23")
    total = sum(n for s, n in statuses.items() if s != "socket_errors")
    return {
        "tool": "asyncio",
        "connections": connections,
        "threads": 1,
        "seconds": round(elapsed, 3),
        "requests": total,
        "ok": ok,
        "failed": total - ok + statuses["socket_errors"],
        "statuses": dict(statuses),
        "requests_per_s": round(total / elapsed, 1),
        "median_ms": pick(0.5),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "mean_ms": round(sum(ordered) / len(ordered) * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def main() -> None:
    p = argparse.ArgumentParser(description="POST JSON bodies on keep-alive connections for a fixed time.")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--bodies", required=True, help="a file with one JSON body per line")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--seconds", type=float, default=10)
    args = p.parse_args()
    bodies = [line for line in Path(args.bodies).read_bytes().splitlines() if line.strip()]
    headers = dict(h.split(": ", 1) for h in args.header)
    work = _load(args.port, args.path, bodies, headers, args.connections, args.seconds)
    try:
        import uvloop  # the product's own dependency (uvicorn[standard]): a faster client loop
    except ImportError:
        summary = asyncio.run(work)
    else:
        summary = uvloop.run(work)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()

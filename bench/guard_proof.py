"""The proof of work's cost: how long Chromium takes to solve our challenges (the visitor waits
for it), and how long the server takes to issue and check one (every post pays it).

`python -m bench.guard_proof [--quick] [--workers 2]`: needs `npm run build` (dist/guard/altcha.js)
and Debian's Chromium. No database: the widget is served by a small local HTTP server.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench import common
from parcours.guard import proof

SECRET = "bench-secret"
SCRIPT = common.ROOT / "frontend" / "dist" / "guard" / "altcha.js"
CHROMIUM = os.environ.get("PARCOURS_E2E_CHROMIUM", "/usr/bin/chromium")

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>proof</title>
<script src="/altcha.js"></script></head><body>
<form><altcha-widget id="w" challenge="/challenge" auto="off" workers="{workers}"
 configuration='{{"minDuration": 0}}'></altcha-widget></form>
<script>
window.solveOnce = async () => {{
  const widget = document.getElementById("w");
  widget.reset();
  const started = performance.now();
  const result = await widget.verify();
  return {{ ms: performance.now() - started, ok: !!(result && result.payload), payload: result && result.payload }};
}};
</script></body></html>"""


def serve(max_number: int, workers: int) -> tuple[ThreadingHTTPServer, str]:
    script = SCRIPT.read_bytes()
    page = PAGE.format(workers=workers).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/altcha.js"):
                body, kind = script, "text/javascript"
            elif self.path.startswith("/challenge"):
                body = json.dumps(proof.challenge(SECRET, datetime.now(UTC), max_number=max_number)).encode()
                kind = "application/json"
            else:
                body, kind = page, "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", common.free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def browser_runs(max_number: int, workers: int, runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    server, url = serve(max_number, workers)
    times: list[float] = []
    verified = 0
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.evaluate("window.solveOnce()")  # warm up: workers, WebCrypto
            for _ in range(runs):
                result = page.evaluate("window.solveOnce()")
                times.append(result["ms"])
                verified += (
                    bool(result["ok"]) and proof.verify(SECRET, result["payload"], datetime.now(UTC)) is not None
                )
            browser.close()
    finally:
        server.shutdown()
    times.sort()
    return {
        "max_number": max_number,
        "workers": workers,
        "runs": runs,
        "verified": verified,
        "median_ms": round(statistics.median(times)),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))]),
        "max_ms": round(times[-1]),
    }


def server_costs(samples: int) -> dict[str, Any]:
    from altcha import Challenge, Payload, solve_challenge

    now = datetime.now(UTC)
    started = time.perf_counter()
    made = [proof.challenge(SECRET, now, max_number=50) for _ in range(samples)]
    issue_us = (time.perf_counter() - started) / samples * 1e6
    payloads = []
    for item in made:
        challenge = Challenge.from_dict(item)
        solution = solve_challenge(challenge)
        assert solution is not None
        payloads.append(Payload(challenge, solution).to_base64())
    started = time.perf_counter()
    checked = sum(proof.verify(SECRET, payload, now) is not None for payload in payloads)
    verify_us = (time.perf_counter() - started) / samples * 1e6
    assert checked == samples
    return {"issue_us": round(issue_us, 1), "verify_us": round(verify_us, 1), "samples": samples}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--workers", type=int, default=2, help="Web Workers the widget uses (a 2-core machine: 2)")
    p.add_argument(
        "--max-numbers", type=int, nargs="+", default=[proof.MAX_NUMBER // 2, proof.MAX_NUMBER, proof.MAX_NUMBER * 2]
    )
    args = p.parse_args(argv)
    args.backend = "both"
    if not SCRIPT.is_file():
        raise SystemExit("frontend/dist/guard/altcha.js is missing: run `npm run build` in frontend/ first.")
    runs = 5 if args.quick else 25
    server = server_costs(200 if args.quick else 2000)
    browser = [browser_runs(n, args.workers, runs) for n in args.max_numbers]
    print(f"\nserver: issue a challenge {server['issue_us']} µs, check a solution {server['verify_us']} µs")
    print(f"{'max_number':>10} {'workers':>7} {'median ms':>9} {'p90 ms':>7} {'max ms':>7} {'verified':>9}")
    for row in browser:
        print(
            f"{row['max_number']:>10} {row['workers']:>7} {row['median_ms']:>9} {row['p90_ms']:>7} "
            f"{row['max_ms']:>7} {row['verified']:>5}/{row['runs']}"
        )
    print(f"(algorithm {proof.ALGORITHM}, cost {proof.COST}, {os.cpu_count()} CPUs)")
    common.write_results(
        common.results_name("guard_proof", args),
        args,
        {"algorithm": proof.ALGORITHM, "cost": proof.COST, "server": server, "browser": browser},
    )


if __name__ == "__main__":
    main()

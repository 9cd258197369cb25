"""Form submissions through the public endpoint: throughput of one API process, nothing lost.

Measured against `parcours serve` (one API process, its embedded Redis and in-process worker):
  a published form (email, first name, an email opt-in with its wording); --clients concurrent
  clients (default 100), each on its own keep-alive connection with the time stamp its page gave,
  post --submissions answers as a script would (JSON, Accept: application/json), all released at
  once by a barrier: half by people already known (created beforehand through the same form, not
  timed), half by new people. Submissions/s from the first request to the last answer, and the
  request latency. Then the database is read directly: one accepted submission per post, one
  contact per person, one form_submitted interaction per submission, one consent line per new
  opt-in: nothing lost, nothing doubled.                                   target >= 500 /s

The rate limits and the proof of work are the guard's and measured by bench/guard_proof.py: the
form accepts posts without proof of work, and the limits are raised for the run.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench import common
from bench.common import latency_summary, log, print_table, verdict

TARGET_PER_S = 500.0


def create_form(http: common.Http) -> tuple[int, str]:
    reply = http.post_json(
        "/api/forms",
        {
            "name": "Bench newsletter",
            "slug": "bench-newsletter",
            "fields": [
                {"name": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"},
                {"name": "first_name", "type": "text", "label": "First name", "maps_to": "first_name"},
                {"name": "news", "type": "consent", "label": "Send me the newsletter.", "maps_to": "consent:email"},
            ],
            "settings": {"no_script": "accept", "minimum_seconds": 0},
        },
    )
    assert reply.status == 201, reply.body
    form_id = int(reply.json()["id"])
    assert http.request("POST", f"/api/forms/{form_id}/publish").status == 200
    return form_id, "bench-newsletter"


def stamp_of(http: common.Http, slug: str) -> str:
    page = http.get(f"/f/{slug}").body.decode()
    found = re.search(r'name="_ts" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def post(http: common.Http, slug: str, stamp: str, email: str, n: int) -> common.Reply:
    body = {"email": email, "first_name": f"Person {n}", "news": True, "_ts": stamp}
    return http.request(
        "POST",
        f"/f/{slug}",
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "Accept": "application/json"},
    )


def submit_all(product: common.Product, slug: str, emails: list[str], clients: int) -> dict[str, Any]:
    per_client = [list(range(i, len(emails), clients)) for i in range(clients)]
    gate = threading.Barrier(clients + 1)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(numbers: list[int]) -> None:
        http = product.client()
        stamp = stamp_of(http, slug)  # the page first, as a browser would
        gate.wait()
        mine, bad = [], []
        for n in numbers:
            reply = post(http, slug, stamp, emails[n], n)
            mine.append(reply.seconds)
            if reply.status != 200:
                bad.append(f"{reply.status} {reply.body[:200]!r}")
        http.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    cpu_before = product.cpu_seconds()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client, numbers) for numbers in per_client]
        gate.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        seconds = time.perf_counter() - started
    return {
        "submissions": len(emails),
        "clients": clients,
        "seconds": round(seconds, 2),
        "submissions_per_s": round(len(emails) / seconds, 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        "server_cpu_percent": round(100 * (product.cpu_seconds() - cpu_before) / seconds, 1),
        "latency": latency_summary(latencies),
    }


def check(db: common.Database, form_id: int, known: int, new: int) -> dict[str, Any]:
    accepted = int(
        db.scalar(f"SELECT count(*) FROM form_submissions WHERE form_id = {form_id} AND status = 'accepted'")
    )
    contacts = int(db.scalar("SELECT count(*) FROM contacts WHERE email LIKE 'bench.%'"))
    interactions = int(db.scalar("SELECT count(*) FROM interactions WHERE type = 'form_submitted'"))
    opt_ins = int(db.scalar("SELECT count(*) FROM consent_events WHERE field = 'email_opt_in' AND how = 'form'"))
    expected_posts = known + known + new  # the known people posted twice (before, and in the run)
    return {
        "accepted": accepted,
        "contacts": contacts,
        "form_submitted": interactions,
        "opt_in_lines": opt_ins,
        "ok": accepted == expected_posts
        and contacts == known + new
        and interactions == expected_posts
        and opt_ins == known + new,
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with common.workdir(f"forms-{backend}") as work:
        db = common.prepare_database(backend, work)
        product = common.Product(db, work / "data")
        product.env.update(
            {
                "PARCOURS_PUBLIC_POSTS_PER_IP_MINUTE": "10000000",
                "PARCOURS_PUBLIC_POSTS_PER_FORM_MINUTE": "10000000",
                "PARCOURS_PUBLIC_REQUESTS_PER_IP_MINUTE": "10000000",
            }
        )
        with product:
            http = product.client()
            form_id, slug = create_form(http)
            half = args.submissions // 2
            known = [f"bench.known.{n}@example.org" for n in range(half)]
            new = [f"bench.new.{n}@example.org" for n in range(args.submissions - half)]
            log(f"{backend}: {half} people made known through the form first (not timed)")
            submit_all(product, slug, known, min(args.clients, 50))
            product.wait_for_jobs()
            mixed = [email for pair in zip(known, new, strict=False) for email in pair] + new[len(known) :]
            log(f"{backend}: {len(mixed)} submissions (half known, half new) from {args.clients} clients")
            load = submit_all(product, slug, mixed, args.clients)
            result = check(db, form_id, len(known), len(new))
            stats = http.get(f"/api/forms/{form_id}/stats").json()
            http.close()
    log(f"{backend}: {load['submissions_per_s']} submissions/s, nothing lost: {'yes' if result['ok'] else 'NO'}")
    return {
        "backend": backend,
        "load": load,
        "check": result,
        "stats_after": {k: stats[k] for k in ("submissions", "new_contacts", "known_contacts", "spam_blocked")},
    }


def report(results: list[dict[str, Any]]) -> None:
    print_table(
        "Form submissions through POST /f/{slug} (one API process; 50% known, 50% new contacts)",
        [
            "backend",
            "submissions",
            "clients",
            "subm/s",
            "p50 ms",
            "p95 ms",
            "errors",
            "server CPU %",
            "nothing lost",
            f"target >= {TARGET_PER_S:g}/s",
        ],
        [
            [
                r["backend"],
                r["load"]["submissions"],
                r["load"]["clients"],
                r["load"]["submissions_per_s"],
                r["load"]["latency"]["median_ms"],
                r["load"]["latency"]["p95_ms"],
                r["load"]["errors"],
                r["load"]["server_cpu_percent"],
                "yes" if r["check"]["ok"] else "NO",
                verdict(r["load"]["submissions_per_s"], TARGET_PER_S),
            ]
            for r in results
        ],
    )


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--submissions", type=int, default=None, help="posts timed (default 10,000; 1,000 quick)")
    p.add_argument("--clients", type=int, default=100, help="concurrent clients (default 100)")
    args = p.parse_args(argv)
    args.submissions = args.submissions or (1_000 if args.quick else 10_000)
    results = [run_backend(backend, args) for backend in common.selected_backends(args.backend)]
    report(results)
    common.write_results(common.results_name("forms", args), args, {"results": results})
    if not all(r["check"]["ok"] for r in results):
        raise SystemExit("a submission was lost or doubled")


if __name__ == "__main__":
    main()

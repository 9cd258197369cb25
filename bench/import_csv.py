"""Importing a messy 100,000-row CSV through the API (POST /api/contacts/import, then GET /api/jobs/{id}).

Target: <= 20 s end to end, from the start of the upload to the job reported done.

The file looks like a real French CRM export: `;` delimiter, UTF-8 BOM, French column names,
names in capitals, countries written as names, phones in national format, dates DD/MM/YYYY.
5% of the rows repeat an earlier email (often in another case) and 2% are invalid (bad email,
impossible phone number, unknown country). It is generated deterministically (fixed seed), so
the expected result is known: a row with a bad email or country rejected, a row whose only fault
is its phone imported without it, every duplicate merged.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path
from typing import Any

from faker import Faker

from bench import common
from bench.common import Product, log, print_table, verdict

TARGET_SECONDS = 20.0
DUPLICATE_SHARE = 0.05
INVALID_SHARE = 0.02
HEADER = [
    "Email",
    "Prénom",
    "Nom",
    "Téléphone",
    "Société",
    "Fonction",
    "Pays",
    "Ville",
    "Langue",
    "Date de naissance",
    "Newsletter",
    "Statut",
]
DOMAINS = [
    "orange.fr",
    "gmail.com",
    "free.fr",
    "wanadoo.fr",
    "hotmail.fr",
    "yahoo.fr",
    "laposte.net",
    "sfr.fr",
    "outlook.com",
    "icloud.com",
]
# (how it is written, weight): a French export, with the foreign contacts a French company has.
COUNTRIES = {
    "France": 40,
    "FRANCE": 10,
    "france": 5,
    "FR": 5,
    "Belgique": 8,
    "Suisse": 5,
    "Royaume-Uni": 5,
    "United Kingdom": 2,
    "Allemagne": 4,
    "Deutschland": 1,
    "Espagne": 3,
    "Italie": 3,
    "USA": 3,
    "Canada": 2,
    "Luxembourg": 2,
    "": 2,
}
# Foreign numbers are written with their prefix; each # is a random digit.
FOREIGN_PHONES = {
    "BE": "+32 470 ## ## ##",
    "CH": "+41 79 ### ## ##",
    "GB": "+44 7700 ######",
    "DE": "+49 151 ########",
    "ES": "+34 612 ### ###",
    "IT": "+39 312 ### ####",
    "US": "+1 415 555 ####",
    "CA": "+1 514 555 ####",
    "LU": "+352 621 ### ###",
}
COUNTRY_CODES = {
    "France": "FR",
    "FRANCE": "FR",
    "france": "FR",
    "FR": "FR",
    "": "FR",
    "Belgique": "BE",
    "Suisse": "CH",
    "Royaume-Uni": "GB",
    "United Kingdom": "GB",
    "Allemagne": "DE",
    "Deutschland": "DE",
    "Espagne": "ES",
    "Italie": "IT",
    "USA": "US",
    "Canada": "CA",
    "Luxembourg": "LU",
}
LANGUAGES = ["Français", "fr", "FR", "fr-FR", "anglais", "en", "English", ""]
STAGES = ["Prospect", "Client", "MQL", "abonné", "Lead", "subscriber", "customer", ""]
NEWSLETTER = ["oui", "non", "1", "0", "Oui", "", "yes", "no"]
BAD_EMAILS = ["{l}.{f}@", "{f} {l}@{d}", "{f}.{l}.{d}", "@{d}", "{f}..{l}@{d}", "{f}.{l}@@{d}"]
BAD_PHONES = ["06 12", "123", "+33 1", "0612", "+44 12", "99"]
BAD_COUNTRIES = ["Atlantis", "Wakanda", "Narnia", "Syldavie", "Bordurie", "Absurdistan"]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _ascii(text: str) -> str:
    from parcours.contacts.normalize import fold

    return fold(text).replace(" ", "-")


def generate(rows: int, seed: int = 2024) -> tuple[bytes, dict[str, int]]:
    """The CSV bytes and what a correct import of it into an empty base gives."""
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    first_names = sorted({fake.first_name() for _ in range(600)})
    last_names = sorted({fake.last_name() for _ in range(1500)})
    companies = sorted({fake.company() for _ in range(800)})
    jobs = sorted({fake.job()[:80] for _ in range(300)})
    cities = sorted({fake.city() for _ in range(500)})

    invalid = round(rows * INVALID_SHARE)
    duplicates = round(rows * DUPLICATE_SHARE)
    unique = rows - invalid - duplicates
    # Which line gets which kind: shuffled, duplicates only after the row they repeat.
    tail = ["valid"] * (unique - 1) + ["invalid"] * invalid + ["duplicate"] * duplicates
    rng.shuffle(tail)
    kinds = ["valid", *tail]  # the first row is a valid one, so a duplicate always has an original

    def person(index: int) -> list[str]:
        first, last = rng.choice(first_names), rng.choice(last_names)
        local = f"{_ascii(first)}.{_ascii(last)}.{index}"
        domain = rng.choice(DOMAINS)
        if domain.startswith("yahoo."):
            # A Yahoo address has no "-" of its own: there it starts a disposable address's tag,
            # and "le-gall.1@" and "le-roux.2@" would be one mailbox.
            local = local.replace("-", "_")
        email = f"{local}@{domain}"
        if rng.random() < 0.1:
            email = email.title()
        shout = rng.random()
        if shout < 0.3:
            first, last = first.upper(), last.upper()
        elif shout < 0.4:
            first, last = first.lower(), last.lower()
        country = _weighted(rng, COUNTRIES)
        code = COUNTRY_CODES[country]
        if rng.random() < 0.2:
            phone = ""
        elif code == "FR":
            digits = [rng.choice("67"), *(f"{rng.randint(0, 99):02d}" for _ in range(4))]
            phone = rng.choice(["0{} {} {} {} {}", "0{}.{}.{}.{}.{}", "0{}{}{}{}{}", "+33 {} {} {} {} {}"]).format(
                *digits
            )
        else:
            phone = "".join(rng.choice("0123456789") if ch == "#" else ch for ch in FOREIGN_PHONES[code])
        birth = fake.date_of_birth(minimum_age=18, maximum_age=80).strftime("%d/%m/%Y") if rng.random() < 0.5 else ""
        return [
            email,
            first,
            last,
            phone,
            rng.choice(companies) if rng.random() < 0.7 else "",
            rng.choice(jobs) if rng.random() < 0.6 else "",
            country,
            rng.choice(cities).upper() if rng.random() < 0.2 else rng.choice(cities),
            rng.choice(LANGUAGES),
            birth,
            rng.choice(NEWSLETTER),
            rng.choice(STAGES),
        ]

    lines: list[list[str]] = []
    valid_rows: list[list[str]] = []
    for index, kind in enumerate(kinds):
        if kind == "duplicate":
            original = rng.choice(valid_rows)
            row = person(index)
            email = original[0]
            row[0] = rng.choice([email.upper(), email.lower(), email.title(), email])
            if rng.random() < 0.5:  # often a thinner copy of the same person
                row[1:3] = original[1:3]
                row[3] = ""
            lines.append(row)
            continue
        row = person(index)
        if kind == "invalid":
            problem = index % 3
            if problem == 0:
                local, domain = row[0].split("@")
                parts = local.split(".")
                row[0] = rng.choice(BAD_EMAILS).format(f=parts[0], l=parts[1], d=domain)
            elif problem == 1:
                row[3] = rng.choice(BAD_PHONES)
            else:
                row[6] = rng.choice(BAD_COUNTRIES)
        else:
            valid_rows.append(row)
        lines.append(row)
    # A row whose only fault is its phone is imported without it (the phone is reported).
    phone_only = sum(1 for index, kind in enumerate(kinds) if kind == "invalid" and index % 3 == 1)
    text = "\r\n".join(";".join(_quote(c) for c in line) for line in [HEADER, *lines]) + "\r\n"
    expected = {
        "rows": rows,
        "created": unique + phone_only,
        "updated": 0,
        "skipped": duplicates,
        "rejected_rows": invalid - phone_only,
        "duplicates_in_file": duplicates,
    }
    return "\ufeff".encode() + text.encode("utf-8"), expected


def _quote(cell: str) -> str:
    return f'"{cell}"' if ";" in cell or '"' in cell else cell


def run_backend(backend: str, args: argparse.Namespace, content: bytes, expected: dict[str, int]) -> dict[str, Any]:
    with common.workdir("import") as tmp:
        db = common.prepare_database(backend, tmp)
        with Product(db, tmp / "data") as product:
            client = product.client()
            log(f"{backend}: importing {expected['rows']:,} rows ({len(content) / 1e6:.1f} MB)")
            cpu_before = product.cpu_seconds()
            watch = common.Stopwatch()
            reply = client.post_file("/api/contacts/import", "file", "export-crm.csv", content)
            upload_seconds = watch.seconds
            if reply.status != 202:
                raise RuntimeError(f"import refused: {reply.status} {reply.body[:500]!r}")
            job_id = reply.json()["job_id"]
            phases: list[dict[str, Any]] = []
            last_message = None
            while True:
                job = client.get(f"/api/jobs/{job_id}").json()
                # One line per phase: "Saved 1000 of ..." and "Saved 2000 of ..." are the same phase.
                message = job["message"].split(" ")[0] if job["message"].startswith("Saved") else job["message"]
                if message != last_message:
                    phases.append({"at_s": round(watch.seconds, 2), "status": job["status"], "message": job["message"]})
                    last_message = message
                if job["status"] in ("done", "failed"):
                    break
                if watch.seconds > args.timeout:
                    raise RuntimeError(f"the import did not finish in {args.timeout}s: {job}")
                time.sleep(0.05)
            total_seconds = watch.seconds
            cpu = product.cpu_seconds() - cpu_before
            client.close()
            # The exception that stopped the job, as the server logged it.
            errors = [x for x in product.log_tail(200).splitlines() if "Error" in x.split(":", 1)[0]]
            server_log = errors[-1][:300] if job["status"] != "done" and errors else ""
        contacts = db.count("contacts")
    result = job["result"] or {}
    return {
        "backend": backend,
        "status": job["status"],
        "message": job["message"],
        "seconds": round(total_seconds, 2),
        "upload_seconds": round(upload_seconds, 2),
        "rows_per_s": round(expected["rows"] / total_seconds, 1),
        "server_cpu_seconds": round(cpu, 2),
        "job_started_at": job["started_at"],
        "job_finished_at": job["finished_at"],
        "job_created_at": job["created_at"],
        "counts": {k: v for k, v in result.items() if k != "errors"},
        "first_errors": result.get("errors", [])[:5],
        "contacts_in_database": contacts,
        "phases": phases,
        "server_log_tail": server_log,
    }


def report(results: list[dict[str, Any]], expected: dict[str, int]) -> None:
    rows = []
    for r in results:
        c = r["counts"]
        ok = all(c.get(k) == v for k, v in expected.items()) and r["contacts_in_database"] == expected["created"]
        rows.append(
            [
                r["backend"],
                r["seconds"],
                r["upload_seconds"],
                r["rows_per_s"],
                c.get("created"),
                c.get("updated"),
                c.get("skipped"),
                c.get("rejected_rows"),
                c.get("error_count"),
                "yes" if ok else "NO",
                f"<= {TARGET_SECONDS:g} s",
                verdict(r["seconds"], TARGET_SECONDS, False) if r["status"] == "done" else "JOB FAILED",
            ]
        )
    print_table(
        f"CSV import of {expected['rows']:,} rows (expected: {expected['created']:,} created, "
        f"{expected['skipped']:,} duplicates skipped, {expected['rejected_rows']:,} rows rejected)",
        [
            "backend",
            "seconds",
            "upload s",
            "rows/s",
            "created",
            "updated",
            "skipped",
            "rejected rows",
            "errors",
            "as expected",
            "target",
            "verdict",
        ],
        rows,
    )
    for r in results:
        if r["status"] != "done":
            print(f"\n{r['backend']}: the job failed: {r['message']} \n  server log: {r['server_log_tail']}")
        print(f"\n{r['backend']}: job phases (seconds since the upload started)")
        for phase in r["phases"]:
            print(f"  {phase['at_s']:>7.2f}  {phase['status']:<8} {phase['message']}")


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, help="rows in the CSV (default 100,000; quick 5,000)")
    p.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    p.add_argument("--keep-csv", type=Path, help="also write the generated CSV to this path")
    args = p.parse_args(argv)
    args.rows = args.rows or (5_000 if args.quick else 100_000)
    backends = common.selected_backends(args.backend)
    watch = common.Stopwatch()
    content, expected = generate(args.rows)
    log(f"generated the CSV ({args.rows:,} rows) in {watch.seconds:.1f}s")
    if args.keep_csv:
        args.keep_csv.write_bytes(content)
    results = [run_backend(b, args, content, expected) for b in backends]
    report(results, expected)
    common.write_results(
        "import_csv",
        args,
        {"target_seconds": TARGET_SECONDS, "expected": expected, "csv_bytes": len(content), "backends": results},
    )


if __name__ == "__main__":
    main()

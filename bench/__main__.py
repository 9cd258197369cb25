"""`python -m bench`: every benchmark in sequence, with the same --quick / --backend options."""

from __future__ import annotations

import argparse
import sys
import traceback

from bench import (
    audience,
    computed,
    contact_list,
    customers,
    delivery,
    duplicates,
    events,
    explore,
    forms,
    guard_proof,
    import_csv,
    ingest,
    journeys,
    landing,
    ontime,
    outbox_months,
    purchases,
    reports,
    rfm,
    scoring,
    segments,
    visitors,
)
from bench.common import log

BENCHMARKS = {
    "ingest": ingest.main,
    "import_csv": import_csv.main,
    "contact_list": contact_list.main,
    "segments": segments.main,
    "delivery": delivery.main,
    "journeys": journeys.main,
    "ontime": ontime.main,
    "scoring": scoring.main,
    "computed": computed.main,
    "duplicates": duplicates.main,
    "rfm": rfm.main,
    "customers": customers.main,
    "audience": audience.main,
    "purchases": purchases.main,
    "explore": explore.main,
    "reports": reports.main,
    "events": events.main,
    "forms": forms.main,
    "landing": landing.main,
    "visitors": visitors.main,
    "guard_proof": guard_proof.main,
    "outbox_months": outbox_months.main,
}


def main() -> None:
    p = argparse.ArgumentParser(description="Run every Parcours benchmark in sequence.")
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    args = p.parse_args()
    argv = ["--backend", args.backend] + (["--quick"] if args.quick else [])
    failed = []
    for name, run in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        print(f"\n=== bench.{name} {' '.join(argv)}", flush=True)
        try:
            run(argv)
        except Exception:  # one broken benchmark must not hide the figures of the others
            traceback.print_exc()
            failed.append(name)
    if failed:
        log(f"failed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()

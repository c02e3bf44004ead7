"""Benchmark the LCG dashboard and the caseload list at 100,000 demo families.

Run from the repository root:

    python benchmarks/lcg_caseload.py [--families 100000] [--seed-first] [--repeat 20]

It works in a scratch database of its own, ``oneplan_bench_caseload`` (never the one
DATABASE_URL names; ``--database`` names another), seeded with the demo seeder
(``seed_demo``) when it does not hold ``--families`` families yet (or with
``--seed-first``), so a second run reuses the first one's data. It signs in as an LCG
coordinator and as the programme manager and times, through Django's test client (the
whole request: access, the queries, the access event, rendering), the dashboard and the
first page of the caseload list, page and API, then the list filtered by a figure of the
dashboard and a later page sorted by time at status. It prints the best, the median and
the 95th percentile in milliseconds and the queries of each request. Before timing it
runs VACUUM ANALYZE, as autovacuum would after the load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import scratch_database_use

BENCH_DATABASE = "oneplan_bench_caseload"
USERS = ["coordinator.basingstoke", "pm"]
PATHS = [
    "/lcg-dashboard/",
    "/api/lcg-dashboard/",
    "/lcg-caseload/",
    "/api/caseload/",
    "/lcg-caseload/?concern=drift",
    "/lcg-caseload/?status=open&sort=status_since&page=20",
]


def p95(values: list[float]) -> float:
    """The 95th percentile, the nearest rank (the worst of 20 runs is the 20th)."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--seed-first", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", default=BENCH_DATABASE)
    args = parser.parse_args(argv)
    scratch_database_use(args.database)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agencies.models import User
    from families.models import Family
    from lcgs.caseload.access import caseload_scope
    from oneplan.site.demo.seed import seed_demo

    if args.seed_first or Family.objects.count() != args.families:
        print(f"Seeding {args.families:,} families...", flush=True)
        started = time.perf_counter()
        seed_demo(families=args.families, seed=2012, replace=True)
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
    # As autovacuum leaves a database after a load or a migration that rewrote rows: the
    # planner's statistics, and the visibility map without which an index-only scan
    # reads every row it finds from the table as well.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"vacuumed and analysed in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"families in database: {Family.objects.count():,}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'user':<26}{'path':<52}{'best':>9}{'median':>9}{'p95':>9}{'queries':>9}")
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        caseload = Family.objects.filter(caseload_scope(user)).count()
        print(f"{username} (caseload of {caseload:,} families)")
        for path in PATHS:
            client.get(path)  # warm
            timings: list[float] = []
            queries = 0
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
                queries = len(captured.captured_queries)
            print(
                f"{'':<26}{path:<52}{min(timings):>7.0f}ms{statistics.median(timings):>7.0f}ms"
                f"{p95(timings):>7.0f}ms{queries:>9}",
                flush=True,
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark the scoped family list (page and API) at 50,000 demo families.

Run from the repository root, after ``benchmarks/seed_demo.py`` has filled the scratch
database (or with ``--seed-first``):

    python benchmarks/family_list.py [--families 50000] [--seed-first] [--repeat 20]

It uses the scratch database ``oneplan_bench`` (never the one DATABASE_URL names), signs
in as demo users of different roles and times the first page of /families/ and
/api/families/ through Django's test client: the whole request, with the access filter,
the access event it writes and template rendering. It prints median and 95th percentile
milliseconds, the number of queries, and how many families each user can see.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import scratch_database_use
from seed_demo import BENCH_DATABASE

USERS = ["keyworker.1", "practitioner.police", "coordinator.basingstoke", "pm"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--seed-first", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    scratch_database_use(BENCH_DATABASE)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from agencies.models import User
    from families.models import Family
    from families.selectors import family_list_for_user
    from oneplan.site.demo.seed import seed_demo

    if args.seed_first or Family.objects.count() != args.families:
        print(f"Seeding {args.families} families...", flush=True)
        seed_demo(families=args.families, seed=2012, replace=True)
    print(f"families in database: {Family.objects.count():,}")
    print(
        f"{'user':<26}{'sees':>8}{'page median':>13}{'page p95':>10}{'api median':>12}"
        f"{'api p95':>9}{'queries':>9}"
    )
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        sees = family_list_for_user(user).count()
        timings: dict[str, list[float]] = {"/families/": [], "/api/families/": []}
        queries = 0
        for path in timings:
            client.get(path)  # warm
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    timings[path].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
                if path == "/families/":
                    queries = len(captured.captured_queries)

        def p95(values: list[float]) -> float:
            return sorted(values)[max(0, int(len(values) * 0.95) - 1)]

        page, api = timings["/families/"], timings["/api/families/"]
        print(
            f"{username:<26}{sees:>8,}{statistics.median(page):>11.0f}ms{p95(page):>8.0f}ms"
            f"{statistics.median(api):>10.0f}ms{p95(api):>7.0f}ms{queries:>9}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

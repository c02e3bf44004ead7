"""Benchmark ``seed_demo``: how long N families take (target: 50,000 in under 2 minutes).

Run from the repository root:

    python benchmarks/seed_demo.py [--families 50000] [--seed 2012]

It never touches the database DATABASE_URL names: it switches to a scratch database
called ``oneplan_bench`` on the same server (creating it if needed), migrates it, deletes
any case data a previous run left there, seeds, and prints families/second, total seconds
and rows written per table. Drop the scratch database with ``--drop`` afterwards if wanted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "oneplan_bench"
REPO = Path(__file__).resolve().parent.parent


def scratch_url(url: str, name: str = BENCH_DATABASE) -> str:
    """``url`` with its database name replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str, *, drop: bool = False) -> None:
    """Create (or with ``drop``, drop) the scratch database named in ``url``."""
    import psycopg2
    from psycopg2 import sql

    name = urlsplit(url).path.lstrip("/")
    admin = psycopg2.connect(scratch_url(url, "postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            if drop:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
                return
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--drop", action="store_true", help="drop the scratch database and stop")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to the PostgreSQL server to use, e.g.", file=sys.stderr)
        print("  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/oneplan", file=sys.stderr)
        return 2
    bench_url = scratch_url(url)
    ensure_database(bench_url, drop=args.drop)
    if args.drop:
        print(f"Dropped {BENCH_DATABASE}.")
        return 0
    # Before django.setup(): settings read DATABASE_URL once, at import.
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneplan.settings.test")
    sys.path.insert(0, str(REPO))

    import django

    django.setup()
    from django.core.management import call_command

    from oneplan.site.demo.seed import seed_demo

    print(f"Database {BENCH_DATABASE}: migrating...", flush=True)
    call_command("migrate", verbosity=0)
    print(f"Seeding {args.families} families (seed {args.seed})...", flush=True)
    started = time.perf_counter()
    result = seed_demo(families=args.families, seed=args.seed, replace=True)
    seconds = time.perf_counter() - started
    print(f"families: {result.families}  people: {result.people}")
    print(f"total seconds: {seconds:.1f}")
    print(f"families/second: {result.families / seconds:,.0f}")
    print("rows written per table:")
    for table, count in sorted(result.rows.items()):
        print(f"  {table:<35} {count:>9,}")
    print(f"  {'total':<35} {sum(result.rows.values()):>9,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

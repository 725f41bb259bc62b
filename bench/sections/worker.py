"""A real procrastinate worker draining no-op tenant tasks."""

from __future__ import annotations

import os
import time

TASK_COUNT = int(os.environ.get("BENCH_TASKS", "2000"))
TASK_TARGET = 200  # no-op tenant tasks per second through a real worker


def bench_worker() -> bool:
    """Defer N no-op tenant tasks, then time a real procrastinate worker draining them."""
    from django.db import connection
    from procrastinate.contrib.django import app

    from core.tasks import tenant_task
    from tenants.models import Tenant

    @tenant_task(queue="bench", retry=False)
    def noop() -> None:
        return None

    from tenants.services import tenant_provision

    tenant = Tenant.objects.filter(slug="bench").first() or tenant_provision(
        slug="bench", name="Benchmark Services", owner_email="owner@bench.example"
    )
    schema = tenant.schema_name
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'bench'")
    for _ in range(TASK_COUNT):
        noop.defer(schema_name=schema)
    print(f"Worker: {TASK_COUNT:,} no-op tenant tasks (target >= {TASK_TARGET} tasks/s)")
    ok = True
    for concurrency in (1, 4):
        if concurrency > 1:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE procrastinate_jobs SET status = 'todo' WHERE queue_name = 'bench'"
                )
        started = time.perf_counter()
        with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
            worker_app.run_worker(
                queues=["bench"],
                wait=False,
                install_signal_handlers=False,
                listen_notify=False,
                concurrency=concurrency,
            )
        elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, count(*) FROM procrastinate_jobs WHERE queue_name = 'bench' "
                "GROUP BY status"
            )
            statuses = dict(cursor.fetchall())
        rate = TASK_COUNT / elapsed
        flag = "ok" if rate >= TASK_TARGET else f"UNDER {TASK_TARGET}/s"
        ok &= rate >= TASK_TARGET and statuses.get("succeeded") == TASK_COUNT
        print(
            f"  concurrency {concurrency}: {elapsed:5.1f} s  {rate:7,.0f} tasks/s  {statuses}  {flag}"
        )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'bench'")
    return ok

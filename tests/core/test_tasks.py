"""The task queue for real: jobs committed to PostgreSQL, run by a procrastinate worker."""

import asyncio
import threading

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.tasks import send_email
from core import tasks
from core.tasks import defer_after_commit, defer_many_after_commit


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Work outside test transactions (the worker has its own connections); clean up after."""
    with django_db_blocker.unblock():
        yield
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_events; DELETE FROM procrastinate_jobs;")
        connection.set_schema_to_public()


def run_worker():
    """What `manage.py procrastinate worker` does: a psycopg connector of its own. In a thread
    of its own, since Playwright may keep an event loop running in this one."""

    def work():
        with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
            worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)


def test_an_email_goes_through_the_queue_inside_its_tenant(committed, settings):
    settings.TASKS_RUN_INLINE = False
    mail.outbox = []
    with schema_context("alpha"):
        defer_after_commit(
            send_email, subject="Queued", body="Hello from the worker", to=["q@alpha.example"]
        )
    job = ProcrastinateJob.objects.get(task_name="accounts.tasks.send_email")
    assert job.args["schema_name"] == "alpha" and job.status == "todo"
    run_worker()
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert [m.subject for m in mail.outbox] == ["Queued"]


def test_a_task_for_a_tenant_that_is_gone_fails_cleanly_without_retries(committed):
    send_email.defer(schema_name="no_such_tenant", subject="x", body="y", to=["z@example.com"])
    run_worker()
    job = ProcrastinateJob.objects.get(task_name="accounts.tasks.send_email")
    assert job.status == "failed"
    assert job.attempts == 1


def test_many_jobs_are_queued_in_batches_and_all_run(committed, settings):
    settings.TASKS_RUN_INLINE = False
    mail.outbox = []
    with schema_context("alpha"):
        defer_many_after_commit(
            send_email,
            [{"subject": f"Batch {n}", "body": "", "to": ["b@alpha.example"]} for n in range(5)],
            batch_size=2,
        )
    jobs = ProcrastinateJob.objects.filter(task_name="accounts.tasks.send_email")
    assert jobs.count() == 5 and {job.args["schema_name"] for job in jobs} == {"alpha"}
    run_worker()
    assert sorted(m.subject for m in mail.outbox) == [f"Batch {n}" for n in range(5)]


def test_nothing_is_queued_for_work_that_was_rolled_back(committed, settings):
    from django.db import transaction

    settings.TASKS_RUN_INLINE = False
    with schema_context("alpha"), pytest.raises(RuntimeError), transaction.atomic():
        defer_after_commit(send_email, subject="Never", body="", to=["n@alpha.example"])
        raise RuntimeError("rolled back")
    assert not ProcrastinateJob.objects.exists()


def test_the_nightly_purge_is_a_periodic_task():
    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["customers.tasks.purge_deleted_customers"] == "17 3 * * *"


def run_async(coroutine):
    """asyncio.run in a thread of its own (Playwright may keep a loop running in this one)."""
    results = []
    thread = threading.Thread(target=lambda: results.append(asyncio.run(coroutine)))
    thread.start()
    thread.join(timeout=60)
    return results[0]


class FakeConnection:
    autocommit = True

    def __init__(self):
        self.pings = 0

    async def execute(self, query):
        self.pings += 1


def test_the_worker_pool_pings_only_connections_that_sat_idle(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(tasks.time, "monotonic", lambda: now[0])
    conn = FakeConnection()
    run_async(tasks._ping_if_idle(conn))  # never lent before: pinged
    run_async(tasks._note_return(conn))
    now[0] += 0.5
    run_async(tasks._ping_if_idle(conn))  # back a moment ago: trusted
    now[0] += tasks.PING_AFTER_IDLE_SECONDS + 1
    run_async(tasks._ping_if_idle(conn))  # idle meanwhile: pinged
    assert conn.pings == 2


def test_the_worker_runs_procrastinate_statements_in_autocommit(committed):
    """Each is one call of a procrastinate SQL function, atomic by itself: no BEGIN/COMMIT."""

    async def lend_a_connection():
        connector = app.connector.get_worker_connector()
        await connector.open_async()
        try:
            async with connector.pool.connection() as conn:
                return conn.autocommit
        finally:
            await connector.close_async()

    assert run_async(lend_a_connection()) is True


def test_the_workers_listen_connection_opens_too(committed):
    """``procrastinate worker`` listens for new jobs on a connection of its own."""

    async def listen_briefly():
        connector = app.connector.get_worker_connector()
        await connector.open_async()
        try:

            async def on_notification(**kwargs):
                return None

            listener = asyncio.create_task(
                connector.listen_notify(
                    on_notification=on_notification, channels=["procrastinate_any_queue_v1"]
                )
            )
            await asyncio.sleep(0.5)
            if listener.done():
                return listener.exception()
            listener.cancel()
            return None
        finally:
            await connector.close_async()

    assert run_async(listen_briefly()) is None

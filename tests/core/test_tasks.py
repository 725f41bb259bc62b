"""The task queue for real: jobs committed to PostgreSQL, run by a procrastinate worker."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django_tenants.utils import schema_context
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from accounts.tasks import send_email
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

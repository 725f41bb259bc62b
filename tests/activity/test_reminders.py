"""Task reminders: the worker's periodic job sends each due reminder once, to the assignee,
in every tenant; retries and a second worker send nothing twice."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import StaffRole
from activity import services
from activity.models import Entry
from activity.tasks import send_task_reminders
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def only_this_tests_reminders(in_tenant):
    """Reminders other tests left committed in a kept database (the browser tests' tenant)
    count as sent for the length of this test (its transaction is rolled back)."""
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    for schema in Tenant.objects.customer_tenants().values_list("schema_name", flat=True):
        with schema_context(schema):
            Entry.objects.filter(reminder_sent_at__isnull=True).update(reminder_sent_at=NOW)
    connection.set_tenant(in_tenant)


def make_task(actor, customer, *, remind_at, assignee=None, title="Renewal call"):
    return services.task_create(
        actor=actor,
        record_type="customer",
        record_id=customer.pk,
        title=title,
        assignee_id=(assignee or actor).pk,
        due_date=TODAY,
        remind_at=remind_at,
    )


def test_the_periodic_job_sends_a_due_reminder_once_to_the_assignee(staff, admin, customer):
    due = make_task(staff, customer, remind_at=NOW - datetime.timedelta(minutes=1), assignee=admin)
    make_task(staff, customer, remind_at=NOW + datetime.timedelta(hours=1), title="Later")
    make_task(staff, customer, remind_at=None, title="No reminder")
    assert send_task_reminders(timestamp=int(NOW.timestamp())) == 1
    assert [m.to for m in mail.outbox] == [["ada.admin@alpha.example"]]
    message = mail.outbox[0]
    assert message.subject == f"Reminder: Renewal call (due {TODAY:%Y-%m-%d})"
    assert "Acme Timeline" in message.body
    assert f"/customers/{customer.pk}/activity/" in message.body
    assert Entry.objects.get(pk=due.pk).reminder_sent_at is not None
    # The next run (or a retry of this one) sends nothing again.
    assert send_task_reminders(timestamp=int(NOW.timestamp())) == 0
    assert len(mail.outbox) == 1


def test_done_tasks_and_inactive_assignees_get_no_reminder(staff, customer):
    done = make_task(staff, customer, remind_at=NOW - datetime.timedelta(minutes=5))
    services.task_complete(actor=staff, entry_id=done.pk)
    leaver = UserFactory(role=StaffRole.STAFF)
    make_task(staff, customer, remind_at=NOW - datetime.timedelta(minutes=5), assignee=leaver)
    leaver.is_active = False
    leaver.save()
    assert send_task_reminders(timestamp=0) == 0
    assert mail.outbox == []


def test_a_failed_email_is_retried_on_the_next_run(staff, customer, monkeypatch):
    make_task(staff, customer, remind_at=NOW - datetime.timedelta(minutes=1))
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def refuse(self, messages):
        raise ConnectionError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    assert send_task_reminders(timestamp=0) == 0
    assert Entry.objects.get().reminder_sent_at is None  # rolled back with its email
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert send_task_reminders(timestamp=0) == 1
    assert len(mail.outbox) == 1


def test_the_job_sends_each_tenants_reminders_inside_that_tenant(staff, customer, other_tenant):
    make_task(staff, customer, remind_at=NOW - datetime.timedelta(minutes=1))
    connection.set_tenant(other_tenant)
    theirs = UserFactory(role=StaffRole.STAFF, email="beta.person@beta.example")
    make_task(
        theirs, CustomerFactory(name="Beta's customer"), remind_at=NOW - datetime.timedelta(1)
    )
    assert send_task_reminders(timestamp=0) == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "beta.person@beta.example",
        "sam.staff@alpha.example",
    ]


def test_the_reminder_job_is_periodic_every_minute():
    from procrastinate.contrib.django import app

    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["activity.tasks.send_task_reminders"] == "* * * * *"

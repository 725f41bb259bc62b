"""Two workers running the reminder job at the same moment send each reminder once: rows are
locked with SKIP LOCKED and marked sent in the same transaction (real commits, threads)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import StaffRole
from activity import services
from activity.models import Entry
from tenants.models import Tenant
from tests.factories import CustomerFactory, UserFactory

REMINDERS = 30


@pytest.fixture
def committed_tasks(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        connection.set_tenant(tenant)
        actor = UserFactory(role=StaffRole.STAFF, email="two.workers@alpha.example")
        customer = CustomerFactory(name="Concurrent reminders")
        for n in range(REMINDERS):
            services.task_create(
                actor=actor,
                record_type="customer",
                record_id=customer.pk,
                title=f"Task {n}",
                assignee_id=actor.pk,
                due_date=timezone.localdate(),
                remind_at=timezone.now() - datetime.timedelta(minutes=1),
            )
        yield tenant
        connection.set_tenant(tenant)
        Entry.history.filter(customer_id=customer.pk).delete()
        Entry.objects.filter(customer=customer).delete()
        customer.history.all().delete()
        customer.delete()
        actor.delete()
        connection.set_schema_to_public()


def test_two_workers_send_each_reminder_once(committed_tasks):
    mail.outbox = []
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            connection.set_tenant(committed_tasks)
            start.wait()
            results.append(services.task_reminders_send())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(results) == REMINDERS
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == REMINDERS == len(set(subjects))

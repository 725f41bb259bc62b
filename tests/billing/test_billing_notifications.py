"""Billing news in the in-app notification list (core.notifications): an invoice run tells
who started it how it ended (the monthly job: everyone who manages billing); invoices falling
overdue and a company's suspension tell the people who can act on them, not staff who cannot."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, StaffRole
from billing.models import InvoiceRun
from billing.services.dunning import mark_overdue
from billing.services.invoicing import invoice_run
from core.notifications import NotificationKind
from customers.account_status import account_suspend
from tests.factories import CustomerFactory, InvoiceFactory, UserFactory

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(in_tenant):
    return {
        role: UserFactory(role=role)
        for role in (StaffRole.OWNER, StaffRole.ADMIN, StaffRole.STAFF, StaffRole.VIEWER)
    }


def told(user) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user).values_list("kind", "message").order_by("pk")
    )


def test_an_invoice_run_tells_who_started_it(subscribed, people):
    admin = people[StaffRole.ADMIN]
    run = invoice_run(month=MONTH, actor=admin, notify=False)
    notification = Notification.objects.get(recipient=admin)
    assert notification.kind == NotificationKind.INVOICE_RUN_FINISHED
    assert notification.message == "The invoice run for March 2026 finished: 1 invoice created."
    assert notification.url == reverse("billing:invoice_run_detail", args=[run.pk])
    assert told(people[StaffRole.OWNER]) == []


def test_the_monthly_job_tells_everyone_who_manages_billing(subscribed, people):
    invoice_run(month=MONTH, actor=None, notify=False)
    assert InvoiceRun.objects.get().status == InvoiceRun.Status.DONE
    for role in (StaffRole.OWNER, StaffRole.ADMIN):
        assert [kind for kind, _ in told(people[role])] == [NotificationKind.INVOICE_RUN_FINISHED]
    assert told(people[StaffRole.STAFF]) == told(people[StaffRole.VIEWER]) == []


def test_invoices_falling_overdue_are_one_notification_per_run(in_tenant, people):
    company = CustomerFactory(name="Late Payers Ltd")
    for number in ("INV-1", "INV-2"):
        InvoiceFactory(
            customer=company,
            number=number,
            total=Decimal("10.00"),
            due_date=timezone.localdate() - timedelta(days=3),
            issue_date=timezone.localdate() - timedelta(days=17),
            period_start=date(2001 if number == "INV-1" else 2002, 1, 1),
            period_end=date(2001 if number == "INV-1" else 2002, 1, 31),
        )
    assert mark_overdue(notify=False) == 2
    assert mark_overdue(notify=False) == 0  # nothing new: nobody told again
    ((kind, message),) = told(people[StaffRole.ADMIN])
    assert kind == NotificationKind.INVOICES_OVERDUE and message.startswith("2 invoices fell")
    assert Notification.objects.get(recipient=people[StaffRole.OWNER]).url == (
        reverse("billing:invoice_list") + "?status=overdue"
    )
    assert told(people[StaffRole.STAFF]) == []


def test_a_suspension_tells_billing_people_but_not_who_suspended(in_tenant, people):
    company = CustomerFactory(name="Acme Robotics")
    owner = people[StaffRole.OWNER]
    account_suspend(customer_id=company.pk, reason="Cheque bounced", actor=owner)
    assert told(owner) == []
    ((kind, message),) = told(people[StaffRole.ADMIN])
    assert kind == NotificationKind.COMPANY_SUSPENDED
    assert message == "Acme Robotics's account was suspended: Cheque bounced"
    assert Notification.objects.get(recipient=people[StaffRole.ADMIN]).url == (
        company.get_absolute_url()
    )
    assert told(people[StaffRole.STAFF]) == []

"""Staged dunning, configurable per tenant with a per-customer override: a reminder before
the due date, the overdue notice, a final notice, suspension after N days — each notice once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.models import BillingSettings, DunningNotice, DunningPolicy
from billing.services.dunning import (
    dunning_policy_save,
    mark_overdue,
    policy_for,
    send_dunning_notices,
    suspend_overdue_customers,
)
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def invoice_due(customer, due: date, number: str):
    period = date(2000 + (TODAY - due).days % 90, 1, 1)
    return InvoiceFactory(
        customer=customer,
        number=number,
        total=Decimal("120.00"),
        due_date=due,
        issue_date=min(due, TODAY) - timedelta(days=20),
        billing_email=f"{number.lower()}@pay.example",
        period_start=period,
        period_end=period.replace(day=31),
    )


@pytest.fixture
def policy(in_tenant):
    BillingSettings.objects.filter(pk=BillingSettings.current().pk).update(suspend_after_days=30)
    return dunning_policy_save(
        customer_id=None,
        data={"reminder_days_before_due": 5, "final_notice_after_days": 20},
        actor=None,
    )


def test_reminder_overdue_notice_final_notice_and_suspension_each_once(
    policy, django_capture_on_commit_callbacks
):
    company = CustomerFactory()
    soon = invoice_due(company, TODAY + timedelta(days=4), "INV-SOON")
    later = invoice_due(company, TODAY + timedelta(days=9), "INV-LATER")
    late = invoice_due(company, TODAY - timedelta(days=25), "INV-LATE")
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        mark_overdue()
        mark_overdue()  # the next run sends nothing twice
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        "Final notice: invoice INV-LATE is 25 days overdue",
        "Invoice INV-LATE is overdue",
        f"Invoice INV-SOON is due on {soon.due_date:%B %-d, %Y}",
    ]
    assert not DunningNotice.objects.filter(invoice=later).exists()  # 9 days away: not yet
    final = next(m for m in mail.outbox if m.subject.startswith("Final"))
    assert final.to == ["inv-late@pay.example"] and "suspended 30 days after" in final.body
    assert suspend_overdue_customers() == 0  # 25 days: within the 30
    assert late.pk


def test_a_customers_override_replaces_the_tenants_stages(
    policy, django_capture_on_commit_callbacks
):
    strict, lenient, normal = CustomerFactory(), CustomerFactory(), CustomerFactory()
    dunning_policy_save(customer_id=strict.pk, data={"suspend_after_days": 10}, actor=None)
    dunning_policy_save(
        customer_id=lenient.pk,
        data={"suspend_after_days": 0, "final_notice_after_days": 0},
        actor=None,
    )
    for customer in (strict, lenient, normal):
        invoice_due(customer, TODAY - timedelta(days=15), f"INV-{customer.pk}")
    assert policy_for(strict.pk).reminder_days_before_due == 5  # the tenant's, not overridden
    mark_overdue(notify=False)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert send_dunning_notices() == 0  # 15 days: the final notice comes at 20
    assert suspend_overdue_customers() == 1
    strict.refresh_from_db(), lenient.refresh_from_db(), normal.refresh_from_db()
    assert (strict.portal_access, lenient.portal_access, normal.portal_access) == (
        "suspended",
        "active",
        "active",
    )
    # A lenient customer never suspended, never sent a final notice, even much later.
    later = TODAY + timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        send_dunning_notices(today=later)
    assert not DunningNotice.objects.filter(invoice__customer=lenient).exists()
    assert DunningNotice.objects.filter(invoice__customer=normal, stage="final").exists()
    # An override emptied: the customer follows the tenant again.
    dunning_policy_save(customer_id=strict.pk, data={"suspend_after_days": None}, actor=None)
    assert not DunningPolicy.objects.filter(customer=strict).exists()
    assert policy_for(strict.pk).suspend_after_days == 30


def test_a_policy_out_of_range_is_refused_and_nothing_written(policy):
    with pytest.raises(ValidationError):
        dunning_policy_save(customer_id=None, data={"reminder_days_before_due": 99}, actor=None)
    with pytest.raises(ValidationError):
        dunning_policy_save(customer_id=None, data={"suspend_after_days": -1}, actor=None)
    policy.refresh_from_db()
    assert policy.reminder_days_before_due == 5


def test_admins_set_the_stages_and_a_customers_override_on_their_pages(client_as, in_tenant):
    from django.urls import reverse

    from accounts.models import StaffRole

    company = CustomerFactory(name="Acme Robotics")
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(reverse("billing:dunning"), {"reminder_days_before_due": "7"})
    assert response.status_code == 302
    assert policy_for(None).reminder_days_before_due == 7
    url = reverse("billing:customer_dunning", args=[company.pk])
    assert "7 (tenant)" in admin.get(url).content.decode()
    assert admin.post(url, {"suspend_after_days": "400"}).status_code == 200  # refused
    assert not DunningPolicy.objects.filter(customer=company).exists()
    assert admin.post(url, {"suspend_after_days": "12"}).status_code == 302
    assert policy_for(company.pk).suspend_after_days == 12
    assert client_as(StaffRole.STAFF).post(url, {"suspend_after_days": "1"}).status_code == 403
    assert policy_for(company.pk).suspend_after_days == 12

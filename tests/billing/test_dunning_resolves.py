"""Dunning resolves itself (issue #15): a suspension lifts as soon as no invoice is overdue past
the limit any more — by payment or void — even with younger overdue invoices still due; the
portal names exactly what is left, always current; the console's payment message says whether
the company is still suspended and why."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import BillingProfile, BillingSettings
from billing.services.dunning import (
    mark_overdue,
    overdue_state,
    suspend_overdue_customers,
)
from billing.services.invoicing import invoice_void
from billing.services.payments import payment_record
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def owed(customer, number, total, due_days_ago):
    """An issued invoice due ``due_days_ago`` days ago (its own period: one per due date)."""
    due = days_ago(due_days_ago)
    period = date(2000 + due_days_ago, 1, 1)
    return InvoiceFactory(
        customer=customer,
        number=number,
        total=Decimal(total),
        due_date=due,
        issue_date=due - timedelta(days=14),
        period_start=period,
        period_end=period.replace(day=31),
    )


@pytest.fixture
def suspended(in_tenant):
    """Limit 30 days: A (60 days) and B (45 days) are past it, C (10 days) is younger."""
    BillingSettings.objects.filter(pk=BillingSettings.current().pk).update(suspend_after_days=30)
    company = CustomerFactory(name="Acme Robotics")
    invoices = {
        "A": owed(company, "INV-A", "100.00", 60),
        "B": owed(company, "INV-B", "200.00", 45),
        "C": owed(company, "INV-C", "50.00", 10),
    }
    mark_overdue(notify=False)
    assert suspend_overdue_customers() == 1
    company.refresh_from_db()
    assert company.portal_access == "suspended"
    return company, invoices


def pay(invoice, amount, actor=None):
    return payment_record(
        invoice_id=invoice.pk,
        amount=Decimal(amount),
        method="bank_transfer",
        paid_on=timezone.localdate(),
        actor=actor,
    )


def suspended_page(portal):
    response = portal.get(reverse("portal:suspended"))
    return response.status_code, response.content.decode()


def test_paying_part_keeps_the_suspension_naming_what_is_left_paying_the_rest_lifts_it(
    suspended, portal_client
):
    company, inv = suspended
    portal = portal_client(company, "admin")
    status, page = suspended_page(portal)
    assert status == 403
    assert all(number in page for number in ("INV-A", "INV-B", "INV-C"))
    assert "350.00" in page  # every overdue invoice with the total to pay

    pay(inv["A"], "100.00")  # the oldest, exactly: B is still past the limit
    company.refresh_from_db()
    assert company.portal_access == "suspended"
    status, page = suspended_page(portal)
    assert "INV-A" not in page  # the paid invoice is no longer named
    assert "INV-B" in page and "INV-C" in page and "250.00" in page
    assert portal.get(reverse("portal:overview", args=[company.pk])).status_code == 302

    pay(inv["B"], "150.00")  # partly: still past the limit
    company.refresh_from_db()
    assert company.portal_access == "suspended"
    assert [i.number for i in overdue_state(company.pk).past_limit] == ["INV-B"]

    pay(inv["B"], "50.00")  # the rest: back at once, with C still overdue
    company.refresh_from_db()
    assert company.portal_access == "active"
    assert company.account_status_reason == "no invoice is overdue past the limit any more"
    assert not BillingProfile.objects.get(customer=company).suspended_for_nonpayment
    assert portal.get(reverse("portal:overview", args=[company.pk])).status_code == 200
    billing = portal.get(reverse("portal:billing", args=[company.pk])).content.decode()
    assert 'id="overdue-invoices"' in billing and "INV-C" in billing
    assert "Due" in billing and "50.00" in billing
    # The nightly run does not suspend it again for C, which is within the limit.
    assert suspend_overdue_customers() == 0


def test_voiding_the_overdue_invoices_lifts_the_suspension(suspended):
    company, inv = suspended
    invoice_void(invoice_id=inv["A"].pk, reason="Billed twice", actor=None)
    company.refresh_from_db()
    assert company.portal_access == "suspended"
    invoice_void(invoice_id=inv["B"].pk, reason="Wrong customer", actor=None)
    company.refresh_from_db()
    assert company.portal_access == "active"
    assert [i.number for i in overdue_state(company.pk).overdue] == ["INV-C"]


def test_the_nightly_run_lifts_a_suspension_whose_cause_went_another_way(suspended):
    """A credit note or a correction that bypasses the hooks: the next run lifts it."""
    company, inv = suspended
    from billing.models import Invoice

    Invoice.objects.filter(pk__in=[inv["A"].pk, inv["B"].pk]).update(status="void")
    suspend_overdue_customers()
    company.refresh_from_db()
    assert company.portal_access == "active"


def test_the_console_payment_message_says_whether_the_company_is_still_suspended(
    suspended, client_as
):
    company, inv = suspended
    admin = client_as(StaffRole.ADMIN)
    url = reverse("billing:invoice_payment", args=[inv["A"].pk])
    data = {"amount": "100.00", "method": "bank_transfer", "paid_on": timezone.localdate()}
    response = admin.post(url, data)
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    left = text.split("stays suspended")[1]
    assert "INV-B" in left and "INV-A" not in left and "$200.00" in left
    assert "more than 30 days overdue" in left

    url = reverse("billing:invoice_payment", args=[inv["B"].pk])
    admin.get(response.url)  # the message is shown (and gone)
    response = admin.post(url, {**data, "amount": "200.00"})
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Payment recorded" in text and "active again" in text and "stays" not in text


def test_a_suspension_made_by_staff_is_not_lifted_by_paying(in_tenant):
    from customers.account_status import account_suspend

    company = CustomerFactory()
    invoice = owed(company, "INV-S", "80.00", 60)
    account_suspend(customer_id=company.pk, reason="Abuse of the service", actor=None)
    pay(invoice, "80.00")
    company.refresh_from_db()
    assert company.portal_access == "suspended"
    assert company.account_status_reason == "Abuse of the service"

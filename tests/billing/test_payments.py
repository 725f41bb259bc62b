"""Payments, balances, overdue notices, suspension of the portal and its lifting."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.models import BillingProfile, Invoice, InvoiceStatus, Payment, Subscription
from billing.selectors import commission_rows
from billing.services.dunning import mark_overdue, suspend_overdue_customers
from billing.services.invoicing import invoice_run, invoice_void
from billing.services.payments import payment_record

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(subscribed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice_run(month=MONTH, actor=None)
    return Invoice.objects.get(customer=subscribed)


def pay(invoice, amount, *, reference="", paid_on=None, actor=None):
    return payment_record(
        invoice_id=invoice.pk,
        amount=Decimal(amount),
        method="bank_transfer",
        paid_on=paid_on or timezone.localdate(),
        reference=reference,
        actor=actor,
    )


def test_the_invoice_is_emailed_to_the_billing_contact_with_its_pdf(invoice):
    message = mail.outbox[-1]
    assert message.to == ["billing@acme.example"]
    assert invoice.number in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == f"invoice-{invoice.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_a_partial_payment_then_the_rest(invoice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pay(invoice, "150.00", reference="TX-1")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID and invoice.balance == Decimal("250.00")
    assert "Payment received" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        pay(invoice, "250.00", reference="TX-2")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance == 0
    assert invoice.paid_on == timezone.localdate()
    receipt = mail.outbox[-1].attachments[0]
    assert receipt[0] == f"receipt-{invoice.number}.pdf" and receipt[1].startswith(b"%PDF")
    reasons = list(invoice.history.values_list("history_change_reason", flat=True))
    assert sum("Payment of" in (reason or "") for reason in reasons) == 2


@pytest.mark.parametrize(
    ("amount", "message"),
    [("abc", "as a number"), ("0", "greater than zero"), ("-5", "greater than zero")],
)
def test_bad_amounts_are_refused_and_change_nothing(invoice, amount, message):
    with pytest.raises(ValidationError, match=message):
        payment_record(
            invoice_id=invoice.pk,
            amount=amount,
            method="bank_transfer",
            paid_on=timezone.localdate(),
            actor=None,
        )
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0 and not Payment.objects.exists()


def test_a_reference_is_recorded_once(invoice):
    pay(invoice, "10", reference="CHQ-77")
    with pytest.raises(ValidationError, match="already recorded"):
        pay(invoice, "10", reference="CHQ-77")
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("10.00") and Payment.objects.count() == 1


def test_payments_dated_in_the_future_or_against_a_draft_are_refused(invoice, subscribed):
    with pytest.raises(ValidationError, match="future"):
        pay(invoice, "10", paid_on=timezone.localdate() + timedelta(days=1))
    invoice.status = InvoiceStatus.DRAFT
    invoice.save()
    with pytest.raises(ValidationError, match="draft"):
        pay(invoice, "10")


def test_an_invoice_with_payments_cannot_be_voided(invoice):
    pay(invoice, "10")
    with pytest.raises(ValidationError, match="Payments are recorded"):
        invoice_void(invoice_id=invoice.pk, reason="oops", actor=None)


def overdue_days_later(invoice, days):
    return invoice.due_date + timedelta(days=days)


def test_overdue_notice_then_suspension_then_lifting_on_payment(
    invoice, subscribed, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue(today=overdue_days_later(invoice, 1)) == 1
        assert mark_overdue(today=overdue_days_later(invoice, 2)) == 0
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OVERDUE
    assert [m.subject for m in mail.outbox] == [f"Invoice {invoice.number} is overdue"]

    assert suspend_overdue_customers(today=overdue_days_later(invoice, 29)) == 0
    assert suspend_overdue_customers(today=overdue_days_later(invoice, 30)) == 1
    subscribed.refresh_from_db()
    assert subscribed.portal_access == "suspended"
    assert "more than 30 days overdue" in subscribed.account_status_reason
    assert Subscription.objects.get(customer=subscribed).status == "past_due"
    assert BillingProfile.objects.get(customer=subscribed).suspended_for_nonpayment

    # Payments are recorded today: the invoice is as far past due today as on the run's day.
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - timedelta(days=30))
    pay(invoice, "100")  # still overdue past the limit: stays suspended
    subscribed.refresh_from_db()
    assert subscribed.portal_access == "suspended"
    pay(invoice, "300")
    subscribed.refresh_from_db()
    assert subscribed.portal_access == "active"
    assert "overdue past the limit" in subscribed.account_status_reason
    assert Subscription.objects.get(customer=subscribed).status == "active"
    reasons = list(subscribed.history.values_list("history_change_reason", flat=True))
    assert any("Account suspended" in (r or "") for r in reasons)
    assert any("Account reactivated" in (r or "") for r in reasons)


def test_a_suspension_made_by_staff_is_not_lifted_by_a_payment(invoice, subscribed):
    subscribed.portal_access = "suspended"
    subscribed.save()
    pay(invoice, "400")
    subscribed.refresh_from_db()
    assert subscribed.portal_access == "suspended"


def test_suspension_can_be_turned_off(invoice, subscribed):
    from billing.models import BillingSettings

    BillingSettings.objects.filter(pk=1).update(suspend_after_days=0)
    mark_overdue(today=overdue_days_later(invoice, 1))
    assert suspend_overdue_customers(today=overdue_days_later(invoice, 400)) == 0


def test_commission_of_a_reseller(plan, subscribed):
    from tests.factories import CustomerFactory, subscribe

    reseller = CustomerFactory(name="Reseller")
    BillingProfile.objects.create(customer=reseller, is_reseller=True, commission_rate="12.5")
    subscribed.parent = reseller
    subscribed.save()
    other_client = CustomerFactory(name="Quiet client", parent=reseller)
    subscribe(other_client, plan, start_date=date(2026, 1, 1))
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get(customer=subscribed)
    pay(invoice, "400")
    month = timezone.localdate().replace(day=1)
    from billing.money import Period, add_months

    period = Period(month, add_months(month, 1) - timedelta(days=1))
    rows = {
        r["customer"].name: (r["paid"], r["commission"]) for r in commission_rows(reseller, period)
    }
    assert rows == {
        "Acme Robotics": (Decimal("400.00"), Decimal("50.00")),
        "Quiet client": (Decimal("0"), Decimal("0.00")),
    }

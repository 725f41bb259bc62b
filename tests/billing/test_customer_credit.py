"""Customer credit (issue #15): a payment above the balance is kept as the customer's credit,
shown on its Billing tab and in the portal, applied automatically to its next issued invoice
(by the invoice run and by issuing a draft) in the same transaction, or by hand; a payment in
another currency is refused; bad input is a clear message and writes nothing."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import CustomerCredit, Invoice, MonthlyCollections, Payment
from billing.services.credit_notes import available_credit, credit_apply
from billing.services.invoicing import invoice_issue, invoice_run
from billing.services.payments import payment_record
from tests.factories import CustomerFactory, InvoiceFactory

from .conftest import MONTH

pytestmark = pytest.mark.django_db

NEXT_MONTH = date(2026, 4, 1)


@pytest.fixture
def invoice(subscribed):
    """400.00 USD for March."""
    invoice_run(month=MONTH, actor=None)
    return Invoice.objects.get(customer=subscribed)


def pay(invoice, amount, **extra):
    return payment_record(
        invoice_id=invoice.pk,
        amount=amount,
        method="bank_transfer",
        paid_on=timezone.localdate(),
        actor=extra.pop("actor", None),
        **extra,
    )


def test_an_overpayment_settles_the_invoice_and_keeps_the_excess_as_credit(invoice, make_user):
    admin = make_user(role=StaffRole.ADMIN)
    payment = pay(invoice, Decimal("450.00"), actor=admin)
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.amount_paid == Decimal("400.00")
    assert payment.amount == Decimal("450.00")  # the money received, as received
    entry = CustomerCredit.objects.get()
    assert (entry.source, entry.amount, entry.currency) == ("overpayment", Decimal("50.00"), "USD")
    assert entry.payment == payment and entry.invoice == invoice
    assert entry.history.first().history_user == admin
    assert available_credit(invoice.customer_id, "USD") == Decimal("50.00")
    month = timezone.localdate().replace(day=1)
    assert MonthlyCollections.objects.get(month=month).amount == Decimal("450.00")
    assert "50.00 kept as credit" in invoice.history.first().history_change_reason


def test_the_next_invoice_of_the_run_takes_the_credit_in_the_same_transaction(invoice):
    pay(invoice, Decimal("450.00"))
    invoice_run(month=NEXT_MONTH, actor=None)
    april = Invoice.objects.get(customer=invoice.customer, period_start=NEXT_MONTH)
    assert april.total == Decimal("400.00")
    assert april.amount_paid == Decimal("50.00") and april.balance == Decimal("350.00")
    assert april.status == "partially_paid"
    applied = CustomerCredit.objects.get(source="applied")
    assert applied.invoice == april and applied.amount == Decimal("-50.00")
    assert available_credit(invoice.customer_id, "USD") == 0
    assert "applied" in april.history.first().history_change_reason


def test_credit_larger_than_the_next_invoice_pays_it_and_the_rest_stays(invoice):
    pay(invoice, Decimal("1000.00"))
    invoice_run(month=NEXT_MONTH, actor=None)
    april = Invoice.objects.get(customer=invoice.customer, period_start=NEXT_MONTH)
    assert april.status == "paid" and april.balance == 0 and april.paid_on is not None
    assert available_credit(invoice.customer_id, "USD") == Decimal("200.00")


def test_issuing_a_draft_applies_the_credit(invoice):
    pay(invoice, Decimal("430.00"))
    invoice_run(month=NEXT_MONTH, actor=None, issue=False)
    draft = Invoice.objects.get(customer=invoice.customer, period_start=NEXT_MONTH)
    assert draft.status == "draft" and draft.amount_paid == 0  # drafts take no credit
    invoice_issue(invoice_id=draft.pk, actor=None)
    draft.refresh_from_db()
    assert draft.balance == Decimal("370.00")


def test_a_run_without_credit_anywhere_applies_nothing(invoice):
    invoice_run(month=NEXT_MONTH, actor=None)
    assert not CustomerCredit.objects.exists()
    assert Invoice.objects.get(period_start=NEXT_MONTH).amount_paid == 0


def test_staff_apply_credit_by_hand_within_what_is_available(invoice, client_as):
    other = InvoiceFactory(customer=invoice.customer, period_start=date(2025, 12, 1))
    pay(invoice, Decimal("460.00"))  # 60.00 credit
    admin = client_as(StaffRole.ADMIN)
    page = admin.get(other.get_absolute_url()).content.decode()
    assert "$60.00</span> of credit" in page and "Apply credit" in page
    url = reverse("billing:invoice_apply_credit", args=[other.pk])
    response = admin.post(url, {"amount": "70"}, follow=True)
    assert "Only $60.00 of credit is available" in response.content.decode()
    assert admin.post(url, {"amount": "-1"}, follow=True).status_code == 200
    assert not CustomerCredit.objects.filter(source="applied").exists()
    admin.post(url, {"amount": "25"})
    other.refresh_from_db()
    assert other.balance == Decimal("75.00")
    response = admin.post(url, {"amount": ""}, follow=True)  # the rest: 35.00
    assert "Applied $35.00 of credit" in response.content.decode()
    other.refresh_from_db()
    assert other.balance == Decimal("40.00")
    assert available_credit(invoice.customer_id, "USD") == 0
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.post(url, {"amount": "1"}).status_code == 403


def test_credit_cannot_be_applied_above_the_balance_or_without_credit(invoice):
    small = InvoiceFactory(customer=invoice.customer, period_start=date(2025, 12, 1), total=10)
    with pytest.raises(ValidationError, match="has no credit"):
        credit_apply(invoice_id=small.pk, actor=None)
    pay(invoice, Decimal("500.00"))
    with pytest.raises(ValidationError, match="apply at most that"):
        credit_apply(invoice_id=small.pk, actor=None, amount="20")
    with pytest.raises(ValidationError, match="as a number"):
        credit_apply(invoice_id=small.pk, actor=None, amount="ten")
    assert available_credit(invoice.customer_id, "USD") == Decimal("100.00")
    credit_apply(invoice_id=small.pk, actor=None)
    small.refresh_from_db()
    assert small.status == "paid"
    assert available_credit(invoice.customer_id, "USD") == Decimal("90.00")


def test_a_payment_in_another_currency_is_refused_and_writes_nothing(invoice):
    with pytest.raises(ValidationError, match="is in USD; a payment in EUR"):
        pay(invoice, Decimal("10"), currency="eur")
    pay(invoice, Decimal("10"), currency="usd")  # the invoice's own, in any case
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "NaN", "1e400", "12.345"])
def test_bad_payment_amounts_are_clear_and_write_nothing(invoice, amount):
    with pytest.raises(ValidationError):
        pay(invoice, amount)
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0
    assert not Payment.objects.exists() and not CustomerCredit.objects.exists()


def test_the_api_keeps_an_overpayment_as_credit_and_refuses_another_currency(api_as, invoice):
    admin = api_as(StaffRole.ADMIN)
    body = {
        "invoice": invoice.pk,
        "amount": "425.00",
        "method": "card",
        "paid_on": timezone.localdate().isoformat(),
    }

    def post(data):
        return admin.post("/api/v1/payments/", json.dumps(data), content_type="application/json")

    refused = post({**body, "currency": "GBP"})
    assert refused.status_code == 400 and "GBP" in refused.json()["currency"][0]
    assert not Payment.objects.exists()
    assert post(body).status_code == 201
    assert available_credit(invoice.customer_id, "USD") == Decimal("25.00")


def test_credit_is_shown_on_the_billing_tab_and_in_the_portal(invoice, client_as, portal_client):
    pay(invoice, Decimal("412.50"))
    tab = client_as(StaffRole.VIEWER).get(
        reverse("billing:customer_billing", args=[invoice.customer_id])
    )
    assert "Available credit:" in tab.content.decode() and "$12.50" in tab.content.decode()
    portal = portal_client(invoice.customer, role="read_only")
    page = portal.get(reverse("portal:billing", args=[invoice.customer_id])).content.decode()
    assert "Available credit:" in page and "$12.50" in page
    stranger = portal_client(CustomerFactory(name="Nobody Ltd"))
    own = stranger.membership.customer_id
    other_page = stranger.get(reverse("portal:billing", args=[own])).content.decode()
    assert "12.50" not in other_page


def test_the_next_invoices_email_says_what_the_credit_leaves_due(
    invoice, django_capture_on_commit_callbacks
):
    from django.core import mail

    pay(invoice, Decimal("450.00"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_run(month=NEXT_MONTH, actor=None)
    (message,) = [m for m in mail.outbox if "Invoice" in m.subject]
    assert "Credit applied: $50.00" in message.body
    assert "Amount due: $350.00" in message.body

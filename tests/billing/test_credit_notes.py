"""Credit notes (issue #15): partial (an amount or chosen lines) or full, against an issued
invoice; their own gap-free numbers; tax like the invoice's; never above the balance; history,
email with the PDF, suspension lifted; the console's pages, the portal and the API."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import (
    BillingSettings,
    CreditNote,
    CreditNoteLine,
    CreditNoteSequence,
    Invoice,
    TaxRate,
)
from billing.services.credit_notes import credit_note_create
from billing.services.dunning import mark_overdue, suspend_overdue_customers
from billing.services.invoicing import invoice_run, invoice_void
from billing.services.payments import payment_record
from tests.factories import CustomerFactory, InvoiceFactory, subscribe

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(subscribed):
    """400.00 USD: Growth 300.00 and 5 seats at 20.00, no tax."""
    invoice_run(month=MONTH, actor=None)
    return Invoice.objects.get(customer=subscribed)


@pytest.fixture
def taxed(plan):
    """The same plan with 20 % VAT: 400.00 + 80.00 = 480.00."""
    TaxRate.objects.create(name="VAT", rate=Decimal("20"))
    customer = CustomerFactory(name="Taxed Ltd", billing_email="ap@taxed.example")
    subscribe(customer, plan, seats=5, start_date=date(2026, 1, 1))
    invoice_run(month=MONTH, actor=None)
    return Invoice.objects.get(customer=customer)


def credit(invoice, *, reason="Goodwill", actor=None, **how):
    return credit_note_create(invoice_id=invoice.pk, reason=reason, actor=actor, **how)


def nothing_written(invoice, amount_paid=Decimal("0")):
    invoice.refresh_from_db()
    assert invoice.amount_paid == amount_paid
    assert not CreditNote.objects.exists() and not CreditNoteLine.objects.exists()
    row = CreditNoteSequence.objects.filter(pk=1).first()
    assert row is None or row.next_number == 1


def test_a_partial_credit_reduces_the_balance_with_history_and_an_email(
    invoice, make_user, django_capture_on_commit_callbacks
):
    admin = make_user(role=StaffRole.ADMIN)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note = credit(invoice, amount="120.00", reason="Outage on 3 March", actor=admin)
    invoice.refresh_from_db()
    assert note.number == "CN-000001" and note.total == Decimal("120.00")
    assert invoice.balance == Decimal("280.00") and invoice.status == "partially_paid"
    entry = invoice.history.first()
    assert entry.history_user == admin and "CN-000001" in entry.history_change_reason
    assert "Outage on 3 March" in entry.history_change_reason
    assert note.history.first().history_user == admin
    (message,) = mail.outbox
    assert message.to == ["billing@acme.example"] and "CN-000001" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == "credit-note-CN-000001.pdf" and content.startswith(b"%PDF")
    assert "280.00" in message.body  # the invoice's balance now


def test_credit_notes_have_their_own_sequence_apart_from_invoices(invoice, taxed):
    first = credit(invoice, amount="10")
    second = credit(taxed, amount="10")
    assert [first.number, second.number] == ["CN-000001", "CN-000002"]
    assert BillingSettings.current().next_invoice_number == 3  # invoices untouched


def test_a_credit_note_above_the_balance_is_refused_and_nothing_is_written(invoice):
    with pytest.raises(ValidationError, match="above the invoice balance") as refused:
        credit(invoice, amount="400.01")
    assert "400.00" in str(refused.value)
    nothing_written(invoice)
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("300"),
        method="card",
        paid_on=timezone.localdate(),
        actor=None,
    )
    with pytest.raises(ValidationError, match="above the invoice balance"):
        credit(invoice, amount="100.01")  # 100.00 is left
    nothing_written(invoice, Decimal("300.00"))


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ({"amount": "-5"}, "greater than zero"),
        ({"amount": "0"}, "greater than zero"),
        ({"amount": "abc"}, "as a number"),
        ({"amount": "1e400"}, "as a number|in cents"),
        ({"amount": "NaN"}, "as a number"),
        ({"amount": "10.001"}, "in cents"),
        ({}, "either an amount"),
        ({"amount": "5", "full": True}, "either an amount"),
    ],
)
def test_bad_amounts_are_clear_messages_and_write_nothing(invoice, how, message):
    with pytest.raises(ValidationError, match=message):
        credit(invoice, **how)
    nothing_written(invoice)


def test_a_reason_is_required_and_kept_short(invoice):
    with pytest.raises(ValidationError, match="Say why"):
        credit(invoice, amount="5", reason="   ")
    with pytest.raises(ValidationError, match="300 characters"):
        credit(invoice, amount="5", reason="x" * 301)
    nothing_written(invoice)


def test_drafts_and_void_invoices_cannot_be_credited(subscribed):
    invoice_run(month=MONTH, actor=None, issue=False)
    draft = Invoice.objects.get(customer=subscribed)
    with pytest.raises(ValidationError, match="draft: credit notes are made for issued"):
        credit(draft, amount="5")
    void = InvoiceFactory(customer=subscribed, period_start=date(2025, 1, 1))
    invoice_void(invoice_id=void.pk, reason="Wrong", actor=None)
    with pytest.raises(ValidationError, match="void: credit notes"):
        credit(void, amount="5")
    nothing_written(draft)


def test_a_full_credit_mirrors_the_lines_and_settles_the_invoice(taxed):
    note = credit(taxed, full=True, reason="Cancelled order")
    taxed.refresh_from_db()
    assert note.total == taxed.total == Decimal("480.00")
    assert (note.subtotal, note.tax) == (Decimal("400.00"), Decimal("80.00"))
    assert taxed.balance == 0 and taxed.status == "paid"
    descriptions = sorted(line.description for line in note.lines.all())
    assert descriptions == sorted(line.description for line in taxed.lines.all())
    with pytest.raises(ValidationError, match="nothing left to credit"):
        credit(taxed, amount="1")


def test_an_amount_carries_the_invoices_tax_in_proportion(taxed):
    note = credit(taxed, amount="120.00")
    (line,) = note.lines.all()
    assert (line.amount, line.tax_amount, line.tax_name) == (
        Decimal("100.00"),
        Decimal("20.00"),
        "VAT",
    )
    assert (note.subtotal, note.tax, note.total) == (
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("120.00"),
    )
    odd = credit(taxed, amount="0.05")  # rounding: the net and the tax still add up
    assert odd.subtotal + odd.tax == Decimal("0.05")


def test_chosen_lines_and_quantities_are_credited_up_to_what_is_left(taxed):
    seats = taxed.lines.get(kind="seats")
    assert seats.quantity == 5 and seats.amount == Decimal("100.00")
    note = credit(taxed, lines={seats.pk: "2"}, reason="Two seats unused")
    (line,) = note.lines.all()
    assert (line.quantity, line.amount, line.tax_amount) == (
        Decimal("2"),
        Decimal("40.00"),
        Decimal("8.00"),
    )
    taxed.refresh_from_db()
    assert taxed.balance == Decimal("432.00")
    with pytest.raises(ValidationError, match="at most 3 can still be credited"):
        credit(taxed, lines={seats.pk: "4"})
    rest = credit(taxed, lines={seats.pk: "3"})
    assert rest.total == Decimal("72.00")  # the rest of the line, exactly
    other = Invoice.objects.exclude(pk=taxed.pk).first() or InvoiceFactory()
    foreign_line = other.lines.first()
    if foreign_line is not None:
        with pytest.raises(ValidationError, match="lines of this invoice"):
            credit(taxed, lines={foreign_line.pk: "1"})
    with pytest.raises(ValidationError, match="quantity"):
        credit(taxed, lines={seats.pk: "-1"})


def test_a_credit_note_lifts_the_suspension_its_invoice_caused(in_tenant):
    BillingSettings.objects.filter(pk=BillingSettings.current().pk).update(suspend_after_days=30)
    company = CustomerFactory(name="Late Payer")
    due = timezone.localdate() - timedelta(days=45)
    overdue = InvoiceFactory(
        customer=company, total=Decimal("200.00"), due_date=due, issue_date=due
    )
    mark_overdue(notify=False)
    assert suspend_overdue_customers() == 1
    company.refresh_from_db()
    assert company.portal_access == "suspended"
    credit(overdue, amount="150.00")
    company.refresh_from_db()
    assert company.portal_access == "suspended"  # 50.00 is still overdue past the limit
    credit(overdue, amount="50.00", reason="Write-off")
    company.refresh_from_db()
    assert company.portal_access == "active"
    assert company.billing_profile.suspended_for_nonpayment is False


# --- Console ------------------------------------------------------------------------------


def test_an_admin_issues_a_credit_note_from_the_invoice_page(client_as, invoice):
    admin = client_as(StaffRole.ADMIN)
    page = admin.get(invoice.get_absolute_url())
    url = reverse("billing:credit_note_create", args=[invoice.pk])
    assert url.encode() in page.content and b"Issue credit note" in page.content
    form = admin.get(url)
    assert form.status_code == 200 and "Everything still due ($400.00)" in form.text
    response = admin.post(url, {"mode": "amount", "amount": "50", "reason": "Late delivery"})
    note = CreditNote.objects.get()
    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    detail = admin.get(note.get_absolute_url()).content.decode()
    assert "Credit note" in detail and "CN-000001" in detail and invoice.number in detail
    assert "Late delivery" in detail and "Total credited" in detail
    pdf = admin.get(reverse("billing:credit_note_pdf", args=[note.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    invoice_page = admin.get(invoice.get_absolute_url()).content.decode()
    assert "CN-000001" in invoice_page and "350.00" in invoice_page
    tab = admin.get(reverse("billing:customer_billing", args=[invoice.customer_id]))
    assert b"CN-000001" in tab.content


def test_the_form_shows_bad_input_and_writes_nothing(client_as, invoice):
    admin = client_as(StaffRole.ADMIN)
    url = reverse("billing:credit_note_create", args=[invoice.pk])
    for data, message in (
        ({"mode": "amount", "amount": "999", "reason": "Too much"}, "above the invoice balance"),
        ({"mode": "amount", "amount": "-3", "reason": "Negative"}, "greater than zero"),
        ({"mode": "amount", "amount": "", "reason": "Empty"}, "Enter the amount"),
        ({"mode": "lines", "reason": "None chosen"}, "at least one line"),
        ({"mode": "amount", "amount": "5", "reason": ""}, "This field is required"),
    ):
        response = admin.post(url, data)
        assert response.status_code == 400 and message in response.content.decode()
    nothing_written(invoice)


def test_staff_and_viewers_see_credit_notes_but_cannot_issue_them(client_as, invoice):
    credit(invoice, amount="10")
    for role in (StaffRole.STAFF, StaffRole.VIEWER):
        client = client_as(role)
        page = client.get(invoice.get_absolute_url())
        assert b"CN-000001" in page.content and b"Issue credit note" not in page.content
        url = reverse("billing:credit_note_create", args=[invoice.pk])
        assert client.post(url, {"mode": "amount", "amount": "5", "reason": "x"}).status_code == 403
    assert CreditNote.objects.count() == 1


def test_a_paid_invoice_offers_no_credit_note(client_as, invoice):
    credit(invoice, full=True)
    admin = client_as(StaffRole.ADMIN)
    assert b"Issue credit note" not in admin.get(invoice.get_absolute_url()).content
    url = reverse("billing:credit_note_create", args=[invoice.pk])
    assert admin.get(url).status_code == 404


def test_the_invoice_document_splits_payments_credit_notes_and_credit(client_as, taxed):
    payment_record(
        invoice_id=taxed.pk, amount=Decimal("100"), method="card",
        paid_on=timezone.localdate(), actor=None,
    )  # fmt: skip
    credit(taxed, amount="60")
    page = client_as(StaffRole.VIEWER).get(taxed.get_absolute_url()).content.decode()
    assert "Credit note CN-000001" in page and "−60.00" in page
    assert ">100.00<" in page  # amount paid: the payment alone
    assert "$320.00" in page  # due: 480 − 100 − 60


# --- Portal --------------------------------------------------------------------------------


def test_the_company_sees_its_credit_notes_in_the_portal_and_downloads_them(portal_client, invoice):
    note = credit(invoice, amount="25", reason="Portal visible")
    reader = portal_client(invoice.customer, role="read_only")
    billing = reader.get(reverse("portal:billing", args=[invoice.customer_id])).content.decode()
    assert "CN-000001" in billing and "Portal visible" in billing
    page = reader.get(reverse("portal:invoice_detail", args=[invoice.customer_id, invoice.pk]))
    assert b"CN-000001" in page.content and b"Issue credit note" not in page.content
    pdf_url = reverse("portal:credit_note_pdf", args=[invoice.customer_id, note.pk])
    assert pdf_url.encode() in page.content
    assert reader.get(pdf_url).content.startswith(b"%PDF")
    stranger = portal_client(CustomerFactory(name="Other Co"))
    other = CustomerFactory(name="Other Co 2")
    assert (
        stranger.get(reverse("portal:credit_note_pdf", args=[other.pk, note.pk])).status_code == 404
    )
    own = stranger.membership.customer_id
    assert stranger.get(reverse("portal:credit_note_pdf", args=[own, note.pk])).status_code == 404


# --- API ------------------------------------------------------------------------------------

API = "/api/v1"


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_api_lists_reads_and_creates_credit_notes_through_the_service(api_as, invoice):
    admin = api_as(StaffRole.ADMIN)
    body = {"invoice": invoice.pk, "amount": "40.00", "reason": "API credit"}
    assert post_json(api_as(StaffRole.STAFF), f"{API}/credit-notes/", body).status_code == 403
    created = post_json(admin, f"{API}/credit-notes/", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["number"] == "CN-000001" and data["total"] == "40.00"
    assert data["invoice"] == invoice.pk and data["lines"][0]["amount"] == "40.00"
    too_much = post_json(admin, f"{API}/credit-notes/", {**body, "amount": "360.01"})
    assert (
        too_much.status_code == 400 and "above the invoice balance" in too_much.json()["amount"][0]
    )
    negative = post_json(admin, f"{API}/credit-notes/", {**body, "amount": "-1"})
    assert negative.status_code == 400
    seats = invoice.lines.get(kind="seats")
    by_lines = post_json(
        admin,
        f"{API}/credit-notes/",
        {
            "invoice": invoice.pk,
            "reason": "Seat",
            "invoice_lines": [{"line": seats.pk, "quantity": "1"}],
        },
    )
    assert by_lines.status_code == 201 and by_lines.json()["total"] == "20.00"
    listed = api_as(StaffRole.VIEWER).get(f"{API}/credit-notes/").json()
    numbers = [row["number"] for row in listed.get("results", listed)]
    assert sorted(numbers) == ["CN-000001", "CN-000002"]
    one = api_as(StaffRole.VIEWER).get(f"{API}/credit-notes/{data['id']}/")
    assert one.status_code == 200 and one.json()["reason"] == "API credit"
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("340.00")


# --- Query counts ---------------------------------------------------------------------------


def test_invoice_page_and_billing_tab_keep_their_query_counts(client_as, invoice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_as(StaffRole.ADMIN)
    urls = [
        invoice.get_absolute_url(),
        reverse("billing:customer_billing", args=[invoice.customer_id]),
    ]

    def counts():
        result = []
        for url in urls:
            admin.get(url)
            with CaptureQueriesContext(connection) as queries:
                assert admin.get(url).status_code == 200
            result.append(len(queries))
        return result

    credit(invoice, amount="1")
    credit(invoice, amount="1")
    small = counts()
    for _ in range(12):
        credit(invoice, amount="1")
    assert counts() == small


def test_a_long_void_reason_is_kept_whole_and_its_history_fits(invoice):
    """Voiding is the other way to settle an unpaid invoice; a 300-character reason used to
    overflow the history's 100-character reason column (a 500)."""
    reason = "Wrong customer billed; " + "x" * 277
    invoice_void(invoice_id=invoice.pk, reason=reason, actor=None)
    invoice.refresh_from_db()
    assert invoice.status == "void" and invoice.void_reason == reason
    assert invoice.history.first().history_change_reason.startswith("Voided: Wrong customer")

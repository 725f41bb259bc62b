"""A workspace set to de-DE: its invoice page, the invoice PDF's text, its emails (sent by the
worker) and the portal's billing page write German numbers and dates; its CSV exports stay
machine-readable; reading the locale costs no query. Also the console's payment form (a
currency field, a payment in another currency refused on the form) and the receipt that only
exists once a payment was recorded."""

import re
import zlib
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Invoice, Payment, UsageRecord
from billing.services.credit_notes import credit_note_create
from billing.services.invoicing import invoice_run
from billing.services.payments import payment_record

from .conftest import MONTH

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def pdf_text(pdf: bytes) -> str:
    """The text WeasyPrint wrote into a PDF: its content streams' glyph runs, read through the
    fonts' ToUnicode maps (every font here is a subset of one family, so one merged map)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            continue
    glyphs: dict[bytes, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for code, text in re.findall(rb"<([0-9a-f]+)>\s*<([0-9a-f]+)>", block):
                glyphs[code] = bytes.fromhex(text.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        for run in re.findall(rb"\[(.*?)\]\s*TJ", stream, re.S):
            lines.append(
                "".join(glyphs.get(code, "?") for code in re.findall(rb"<([0-9a-f]+)>", run))
            )
    return "\n".join(lines)


@pytest.fixture
def german(tenant):
    tenant.locale = "de-DE"
    tenant.save(update_fields=["locale"])
    return tenant


@pytest.fixture
def invoice(subscribed, metric):
    """300.00 + 5 seats × 20.00 + 49,000 operations × 0.05 = 2,850.00 USD for March 2026."""
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 3, 3), quantity=50000
    )
    invoice_run(month=MONTH, actor=None, notify=False)
    return Invoice.objects.get(customer=subscribed)


def test_the_invoice_page_in_de_de(german, invoice, client_as):
    body = client_as("admin").get(reverse("billing:invoice_detail", args=[invoice.pk])).text
    assert f"2.850,00{NBSP}$" in body and "49.000" in body
    assert "01.03.2026 – 31.03.2026" in body  # the service period, day first
    assert "2,850.00" not in body and "Mar 31, 2026" not in body


def test_the_invoice_page_in_en_us(invoice, client_as):
    body = client_as("admin").get(reverse("billing:invoice_detail", args=[invoice.pk])).text
    assert "$2,850.00" in body and "49,000" in body and "Mar 1, 2026 – Mar 31, 2026" in body


def test_the_locale_costs_no_query(tenant, invoice, client_as):
    client = client_as("admin")
    url = reverse("billing:invoice_detail", args=[invoice.pk])
    client.get(url)  # warm caches (the seller profile, sessions)
    with CaptureQueriesContext(connection) as english:
        client.get(url)
    tenant.locale = "de-DE"
    tenant.save(update_fields=["locale"])
    with CaptureQueriesContext(connection) as german:
        body = client.get(url).text
    assert f"2.850,00{NBSP}$" in body
    assert len(german) == len(english)


def test_the_invoice_pdfs_text_in_de_de(german, invoice, client_as):
    response = client_as("admin").get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"2.850,00{NBSP}$" in text
    assert "31.03.2026" in text and "49.000" in text
    assert "2,850.00" not in text


def test_a_csv_export_stays_machine_readable_in_de_de(german, invoice, client_as):
    response = client_as("admin").get(reverse("billing:invoice_list") + "?export=csv")
    content = b"".join(response.streaming_content).decode()
    assert "2850.00" in content and "2026-03-01" in content
    assert "2.850" not in content and "01.03.2026" not in content


def test_the_invoice_email_in_de_de_from_the_worker(
    german, subscribed, metric, django_capture_on_commit_callbacks
):
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 3, 3), quantity=50000
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice_run(month=MONTH, actor=None)
    [message] = mail.outbox
    invoice = Invoice.objects.get(customer=subscribed)
    assert f"Amount due: 2.850,00{NBSP}$" in message.body
    assert f"Due date: {invoice.due_date:%d.%m.%Y}" in message.body


def test_the_portal_billing_page_in_de_de(german, invoice, portal_client):
    client = portal_client(invoice.customer, role="admin")
    body = client.get(reverse("portal:billing", args=[invoice.customer_id])).text
    assert f"2.850,00{NBSP}$" in body  # the invoice table's total and balance
    assert "2,850.00" not in body


def test_the_owner_sets_the_locale_on_the_settings_page(tenant, client_as):
    client = client_as("owner")
    response = client.post(
        reverse("core:settings"),
        {
            "name": tenant.name,
            "currency": "EUR",
            "locale": "de-DE",
            "timezone": "Europe/Berlin",
            "soft_delete_grace_days": 30,
        },
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.locale == "de-DE"
    page = client.get(reverse("core:settings")).text
    assert '<option value="de-DE" selected>' in page


def test_an_unknown_locale_is_refused_and_nothing_changes(tenant, client_as):
    response = client_as("owner").post(
        reverse("core:settings"),
        {
            "name": tenant.name,
            "currency": "USD",
            "locale": "tlh-KX",
            "timezone": "UTC",
            "soft_delete_grace_days": 30,
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text
    tenant.refresh_from_db()
    assert tenant.locale == "en-US"


# --- The console's payment form --------------------------------------------------------------


def test_the_payment_form_offers_the_invoices_currency(invoice, client_as):
    body = client_as("admin").get(reverse("billing:invoice_detail", args=[invoice.pk])).text
    assert re.search(r'<select name="currency"[^>]*>', body)
    assert '<option value="USD" selected>' in body


def test_a_payment_in_another_currency_is_a_form_error_and_nothing_is_written(invoice, client_as):
    response = client_as("admin").post(
        reverse("billing:invoice_payment", args=[invoice.pk]),
        {
            "amount": "2850.00",
            "currency": "EUR",
            "method": "bank_transfer",
            "paid_on": invoice.issue_date.isoformat(),
            "reference": "EUR-1",
        },
    )
    assert response.status_code == 400
    assert "is in USD; a payment in EUR cannot be recorded" in response.text
    assert not Payment.objects.filter(invoice=invoice).exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0


def test_a_payment_in_the_invoices_currency_is_recorded(invoice, client_as):
    response = client_as("admin").post(
        reverse("billing:invoice_payment", args=[invoice.pk]),
        {
            "amount": "2850.00",
            "currency": "USD",
            "method": "bank_transfer",
            "paid_on": invoice.issue_date.isoformat(),
            "reference": "USD-1",
        },
    )
    assert response.status_code == 302
    assert Payment.objects.get(invoice=invoice).amount == 2850


# --- Receipts ---------------------------------------------------------------------------------


def test_an_invoice_settled_by_a_credit_note_alone_has_no_receipt(
    invoice, client_as, portal_client
):
    credit_note_create(invoice_id=invoice.pk, reason="Goodwill", actor=None, full=True)
    invoice.refresh_from_db()
    assert invoice.balance == 0 and invoice.amount_paid == invoice.total
    admin = client_as("admin")
    page = admin.get(reverse("billing:invoice_detail", args=[invoice.pk])).text
    assert reverse("billing:invoice_receipt", args=[invoice.pk]) not in page
    assert admin.get(reverse("billing:invoice_receipt", args=[invoice.pk])).status_code == 404
    portal = portal_client(invoice.customer, role="admin")
    receipt = reverse("portal:invoice_receipt", args=[invoice.customer_id, invoice.pk])
    assert receipt not in portal.get(reverse("portal:billing", args=[invoice.customer_id])).text
    detail = reverse("portal:invoice_detail", args=[invoice.customer_id, invoice.pk])
    assert receipt not in portal.get(detail).text


def test_a_paid_invoice_has_its_receipt(invoice, client_as, portal_client):
    payment_record(
        invoice_id=invoice.pk,
        amount=invoice.total,
        method="bank_transfer",
        paid_on=invoice.issue_date,
        actor=None,
    )
    page = client_as("admin").get(reverse("billing:invoice_detail", args=[invoice.pk])).text
    assert reverse("billing:invoice_receipt", args=[invoice.pk]) in page
    portal = portal_client(invoice.customer, role="admin")
    receipt = reverse("portal:invoice_receipt", args=[invoice.customer_id, invoice.pk])
    assert receipt in portal.get(reverse("portal:billing", args=[invoice.customer_id])).text


def test_the_migration_carries_a_chosen_number_format_over_to_the_locale(tenant, in_tenant):
    """tenants 0004: a workspace that had chosen German numbers on its seller profile gets
    the de-DE locale; one that never chose stays en-US."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    from billing.models import SellerProfile
    from tenants.models import Tenant

    profile = SellerProfile.current()
    profile.number_format = "de"
    profile.save()
    migration = import_module("tenants.migrations.0004_tenant_locale")
    migration.carry_number_formats(apps, SimpleNamespace(connection=connection))
    assert Tenant.objects.get(pk=tenant.pk).locale == "de-DE"
    assert Tenant.objects.get(slug="beta").locale == "en-US"

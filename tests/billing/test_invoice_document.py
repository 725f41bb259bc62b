"""The invoice document an accounts team receives: seller and buyer blocks with addresses and
tax ids, one line per usage tier at the tier's own price, tax lines, totals, amount paid and
due, payment instructions, numbers in the tenant's locale; the same in the PDF, the console's
and the portal's page."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import (
    BillingProfile,
    Invoice,
    PlanTier,
    SellerProfile,
    TaxRate,
    UsageRecord,
)
from billing.pdf import invoice_document, invoice_html, invoice_pdf
from billing.services.invoicing import invoice_run
from billing.services.payments import payment_record
from core.formats import locale_override
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(in_tenant):
    profile = SellerProfile.current()
    profile.legal_name = "Northwind Hosting GmbH"
    profile.address = "Hauptstrasse 5\n10115 Berlin\nGermany"
    profile.tax_id = "DE811907980"
    profile.contact_email = "billing@northwind.example"
    profile.contact_phone = "+49 30 1234567"
    profile.payment_instructions = "IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX"
    profile.save()
    return profile


@pytest.fixture
def invoice(seller, metric):
    """A big customer on a plan with three storage-like tiers, 19 % VAT, its tax id."""
    plan = PlanFactory(name="Enterprise", monthly_fee="12500.00", seat_fee="45.50")
    PlanTier.objects.create(plan=plan, metric=metric, up_to=1000, unit_price="0")
    PlanTier.objects.create(plan=plan, metric=metric, up_to=50000, unit_price="0.0125")
    PlanTier.objects.create(plan=plan, metric=metric, up_to=None, unit_price="0.0075")
    customer = CustomerFactory(
        name="Contoso AG",
        billing_email="ap@contoso.example",
        billing_contact_name="Accounts Payable",
        billing_address_line1="Bahnhofstrasse 1",
        billing_postal_code="8001",
        billing_city="Zürich",
        billing_country="CH",
    )
    BillingProfile.objects.create(customer=customer, tax_id="CHE-123.456.789 MWST")
    TaxRate.objects.create(name="VAT", rate=Decimal("19"))
    subscribe(customer, plan, seats=120, start_date=date(2026, 1, 1))
    UsageRecord.objects.create(
        customer=customer, metric=metric, day=date(2026, 3, 9), quantity=250000
    )
    invoice_run(month=MONTH, actor=None, notify=False)
    return Invoice.objects.get(customer=customer)


def test_the_usage_is_one_line_per_tier_at_the_tiers_price(invoice):
    document = invoice_document(invoice)
    [(_, rows)] = document["groups"]
    tiers = [(r.quantity, r.unit_price, r.amount) for r in rows if r.is_tier]
    # 250,000 operations: 1,000 free, 49,000 at 0.0125, 200,000 at 0.0075 — no averaged rate
    assert tiers == [
        (Decimal("1000"), Decimal("0"), Decimal("0.00")),
        (Decimal("49000"), Decimal("0.0125"), Decimal("612.50")),
        (Decimal("200000"), Decimal("0.0075"), Decimal("1500.00")),
    ]
    assert [r.description for r in rows if r.is_tier] == [
        "Operations, up to 1,000",
        "Operations, over 1,000 up to 50,000",
        "Operations, over 50,000",
    ]


def test_the_pdfs_html_has_seller_buyer_tax_lines_and_formatted_numbers(invoice):
    html = invoice_html(invoice)
    for text in (
        "Northwind Hosting GmbH",
        "Hauptstrasse 5",
        "DE811907980",
        "billing@northwind.example",
        "Bahnhofstrasse 1",
        "CHE-123.456.789 MWST",
        "IBAN DE89",
        invoice.number,
    ):
        assert text in html
    # 12,500 + 120 × 45.50 = 5,460 + 2,112.50 usage = 20,072.50; 19 % per line
    assert invoice.subtotal == Decimal("20072.50")
    assert "VAT (19% on 20,072.50)" in html
    assert "3,813.78" in html  # 2,375.00 + 1,037.40 + 401.38 (per line, half up)
    assert "$23,886.28" in html
    assert "0.0125" in html and "0.0075" in html and "49,000" in html
    assert "rounded half up" in html


def test_the_pdf_is_a_pdf_with_the_text(invoice):
    pdf = invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")


def test_the_tenants_locale_writes_the_document(invoice):
    with locale_override("de-DE"):
        html = invoice_html(invoice)
    assert "23.886,28\u00a0$" in html and "0,0125" in html and "49.000" in html
    assert "VAT (19\u00a0% on 20.072,50)" in html
    assert invoice.issue_date.strftime("%d.%m.%Y") in html
    assert "23,886.28" not in html


def test_amount_paid_and_due_after_a_part_payment(invoice):
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("10000.00"),
        method="bank_transfer",
        paid_on=invoice.issue_date,
        reference="T-1",
        actor=None,
    )
    invoice.refresh_from_db()
    html = invoice_html(invoice)
    assert "10,000.00" in html and "$13,886.28</span> due" in html


def test_the_console_invoice_page_shows_the_document(invoice, client_as):
    response = client_as("admin").get(reverse("billing:invoice_detail", args=[invoice.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Northwind Hosting GmbH" in body and "CHE-123.456.789 MWST" in body
    assert "VAT (19% on 20,072.50)" in body and "$23,886.28" in body


def test_the_portal_invoice_page_shows_the_document(invoice, portal_client):
    client = portal_client(invoice.customer, role="admin")
    url = reverse("portal:invoice_detail", args=[invoice.customer_id, invoice.pk])
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Northwind Hosting GmbH" in body and "Bahnhofstrasse 1" in body
    assert "VAT (19% on 20,072.50)" in body


def test_the_portal_never_shows_another_companys_invoice(invoice, portal_client):
    other = CustomerFactory()
    client = portal_client(other, role="admin")
    url = reverse("portal:invoice_detail", args=[other.pk, invoice.pk])
    assert client.get(url).status_code == 404


def test_the_invoice_email_comes_from_the_seller_and_replies_go_to_it(
    seller, subscribed, django_capture_on_commit_callbacks
):
    from django.core import mail

    seller.email_from_name = "Northwind Billing"
    seller.email_reply_to = "accounts@northwind.example"
    seller.save()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_run(month=MONTH, actor=None)
    [message] = mail.outbox
    assert message.from_email.startswith("Northwind Billing <")
    assert message.reply_to == ["accounts@northwind.example"]
    assert "Amount due: $400.00" in message.body


def test_without_a_reply_to_replies_go_to_the_billing_contact(
    seller, subscribed, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        invoice_run(month=MONTH, actor=None)
    [message] = mail.outbox
    assert message.from_email.startswith("Northwind Hosting GmbH <")
    assert "no-reply" not in message.reply_to[0]
    assert message.reply_to == ["billing@northwind.example"]


def test_the_emails_numbers_use_the_tenants_locale(
    seller, subscribed, metric, tenant, django_capture_on_commit_callbacks
):
    from django.core import mail

    tenant.locale = "de-DE"
    tenant.save(update_fields=["locale"])
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 3, 3), quantity=50000
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice_run(month=MONTH, actor=None)
    # 300 + 100 + 49,000 × 0.05 = 2,850.00
    assert "Amount due: 2.850,00\u00a0$" in mail.outbox[0].body


def test_the_portal_billing_page_links_each_invoice_to_its_page(invoice, portal_client):
    client = portal_client(invoice.customer, role="admin")
    body = client.get(reverse("portal:billing", args=[invoice.customer_id])).content.decode()
    assert reverse("portal:invoice_detail", args=[invoice.customer_id, invoice.pk]) in body


def test_a_reverse_charge_invoice_says_so_and_shows_no_tax(seller, subscribed):
    from billing.models import TaxTreatment

    TaxRate.objects.create(name="VAT", rate=Decimal("20"))
    BillingProfile.objects.create(
        customer=subscribed, tax_id="GB123456789", tax_treatment=TaxTreatment.REVERSE_CHARGE
    )
    invoice_run(month=MONTH, actor=None, notify=False)
    invoice = Invoice.objects.get(customer=subscribed)
    html = invoice_html(invoice)
    assert invoice.tax == 0 and "Reverse charge: the customer accounts for the tax" in html
    assert "GB123456789" in html and "Tax (0%)" in html and "$400.00" in html

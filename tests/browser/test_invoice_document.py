"""A company's admin opens an invoice in the portal: seller and buyer addresses with tax ids,
one row per usage tier, the tax line and numbers with thousands separators; its PDF link
serves a PDF."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from billing import tax
from billing.models import BillingProfile, Invoice, InvoiceLine, SellerProfile, TaxRate
from portal.models import Membership
from tests.factories import CustomerFactory

from .conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="session")
def document_data(browser_tenant, django_db_blocker):
    """An issued invoice of its own (no invoice run: the other browser tests' months stay
    as they are); the only tax rate is for Germany, where only this company is."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        profile = SellerProfile.current()
        profile.legal_name = "Browser Hosting GmbH"
        profile.address = "Hauptstrasse 5\n10115 Berlin"
        profile.tax_id = "DE811907980"
        profile.payment_instructions = "IBAN DE89 3704 0044 0532 0130 00"
        profile.save()
        TaxRate.objects.create(name="USt", rate=Decimal("19"), country="DE")
        company = CustomerFactory(
            name="Kunde AG",
            billing_email="ap@kunde.example",
            billing_address_line1="Marktplatz 1",
            billing_city="München",
            billing_country="DE",
        )
        BillingProfile.objects.create(customer=company, tax_id="DE123456789")
        lines = [
            {"kind": "subscription", "description": "Scale plan", "quantity": Decimal(1),
             "unit_price": Decimal("12500"), "amount": Decimal("12500.00")},
            {"kind": "usage", "description": "Storage: 5000 GB", "quantity": Decimal(5000),
             "unit_price": Decimal("0.0980"), "amount": Decimal("490.00"),
             "breakdown": [
                 {"from": "0", "to": "1000", "quantity": "1000", "unit_price": "0",
                  "amount": "0.00"},
                 {"from": "1000", "to": "", "quantity": "4000", "unit_price": "0.1225",
                  "amount": "490.00"},
             ]},
        ]  # fmt: skip
        totals = tax.apply_tax(lines, tax.Rate("USt", Decimal("19"), "DE"), "USD")
        invoice = Invoice.objects.create(
            customer=company,
            customer_name=company.name,
            number="DOC-000001",
            period_start=date(2026, 2, 1),
            period_end=date(2026, 2, 28),
            status="issued",
            issue_date=date(2026, 3, 1),
            due_date=date(2026, 3, 15),
            subtotal=totals.subtotal,
            tax_rate=totals.tax_rate,
            tax=totals.tax,
            total=totals.total,
            billing_address="Kunde AG\nMarktplatz 1\nMünchen\nGermany",
            billing_email="ap@kunde.example",
            customer_tax_id="DE123456789",
            seller=tax.seller_snapshot(profile),
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(invoice=invoice, position=index, **line) for index, line in enumerate(lines)
        )
        user = User.objects.create_user(email="ap@kunde.example", password=PASSWORD)
        Membership.objects.create(user=user, customer=company, role="admin")
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        data = {"company": company.pk, "invoice": invoice.pk}
    connection.set_schema_to_public()
    return data


def test_the_portal_invoice_shows_seller_buyer_tax_and_formatted_numbers(
    page, tenant_url, document_data
):
    sign_in(page, tenant_url, "ap@kunde.example")
    page.get_by_role("link", name="Billing").click()
    page.get_by_role("link", name="View invoice DOC-000001", exact=True).click()
    document = page.get_by_test_id("invoice-document")
    seller = document.get_by_test_id("seller")
    expect(seller).to_contain_text("Browser Hosting GmbH")
    expect(seller).to_contain_text("Hauptstrasse 5")
    expect(seller).to_contain_text("DE811907980")
    buyer = document.get_by_test_id("buyer")
    expect(buyer).to_contain_text("Marktplatz 1")
    expect(buyer).to_contain_text("DE123456789")
    # 12,990.00 at 19 %: 2,375.00 + 93.10 per line
    expect(document.get_by_test_id("tax-line")).to_have_text(
        re.compile(r"USt \(19% on 12,990\.00\)\s*2,468\.10")
    )
    expect(document.get_by_test_id("amount-due")).to_have_text("$15,458.10")
    expect(document.get_by_role("row").filter(has_text="over 1,000")).to_contain_text("0.1225")
    expect(document).to_contain_text("IBAN DE89")
    pdf_path = page.get_by_role("link", name="PDF").get_attribute("href")
    content_type, magic = page.evaluate(
        """async (url) => {
            const response = await fetch(url);
            const bytes = new Uint8Array(await response.arrayBuffer());
            return [response.headers.get("content-type"), String.fromCharCode(...bytes.slice(0, 4))];
        }""",
        pdf_path,
    )
    assert (content_type, magic) == ("application/pdf", "%PDF")

"""The dashboard and a customer's Analytics tab in a real browser: the "needs attention" panel
links to the overdue invoices, the charts draw (the running month hatched and named in the
legend), and every chart has its figures in a table."""

import re
from datetime import date

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from billing.models import Payment
from customers.models import Customer
from tests.factories import CustomerFactory, InvoiceFactory

from .conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def veteran(browser_tenant, django_db_blocker):
    """A customer since 2019 with an overdue invoice and one paid, committed for the server."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        customer = Customer.objects.filter(name="Analytics Veteran").first() or CustomerFactory(
            name="Analytics Veteran", customer_since=date(2019, 4, 1)
        )
        if not customer.invoices.exists():
            InvoiceFactory(
                customer=customer,
                number="AN-OVERDUE-1",
                status="overdue",
                total="1234.50",
                due_date=date(2026, 2, 1),
                period_start=date(2025, 12, 1),
                period_end=date(2025, 12, 31),
            )
            paid = InvoiceFactory(
                customer=customer,
                number="AN-PAID-1",
                status="paid",
                total="800.00",
                amount_paid="800.00",
            )
            # Lifetime value counts payments received, so the payment is a row of its own.
            Payment.objects.create(
                invoice=paid, amount="800.00", method="bank_transfer", paid_on=date(2026, 1, 20)
            )
        return customer.pk


def test_dashboard_attention_and_a_customers_analytics_tab(page, tenant_url, veteran):
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/")
    attention = page.locator("[data-attention]")
    expect(attention.get_by_role("heading", name="Needs attention")).to_be_visible()
    overdue = attention.locator("[data-attention-item=overdue_invoices]")
    expect(overdue).to_contain_text("overdue invoice")
    # The tenant's total (other browser tests leave overdue invoices too), formatted.
    expect(overdue).to_contain_text(re.compile(r"\$\d{1,3}(,\d{3})*\.\d{2}"))
    charts = page.locator("canvas[data-chart]")
    expect(charts.first).to_have_attribute("data-drawn", "1")
    assert charts.count() == page.locator("canvas[data-chart][data-drawn]").count()
    expect(page.locator("[data-chart-card=customers] [data-partial-note]")).to_contain_text(
        "partial month"
    )
    doughnut = page.locator("[data-chart-card=by_type] canvas")
    expect(doughnut).to_have_attribute("aria-label", re.compile(r"\d+(\.\d)?\s?%"))
    page.screenshot(path="test-artifacts/dashboard-analytics.png", full_page=True)

    overdue.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/billing/invoices/\?status=overdue"))
    expect(page.get_by_role("link", name="Analytics Veteran").first).to_be_visible()

    page.goto(f"{tenant_url}/customers/{veteran}/")
    page.get_by_role("link", name="Analytics", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/customers/{veteran}/analytics/"))
    expect(page.get_by_text("Customer since Apr 1, 2019")).to_be_visible()
    lifetime = page.locator("[data-figure=lifetime-value]")
    expect(lifetime).to_contain_text("800.00")
    tab_charts = page.locator("canvas[data-chart]")
    expect(tab_charts.first).to_have_attribute("data-drawn", "1")
    assert tab_charts.count() == page.locator("canvas[data-chart][data-drawn]").count() >= 2
    expect(page.locator("[data-partial-month] th")).to_contain_text("partial month")
    page.screenshot(path="test-artifacts/customer-analytics.png", full_page=True)

    page.get_by_label("From", exact=True).fill("2026-05")
    page.get_by_label("To", exact=True).fill("2026-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("“From” must not be after “To”.")).to_be_visible()

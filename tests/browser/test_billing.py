"""The billing flow through the browser: run the month's invoices, open one as a PDF, record
a partial payment and then the rest; a suspended company's admin sees why, and gets back in
once the overdue invoice is paid."""

import re
from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from billing.models import BillingProfile, Invoice
from billing.services.dunning import mark_overdue, suspend_overdue_customers
from billing.services.invoicing import invoice_run
from portal.models import Membership
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="session")
def billing_data(browser_tenant, django_db_blocker):
    """Committed before any test transaction starts, so the server process sees it."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        plan = PlanFactory(name="Browser plan", monthly_fee="300.00", seat_fee="25.00")
        paying = CustomerFactory(name="Ledger Ltd", billing_email="ap@ledger.example")
        subscribe(paying, plan, seats=4, start_date=date(2026, 1, 1))
        late = CustomerFactory(name="Tardy Traders", billing_email="ap@tardy.example")
        subscribe(late, plan, seats=1, start_date=date(2025, 11, 1))
        invoice_run(month=date(2025, 12, 1), actor=None, today=date(2026, 1, 2))
        # An agency billed for its clients, its subscriptions far apart in the run's order
        # (the server runs in chunks of two payers): one complete invoice all the same.
        agency = CustomerFactory(name="Spread Agency", billing_email="ap@spread.example")
        BillingProfile.objects.create(customer=agency, consolidated_billing=True)
        client_a = CustomerFactory(name="Spread Client A", parent=agency)
        subscribe(client_a, plan, seats=2, start_date=date(2026, 1, 1))
        for index in range(3):
            subscribe(
                CustomerFactory(name=f"Spread Solo {index}"), plan, start_date=date(2026, 1, 1)
            )
        subscribe(agency, plan, start_date=date(2026, 1, 1))
        client_b = CustomerFactory(name="Spread Client B", parent=agency)
        subscribe(client_b, plan, seats=3, start_date=date(2026, 1, 1))
        mark_overdue()
        suspend_overdue_customers()
        user = User.objects.create_user(email="boss@tardy.example", password=PASSWORD)
        Membership.objects.create(user=user, customer=late, role="admin")
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        overdue = Invoice.objects.get(customer=late)
        data = {"paying": paying.pk, "overdue": overdue.pk, "overdue_number": overdue.number}
    connection.set_schema_to_public()
    return data


def test_run_invoices_pay_in_two_parts_and_lift_a_suspension(page, tenant_url, billing_data):
    # The suspended company's admin is told why, and which invoice to pay.
    sign_in(page, tenant_url, "boss@tardy.example")
    expect(page.get_by_role("heading", name=re.compile("access is suspended"))).to_be_visible()
    expect(
        page.get_by_text(re.compile(billing_data["overdue_number"] + ".*days overdue"))
    ).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # An admin runs March's invoices.
    sign_in(page, tenant_url, "admin@browser.example")
    page.get_by_role("link", name="Billing").first.click()
    page.get_by_role("link", name="Run invoices").click()
    page.locator("input[name=month]").fill("2026-03")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-preview=invoices]")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("Email each customer"))).not_to_be_checked()
    page.get_by_role("checkbox", name=re.compile("Issue the invoices")).check()
    page.get_by_role("button", name="Run March 2026").click()
    expect(page.get_by_text("The invoice run for March 2026 has started")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Done: \d+ invoices? issued"))).to_be_visible()

    # The new invoice for Ledger Ltd: 300 + 4 × 25.
    page.get_by_role("navigation", name="Billing").get_by_role("link", name="Invoices").click()
    page.get_by_label("Search", exact=True).fill("Ledger")
    row = page.get_by_role("row").filter(has_text="Ledger Ltd")
    expect(page.get_by_role("row").filter(has_text="Tardy Traders")).to_have_count(0)
    row.get_by_role("link", name=re.compile(r"^INV-")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Invoice INV-"))).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text("$400.00")
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

    # The agency's invoice bills its own subscription and both clients' (3 × 300 + 6 × 25).
    ledger_invoice = page.url
    page.get_by_role("navigation", name="Billing").get_by_role("link", name="Invoices").click()
    page.get_by_label("Search", exact=True).fill("Spread Agency")
    agency_row = page.get_by_role("row").filter(has_text="Spread Agency")
    expect(agency_row).to_have_count(1)
    agency_row.get_by_role("link", name=re.compile(r"^INV-")).click()
    expect(page.get_by_text("Spread Client A").first).to_be_visible()
    expect(page.get_by_text("Spread Client B").first).to_be_visible()
    expect(page.get_by_test_id("balance")).to_have_text("$1,050.00")
    page.goto(ledger_invoice)

    # A partial payment, then the rest.
    page.get_by_label("Amount").fill("150")
    page.get_by_label("Reference").fill("WIRE-1")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text(re.compile(r"partially paid, balance \$250\.00"))).to_be_visible()
    page.get_by_label("Amount").fill("250")
    page.get_by_label("Reference").fill("WIRE-2")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text(re.compile(r"paid, balance \$0\.00"))).to_be_visible()
    expect(page.get_by_role("link", name="Receipt")).to_be_visible()

    # Paying Tardy Traders' overdue invoice lifts their suspension.
    page.goto(f"{tenant_url}/billing/invoices/{billing_data['overdue']}/")
    page.get_by_role("button", name="Record payment").click()  # the balance is prefilled
    expect(page.get_by_text(re.compile(r"paid, balance \$0\.00"))).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, tenant_url, "boss@tardy.example")
    expect(page.get_by_role("heading", name="Tardy Traders", exact=True)).to_be_visible()
    page.get_by_role("link", name="Billing").click()
    expect(
        page.get_by_role("cell", name=billing_data["overdue_number"], exact=True)
    ).to_be_visible()

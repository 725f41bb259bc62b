"""Issue #15 through the browser: an admin issues a credit note on the overdue invoice of a
suspended company, and the company is un-suspended at once (its user is back in the portal);
the credit note's page, its PDF and the portal's billing page show it."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import User
from billing.services.dunning import mark_overdue, suspend_overdue_customers
from portal.models import Membership
from tests.factories import CustomerFactory, InvoiceFactory

from .conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="session")
def credited_data(browser_tenant, django_db_blocker):
    """Committed before any test transaction starts, so the server process sees it."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        company = CustomerFactory(name="Credited Crafts", billing_email="ap@credited.example")
        due = timezone.localdate() - timedelta(days=75)
        invoice = InvoiceFactory(
            customer=company,
            number="CC-OVERDUE",
            total=Decimal("240.00"),
            due_date=due,
            issue_date=due - timedelta(days=14),
            period_start=date(1975, 1, 1),
            period_end=date(1975, 1, 31),
        )
        mark_overdue(notify=False)
        suspend_overdue_customers()
        company.refresh_from_db()
        assert company.portal_access == "suspended"
        user = User.objects.create_user(email="boss@credited.example", password=PASSWORD)
        Membership.objects.create(user=user, customer=company, role="admin")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        data = {"company": company.pk, "invoice": invoice.pk}
    connection.set_schema_to_public()
    return data


def test_a_credit_note_on_the_overdue_invoice_lifts_the_suspension(
    page, chromium, tenant_url, credited_data
):
    customer = chromium.new_context(viewport={"width": 1280, "height": 800})
    portal = customer.new_page()
    portal.set_default_timeout(10_000)
    sign_in(portal, tenant_url, "boss@credited.example")
    expect(portal.get_by_role("heading", name=re.compile("access is suspended"))).to_be_visible()

    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/billing/invoices/{credited_data['invoice']}/")
    page.get_by_role("link", name="Issue credit note").first.click()
    page.get_by_label(re.compile(r"Everything still due \(\$240\.00\)")).check()
    page.get_by_role("textbox", name=re.compile("Reason")).fill("Service never delivered")
    page.get_by_role("button", name="Issue credit note").click()

    expect(page.get_by_role("heading", name=re.compile(r"Credit note CN-\d{6}"))).to_be_visible()
    expect(page.get_by_text("account is active again")).to_be_visible()
    document = page.get_by_test_id("invoice-document")
    expect(document.get_by_test_id("credited-invoice")).to_contain_text("CC-OVERDUE")
    expect(document.get_by_test_id("credited-total")).to_contain_text("$240.00")
    expect(page.get_by_test_id("invoice-balance")).to_contain_text("0.00")
    content_type, magic = page.evaluate(
        """async (url) => {
            const response = await fetch(url);
            const bytes = new Uint8Array(await response.arrayBuffer());
            return [response.headers.get("content-type"), String.fromCharCode(...bytes.slice(0, 4))];
        }""",
        page.get_by_role("link", name="PDF").get_attribute("href"),
    )
    assert (content_type, magic) == ("application/pdf", "%PDF")

    portal.goto(f"{tenant_url}/portal/")
    expect(portal.get_by_role("heading", name="Credited Crafts", exact=True)).to_be_visible()
    portal.get_by_role("link", name="Billing").click()
    credit_panel = portal.get_by_test_id("customer-credit")
    expect(credit_panel).to_contain_text("Service never delivered")
    expect(credit_panel.get_by_role("link", name=re.compile(r"CN-\d{6}"))).to_be_visible()
    customer.close()

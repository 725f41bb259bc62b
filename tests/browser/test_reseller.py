"""Issue #15 resellers through the browser: an admin prepares last month's commission
statements and approves the reseller's; the reseller's portal admin then sees its clients
(MRR, overdue, seats, usage) and the approved statement with its lines."""

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
from billing.models import BillingProfile, Metric, UsageRecord
from billing.money import add_months
from portal.models import Membership
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    PaymentFactory,
    PlanFactory,
    subscribe,
)

from .conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="session")
def reseller_data(browser_tenant, django_db_blocker):
    """Committed before any test transaction starts, so the server process sees it."""
    today = timezone.localdate()
    last_month = add_months(today.replace(day=1), -1)
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        reseller = CustomerFactory(name="Relay Resellers")
        BillingProfile.objects.create(customer=reseller, is_reseller=True, commission_rate="15")
        plan = PlanFactory(name="Relay plan", monthly_fee="100.00", seat_fee="10.00")
        north = CustomerFactory(name="Northwind Client", parent=reseller)
        south = CustomerFactory(name="Southwind Client", parent=reseller)
        subscribe(north, plan, seats=4, start_date=date(2026, 1, 1))
        subscribe(south, plan, seats=2, start_date=date(2026, 1, 1))
        paid = InvoiceFactory(
            customer=north,
            number="RR-PAID",
            total=Decimal("200.00"),
            amount_paid=Decimal("200.00"),
            status="paid",
            issue_date=last_month,
            period_start=date(1976, 1, 1),
            period_end=date(1976, 1, 31),
        )
        PaymentFactory(
            invoice=paid, amount=Decimal("200.00"), paid_on=last_month + timedelta(days=1)
        )
        InvoiceFactory(
            customer=south,
            number="RR-LATE",
            total=Decimal("90.00"),
            status="overdue",
            due_date=today - timedelta(days=10),
            issue_date=today - timedelta(days=24),
            period_start=date(1976, 2, 1),
            period_end=date(1976, 2, 29),
        )
        UsageRecord.objects.create(
            customer=north,
            metric=Metric.objects.get(code="operations"),
            day=today,
            quantity=4321,
        )
        user = User.objects.create_user(email="boss@relay.example", password=PASSWORD)
        Membership.objects.create(user=user, customer=reseller, role="admin")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        data = {"reseller": reseller.pk, "month": last_month}
    connection.set_schema_to_public()
    return data


def test_the_reseller_sees_its_clients_and_an_approved_statement(
    page, chromium, tenant_url, reseller_data
):
    month = reseller_data["month"]
    # The tenant's admin prepares last month's statements and approves the reseller's.
    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/billing/invoices/")
    page.get_by_role("navigation", name="Billing").get_by_role("link", name="Commissions").click()
    expect(page.get_by_role("heading", name="Commission statements", exact=True)).to_be_visible()
    page.get_by_label("Month to prepare").select_option(month.isoformat())
    page.get_by_role("button", name="Prepare statements").click()
    expect(page.get_by_text(re.compile(rf"{month:%B %Y}: \d+ statements? made"))).to_be_visible()
    page.get_by_role("link", name="Relay Resellers").click()
    expect(
        page.get_by_role("heading", name=f"Commission of Relay Resellers, {month:%B %Y}")
    ).to_be_visible()
    expect(page.locator("[data-total]")).to_contain_text("$30.00")  # 15 % of 200.00
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("[data-status]")).to_have_text("Approved")

    # The reseller's portal admin: Clients, then Commissions.
    portal = chromium.new_context(viewport={"width": 1280, "height": 800}).new_page()
    portal.set_default_timeout(10_000)
    sign_in(portal, tenant_url, "boss@relay.example")
    expect(portal.get_by_role("heading", name="Relay Resellers", exact=True)).to_be_visible()
    portal.get_by_role("link", name="Clients").first.click()
    expect(portal.get_by_role("heading", name="Clients", exact=True)).to_be_visible()
    table = portal.locator("table[data-clients]")
    north = table.get_by_role("row", name=re.compile("Northwind Client"))
    expect(north).to_contain_text("140.00")  # 100 + 4 seats × 10
    expect(north).to_contain_text("0 / 4")
    expect(north).to_contain_text("4,321")
    south = table.get_by_role("row", name=re.compile("Southwind Client"))
    expect(south).to_contain_text("90.00")  # overdue
    expect(table.locator("tfoot")).to_contain_text("260.00")  # MRR of both

    portal.get_by_role("link", name="Commissions").first.click()
    expect(portal.get_by_role("heading", name="Commission statements", exact=True)).to_be_visible()
    portal.get_by_role("link", name=f"{month:%B %Y}").click()
    expect(portal.locator("[data-status]")).to_have_text("Approved")
    expect(portal.get_by_role("row", name=re.compile("Northwind Client"))).to_contain_text("30.00")
    expect(portal.locator("[data-total]")).to_contain_text("$30.00")
    # Read only: nothing to approve, pay or void here.
    expect(portal.get_by_role("button", name=re.compile("Approve|Mark paid|Void"))).to_have_count(0)

"""Issue #15 through the browser: a suspended company pays part of what is past the
suspension limit and stays suspended with a page naming exactly what is left, pays the rest
and is back at once with its younger overdue invoice still shown as due; an admin deactivates
a company and its signed-in user is out on the next click."""

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


def _member(customer, email):
    user = User.objects.create_user(email=email, password=PASSWORD)
    Membership.objects.create(user=user, customer=customer, role="admin")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)


def _owed(customer, number, total, days_overdue):
    due = timezone.localdate() - timedelta(days=days_overdue)
    period = date(1900 + days_overdue, 1, 1)
    return InvoiceFactory(
        customer=customer,
        number=number,
        total=Decimal(total),
        due_date=due,
        issue_date=due - timedelta(days=14),
        period_start=period,
        period_end=period.replace(day=31),
    ).pk


@pytest.fixture(scope="session")
def status_data(browser_tenant, django_db_blocker):
    """Committed before any test transaction starts, so the server process sees it."""
    with django_db_blocker.unblock(), schema_context(browser_tenant.schema_name):
        late = CustomerFactory(name="Partial Payers")
        ids = {
            "A": _owed(late, "PP-A", "100.00", 60),
            "B": _owed(late, "PP-B", "200.00", 45),
            "C": _owed(late, "PP-C", "50.00", 10),
        }
        mark_overdue(notify=False)
        suspend_overdue_customers()
        _member(late, "boss@partial.example")
        leaving = CustomerFactory(name="Leaving Labs")
        _member(leaving, "boss@leaving.example")
        data = {"late": late.pk, "invoices": ids, "leaving": leaving.pk}
    connection.set_schema_to_public()
    return data


def _pay(page, tenant_url, invoice_id):
    page.goto(f"{tenant_url}/billing/invoices/{invoice_id}/")
    page.get_by_role("button", name="Record payment").click()  # the balance is prefilled


def test_a_suspended_company_pays_part_stays_suspended_pays_the_rest_and_is_back(
    page, chromium, tenant_url, status_data
):
    ids = status_data["invoices"]
    customer = chromium.new_context(viewport={"width": 1280, "height": 800})
    portal = customer.new_page()
    portal.set_default_timeout(10_000)
    sign_in(portal, tenant_url, "boss@partial.example")
    expect(portal.get_by_role("heading", name=re.compile("access is suspended"))).to_be_visible()
    overdue = portal.locator("#overdue-invoices")
    expect(overdue.get_by_role("heading")).to_contain_text("350.00")
    for number in ("PP-A", "PP-B", "PP-C"):
        expect(overdue.get_by_role("link", name=number)).to_be_visible()

    sign_in(page, tenant_url, "admin@browser.example")
    _pay(page, tenant_url, ids["A"])
    expect(page.get_by_text(re.compile(r"stays suspended: \$200\.00 .*\(PP-B\)"))).to_be_visible()

    portal.reload()
    expect(portal.get_by_role("heading", name=re.compile("access is suspended"))).to_be_visible()
    expect(overdue.get_by_role("link", name="PP-A")).to_have_count(0)
    expect(overdue.get_by_role("link", name="PP-B")).to_be_visible()
    expect(overdue.get_by_role("heading")).to_contain_text("250.00")

    _pay(page, tenant_url, ids["B"])
    expect(page.get_by_text("account is active again")).to_be_visible()

    portal.goto(f"{tenant_url}/portal/")
    expect(portal.get_by_role("heading", name="Partial Payers", exact=True)).to_be_visible()
    portal.get_by_role("link", name="Billing").click()
    row = portal.locator("#overdue-invoices").get_by_role("row").filter(has_text="PP-C")
    expect(row).to_contain_text("Due")
    expect(portal.locator("#overdue-invoices").get_by_role("link", name="PP-B")).to_have_count(0)
    customer.close()


def test_an_admin_deactivates_a_company_and_its_user_is_out_on_the_next_click(
    page, chromium, tenant_url, status_data
):
    customer = chromium.new_context(viewport={"width": 1280, "height": 800})
    portal = customer.new_page()
    portal.set_default_timeout(10_000)
    sign_in(portal, tenant_url, "boss@leaving.example")
    expect(portal.get_by_role("heading", name="Leaving Labs", exact=True)).to_be_visible()

    sign_in(page, tenant_url, "admin@browser.example")
    page.goto(f"{tenant_url}/customers/{status_data['leaving']}/")
    expect(page.get_by_text("Account: Active")).to_be_visible()
    page.get_by_role("link", name="Deactivate").click()
    page.get_by_label(re.compile("^Reason")).fill("Contract ended")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Account: Inactive")).to_be_visible()

    portal.get_by_role("link", name="Users").first.click()  # the next click
    expect(portal.get_by_role("heading", name=re.compile("deactivated"))).to_be_visible()
    portal.goto(f"{tenant_url}/portal/")
    expect(portal).to_have_url(re.compile(r"/accounts/login/"))
    customer.close()

"""A German workspace (locale de-DE) as its people see it, at 1280 and 390 px: the console's
invoice page and the portal's billing page write 9.095.724,00 $ and 01.03.2026, every sum of
money stays on one line, and axe finds nothing wrong. Screenshots go to test-artifacts/shots/
(formats_*.png): look at them.

The workspace is its own tenant, so the other browser tests' tenant keeps en-US."""

import re
from datetime import date
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.models import StaffRole, User
from billing import tax
from billing.models import Invoice, InvoiceLine, SellerProfile
from portal.models import Membership
from tenants.models import Tenant
from tenants.services import tenant_provision
from tests.factories import CustomerFactory

from .conftest import ARTIFACTS, PASSWORD, sign_in
from .ui_world import DESKTOP, PHONE, axe_violations, new_page, resize

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHOTS = ARTIFACTS / "shots"
NBSP = "\u00a0"
STAFF = "admin@formate.example"
PORTAL = "ap@kunde-formate.example"


@pytest.fixture(scope="session")
def german(live_server_port, django_db_blocker) -> dict:
    """Tenant "formate" in de-DE: an admin, a company with a portal admin, and one issued
    invoice for 9,095,724.00 USD."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.filter(slug="formate").first() or tenant_provision(
            slug="formate", name="Formate GmbH", owner_email="owner@formate.example"
        )
        Tenant.objects.filter(pk=tenant.pk).update(locale="de-DE")
        with schema_context(tenant.schema_name):
            invoice = Invoice.objects.filter(number="DE-000001").first() or _invoice()
            for email, make in ((STAFF, _staff), (PORTAL, _portal_admin)):
                user = User.objects.filter(email=email).first() or make(invoice.customer)
                user.set_password(PASSWORD)
                user.save()
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
            data = {"invoice": invoice.pk, "company": invoice.customer_id}
        connection.set_schema_to_public()
    return {**data, "url": f"http://formate.localhost:{live_server_port}"}


def _invoice() -> Invoice:
    profile = SellerProfile.current()
    profile.legal_name = "Formate GmbH"
    profile.address = "Hauptstraße 5\n10115 Berlin"
    profile.save()
    company = CustomerFactory(name="Kunde Formate AG", billing_email=PORTAL)
    lines = [
        {"kind": "subscription", "description": "Scale plan", "quantity": Decimal(1),
         "unit_price": Decimal("9045724"), "amount": Decimal("9045724.00")},
        {"kind": "usage", "description": "Storage", "quantity": Decimal(400000),
         "unit_price": Decimal("0.125"), "amount": Decimal("50000.00")},
    ]  # fmt: skip
    totals = tax.apply_tax(lines, None, "USD")
    invoice = Invoice.objects.create(
        customer=company,
        customer_name=company.name,
        number="DE-000001",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        status="issued",
        issue_date=date(2026, 4, 1),
        due_date=date(2026, 4, 15),
        subtotal=totals.subtotal,
        tax_rate=totals.tax_rate,
        tax=totals.tax,
        total=totals.total,
        billing_address="Kunde Formate AG\nMarktplatz 1\nMünchen",
        billing_email=PORTAL,
        seller=tax.seller_snapshot(profile),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=index, **line) for index, line in enumerate(lines)
    )
    return invoice


def _staff(company) -> User:
    return User.objects.create_user(email=STAFF, role=StaffRole.ADMIN, first_name="Ada")


def _portal_admin(company) -> User:
    user = User.objects.create_user(email=PORTAL, first_name="Paula")
    Membership.objects.create(user=user, customer=company, role="admin")
    return user


def check(page, name: str) -> None:
    """At 1280 and 390 px: no sum of money broken over two lines, no axe violation, and a
    screenshot to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        resize(page, viewport)
        wrapped = page.eval_on_selector_all(
            ".money, .invoice-doc .num",
            """(nodes) => nodes.filter((node) => {
                const range = document.createRange();
                range.selectNodeContents(node);
                const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
                return lines.size > 1;
            }).map((node) => node.textContent)""",
        )
        assert wrapped == [], f"money wrapped at {label} px: {wrapped}"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} is {overflow} px wider than the screen at {label} px"
        violations = axe_violations(page)
        assert violations == [], f"{name} at {label} px: {violations}"
        page.screenshot(path=str(SHOTS / f"formats_{name}_{label}.png"), full_page=True)


def test_the_invoice_page_in_german_formats(chromium, german):
    page = new_page(chromium, DESKTOP)
    sign_in(page, german["url"], STAFF)
    page.goto(f"{german['url']}/billing/invoices/{german['invoice']}/")
    document = page.get_by_test_id("invoice-document")
    expect(document.get_by_test_id("amount-due")).to_have_text(f"9.095.724,00{NBSP}$")
    expect(document).to_contain_text("01.03.2026 – 31.03.2026")
    expect(document).to_contain_text("400.000")  # the storage quantity, grouped
    expect(document).to_contain_text("0,125")
    check(page, "invoice")
    page.context.close()


def test_the_portal_billing_page_in_german_formats(chromium, german):
    page = new_page(chromium, DESKTOP)
    sign_in(page, german["url"], PORTAL)
    page.goto(f"{german['url']}/portal/c/{german['company']}/billing/")
    row = page.get_by_role("row").filter(has_text="DE-000001").filter(has_text="March 2026")
    expect(row).to_contain_text(f"9.095.724,00{NBSP}$")
    expect(row).to_contain_text("15.04.2026")
    overdue = page.get_by_role("region", name=re.compile("Overdue invoices"))
    expect(overdue).to_contain_text(f"9.095.724,00{NBSP}$")
    check(page, "portal_billing")
    page.context.close()

"""The console's commission statement pages: list with filters, totals per currency and CSV,
preparing a month, a statement's page and its payout actions, the basis setting, the
reseller's Billing tab, and bad input (a month not over, a rate outside 0–100 %, paying
without a date, paying a void statement)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import (
    BillingProfile,
    BillingSettings,
    CommissionStatement,
    CommissionStatementLine,
)
from billing.money import add_months
from tests.factories import CustomerFactory

from .conftest import MONTH

pytestmark = pytest.mark.django_db
LIST = "billing:commission_statement_list"


def reseller(name="Channel Partner", rate="10"):
    customer = CustomerFactory(name=name)
    BillingProfile.objects.create(customer=customer, is_reseller=True, commission_rate=rate)
    return customer


def statement(of, *, month=MONTH, currency="USD", total="12.50", status="pending", clients=2):
    made = CommissionStatement.objects.create(
        reseller=of,
        reseller_name=of.name,
        month=month,
        basis="payments",
        rate=Decimal("10"),
        currency=currency,
        base_total=Decimal(total) * 10,
        total=Decimal(total),
        status=status,
        paid_on=date(2026, 4, 2) if status == "paid" else None,
    )
    for n in range(clients):
        CommissionStatementLine.objects.create(
            statement=made, client_name=f"Client {n}", base_amount=10, commission=1
        )
    return made


def followed(response) -> str:
    return response.content.decode()


def test_the_list_filters_totals_per_currency_and_exports(client_as, in_tenant):
    partner, other = reseller(), reseller("Other Partner")
    statement(partner, total="12.50")
    statement(partner, currency="EUR", total="3.00")
    statement(other, total="7.50", status="approved")
    statement(other, month=date(2026, 2, 1), total="100.00", status="paid")
    viewer = client_as(StaffRole.VIEWER)

    page = followed(viewer.get(reverse(LIST), {"month": MONTH.isoformat()}))
    assert ">Channel Partner</a>" in page and ">Other Partner</a>" in page
    assert "$20.00" in page and "€3.00" in page  # the month's totals per currency
    assert "100.00" not in page
    assert "Prepare statements" not in page  # viewers read

    approved = followed(viewer.get(reverse(LIST), {"status": "approved"}))
    assert ">Other Partner</a>" in approved and ">Channel Partner</a>" not in approved
    by_reseller = followed(viewer.get(reverse(LIST), {"reseller": partner.pk}))
    assert ">Other Partner</a>" not in by_reseller and ">Channel Partner</a>" in by_reseller

    export = viewer.get(reverse(LIST), {"month": MONTH.isoformat(), "export": "csv"})
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Month,Reseller,On,Clients,Base,Rate (%),Commission,Currency,Status")
    assert len(rows) == 4 and any("Other Partner" in row and "Approved" in row for row in rows)


def test_the_list_runs_a_constant_number_of_queries(client_as, in_tenant):
    admin = client_as(StaffRole.ADMIN)
    statement(reseller())
    admin.get(reverse(LIST))
    with CaptureQueriesContext(connection) as small:
        assert admin.get(reverse(LIST)).status_code == 200
    for n in range(12):
        statement(reseller(f"Partner {n}"), clients=3)
    with CaptureQueriesContext(connection) as large:
        page = admin.get(reverse(LIST))
    assert page.content.count(b"Partner ") >= 12
    assert len(large) == len(small)


def test_an_admin_prepares_a_finished_month_and_a_month_not_over_is_refused(client_as, in_tenant):
    partner = reseller()
    CustomerFactory(name="Client Ltd", parent=partner)
    admin = client_as(StaffRole.ADMIN)
    this_month = timezone.localdate().replace(day=1)
    refused = admin.post(
        reverse("billing:commission_statement_prepare"),
        {"month": this_month.isoformat()},
        follow=True,
    )
    assert "Choose a month that is over" in followed(refused)
    assert not CommissionStatement.objects.exists()

    last_month = add_months(this_month, -1)
    done = admin.post(
        reverse("billing:commission_statement_prepare"), {"month": last_month.isoformat()},
        follow=True,
    )  # fmt: skip
    assert "1 statement made" in followed(done)
    made = CommissionStatement.objects.get()
    assert made.reseller == partner and made.month == last_month
    assert made.history.get().history_user.role == "admin"
    staff = client_as(StaffRole.STAFF)
    forbidden = staff.post(
        reverse("billing:commission_statement_prepare"), {"month": last_month.isoformat()}
    )
    assert forbidden.status_code == 403


def test_the_service_refuses_a_month_not_over_with_its_reason(client_as, in_tenant):
    """The form only offers finished months; the service's own message for the rest."""
    from django.core.exceptions import ValidationError

    from billing.services.commissions import check_month

    with pytest.raises(ValidationError, match="is not over yet"):
        check_month(timezone.localdate())


def test_a_statement_page_shows_its_lines_exports_and_walks_the_payout(client_as, in_tenant):
    made = statement(reseller(), clients=3)
    admin = client_as(StaffRole.ADMIN)
    page = followed(admin.get(made.get_absolute_url()))
    assert page.count("Client ") >= 3 and "$12.50" in page and ">Approve<" in page
    export = admin.get(made.get_absolute_url(), {"export": "csv"})
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[0] == "Client,Base (USD),Rate (%),Commission" and rows[-1].startswith("Total,")

    action = reverse("billing:commission_statement_action", args=[made.pk])
    approved = followed(admin.post(action, {"action": "approve"}, follow=True))
    assert "approved." in approved and "Mark paid" in approved

    no_date = followed(admin.post(action, {"action": "pay", "paid_on": ""}, follow=True))
    assert "Enter the date the commission was paid." in no_date
    made.refresh_from_db()
    assert made.status == "approved" and made.history.count() == 2

    paid = followed(
        admin.post(
            action, {"action": "pay", "paid_on": "2026-04-03", "reference": "TR-9"}, follow=True
        )
    )
    assert "marked paid." in paid and "TR-9" in paid
    made.refresh_from_db()
    assert made.status == "paid" and made.paid_on == date(2026, 4, 3)


def test_paying_a_void_statement_is_refused_and_nothing_changes(client_as, in_tenant):
    made = statement(reseller(), status="void")
    admin = client_as(StaffRole.ADMIN)
    action = reverse("billing:commission_statement_action", args=[made.pk])
    page = followed(admin.post(action, {"action": "pay", "paid_on": "2026-04-03"}, follow=True))
    assert "This statement is void: it cannot be paid." in page
    made.refresh_from_db()
    assert made.status == "void" and made.paid_on is None


def test_only_billing_managers_change_a_statement(client_as, in_tenant):
    made = statement(reseller())
    staff = client_as(StaffRole.STAFF)
    action = reverse("billing:commission_statement_action", args=[made.pk])
    assert staff.post(action, {"action": "approve"}).status_code == 403
    page = followed(staff.get(made.get_absolute_url()))
    assert ">Approve<" not in page
    made.refresh_from_db()
    assert made.status == "pending"


def test_the_basis_is_chosen_on_the_billing_settings_page(client_as, in_tenant):
    owner = client_as(StaffRole.OWNER)
    form = followed(owner.get(reverse("billing:settings")))
    assert "Clients&#x27; usage charges invoiced for the month" in form
    response = owner.post(
        reverse("billing:settings"),
        {
            "payment_terms_days": 14,
            "suspend_after_days": 30,
            "tax_rate": "0",
            "invoice_prefix": "INV-",
            "commission_basis": "usage",
        },
    )
    assert response.status_code == 302
    assert BillingSettings.current().commission_basis == "usage"
    bad = owner.post(
        reverse("billing:settings"),
        {
            "payment_terms_days": 14,
            "suspend_after_days": 30,
            "tax_rate": "0",
            "invoice_prefix": "INV-",
            "commission_basis": "whatever",
        },
    )
    assert bad.status_code == 200 and "Select a valid choice" in followed(bad)
    assert BillingSettings.current().commission_basis == "usage"


def test_a_rate_outside_0_to_100_percent_is_refused_on_the_customer_page(client_as, in_tenant):
    partner = reseller(rate="10")
    admin = client_as(StaffRole.ADMIN)
    url = reverse("billing:customer_billing", args=[partner.pk])
    for rate in ("100.5", "-1"):
        response = admin.post(url, {"is_reseller": "on", "commission_rate": rate})
        assert response.status_code == 400
        assert "Ensure this value is" in followed(response)
    assert BillingProfile.objects.get(customer=partner).commission_rate == Decimal("10.00")


def test_the_resellers_billing_tab_lists_its_statements(client_as, in_tenant):
    partner = reseller()
    made = statement(partner, status="approved")
    plain = CustomerFactory(name="Not A Reseller")
    viewer = client_as(StaffRole.VIEWER)
    page = followed(viewer.get(reverse("billing:customer_billing", args=[partner.pk])))
    assert "Commission statements" in page and made.get_absolute_url() in page
    assert "March 2026" in page and "Approved" in page
    other = followed(viewer.get(reverse("billing:customer_billing", args=[plain.pk])))
    assert "Commission statements" not in other


def test_the_sub_menu_leads_to_the_statements(client_as, in_tenant):
    page = followed(client_as(StaffRole.VIEWER).get(reverse("billing:invoice_list")))
    assert f'href="{reverse(LIST)}">Commissions<' in page


def test_a_statement_months_ago_has_a_date_in_range(in_tenant):
    """Guard for the tests above: MONTH is over whatever today is."""
    assert MONTH + timedelta(days=31) < timezone.localdate()


def test_the_live_report_follows_the_basis_and_counts_consolidated_charges(client_as, in_tenant):
    from billing.models import InvoiceLine
    from billing.services.commissions import prepare_commission_statements
    from tests.factories import InvoiceFactory

    BillingSettings.current()
    BillingSettings.objects.update(commission_basis="usage")
    partner = reseller(rate="10")
    client = CustomerFactory(name="Billed To Partner", parent=partner)
    invoice = InvoiceFactory(customer=partner, period_start=MONTH, period_end=date(2026, 3, 31))
    InvoiceLine.objects.create(
        invoice=invoice, kind="usage", description="Operations", amount=Decimal("80.00"),
        sub_account=client, sub_account_name=client.name,
    )  # fmt: skip
    viewer = client_as(StaffRole.VIEWER)
    query = {"reseller": partner.pk, "month": MONTH.isoformat()}
    page = followed(viewer.get(reverse("billing:commissions"), query))
    assert "Usage charges" in page and "Billed To Partner" in page and "8.00" in page
    export = viewer.get(reverse("billing:commissions"), {**query, "export": "csv"})
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert "Billed To Partner,80.00,10.00,8.00" in rows
    prepare_commission_statements(month=MONTH, actor=None)
    assert CommissionStatement.objects.get(reseller=partner).total == Decimal("8.00")

"""A reseller's own view in the portal: its clients' MRR, overdue amounts, seats and this
month's usage with totals, and its commission statements (approved ones, read only). Only its
own clients; any other company (or a company that is not a reseller) gets the same 404 as a
page that does not exist; constant query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models import (
    BillingProfile,
    CommissionStatement,
    CommissionStatementLine,
    Metric,
    UsageRecord,
)
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    MembershipFactory,
    PlanFactory,
    ProjectFactory,
    subscribe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reseller(company):
    BillingProfile.objects.create(customer=company, is_reseller=True, commission_rate="10")
    return company


def client_of(reseller, name, *, seats=3, monthly_fee="100.00", seat_fee="10.00"):
    client = CustomerFactory(name=name, parent=reseller)
    plan = PlanFactory(name=f"Plan of {name}", monthly_fee=monthly_fee, seat_fee=seat_fee)
    subscribe(client, plan, seats=seats, start_date=date(2026, 1, 1))
    return client


def statement(reseller, *, status="approved", month=date(2026, 3, 1), total="25.00"):
    made = CommissionStatement.objects.create(
        reseller=reseller,
        reseller_name=reseller.name,
        month=month,
        basis="usage",
        rate=Decimal("10"),
        currency="USD",
        base_total=Decimal(total) * 10,
        total=Decimal(total),
        status=status,
        paid_on=date(2026, 4, 5) if status == "paid" else None,
        payment_reference="TR-77" if status == "paid" else "",
    )
    CommissionStatementLine.objects.create(
        statement=made, client_name="Line Client Ltd", base_amount=Decimal(total) * 10,
        commission=Decimal(total),
    )  # fmt: skip
    return made


def url(name, company, **kwargs):
    return reverse(f"portal:{name}", kwargs={"cid": company.pk, **kwargs})


def test_the_clients_page_shows_each_clients_figures_and_totals(portal_client, reseller):
    today = timezone.localdate()
    alpha = client_of(reseller, "Alpha Client", seats=3)  # MRR 100 + 3 × 10 = 130
    beta = client_of(reseller, "Beta Client", seats=2, monthly_fee="50.00", seat_fee="0")
    ProjectFactory(customer=beta, monthly_fee="20.00", start_date=date(2026, 1, 1), end_date=None)
    MembershipFactory(customer=alpha)
    MembershipFactory(customer=alpha)
    InvoiceFactory(customer=alpha, status="overdue", total=300, amount_paid=50,
                   due_date=today - timedelta(days=3))  # fmt: skip
    InvoiceFactory(
        customer=beta,
        status="issued",
        total=80,
        due_date=today + timedelta(days=9),
        period_start=date(2026, 2, 1),
    )  # fmt: skip (not due yet)
    operations = Metric.objects.get(code="operations")
    storage = Metric.objects.get(code="storage-gb")
    UsageRecord.objects.create(customer=alpha, metric=operations, day=today, quantity=1500)
    UsageRecord.objects.create(customer=beta, metric=operations, day=today, quantity=500)
    UsageRecord.objects.create(customer=beta, metric=storage, day=today, quantity="12.5")
    UsageRecord.objects.create(  # last month: not this month's usage
        customer=beta, metric=operations, day=today.replace(day=1) - timedelta(days=1),
        quantity=9999,
    )  # fmt: skip
    CustomerFactory(name="Not A Client")  # another company of the tenant

    page = portal_client(reseller, "admin").get(url("reseller_clients", reseller))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Alpha Client" in html and "Beta Client" in html and "Not A Client" not in html
    rows = {row["client"].name: row for row in page.context["rows"]}
    assert rows["Alpha Client"]["mrr"] == Decimal("130.00")
    assert rows["Beta Client"]["mrr"] == Decimal("70.00")
    assert rows["Alpha Client"]["overdue"] == Decimal("250.00")
    assert rows["Beta Client"]["overdue"] == Decimal("0.00")
    assert (rows["Alpha Client"]["seats_used"], rows["Alpha Client"]["seats"]) == (2, 3)
    assert [m.code for m in page.context["metrics"]] == ["operations", "storage-gb", "bandwidth-gb"]
    assert rows["Alpha Client"]["usage"] == [Decimal("1500"), 0, 0]
    assert rows["Beta Client"]["usage"] == [Decimal("500"), Decimal("12.5"), 0]
    totals = page.context["totals"]
    assert totals["mrr"] == Decimal("200.00") and totals["overdue"] == Decimal("250.00")
    assert totals["usage"] == [Decimal("2000"), Decimal("12.5"), 0]
    assert "2 / 3" in html and "1,500" in html
    # The navigation offers the reseller's pages.
    assert url("reseller_statements", reseller) in html


def test_the_statements_are_read_only_and_only_approved_ones_show(portal_client, reseller):
    paid = statement(reseller, status="paid", month=date(2026, 2, 1), total="40.00")
    approved = statement(reseller, status="approved", month=date(2026, 3, 1), total="25.00")
    pending = statement(reseller, status="pending", month=date(2026, 4, 1), total="99.00")
    user = portal_client(reseller, "read_only")

    listing = user.get(url("reseller_statements", reseller)).content.decode()
    assert "February 2026" in listing and "March 2026" in listing
    assert "April 2026" not in listing and "99.00" not in listing
    assert "Paid" in listing and "Approved" in listing and "Apr 5, 2026" in listing
    assert 'method="post"' not in listing.split("<main", 1)[-1]

    detail = user.get(url("reseller_statement_detail", reseller, sid=paid.pk))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Line Client Ltd" in body and "$40.00" in body and "TR-77" in body
    assert user.get(url("reseller_statement_detail", reseller, sid=approved.pk)).status_code == 200
    assert user.get(url("reseller_statement_detail", reseller, sid=pending.pk)).status_code == 404


def test_another_company_or_a_non_reseller_gets_the_404_of_a_missing_page(portal_client, reseller):
    other_reseller = CustomerFactory(name="Other Reseller")
    BillingProfile.objects.create(customer=other_reseller, is_reseller=True, commission_rate="5")
    theirs = statement(other_reseller)
    client = client_of(reseller, "Sub Client")  # a sub-account the reseller's users reach
    user = portal_client(reseller, "admin")
    missing = user.get(url("reseller_clients", CustomerFactory()))  # a company out of reach
    assert missing.status_code == 404
    for name, company, extra in [
        ("reseller_clients", other_reseller, {}),
        ("reseller_statements", other_reseller, {}),
        ("reseller_statement_detail", other_reseller, {"sid": theirs.pk}),
        ("reseller_statement_detail", reseller, {"sid": theirs.pk}),  # their statement, our URL
        ("reseller_clients", client, {}),  # reachable, but not a reseller
        ("reseller_statements", client, {}),
    ]:
        response = user.get(url(name, company, **extra))
        assert response.status_code == 404, (name, company)
        assert b"Other Reseller" not in response.content
    # A company that is not a reseller: its own users get the same 404, and no menu entry.
    plain = CustomerFactory(name="Plain Co")
    plain_user = portal_client(plain, "admin")
    assert plain_user.get(url("reseller_clients", plain)).status_code == 404
    overview = plain_user.get(url("overview", plain)).content.decode()
    assert url("reseller_clients", plain) not in overview


def test_a_user_without_the_billing_permission_is_refused(portal_client, reseller):
    limited = portal_client(reseller, "limited", sections=["assets"])
    assert limited.get(url("reseller_clients", reseller)).status_code == 403
    assert limited.get(url("reseller_statements", reseller)).status_code == 403


@pytest.mark.parametrize("page", ["reseller_clients", "reseller_statements"])
def test_the_reseller_pages_run_a_constant_number_of_queries(portal_client, reseller, page):
    admin = portal_client(reseller, "admin")
    client_of(reseller, "First Client")
    statement(reseller)
    admin.get(url(page, reseller))
    with CaptureQueriesContext(connection) as small:
        assert admin.get(url(page, reseller)).status_code == 200
    operations = Metric.objects.get(code="operations")
    for n in range(10):
        more = client_of(reseller, f"Client {n}")
        MembershipFactory(customer=more)
        InvoiceFactory(customer=more, status="overdue", due_date=date(2026, 1, 1))
        UsageRecord.objects.create(
            customer=more, metric=operations, day=timezone.localdate(), quantity=n + 1
        )
        statement(reseller, month=date(2025, n + 1, 1))
    admin.get(url(page, reseller))  # new sub-accounts renew the session once (not per row)
    with CaptureQueriesContext(connection) as large:
        response = admin.get(url(page, reseller))
    assert response.status_code == 200
    assert len(large) == len(small) <= 25


def test_the_statement_page_runs_a_constant_number_of_queries(portal_client, reseller):
    admin = portal_client(reseller, "admin")
    made = statement(reseller)
    target = url("reseller_statement_detail", reseller, sid=made.pk)
    admin.get(target)
    with CaptureQueriesContext(connection) as small:
        admin.get(target)
    for n in range(15):
        CommissionStatementLine.objects.create(
            statement=made, client_name=f"Client {n}", base_amount=1, commission=Decimal("0.10")
        )
    with CaptureQueriesContext(connection) as large:
        assert admin.get(target).content.count(b"Client ") >= 16
    assert len(large) == len(small) <= 25

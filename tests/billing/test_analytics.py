"""Seed 002's analytics on known data: customers counted by "customer since" (an import of
long-standing customers is not a month of new business), the running month drawn and listed as
partial, lifetime value without a subscription, login frequency, retention, usage and money
per month, top customers, CSV, bad ranges, and query counts that do not grow."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing import analytics, figures
from billing.analytics import MonthRange
from billing.models import InvoiceLine
from billing.services.subscriptions import subscription_cancel
from customers.models import Customer
from imports.models import ImportJob, ImportStatus
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    MembershipFactory,
    PaymentFactory,
    PlanFactory,
    SignInEventFactory,
    UsageRecordFactory,
    subscribe,
)

pytestmark = pytest.mark.django_db

THIS_MONTH = timezone.localdate().replace(day=1)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


@pytest.fixture
def admin(client_as):
    return client_as(StaffRole.ADMIN)


def import_customers(client, text: str, capture) -> ImportJob:
    upload = SimpleUploadedFile("customers.csv", text.encode(), content_type="text/csv")
    with capture(execute=True):
        client.post(
            reverse("imports:import_upload", kwargs={"kind": "customers"}), {"file": upload}
        )
    job = ImportJob.objects.order_by("-pk").first()
    assert job.status == ImportStatus.READY, job.rows.values_list("messages", flat=True)
    with capture(execute=True):
        client.post(reverse("imports:import_job_confirm", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    return job


# --- Customers are counted by "customer since" --------------------------------------------


def test_a_customer_imported_today_with_customer_since_2019_counts_in_2019(
    admin, django_capture_on_commit_callbacks
):
    import_customers(
        admin,
        "name,external_id,customer_since\nVeteran Ltd,V-1,2019-03-14\nNewcomer Ltd,N-1,\n",
        django_capture_on_commit_callbacks,
    )
    veteran = Customer.objects.get(external_id="V-1")
    assert veteran.customer_since == date(2019, 3, 14)
    assert veteran.created_at.date() == timezone.now().date()  # made today
    newcomer = Customer.objects.get(external_id="N-1")
    assert newcomer.customer_since == timezone.localdate()  # empty: the day it was added

    march_2019 = [date(2019, 2, 1), date(2019, 3, 1), date(2019, 4, 1)]
    assert figures.new_customers_per_month(march_2019) == [0, 1, 0]
    dashboard = figures.dashboard(6)
    new = next(c for c in dashboard["charts"] if c["key"] == "customers")
    assert new["data"]["series"]["New customers"][-1] == 1  # only the newcomer this month

    page = admin.get(reverse("billing:analytics"), {"start": "2019-01", "end": "2019-12"})
    cohorts = {row["month"]: row["joined"] for row in page.context["a"]["cohorts"]}
    assert cohorts[date(2019, 3, 1)] == 1 and sum(cohorts.values()) == 1
    assert page.context["a"]["series"]["New customers"][2] == 1


def test_customer_since_is_edited_in_the_form_and_the_api_and_never_in_the_future(
    admin, api_as, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(name="Dated Co")
    page = admin.get(reverse("customers:customer_update", args=[customer.pk]))
    assert 'name="customer_since"' in body(page)

    from tests.customers.test_edit import form_data

    url = reverse("customers:customer_update", args=[customer.pk])
    response = admin.post(url, form_data(customer, customer_since="2099-01-01"))
    assert response.status_code == 200
    assert "cannot start in the future" in body(response)
    response = admin.post(url, form_data(customer, customer_since="2018-06-01"))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.customer_since == date(2018, 6, 1)
    assert customer.history.first().customer_since == date(2018, 6, 1)

    api = api_as(StaffRole.ADMIN)
    created = api.post(
        "/api/v1/customers/",
        {"name": "Via API", "customer_since": "2020-02-02"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["customer_since"] == "2020-02-02"
    refused = api.post(
        "/api/v1/customers/",
        {"name": "Bad date", "customer_since": "last spring"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "customer_since" in refused.json()
    assert not Customer.objects.filter(name="Bad date").exists()

    upload = SimpleUploadedFile(
        "c.csv",
        b"name,customer_since\nFuture Co,2999-01-01\nOdd Co,soon\n",
        content_type="text/csv",
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("imports:import_upload", kwargs={"kind": "customers"}), {"file": upload})
    job = ImportJob.objects.order_by("-pk").first()
    messages = " ".join(str(m) for m in job.rows.values_list("messages", flat=True))
    assert "future" in messages and "YYYY-MM-DD" in messages
    assert job.error_count == 2


# --- The running month is partial ---------------------------------------------------------


def test_the_running_month_is_drawn_and_listed_as_partial(admin):
    data = figures.dashboard(6)
    charts = {chart["key"]: chart for chart in data["charts"]}
    for key in ("customers", "mrr"):
        chart = charts[key]
        assert chart["data"]["partial"] == len(chart["data"]["labels"]) - 1
        assert chart["data"]["partial_label"] == "partial month"
        assert chart["rows"][-1][0].endswith("(partial month, so far)")
        assert "(partial" not in chart["rows"][-2][0]
    assert charts["sign_ins"]["data"]["partial_label"] == "partial week"
    assert charts["by_status"]["data"]["partial"] is None
    page = body(admin.get("/"))
    assert "is a partial month: figures so far" in page
    assert "static/js/charts.js" in page or "js/charts" in page

    current = admin.get(reverse("billing:analytics"))
    assert current.context["a"]["partial"] is True
    assert current.context["a"]["table"]["rows"][-1][0].endswith("(partial month, so far)")
    past = admin.get(reverse("billing:analytics"), {"start": "2025-01", "end": "2025-06"})
    assert past.context["a"]["partial"] is False
    assert all(chart["data"]["partial"] is None for chart in past.context["a"]["charts"])


def test_the_doughnut_shows_counts_and_shares(in_tenant):
    for _ in range(3):
        CustomerFactory(business_type="smb")
    CustomerFactory(business_type="enterprise")
    chart = next(c for c in figures.dashboard(6)["charts"] if c["key"] == "by_type")
    legend = chart["data"]["legend_labels"]
    assert "SMB: 3 (75.0%)" in legend and "Enterprise: 1 (25.0%)" in legend
    assert chart["columns"] == ["Customers", "Share"]
    assert ("SMB", ["3", "75.0%"]) in chart["rows"]
    assert "SMB 3 (75.0%)" in chart["summary"]


# --- One customer's figures ----------------------------------------------------------------


def test_lifetime_value_counts_paid_invoices_without_a_subscription(admin):
    """Lifetime value is what the customer paid: payments received (an overpayment whole),
    never a credit note, which settles an invoice without money."""
    from billing.services.credit_notes import credit_note_create
    from billing.services.payments import payment_record

    customer = CustomerFactory(name="Former Client")
    paid = InvoiceFactory(customer=customer, total="1200.00")
    partly = InvoiceFactory(
        customer=customer, total="300.00",
        period_start=date(2026, 2, 1), period_end=date(2026, 2, 28),
    )  # fmt: skip
    credited = InvoiceFactory(
        customer=customer, total="500.00",
        period_start=date(2026, 3, 1), period_end=date(2026, 3, 31),
    )  # fmt: skip
    someone_else = InvoiceFactory(total="999.00")
    for invoice, amount in ((paid, "1200.00"), (partly, "100.00"), (someone_else, "999.00")):
        payment_record(
            invoice_id=invoice.pk, amount=Decimal(amount), method="bank_transfer",
            paid_on=date(2026, 3, 5), actor=None, notify=False,
        )  # fmt: skip
    credit_note_create(
        invoice_id=credited.pk, reason="Goodwill", actor=None, full=True, notify=False
    )
    response = admin.get(reverse("customers:customer_analytics", args=[customer.pk]))
    assert response.status_code == 200
    figures_ = response.context["a"]
    assert figures_["lifetime_value"] == Decimal("1300.00")
    assert figures_["outstanding"] == Decimal("200.00")
    assert figures_["mrr"] == Decimal("0")
    assert "1,300.00" in body(response)


def test_login_frequency_is_sign_ins_per_user_per_month(admin):
    company = CustomerFactory(name="Busy Co")
    users = [MembershipFactory(customer=company).user for _ in range(2)]
    other = MembershipFactory(customer=CustomerFactory()).user
    march = date(2026, 3, 1)
    for index in range(6):
        SignInEventFactory(user=users[index % 2], created_at=at(march.replace(day=index + 1)))
    SignInEventFactory(user=users[0], created_at=at(date(2026, 4, 3)))
    SignInEventFactory(user=users[0], succeeded=False, created_at=at(date(2026, 4, 4)))
    SignInEventFactory(user=other, created_at=at(date(2026, 3, 9)))
    span = MonthRange(date(2026, 3, 1), date(2026, 4, 1))
    data = analytics.customer_analytics(company, span, [company.pk])
    assert data["series"]["Sign-ins"] == [6, 1]
    assert data["series"]["Sign-ins per user"] == [Decimal("3.0"), Decimal("0.5")]
    assert data["login_frequency"] == Decimal("1.8")  # 7 sign-ins / 2 users / 2 months
    assert data["users"] == {"total": 2, "active": 0}


def test_retention_counts_months_as_a_customer_and_stops_when_it_left(in_tenant):
    today = timezone.localdate()
    loyal = CustomerFactory(customer_since=date(2020, 1, 1))
    months, ended = analytics.months_as_customer(loyal)
    assert ended is None
    assert months == analytics.months_between(date(2020, 1, 1), today) >= 70

    gone = CustomerFactory(customer_since=date(2024, 1, 10))
    subscription = subscribe(gone, PlanFactory(), start_date=date(2024, 1, 10))
    subscription_cancel(subscription_id=subscription.pk, on=date(2025, 1, 9), actor=None)
    assert analytics.months_as_customer(gone) == (11, date(2025, 1, 9))
    assert analytics.months_between(date(2024, 1, 10), date(2025, 1, 10)) == 12


def test_cohorts_count_who_is_still_subscribed(admin):
    plan = PlanFactory(monthly_fee="50.00")
    since = date(2025, 5, 1)
    kept, lost, never = (CustomerFactory(customer_since=since) for _ in range(3))
    subscribe(kept, plan, start_date=since)
    leaving = subscribe(lost, plan, start_date=since)
    subscription_cancel(subscription_id=leaving.pk, on=date(2025, 9, 1), actor=None)
    CustomerFactory(customer_since=date(2025, 7, 4))
    response = admin.get(reverse("billing:analytics"), {"start": "2025-05", "end": "2025-08"})
    rows = {row["month"]: row for row in response.context["a"]["cohorts"]}
    assert (rows[since]["joined"], rows[since]["subscribed"], rows[since]["retained"]) == (3, 2, 1)
    assert rows[since]["rate"] == Decimal("50.0")
    assert rows[date(2025, 7, 1)]["joined"] == 1 and rows[date(2025, 7, 1)]["rate"] is None
    assert never.pk  # in the cohort, never subscribed


def test_usage_costs_and_payments_per_month(admin):
    from billing.models import Metric

    customer = CustomerFactory(name="Heavy User")
    operations = Metric.objects.get(code="operations")
    UsageRecordFactory(customer=customer, metric=operations, day=date(2026, 1, 5), quantity=1500)
    UsageRecordFactory(customer=customer, metric=operations, day=date(2026, 1, 20), quantity=500)
    UsageRecordFactory(customer=customer, metric=operations, day=date(2026, 2, 1), quantity=7)
    january = InvoiceFactory(customer=customer, total="160.00", amount_paid="160.00", status="paid")
    InvoiceLine.objects.create(
        invoice=january, kind="usage", description="Operations", quantity=2000, amount="60.00"
    )
    InvoiceLine.objects.create(
        invoice=january, kind="subscription", description="Plan", amount="100.00"
    )
    PaymentFactory(invoice=january, amount="160.00", paid_on=date(2026, 2, 3))
    span = MonthRange(date(2026, 1, 1), date(2026, 2, 1))
    data = analytics.customer_analytics(customer, span, [customer.pk])
    usage_name = next(name for name in data["series"] if name.startswith(operations.name))
    assert data["series"][usage_name] == [Decimal("2000"), Decimal("7")]
    assert data["series"]["Usage costs invoiced"] == [Decimal("60.00"), Decimal("0")]
    assert data["series"]["Payments received"] == [Decimal("0"), Decimal("160.00")]
    overall = analytics.overall_analytics(span)
    assert overall["top"]["usage"] == [
        {"pk": customer.pk, "name": "Heavy User", "value": Decimal("60.00")}
    ]
    assert overall["top"]["lifetime_value"][0]["pk"] == customer.pk


def test_top_customers_and_the_csv_exports(admin):
    plan = PlanFactory(monthly_fee="100.00", seat_fee="10.00")
    big, small = CustomerFactory(name="Big Spender"), CustomerFactory(name="=Small Co")
    subscribe(big, plan, seats=10, start_date=date(2026, 1, 1))
    subscribe(small, plan, seats=1, start_date=date(2026, 1, 1))
    response = admin.get(reverse("billing:analytics"))
    top = response.context["a"]["top"]["mrr"]
    assert [(row["name"], row["value"]) for row in top] == [
        ("Big Spender", Decimal("200.00")),
        ("=Small Co", Decimal("110.00")),
    ]
    months = admin.get(reverse("billing:analytics"), {"export": "csv"})
    text = body(months)
    assert months["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Month,New customers,MRR,")
    assert lines[-1].startswith(f"{THIS_MONTH:%Y-%m} (partial)")
    assert '"310.00"' in lines[-1] or ",310.00," in lines[-1]
    top_csv = body(admin.get(reverse("billing:analytics"), {"export": "top"}))
    assert "Top customers by MRR,1,Big Spender,200.00" in top_csv
    assert "'=Small Co" in top_csv  # a spreadsheet formula is neutralised
    cohorts = body(admin.get(reverse("billing:analytics"), {"export": "cohorts"}))
    assert cohorts.splitlines()[0] == "Customer since,Customers,Ever subscribed,Still subscribed,%"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13"}, "YYYY-MM"),
        ({"start": "2026-05", "end": "2026-01"}, "must not be after"),
        ({"start": "2019-01", "end": "2026-01"}, "at most 36 months"),
        ({"end": "2999-01"}, "cannot end after this month"),
        ({"start": "0001-01", "end": "0002-01"}, "from 1900 on"),
    ],
)
def test_a_bad_month_range_is_explained_and_the_last_12_months_shown(admin, params, message):
    response = admin.get(reverse("billing:analytics"), params)
    assert response.status_code == 200
    assert message in body(response)
    assert response.context["a"]["span"] == analytics.last_months()


# --- Query counts ------------------------------------------------------------------------


def populate(count: int, plan) -> list[Customer]:
    customers = []
    for index in range(count):
        customer = CustomerFactory(customer_since=date(2024, 1 + index % 12, 1))
        subscribe(customer, plan, seats=2, start_date=date(2025, 1 + index % 12, 1))
        MembershipFactory(customer=customer)
        UsageRecordFactory(customer=customer, day=date(2025, 6, 1 + index % 28), quantity=3)
        invoice = InvoiceFactory(
            customer=customer, total="40.00", amount_paid="40.00", status="paid"
        )
        PaymentFactory(invoice=invoice, amount="40.00")
        customers.append(customer)
    return customers


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_the_analytics_pages_cost_the_same_queries_for_any_data_and_range(admin):
    plan = PlanFactory(monthly_fee="20.00")
    first = populate(2, plan)[0]
    overall = reverse("billing:analytics")
    tab = reverse("customers:customer_analytics", args=[first.pk])
    small = [queries(admin, overall), queries(admin, tab), queries(admin, "/")]
    populate(20, plan)
    for month in range(1, 6):
        MembershipFactory(customer=first)
        InvoiceFactory(customer=first, total="5.00", period_start=date(2024, month, 1))
    large = [queries(admin, overall), queries(admin, tab), queries(admin, "/")]
    assert large == small
    long_range = {"start": "2024-01", "end": f"{THIS_MONTH:%Y-%m}"}
    assert queries(admin, overall, long_range) == small[0]
    assert queries(admin, tab, long_range) == small[1]
    assert queries(admin, "/", {"months": 24}) == small[2]

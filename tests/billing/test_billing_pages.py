"""The billing pages as users meet them: who may do what, bad input, PDFs, query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import StaffRole
from billing.models import Invoice, InvoiceRun, Payment, Plan, PlanTier, Subscription
from billing.services.invoicing import invoice_run
from billing.services.payments import payment_record
from billing.services.subscriptions import subscription_cancel
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(subscribed):
    invoice_run(month=MONTH, actor=None)
    return Invoice.objects.get(customer=subscribed)


def test_an_admin_records_a_partial_payment_then_the_rest(client_as, invoice):
    admin = client_as(StaffRole.ADMIN)
    url = reverse("billing:invoice_payment", args=[invoice.pk])
    today = date.today().isoformat()
    response = admin.post(url, {"amount": "100.00", "method": "card", "paid_on": today})
    assert response.status_code == 302
    page = admin.get(invoice.get_absolute_url())
    assert b"Partially paid" in page.content and b"300.00" in page.content
    admin.post(url, {"amount": "300.00", "method": "bank_transfer", "paid_on": today})
    invoice.refresh_from_db()
    assert invoice.status == "paid" and Payment.objects.count() == 2


def test_an_overpayment_pays_the_invoice_and_keeps_the_rest_as_credit(client_as, invoice):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:invoice_payment", args=[invoice.pk]),
        {"amount": "999.00", "method": "card", "paid_on": date.today().isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.balance == 0
    assert Payment.objects.get().amount == Decimal("999.00")
    assert invoice.customer.credit_entries.get().amount == Decimal("599.00")


@pytest.mark.parametrize("amount", ["abc", "-1", "1e9999", ""])
def test_non_numeric_or_negative_amounts_are_form_errors(client_as, invoice, amount):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:invoice_payment", args=[invoice.pk]),
        {"amount": amount, "method": "card", "paid_on": date.today().isoformat()},
    )
    assert response.status_code == 400 and not Payment.objects.exists()


def test_staff_and_viewers_read_but_cannot_record_payments(client_as, invoice):
    for role in (StaffRole.STAFF, StaffRole.VIEWER):
        client = client_as(role)
        page = client.get(invoice.get_absolute_url())
        assert page.status_code == 200 and b"Record a payment" not in page.content
        response = client.post(
            reverse("billing:invoice_payment", args=[invoice.pk]),
            {"amount": "1", "method": "card", "paid_on": date.today().isoformat()},
        )
        assert response.status_code == 403
    assert not Payment.objects.exists()


def test_the_pdf_and_the_receipt_download(client_as, invoice):
    viewer = client_as(StaffRole.VIEWER)
    response = viewer.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert viewer.get(reverse("billing:invoice_receipt", args=[invoice.pk])).status_code == 404
    payment_record(
        invoice_id=invoice.pk,
        amount=Decimal("5"),
        method="cheque",
        paid_on=date.today(),
        actor=None,
    )
    receipt = viewer.get(reverse("billing:invoice_receipt", args=[invoice.pk]))
    assert receipt.content.startswith(b"%PDF")


def test_running_invoices_from_the_page(client_as, subscribed, django_capture_on_commit_callbacks):
    admin = client_as(StaffRole.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("billing:invoice_runs"),
            {"month": MONTH.strftime("%Y-%m"), "issue": "on", "notify": "on"},
        )
    assert response.status_code == 302
    assert Invoice.objects.filter(customer=subscribed, status="issued").count() == 1
    assert [m.to for m in mail.outbox] == [["billing@acme.example"]]
    page = admin.get(reverse("billing:invoice_runs"))
    assert b"March 2026" in page.content


@pytest.mark.parametrize("month", ["2099-01", "not-a-month", "2026-13", ""])
def test_a_run_for_a_future_or_malformed_month_is_refused(client_as, subscribed, month):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(reverse("billing:invoice_runs"), {"month": month, "issue": "on"})
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content or b"is-invalid" in response.content
    assert not InvoiceRun.objects.exists()


def test_issuing_and_voiding_through_the_pages(client_as, subscribed):
    invoice_run(month=MONTH, actor=None, issue=False)
    draft = Invoice.objects.get()
    admin = client_as(StaffRole.ADMIN)
    admin.post(reverse("billing:invoice_issue", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.number
    assert admin.get(reverse("billing:invoice_issue", args=[draft.pk])).status_code == 404
    response = admin.post(reverse("billing:invoice_void", args=[draft.pk]), {"reason": ""})
    assert response.status_code == 200  # the form asks for a reason
    response = admin.post(
        reverse("billing:invoice_void", args=[draft.pk]),
        {"reason": "Wrong seats", "recompute": "on"},
    )
    assert response.status_code == 302
    assert list(Invoice.objects.values_list("status", flat=True).order_by("pk")) == [
        "void",
        "draft",
    ]


def test_plans_with_tiers_are_edited_on_one_page(client_as, metric):
    admin = client_as(StaffRole.ADMIN)
    data = {
        "name": "Scale",
        "monthly_fee": "500",
        "seat_fee": "0",
        "is_active": "on",
        "tiers-TOTAL_FORMS": "2",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-metric": metric.pk,
        "tiers-0-up_to": "1000",
        "tiers-0-unit_price": "0",
        "tiers-1-metric": metric.pk,
        "tiers-1-up_to": "",
        "tiers-1-unit_price": "0.01",
    }
    assert admin.post(reverse("billing:plan_create"), data).status_code == 302
    plan = Plan.objects.get(name="Scale")
    assert plan.tiers.count() == 2
    data["tiers-1-up_to"] = "1000"  # the same limit twice
    response = admin.post(reverse("billing:plan_update", args=[plan.pk]), data)
    assert response.status_code == 400 and b"same limit" in response.content
    assert plan.tiers.count() == 2
    data["tiers-1-unit_price"] = "-1"
    assert admin.post(reverse("billing:plan_update", args=[plan.pk]), data).status_code == 400
    assert PlanTier.objects.filter(plan=plan).count() == 2


@pytest.mark.parametrize("total", ["31", "99999999999999999999999"])
def test_a_plan_posted_with_more_tiers_than_allowed_is_refused_without_building_them(
    client_as, total
):
    """A hostile TOTAL_FORMS is refused at once (found by tests/security/test_fuzz.py):
    Django's default cap would build and render 1,030 tier forms for it."""
    admin = client_as(StaffRole.ADMIN)
    data = {"name": "Many", "monthly_fee": "1", "seat_fee": "0"}
    data.update({"tiers-TOTAL_FORMS": total, "tiers-INITIAL_FORMS": "0"})
    response = admin.post(reverse("billing:plan_create"), data)
    assert response.status_code == 400
    assert b"at most 30" in response.content
    assert response.content.count(b'name="tiers-') < 200  # the form shows its few rows
    assert not Plan.objects.filter(name="Many").exists()


def test_subscribing_and_changing_seats_beyond_the_plan_cap(client_as, metric):
    capped = PlanFactory(name="Small", max_seats=3)
    customer = CustomerFactory()
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(
        reverse("billing:subscription_create"),
        {
            "customer": customer.pk,
            "plan": capped.pk,
            "seats": 5,
            "start_date": "2026-01-01",
            "anchor_day": 1,
        },
    )
    assert response.status_code == 200 and b"at most 3 seats" in response.content
    assert not Subscription.objects.exists()
    admin.post(
        reverse("billing:subscription_create"),
        {
            "customer": customer.pk,
            "plan": capped.pk,
            "seats": 2,
            "start_date": "2026-01-01",
            "anchor_day": 1,
        },
    )
    subscription = Subscription.objects.get()
    response = admin.post(
        reverse("billing:subscription_change", args=[subscription.pk]),
        {"plan": capped.pk, "seats": 4, "effective_from": "2026-02-01"},
    )
    assert b"at most 3 seats" in response.content
    subscription.refresh_from_db()
    assert subscription.seats == 2


def test_staff_record_usage_with_clear_errors(client_as, subscribed, metric):
    staff = client_as(StaffRole.STAFF)
    url = reverse("billing:usagerecord_create")
    response = staff.post(
        url, {"customer": subscribed.pk, "metric": metric.pk, "day": "2099-01-01", "quantity": "5"}
    )
    assert b"future" in response.content
    response = staff.post(
        url, {"customer": subscribed.pk, "metric": metric.pk, "day": "2026-03-02", "quantity": "x"}
    )
    assert response.status_code == 200
    response = staff.post(
        url, {"customer": subscribed.pk, "metric": metric.pk, "day": "2026-03-02", "quantity": "5"}
    )
    assert response.status_code == 302
    assert subscribed.usage_records.get().quantity == 5


def test_the_commission_report_exports(client_as, subscribed):
    from billing.models import BillingProfile

    reseller = CustomerFactory(name="Channel Partner")
    BillingProfile.objects.create(customer=reseller, is_reseller=True, commission_rate="10")
    subscribed.parent = reseller
    subscribed.save()
    viewer = client_as(StaffRole.VIEWER)
    month = date.today().replace(day=1).isoformat()
    page = viewer.get(reverse("billing:commissions"), {"reseller": reseller.pk, "month": month})
    assert b"Acme Robotics" in page.content
    export = viewer.get(
        reverse("billing:commissions"), {"reseller": reseller.pk, "month": month, "export": "csv"}
    )
    body = b"".join(export.streaming_content).decode()
    assert "Acme Robotics" in body and "Commission" in body
    bad = viewer.get(reverse("billing:commissions"), {"reseller": "999999", "month": "junk"})
    assert bad.status_code == 400 and b"Select a valid choice" in bad.content


def test_the_commission_summary_lists_every_reseller_for_the_current_month(client_as, invoice):
    from billing.models import BillingProfile

    reseller = CustomerFactory(name="Channel Partner")
    BillingProfile.objects.create(customer=reseller, is_reseller=True, commission_rate="10")
    idle = CustomerFactory(name="Quiet Partner")
    BillingProfile.objects.create(customer=idle, is_reseller=True, commission_rate="5")
    invoice.customer.parent = reseller
    invoice.customer.save()
    CustomerFactory(parent=reseller)
    payment_record(
        invoice_id=invoice.pk, amount=Decimal("250"), method="card", paid_on=date.today(),
        actor=None,
    )  # fmt: skip
    viewer = client_as(StaffRole.VIEWER)
    page = viewer.get(reverse("billing:commissions")).content.decode()
    assert "All resellers" in page and "Quiet Partner" in page
    export = viewer.get(reverse("billing:commissions"), {"export": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Reseller,Clients,Paid,Commission rate (%),Commission"
    assert "Channel Partner,2,250.00,10.00,25.00" in lines
    assert "Quiet Partner,0,0.00,5.00,0.00" in lines


def billing_pages(invoice) -> list[str]:
    return [
        reverse("billing:invoice_list"),
        reverse("billing:subscription_list"),
        reverse("billing:plan_list"),
        reverse("billing:usagerecord_list"),
        reverse("billing:payment_list"),
        reverse("billing:invoice_runs"),
        reverse("billing:commissions"),
        invoice.get_absolute_url(),
        reverse("billing:customer_billing", args=[invoice.customer_id]),
        reverse("core:dashboard"),
    ]


def add_billed_customers(plan, metric, count: int, month) -> None:
    from billing.models import UsageRecord

    for _ in range(count):
        customer = CustomerFactory()
        subscribe(customer, plan, seats=2, start_date=date(2026, 1, 1))
        UsageRecord.objects.create(customer=customer, metric=metric, day=month, quantity=5)
    invoice_run(month=month, actor=None)
    for invoice in Invoice.objects.filter(period_start=month):
        payment_record(
            invoice_id=invoice.pk,
            amount=Decimal("1"),
            method="card",
            paid_on=date.today(),
            actor=None,
        )


def test_pages_keep_the_same_query_count_whatever_the_data_size(client_as, plan, metric):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add_billed_customers(plan, metric, 2, MONTH)
    invoice = Invoice.objects.first()
    admin = client_as(StaffRole.ADMIN)

    def counts() -> list[int]:
        result = []
        for url in billing_pages(invoice):
            admin.get(url)  # warm-up (session, caches)
            with CaptureQueriesContext(connection) as queries:
                assert admin.get(url).status_code == 200
            result.append(len(queries))
        return result

    small = counts()
    add_billed_customers(plan, metric, 12, date(2026, 4, 1))
    assert counts() == small
    assert max(small) <= 30


def test_portal_invitations_stop_at_the_subscriptions_seats(portal_client, plan):
    from portal.models import Membership

    company = CustomerFactory(name="Seatful")
    subscribe(company, plan, seats=2, start_date=date(2026, 1, 1))
    admin = portal_client(company, role="admin")
    from tests.factories import MembershipFactory

    MembershipFactory(customer=company)
    response = admin.post(
        reverse("portal:user_invite", args=[company.pk]),
        {
            "first_name": "Extra",
            "last_name": "Person",
            "email": "extra@seatful.example",
            "role": "read_only",
        },
    )
    assert b"2 seats, all in use" in response.content
    assert Membership.objects.filter(customer=company).count() == 2
    page = admin.get(reverse("portal:billing", args=[company.pk]))
    assert b"2 of 2" in page.content


def test_owners_add_metrics_in_the_admin_and_see_invoices_read_only(client_as, invoice):
    owner = client_as(StaffRole.OWNER)
    response = owner.post(
        reverse("tenant_admin:billing_metric_add"),
        {"code": "api-calls", "name": "API calls", "unit": "calls"},
    )
    assert response.status_code == 302
    from billing.models import Metric

    assert Metric.objects.filter(code="api-calls").exists()
    assert owner.get(reverse("tenant_admin:billing_invoice_changelist")).status_code == 200
    change = reverse("tenant_admin:billing_invoice_change", args=[invoice.pk])
    assert owner.post(change, {"status": "void"}).status_code == 403


def test_the_portal_billing_page_keeps_its_query_count(portal_client, plan, metric):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import UsageRecord

    company = CustomerFactory(name="Countable")
    subscribe(company, plan, seats=5, start_date=date(2026, 1, 1))
    admin = portal_client(company, role="admin")
    url = reverse("portal:billing", args=[company.pk])

    def count() -> int:
        admin.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        return len(queries)

    invoice_run(month=MONTH, actor=None)
    small = count()
    for month in (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)):
        UsageRecord.objects.create(customer=company, metric=metric, day=month, quantity=9)
        invoice_run(month=month, actor=None)
    assert Invoice.objects.filter(customer=company).count() == 4
    assert count() == small


def test_invoices_are_found_by_number_or_customer_name(client_as, plan):
    for name in ("3M Europe", "Acme Robotics", "Beta Foods"):
        subscribe(CustomerFactory(name=name), plan, start_date=date(2026, 1, 1))
    invoice_run(month=MONTH, actor=None)
    numbers = dict(Invoice.objects.values_list("customer_name", "number"))
    assert sorted(numbers.values()) == ["INV-000001", "INV-000002", "INV-000003"]

    def found(term: str) -> list[str]:
        return list(Invoice.objects.search(term).values_list("number", flat=True))

    assert found("inv-00000") == ["INV-000003", "INV-000002", "INV-000001"]  # newest first
    assert found("INV-000002") == ["INV-000002"]
    assert found("2") == ["INV-000002"]  # digits alone: the number they stand for
    assert found("3M") == [numbers["3M Europe"]]  # no number starts so: names are searched
    assert found("acme") == [numbers["Acme Robotics"]]
    assert found("INV-9") == []
    page = client_as(StaffRole.VIEWER).get(reverse("billing:invoice_list"), {"q": "inv-000003"})
    assert b"INV-000003" in page.content and b"INV-000001" not in page.content


def test_the_invoice_prefix_is_kept_in_capitals_without_spaces(client_as):
    from billing.forms import BillingSettingsForm
    from billing.models import BillingSettings

    fields = {"payment_terms_days": 14, "suspend_after_days": 0, "tax_rate": "0"}
    form = BillingSettingsForm(
        {**fields, "invoice_prefix": " acme-"}, instance=BillingSettings.current()
    )
    assert form.is_valid() and form.cleaned_data["invoice_prefix"] == "ACME-"
    form = BillingSettingsForm(
        {**fields, "invoice_prefix": "AC ME"}, instance=BillingSettings.current()
    )
    assert not form.is_valid() and "without spaces" in str(form.errors)


def test_cancelled_subscriptions_show_no_monthly_amount(client_as, plan):
    live = subscribe(CustomerFactory(name="Still Paying"), plan, start_date=date(2026, 1, 1))
    gone = subscribe(CustomerFactory(name="Long Gone"), plan, start_date=date(2026, 1, 1))
    subscription_cancel(subscription_id=gone.pk, on=date(2026, 2, 1), actor=None)
    viewer = client_as(StaffRole.VIEWER)
    rows = {
        line.split(",")[0]: line.split(",")[-1]
        for line in viewer.get(reverse("billing:subscription_list"), {"export": "csv"})
        .getvalue()
        .decode()
        .splitlines()
    }
    live.refresh_from_db()
    assert rows["Still Paying"] == str(live.monthly_price) and rows["Long Gone"] == ""
    page = viewer.get(reverse("billing:subscription_list")).content.decode()
    assert "—" in page


def test_the_customer_tab_tabulates_with_the_lists_own_invoice_and_payment_tables(
    client_as, invoice
):
    from billing.tables import InvoiceTable, PaymentTable

    payment_record(
        invoice_id=invoice.pk, amount=Decimal("10"), method="card", paid_on=date.today(),
        reference="R-77", actor=None,
    )  # fmt: skip
    response = client_as(StaffRole.VIEWER).get(
        reverse("billing:customer_billing", args=[invoice.customer_id])
    )
    invoices, payments = response.context["invoice_table"], response.context["payment_table"]
    assert type(invoices) is InvoiceTable and type(payments) is PaymentTable
    assert [c.name for c in invoices.columns] == [
        "number", "period_start", "status", "due_date", "total", "balance",
    ]  # fmt: skip
    assert [c.name for c in payments.columns] == [
        "paid_on", "invoice", "method", "reference", "amount",
    ]  # fmt: skip
    body = response.content.decode()
    assert invoice.get_absolute_url() in body and "390.00" in body and "R-77" in body
    empty = CustomerFactory()
    page = client_as(StaffRole.VIEWER).get(reverse("billing:customer_billing", args=[empty.pk]))
    assert b"No invoices yet." in page.content and b"No payments yet." in page.content

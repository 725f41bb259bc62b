"""Invoice runs, numbering, proration, consolidated billing and immutability."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import (
    BillingProfile,
    BillingSettings,
    Invoice,
    InvoiceRun,
    InvoiceStatus,
    LineKind,
    Subscription,
    UsageRecord,
)
from billing.services.invoicing import (
    invoice_draft_delete,
    invoice_issue,
    invoice_run,
    invoice_void,
)
from billing.services.payments import payment_record
from billing.services.subscriptions import end_trials, subscription_cancel, subscription_change
from billing.services.usage import usage_record
from tests.factories import CustomerFactory, ProjectFactory, subscribe

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def amounts(invoice):
    return [(line.kind, line.amount) for line in invoice.lines.all()]


def test_the_run_bills_plan_seats_tiered_usage_and_projects(subscribed, metric):
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 3, 3), quantity=900
    )
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 3, 20), quantity=1100
    )
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 4, 1), quantity=50
    )
    ProjectFactory(
        customer=subscribed, name="Rollout", start_date=date(2026, 3, 17), monthly_fee="310"
    )

    run = invoice_run(month=MONTH, actor=None)

    assert (run.created_count, run.existing_count, run.status) == (1, 0, "done")
    invoice = Invoice.objects.get(customer=subscribed)
    assert (invoice.period_start, invoice.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert amounts(invoice) == [
        (LineKind.SUBSCRIPTION, Decimal("300.00")),
        (LineKind.SEATS, Decimal("100.00")),
        # 2,000 operations: 1,000 free, 1,000 at 0.05 (the April record is not in March)
        (LineKind.USAGE, Decimal("50.00")),
        # 15 of 31 days of 310
        (LineKind.PROJECT, Decimal("150.00")),
    ]
    usage = invoice.lines.get(kind=LineKind.USAGE)
    assert [tier["quantity"] for tier in usage.breakdown] == ["1000", "1000"]
    assert invoice.total == Decimal("600.00") and invoice.recurring_total == Decimal("400.00")
    assert invoice.status == InvoiceStatus.ISSUED and invoice.number.startswith("INV-")
    assert invoice.due_date == invoice.issue_date + timedelta(days=14)
    assert "1 Main Street" in invoice.billing_address
    assert invoice.billing_email == "billing@acme.example"


def test_running_the_same_month_twice_creates_nothing_new(subscribed, plan):
    other = CustomerFactory()
    subscribe(other, plan, start_date=date(2026, 2, 10))
    first = invoice_run(month=MONTH, actor=None)
    numbers = set(Invoice.objects.values_list("number", flat=True))
    second = invoice_run(month=MONTH, actor=None)
    assert (first.created_count, second.created_count, second.existing_count) == (2, 0, 2)
    assert set(Invoice.objects.values_list("number", flat=True)) == numbers
    assert InvoiceRun.objects.count() == 2


def test_numbers_are_consecutive_across_runs_and_single_issues(plan):
    for index in range(3):
        subscribe(CustomerFactory(), plan, start_date=date(2026, 1, 1), anchor_day=1 + index)
    BillingSettings.objects.filter(pk=1).update(invoice_prefix="A-", next_invoice_number=41)
    invoice_run(month=date(2026, 2, 1), actor=None, issue=False)
    drafts = list(Invoice.objects.order_by("pk"))
    assert all(d.number is None and d.status == "draft" for d in drafts)
    for draft in drafts:
        invoice_issue(invoice_id=draft.pk, actor=None)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "A-000041",
        "A-000042",
        "A-000043",
    ]


def test_a_month_not_started_or_malformed_is_refused(subscribed):
    today = date.today()
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    with pytest.raises(ValidationError, match="not started"):
        invoice_run(month=next_month, actor=None)
    with pytest.raises(ValidationError, match="first day"):
        invoice_run(month=date(2026, 3, 5), actor=None)
    assert not Invoice.objects.exists() and not InvoiceRun.objects.exists()


def test_periods_not_over_wait_for_a_later_run(plan):
    # Anchored on the 15th: March's period runs to 14 April, after March is over.
    subscribe(CustomerFactory(), plan, start_date=date(2026, 1, 15), anchor_day=15)
    run = invoice_run(month=MONTH, actor=None, today=date(2026, 4, 1))
    assert (run.created_count, run.not_due_count) == (0, 1)
    later = invoice_run(month=MONTH, actor=None, today=date(2026, 4, 15))
    assert later.created_count == 1


def test_a_seat_change_mid_period_is_prorated_by_day(subscribed):
    subscription = Subscription.objects.get(customer=subscribed)
    subscription_change(
        subscription_id=subscription.pk,
        plan=subscription.plan,
        seats=10,
        effective_from=date(2026, 3, 11),
        actor=None,
    )
    invoice = invoice_run(month=MONTH, actor=None) and Invoice.objects.get()
    seats = [(line.quantity, line.amount) for line in invoice.lines.filter(kind=LineKind.SEATS)]
    # 5 seats × 20 for 10 of 31 days, then 10 seats × 20 for 21 of 31 days
    assert seats == [(Decimal("5"), Decimal("32.26")), (Decimal("10"), Decimal("135.48"))]
    plan_lines = invoice.lines.filter(kind=LineKind.SUBSCRIPTION).values_list("amount", flat=True)
    assert sum(plan_lines) == Decimal("300.00")  # 96.77 + 203.23
    assert "seats 5 → 10" in subscription.history.first().history_change_reason


def test_a_change_inside_an_invoiced_period_is_refused(subscribed):
    invoice_run(month=MONTH, actor=None)
    subscription = Subscription.objects.get(customer=subscribed)
    with pytest.raises(ValidationError, match="already"):
        subscription_change(
            subscription_id=subscription.pk,
            plan=subscription.plan,
            seats=7,
            effective_from=date(2026, 3, 15),
            actor=None,
        )


def test_trial_days_and_days_after_cancelling_are_free(plan):
    customer = CustomerFactory()
    subscription = subscribe(
        customer, plan, seats=1, start_date=date(2026, 3, 1), trial_end=date(2026, 3, 15)
    )
    subscription_cancel(subscription_id=subscription.pk, on=date(2026, 3, 25), actor=None)
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get(customer=customer)
    # billed 16–25 March: 10 of 31 days
    assert amounts(invoice) == [
        (LineKind.SUBSCRIPTION, Decimal("96.77")),
        (LineKind.SEATS, Decimal("6.45")),
    ]
    invoice_run(month=date(2026, 4, 1), actor=None)
    assert Invoice.objects.filter(customer=customer).count() == 1  # nothing after cancelling


def test_an_agency_with_consolidated_billing_pays_for_its_sub_accounts(plan):
    agency = CustomerFactory(name="Agency")
    client_a = CustomerFactory(name="Client A", parent=agency)
    client_b = CustomerFactory(name="Client B", parent=agency)
    BillingProfile.objects.create(customer=agency, consolidated_billing=True)
    subscribe(agency, plan, start_date=date(2026, 1, 1))
    subscribe(client_a, plan, seats=2, start_date=date(2026, 1, 1))
    subscribe(client_b, plan, seats=3, start_date=date(2026, 1, 1))
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get()
    assert invoice.customer == agency
    groups = {
        name: sum(line.amount for line in lines)
        for name, lines in __import__("billing.pdf", fromlist=["x"]).grouped_lines(invoice)
    }
    assert groups == {
        "": Decimal("320.00"),
        "Client A": Decimal("340.00"),
        "Client B": Decimal("360.00"),
    }


def test_tax_is_added_at_the_tenant_rate(subscribed):
    BillingSettings.objects.filter(pk=1).update(tax_rate=Decimal("8.25"))
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get()
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("400.00"),
        Decimal("33.00"),
        Decimal("433.00"),
    )


def test_an_issued_invoice_cannot_be_deleted_or_issued_again(subscribed):
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get()
    with pytest.raises(ValidationError):
        invoice_draft_delete(invoice_id=invoice.pk, actor=None)
    with pytest.raises(ValidationError):
        invoice_issue(invoice_id=invoice.pk, actor=None)


def test_void_and_redraft_replaces_an_invoice_for_the_same_period(subscribed, metric):
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get()
    UsageRecord.objects.create(
        customer=subscribed, metric=metric, day=date(2026, 3, 9), quantity=3000
    )
    with pytest.raises(ValidationError):
        invoice_void(invoice_id=invoice.pk, reason="  ", actor=None)
    draft = invoice_void(
        invoice_id=invoice.pk, reason="Usage was missing", actor=None, recompute=True
    )
    invoice.refresh_from_db()
    assert invoice.status == "void" and invoice.void_reason == "Usage was missing"
    assert draft.replaces == invoice and draft.status == "draft"
    assert draft.total == Decimal("500.00")  # + 2,000 operations × 0.05
    invoice_issue(invoice_id=draft.pk, actor=None)
    assert invoice_run(month=MONTH, actor=None).created_count == 0


def test_usage_for_a_deleted_customer_or_without_subscription_is_refused(subscribed, metric):
    with pytest.raises(ValidationError, match="no active subscription"):
        usage_record(
            customer=CustomerFactory(),
            metric=metric,
            day=date(2026, 3, 1),
            quantity=Decimal(1),
            actor=None,
        )
    with pytest.raises(ValidationError, match="zero or more"):
        usage_record(
            customer=subscribed,
            metric=metric,
            day=date(2026, 3, 1),
            quantity=Decimal(-1),
            actor=None,
        )
    subscribed.deleted_at = date(2026, 3, 1)
    with pytest.raises(ValidationError, match="deleted"):
        usage_record(
            customer=subscribed,
            metric=metric,
            day=date(2026, 3, 1),
            quantity=Decimal(1),
            actor=None,
        )
    assert not UsageRecord.objects.exists()


def test_usage_on_an_issued_invoice_cannot_change(subscribed, metric):
    invoice_run(month=MONTH, actor=None)
    with pytest.raises(ValidationError, match="issued invoice"):
        usage_record(
            customer=subscribed,
            metric=metric,
            day=date(2026, 3, 3),
            quantity=Decimal(5),
            actor=None,
        )


def test_a_second_live_subscription_is_refused(subscribed, plan):
    with pytest.raises(ValidationError, match="already has a subscription"):
        subscribe(subscribed, plan, start_date=date(2026, 2, 1))


def test_webhooks_hear_of_issued_and_paid_invoices(subscribed):
    from webhooks.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hook", events=["invoice.issued", "invoice.paid"]
    )
    invoice_run(month=MONTH, actor=None)
    invoice = Invoice.objects.get()
    payment_record(
        invoice_id=invoice.pk,
        amount=invoice.total,
        method="card",
        paid_on=date.today(),
        actor=None,
    )
    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", "payload"))
    assert [event for event, _ in events] == ["invoice.issued", "invoice.paid"]
    assert events[0][1]["object"]["number"] == invoice.number


def test_the_management_command_runs_a_month_and_refuses_bad_ones(subscribed):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("run_invoices", month="2026-03", tenant="alpha", stdout=out)
    call_command("run_invoices", month="2026-03", tenant="alpha", stdout=out)
    assert "1 created" in out.getvalue() and "1 already invoiced" in out.getvalue()
    for bad in ("2026-13", "next month", "2099-01"):
        with pytest.raises(CommandError):
            call_command("run_invoices", month=bad, tenant="alpha", stdout=out)
    assert Invoice.objects.count() == 1


def test_finished_trials_become_active_and_count_in_mrr(plan):
    from billing import figures

    customer = CustomerFactory()
    subscription = subscribe(
        customer, plan, seats=1, start_date=date(2026, 1, 1), trial_end=date(2026, 1, 14)
    )
    assert subscription.status == "trial" and figures.mrr() == 0
    assert end_trials(today=date(2026, 1, 14)) == 0
    assert end_trials(today=date(2026, 1, 15)) == 1
    subscription.refresh_from_db()
    assert subscription.status == "active" and figures.mrr() == Decimal("320.00")
    assert "Trial ended" in subscription.history.first().history_change_reason

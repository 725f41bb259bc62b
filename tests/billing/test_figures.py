"""The figures behind the dashboard and the customer page, checked against hand sums."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import figures
from billing.models import Invoice, MonthlyCollections, Subscription
from billing.services.invoicing import invoice_run
from billing.services.payments import payment_record
from billing.services.subscriptions import subscription_cancel, subscription_change
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import MONTH

pytestmark = pytest.mark.django_db


def test_mrr_by_month_follows_changes_trials_and_cancellations(in_tenant):
    plan = PlanFactory(monthly_fee="100.00", seat_fee="10.00")
    first = subscribe(CustomerFactory(), plan, seats=2, start_date=date(2026, 1, 15))
    subscription_change(
        subscription_id=first.pk, plan=plan, seats=5, effective_from=date(2026, 3, 10), actor=None
    )
    second = subscribe(
        CustomerFactory(), plan, seats=1, start_date=date(2026, 2, 1), trial_end=date(2026, 3, 31)
    )
    subscription_cancel(subscription_id=second.pk, on=date(2026, 5, 20), actor=None)
    trend = dict(figures.mrr_by_month(date(2025, 12, 1), date(2026, 6, 1)))
    assert trend == {
        date(2025, 12, 1): Decimal("0"),
        date(2026, 1, 1): Decimal("120.00"),
        date(2026, 2, 1): Decimal("120.00"),  # the second is in its trial
        date(2026, 3, 1): Decimal("150.00"),  # five seats from 10 March; trial ends on the 31st
        date(2026, 4, 1): Decimal("260.00"),
        date(2026, 5, 1): Decimal("150.00"),  # the second ended on 20 May
        date(2026, 6, 1): Decimal("150.00"),
    }
    Subscription.objects.filter(pk=second.pk).update(status="active")
    assert figures.mrr() == Decimal("260.00")


def test_project_fees_are_recurring_revenue_while_the_project_runs(in_tenant):
    from billing.models import Project

    customer = CustomerFactory()
    today = date.today()
    Project.objects.create(
        customer=customer, name="Managed network", start_date=date(2026, 2, 10),
        end_date=date(2026, 4, 30), monthly_fee="500.00",
    )  # fmt: skip
    Project.objects.create(
        customer=customer, name="Cancelled", start_date=date(2026, 1, 1),
        monthly_fee="900.00", is_cancelled=True,
    )  # fmt: skip
    running = Project.objects.create(
        customer=customer, name="Support", start_date=date(2026, 1, 1), monthly_fee="75.00"
    )
    trend = dict(figures.mrr_by_month(date(2026, 1, 1), date(2026, 5, 1)))
    assert [trend[date(2026, month, 1)] for month in range(1, 6)] == [
        Decimal("75.00"),
        Decimal("575.00"),
        Decimal("575.00"),
        Decimal("575.00"),
        Decimal("75.00"),
    ]  # fmt: skip  (April still ends with the project running)
    assert figures.mrr() == Decimal("75.00") == figures.customer_figures(customer.pk)["mrr"]
    Project.objects.filter(pk=running.pk).update(end_date=today - timedelta(days=1))
    assert figures.mrr() == Decimal("0")


def test_collections_per_month_add_up_every_payment(subscribed):
    invoice_run(month=MONTH, actor=None, today=date(2026, 4, 1))
    invoice = Invoice.objects.get()
    for amount, day in (
        ("100", date(2026, 4, 2)),
        ("50", date(2026, 4, 30)),
        ("1", date(2026, 5, 1)),
    ):
        payment_record(
            invoice_id=invoice.pk,
            amount=Decimal(amount),
            method="card",
            paid_on=day,
            actor=None,
        )
    assert dict(MonthlyCollections.objects.values_list("month", "amount")) == {
        date(2026, 4, 1): Decimal("150.00"),
        date(2026, 5, 1): Decimal("1.00"),
    }


def test_the_dashboard_series_line_up_with_their_labels(subscribed):
    data = figures.dashboard(6)
    for chart in data["charts"]:
        for values in chart["data"]["series"].values():
            assert len(values) == len(chart["data"]["labels"])
    assert figures.dashboard(999)["months"] == 12  # unknown ranges fall back


def test_new_customers_are_counted_in_the_month_they_became_customers(in_tenant):
    """By "customer since", not by when the row was made (an import is not new business)."""
    from datetime import timedelta

    from customers.models import Customer

    starts = figures.month_starts(3)
    arrivals = {
        starts[0] - timedelta(days=1): "before the range",
        starts[0]: "first month",
        starts[0] + timedelta(days=20): "first month",
        starts[2]: "this month",
    }
    for index, (day, label) in enumerate(arrivals.items()):
        CustomerFactory(name=f"{label} {index}", customer_since=day)
    imported = CustomerFactory(name="imported today", customer_since=date(2019, 5, 5))
    assert imported.created_at.date() >= starts[2]
    deleted = CustomerFactory(name="gone", customer_since=starts[2])
    Customer.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    assert figures.new_customers_per_month(starts) == [2, 0, 1]
    assert figures.new_customers_per_month([date(2019, 5, 1)]) == [1]
    assert figures.new_customers_per_month(starts, customers=[imported.pk]) == [0, 0, 0]

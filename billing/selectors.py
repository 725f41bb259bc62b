"""Reads that billing's services and views share: no writes here. Each function owns its
eager loading and does its work in a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Sum, When

from . import money
from .models import (
    LIVE_SUBSCRIPTION,
    BillingProfile,
    Invoice,
    InvoiceStatus,
    Payment,
    Subscription,
)

# --- Subscriptions -------------------------------------------------------------------------


def seat_limit(customer_id: int) -> int | None:
    """How many active users a company may have: its subscription's seats (None: no limit)."""
    return (
        Subscription.objects.filter(customer_id=customer_id, status__in=LIVE_SUBSCRIPTION)
        .values_list("seats", flat=True)
        .first()
    )


def customer_subscription(customer) -> Subscription | None:
    """The subscription a customer's billing page shows: its live one, else its latest."""
    return (
        Subscription.objects.filter(customer=customer)
        .select_related("plan")
        .order_by(Case(When(status="cancelled", then=1), default=0), "-start_date")
        .first()
    )


# --- Invoices --------------------------------------------------------------------------------


def payer_id(customer) -> int:
    """Who is invoiced for ``customer``'s charges: its parent when the parent bills its
    sub-accounts on its own invoice, else the customer itself."""
    parent_id = customer.parent_id
    if (
        parent_id
        and BillingProfile.objects.filter(customer_id=parent_id, consolidated_billing=True).exists()
    ):
        return parent_id
    return customer.pk


def billed_until(customer_id: int) -> date | None:
    """The last day a (non-void) invoice of the customer covers."""
    return (
        Invoice.objects.filter(customer_id=customer_id)
        .exclude(status=InvoiceStatus.VOID)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )


def tenant_currency() -> str:
    from tenants.models import Tenant

    currency = (
        Tenant.objects.filter(schema_name=connection.schema_name)
        .values_list("currency", flat=True)
        .first()
    )
    return currency or "USD"


# --- Resellers' commission --------------------------------------------------------------------


def _paid_in(period: money.Period, per: str, **filters: Any) -> dict[int, Decimal]:
    """Payments received in the period, summed per ``per`` (a path from Payment)."""
    return dict(
        Payment.objects.filter(paid_on__gte=period.start, paid_on__lte=period.end, **filters)
        .values(per)
        .annotate(total=Sum("amount"))
        .values_list(per, "total")
    )


def _commission(paid: Decimal | None, rate: Decimal) -> dict:
    paid = paid if paid is not None else Decimal("0.00")
    return {"paid": paid, "rate": rate, "commission": money.percent_of(paid, rate)}


def commission_rows(reseller, period: money.Period) -> list[dict]:
    """Each client of a reseller with what it paid in the period and the commission due."""
    from customers.models import Customer

    profile = BillingProfile.objects.filter(customer=reseller).first()
    rate = profile.commission_rate if profile else Decimal(0)
    paid = _paid_in(period, "invoice__customer_id", invoice__customer__parent=reseller)
    clients = Customer.objects.filter(parent=reseller).order_by("name").only("id", "name")
    return [{"customer": client, **_commission(paid.get(client.pk), rate)} for client in clients]


def commission_summary(resellers, period: money.Period) -> list[dict]:
    """Every reseller with its number of clients, what they paid in the period and the
    commission due: three queries however many resellers there are."""
    from customers.models import Customer

    resellers = list(resellers.select_related("billing_profile").order_by("name"))
    ids = [reseller.pk for reseller in resellers]
    clients = dict(
        Customer.objects.filter(parent_id__in=ids)
        .values("parent_id")
        .annotate(count=Count("pk"))
        .values_list("parent_id", "count")
    )
    paid = _paid_in(period, "invoice__customer__parent_id", invoice__customer__parent_id__in=ids)
    return [
        {
            "reseller": reseller,
            "clients": clients.get(reseller.pk, 0),
            **_commission(paid.get(reseller.pk), reseller.billing_profile.commission_rate),
        }
        for reseller in resellers
    ]


# --- A reseller's clients (the portal's Clients page) -------------------------------------------

CLIENT_USAGE_METRICS = ("operations", "storage-gb", "bandwidth-gb")


def reseller_client_figures(client_ids: list[int], today: date) -> dict[str, Any]:
    """Per client: MRR (live subscriptions' plan and seats, active projects' monthly fees),
    the amount overdue on its own invoices, its seat limit, and this calendar month's usage of
    operations, storage and bandwidth. Five queries whatever the number of clients."""
    from django.db.models import F, Q

    from .models import Metric, Project, UsageRecord
    from .querysets import status_conditions

    ids = sorted(client_ids)
    zero = Decimal("0.00")
    figures: dict[int, dict[str, Any]] = {
        pk: {"mrr": zero, "overdue": zero, "seats": None, "usage": {}} for pk in ids
    }
    for customer_id, seats, price, status in (
        Subscription.objects.filter(customer_id__in=ids, status__in=LIVE_SUBSCRIPTION)
        .annotate(price=F("plan__monthly_fee") + F("plan__seat_fee") * F("seats"))
        .values_list("customer_id", "seats", "price", "status")
    ):
        figures[customer_id]["seats"] = seats
        if status in ("active", "past_due"):  # as figures.mrr: trials bring nothing yet
            figures[customer_id]["mrr"] += price
    for customer_id, fees in (
        Project.objects.filter(status_conditions(today)["active"], customer_id__in=ids)
        .values("customer_id")
        .annotate(fees=Sum("monthly_fee"))
        .values_list("customer_id", "fees")
    ):
        figures[customer_id]["mrr"] += fees
    overdue = Q(status=InvoiceStatus.OVERDUE) | Q(
        status__in=["issued", "partially_paid"], due_date__lt=today
    )
    for customer_id, amount in (
        Invoice.objects.filter(overdue, customer_id__in=ids)
        .values("customer_id")
        .annotate(amount=Sum(F("total") - F("amount_paid")))
        .values_list("customer_id", "amount")
    ):
        figures[customer_id]["overdue"] = amount
    metrics = {metric.pk: metric for metric in Metric.objects.filter(code__in=CLIENT_USAGE_METRICS)}
    for customer_id, metric_id, quantity in (
        UsageRecord.objects.filter(
            customer_id__in=ids, metric_id__in=list(metrics), day__gte=today.replace(day=1)
        )
        .filter(day__lte=today)
        .values("customer_id", "metric_id")
        .annotate(quantity=Sum("quantity"))
        .values_list("customer_id", "metric_id", "quantity")
    ):
        figures[customer_id]["usage"][metrics[metric_id].code] = quantity
    ordered = sorted(metrics.values(), key=lambda m: CLIENT_USAGE_METRICS.index(m.code))
    return {"clients": figures, "metrics": ordered}
